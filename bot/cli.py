"""The gatherbot command line."""

from __future__ import annotations

import asyncio
import importlib
import io
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from bot import config as config_mod
from bot.config import Config, ConfigError

logger = logging.getLogger("bot")
CONFIG_HELP = "Path to config.toml (default: ./config.toml if it exists)."
DB_HELP = "Database file path or URL; wins over the config and GATHERBOT_DATABASE_URL."


def load_config(path: str | None, db: str | None) -> Config:
    """Read config (or defaults) and apply --db; a bad config stops with a message naming the key."""
    if path is None and Path("config.toml").exists():
        path = "config.toml"
    try:
        cfg = config_mod.load(path)
    except ConfigError as exc:
        raise click.ClickException(f"invalid configuration: {exc}") from None
    if db:
        cfg = Config(**{**cfg.__dict__, "database_url": db})
    return cfg


@contextmanager
def friendly_errors(url: str | None = None) -> Iterator[None]:
    """Turn start-up and database errors into a one-line message (no traceback, no password)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.bootstrap import StartupError
    from bot.storage.db import DatabaseError, redact

    where = f" ({redact(url)})" if url else ""
    try:
        yield
    except (StartupError, DatabaseError) as exc:
        raise click.ClickException(str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        if url and "://" in url:
            reason = reason.replace(url, redact(url))
        raise click.ClickException(f"database error{where}: {type(exc).__name__}: {reason}") from None


def setup_logging(level: str, quiet: bool = False) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet else getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def config_options(fn: Any) -> Any:
    fn = click.option("--db", "db", default=None, help=DB_HELP)(fn)
    return click.option(
        "--config", "config_path", default=None, type=click.Path(dir_okay=False), help=CONFIG_HELP
    )(fn)


class LazyGroup(click.Group):
    """A command group whose heavy subcommands (analytics: pandas, scikit-learn; report: matplotlib) load
    only when used."""

    lazy = {
        "analytics": ("analytics.cli", "analytics_group"),
        "import": ("bot.importers.cli", "import_group"),
        "report": ("bot.features.insights.cli", "report_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name]
            return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """gatherbot: data-driven activity planning for technical communities on Telegram and Discord."""


@main.command()
@config_options
def run(config_path: str | None, db: str | None) -> None:
    """Start the configured adapters (the console when none is configured)."""
    cfg = load_config(config_path, db)
    if not cfg.adapters or cfg.adapters == ("console",):
        _console(cfg, None, sys.stdin)
        return
    setup_logging(cfg.log_level)
    from bot.runner import run_forever

    try:
        with friendly_errors(cfg.database_url):
            asyncio.run(run_forever(cfg))
    except KeyboardInterrupt:
        pass


def _parse_clock(text: str, tz: ZoneInfo) -> datetime:
    try:
        return datetime.fromisoformat(text.strip().replace("T", " ")).replace(tzinfo=tz)
    except ValueError:
        raise click.BadParameter(f'{text!r}: use "YYYY-MM-DD HH:MM", e.g. "2026-12-01 09:00"') from None


def _console(cfg: Config, simulated: str | None, source: Any, out: Any = None) -> None:
    setup_logging(cfg.log_level, quiet=True)
    tz = ZoneInfo(cfg.timezone)
    start = _parse_clock(simulated, tz) if simulated else None
    with friendly_errors(cfg.database_url):
        asyncio.run(_console_async(cfg, start, source, out or sys.stdout, tz))


async def _console_async(cfg: Config, start: datetime | None, source: Any, out: Any, tz: ZoneInfo) -> None:
    from bot.bootstrap import build_app, load_adapter
    from bot.clock import SimulatedClock, SystemClock

    console = importlib.import_module("adapters.console")
    adapter = load_adapter("console", cfg)
    app = await build_app(
        cfg, adapters={"console": adapter}, clock=SimulatedClock(start) if start else SystemClock()
    )
    try:
        await console.run_console(app, adapter, source, out, tz)
    finally:
        await app.close()


@main.command()
@config_options
@click.option(
    "--simulated-clock",
    default=None,
    help='Start a simulated clock at this local time, e.g. "2026-12-01 09:00".',
)
@click.argument("script", required=False, type=click.File("r", encoding="utf-8"))
def console(config_path: str | None, db: str | None, simulated_clock: str | None, script: Any) -> None:
    """Chat with the bot in a terminal (or pipe a script of lines; see README)."""
    cfg = load_config(config_path, db)
    _console(cfg, simulated_clock, script or sys.stdin)


@main.command()
@click.option("--db", "db", default=None, help="Keep the story's database here (default: a temporary file).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", help="Language of the story.")
@click.option(
    "--out", default="gatherbot-demo", type=click.Path(file_okay=False), help="Folder for the charts."
)
@click.option(
    "--story-only", is_flag=True, help="Only the chat story, not the 12-week community and its analytics."
)
def demo(db: str | None, lang: str, out: str, story_only: bool) -> None:
    """The main demo on SQLite, no token: a chat story (create, RSVP, remind, check in, rate), then a
    simulated 12-week community played through the bot and what analytics finds in it."""
    click.echo("== 1. A chat story, on a simulated clock " + "=" * 40)
    name = "console_demo_zh.txt" if lang == "zh" else "console_demo.txt"
    script = resources.files("bot.demo").joinpath(name).read_text(encoding="utf-8")
    first = script.splitlines()[0]
    start = first.split("clock:", 1)[1].strip() if "clock:" in first else "2026-12-01 09:00"
    with tempfile.TemporaryDirectory() as tmp:
        path = db or str(Path(tmp) / "demo.db")
        cfg = Config(database_url=path, timezone="Asia/Shanghai", language=lang)
        _console(cfg, start, io.StringIO(script))
    if story_only:
        return
    click.echo("\n== 2. A 12-week community and its analytics " + "=" * 36)
    from analytics.cli import demo_analytics

    ctx = click.get_current_context()
    ctx.invoke(demo_analytics, out=out, db=None)


@main.command("purge")
@config_options
def purge_command(config_path: str | None, db: str | None) -> None:
    """Erase expired message text and the data of groups the bot left (gatherbot run does it daily)."""
    cfg = load_config(config_path, db)
    setup_logging(cfg.log_level, quiet=True)
    with friendly_errors(cfg.database_url):
        counts = asyncio.run(_purge(cfg))
    click.echo(", ".join(f"{name}={n}" for name, n in counts.items()))


async def _purge(cfg: Config) -> dict[str, int]:
    from datetime import UTC

    from bot.bootstrap import prepare_database
    from bot.features.privacy import purge
    from bot.storage import db as dbm

    await prepare_database(cfg.database_url)
    engine = dbm.make_engine(cfg.database_url)
    try:
        return await purge(dbm.make_sessionmaker(engine), cfg, datetime.now(UTC))
    finally:
        await engine.dispose()


@main.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@config_options
@click.argument("revision", default="head")
def db_upgrade(config_path: str | None, db: str | None, revision: str) -> None:
    """Apply migrations (default: to the latest)."""
    from bot.storage import db as dbm

    cfg = load_config(config_path, db)
    with friendly_errors(cfg.database_url):
        dbm.upgrade(cfg.database_url, revision)
        click.echo(f"{dbm.redact(dbm.normalize_url(cfg.database_url))}: at {dbm.current(cfg.database_url)}")


@db_group.command("downgrade")
@config_options
@click.argument("revision")
def db_downgrade(config_path: str | None, db: str | None, revision: str) -> None:
    """Revert migrations down to REVISION (use 'base' for an empty database)."""
    from bot.storage import db as dbm

    cfg = load_config(config_path, db)
    with friendly_errors(cfg.database_url):
        dbm.downgrade(cfg.database_url, revision)
        where = dbm.redact(dbm.normalize_url(cfg.database_url))
        click.echo(f"{where}: at {dbm.current(cfg.database_url) or 'base'}")


@db_group.command("current")
@config_options
def db_current(config_path: str | None, db: str | None) -> None:
    """Show the database's migration revision."""
    from bot.storage import db as dbm

    cfg = load_config(config_path, db)
    with friendly_errors(cfg.database_url):
        click.echo(dbm.current(cfg.database_url) or "base (empty)")


@main.command("commands")
def list_commands() -> None:
    """List the chat commands with their help text."""
    from bot.features import build_registry

    for spec in build_registry():
        role = "" if spec.role == "member" else f" [{spec.role}]"
        click.echo(f"/{spec.name}{role}: {spec.view().help_en} — {spec.usage}")


if __name__ == "__main__":
    main()
