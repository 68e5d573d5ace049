"""The formats feed the analytics: submissions, questions, write-ups and votes are activity, and each member's
contributions to them are a feature of their profile; members who opted out are left out."""

from __future__ import annotations

from datetime import timedelta

from analytics.config import AnalyticsConfig
from analytics.features import member_features
from analytics.jobs import read_inputs
from bot.storage.models import Member


async def test_contributions_are_counted_per_member(bot, tmp_path) -> None:
    await bot(
        "alice: /newevent Sprint 2026-12-01 10:00 1h type=challenge", "alice: /task add 1 Parse logs",
        "alice: /newevent Talk 2026-12-01 12:00 1h type=sharing", "alice: /newevent Chat 2026-12-01 14:00 1h",
        ":advance 1h", "bob: /submit 1 1 https://git.example/bob", "carol: /submit 1 1 https://git.example/carol",
        ":advance 2h", "bob: /ask Why?", "bob: /ask How?", "dave: /ask When?",
        ":advance 3h", "bob: /writeup 3 https://bob.example/a", "carol: /writeup 3 https://carol.example/b",
        ":advance 3d", "dave: [bob]", "erin: [carol]", "carol@dm: /privacy analytics off",
    )  # fmt: skip
    ids = {m.user_id.removeprefix("u-"): m.id for m in await bot.rows(Member)}
    now = bot.clock.now() + timedelta(minutes=1)
    inputs, _ = await read_inputs(bot.app.config.database_url, None, AnalyticsConfig(executor="inline"), now)
    features = member_features(inputs)
    contributions = {
        name: int(features.loc[i, "contributions"]) for name, i in ids.items() if i in features.index
    }
    assert contributions == {"alice": 0, "bob": 4, "dave": 2, "erin": 1}  # carol opted out: not there at all
    # The commands and presses themselves are activity too.
    assert features.loc[ids["bob"], "actions"] >= 4
