"""Command line: `gatherbot analytics run|evaluate|demo` and `gatherbot demo-analytics`.

bot/cli.py adds them with ``main.add_command(analytics_group)`` and ``main.add_command(demo_analytics)``.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from analytics.config import AnalyticsConfig, AnalyticsConfigError
from analytics.config import load as load_analytics
from analytics.demo_world import DemoSpec
from analytics.store import jsonable

CONFIG_HELP = "Path to config.toml (default: ./config.toml if it exists); its [analytics] table is read."
DB_HELP = "Database file path or URL; wins over the config and GATHERBOT_DATABASE_URL."


def _settings(config_path: str | None, db: str | None) -> tuple[str, AnalyticsConfig]:
    """The database URL and the analytics settings, from config file, environment and --db."""
    from bot import config as bot_config

    if config_path is None and Path("config.toml").exists():
        config_path = "config.toml"
    try:
        url = bot_config.load(config_path).database_url
        cfg = load_analytics(config_path)
    except (bot_config.ConfigError, AnalyticsConfigError) as exc:
        raise click.ClickException(f"invalid configuration: {exc}") from None
    return db or url, cfg


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise click.BadParameter(f"{text!r}: use ISO time, e.g. 2026-12-01T00:00+08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def common(fn: Any) -> Any:
    """--config, --db, --community, --now and --json."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(fn)
    fn = click.option("--now", default=None, help="Pretend it is this time (ISO 8601; default: now).")(fn)
    fn = click.option("--community", type=int, default=None, help="Community id (default: the first).")(fn)
    fn = click.option("--db", "db", default=None, help=DB_HELP)(fn)
    return click.option(
        "--config", "config_path", default=None, type=click.Path(dir_okay=False), help=CONFIG_HELP
    )(fn)


@click.group("analytics")
def analytics_group() -> None:
    """Segments, event effect, turnout, recommendations: run them, or evaluate them against baselines."""


@analytics_group.command("run")
@common
def run_cmd(
    config_path: str | None, db: str | None, community: int | None, now: str | None, as_json: bool
) -> None:
    """Run analytics once and write the results tables (what the nightly job does)."""
    from analytics.jobs import run_analytics

    url, cfg = _settings(config_path, db)
    try:
        run_id = asyncio.run(run_analytics(url, cfg, _now(now), community))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps({"run_id": run_id}) if as_json else f"analytics run {run_id} written")


@analytics_group.command("evaluate")
@common
def evaluate_cmd(
    config_path: str | None, db: str | None, community: int | None, now: str | None, as_json: bool
) -> None:
    """Time-based holdout: each model's score next to its baseline's, measured in the same run."""
    from analytics.evaluate import evaluate
    from analytics.report import evaluation_table

    url, cfg = _settings(config_path, db)
    try:
        result = asyncio.run(evaluate(url, cfg, _now(now), community))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(jsonable(result), sort_keys=True))
        return
    click.echo(f"train before {result['cutoff']}, test until {result['now']}")
    click.echo(evaluation_table(result))


@analytics_group.command("export")
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--db", "db", default=None, help=DB_HELP)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the CSV files.")
@click.option(
    "--pseudonymize/--member-ids",
    default=True,
    help="Members as keyed hashes (default), or as internal member ids; never platform ids or names.",
)
def export_cmd(config_path: str | None, db: str | None, out: str, pseudonymize: bool) -> None:
    """Write the latest results (segments, members, events, recommendations) as CSV for analysts."""
    from analytics.export import export
    from bot import config as bot_config
    from bot.storage import db as dbm

    url, _ = _settings(config_path, db)
    cfg = bot_config.load(config_path if config_path or not Path("config.toml").exists() else "config.toml")

    async def go() -> dict[str, int]:
        engine = dbm.make_engine(url)
        try:
            async with dbm.make_sessionmaker(engine)() as session:
                counts = await export(session, cfg, Path(out), pseudonymize=pseudonymize)
                await session.commit()  # the export key, if it was made just now
                return counts
        finally:
            await engine.dispose()

    counts = asyncio.run(go())
    click.echo(", ".join(f"{name}: {n} rows" for name, n in counts.items()) + f" -> {out}")


@click.command("demo-analytics")
@click.option(
    "--out", default="gatherbot-demo", type=click.Path(file_okay=False), help="Folder for the PNG charts."
)
@click.option("--db", "db", default=None, help="Keep the demo database here (default: a temporary file).")
@click.option("--members", default=DemoSpec.members, show_default=True, help="Members in the community.")
@click.option("--weeks", default=DemoSpec.weeks, show_default=True, help="Weeks of simulated history.")
@click.option("--seed", default=DemoSpec.seed, show_default=True, help="Seed of the simulated community.")
def demo_analytics(out: str, db: str | None, members: int, weeks: int, seed: int) -> None:
    """Simulate a study group for 12 weeks through the bot, then show what analytics finds in it."""
    from analytics.demo_run import run_demo

    if db and os.path.exists(db):
        raise click.ClickException(f"{db} exists: the demo needs a new database file")
    if members < 20 or weeks < 6:
        raise click.BadParameter("the demo needs at least 20 members and 6 weeks")
    spec = DemoSpec(members=members, weeks=weeks, seed=seed)
    asyncio.run(run_demo(Path(out), db, spec, echo=lambda line: click.echo(line)))


analytics_group.add_command(demo_analytics, "demo")
