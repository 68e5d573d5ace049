"""The nightly analytics run as a child process of `gatherbot run`.

The bot starts it with the database URL and the [analytics] table in its environment (never on the
command line, where other users could read a password), so pandas and scikit-learn load only here and
the bot's own memory stays small.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys

from analytics.config import from_dict
from analytics.jobs import run_nightly

URL_ENV = "GATHERBOT_ANALYTICS_URL"
CONFIG_ENV = "GATHERBOT_ANALYTICS_CONFIG"


def main() -> int:
    """Run analytics for every community; the exit code says whether it worked."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = os.environ.get(URL_ENV)
    if not url:
        print(f"{URL_ENV} is not set", file=sys.stderr)
        return 2
    config = from_dict(json.loads(os.environ.get(CONFIG_ENV) or "{}"))
    runs = asyncio.run(run_nightly(url, config))
    logging.getLogger(__name__).info("nightly analytics wrote %d run(s)", len(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
