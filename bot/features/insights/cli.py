"""`gatherbot report`: the community overview of /report as report.md and PNG charts in a folder.

bot/cli.py adds it lazily (LazyGroup), so `gatherbot --help` does not load matplotlib or the queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy import select

from bot.cli import config_options, friendly_errors, load_config, setup_logging
from bot.config import LANGUAGES, Config


class ReportError(click.ClickException):
    """A report that cannot be made: the message says why and what to do."""


def parse_now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: use ISO time, e.g. 2026-12-01T09:00+08:00", param_hint="--now"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@click.command("report")
@config_options
@click.option("--community", type=int, default=None, help="Community id (default: the first).")
@click.option(
    "--out",
    default="gatherbot-report",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for report.md and the PNG charts (made if missing; files of the same name are replaced).",
)
@click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None, help="Language (default: the community's)."
)
@click.option("--now", default=None, help="End of the 30 days (ISO 8601; default: now).")
def report_command(
    config_path: str | None,
    db: str | None,
    community: int | None,
    out: str,
    lang: str | None,
    now: str | None,
) -> None:
    """The community's last 30 days as report.md and PNG charts, from the latest analytics run (groups of
    fewer than 5 members are not shown)."""
    cfg = load_config(config_path, db)
    setup_logging(cfg.log_level, quiet=True)
    when = parse_now(now)
    with friendly_errors(cfg.database_url):
        paths = asyncio.run(_report(cfg, community, Path(out), lang, when))
    for path in paths:
        click.echo(str(path))


async def _report(
    cfg: Config, community_id: int | None, out: Path, lang: str | None, now: datetime
) -> list[Path]:
    from bot.bootstrap import prepare_database
    from bot.features.insights.common import community_runs
    from bot.features.insights.report_files import write_report
    from bot.storage import db as dbm
    from bot.storage.models import Community

    path = dbm.sqlite_path(cfg.database_url)
    if path is not None and not path.exists():
        raise ReportError(f"no database file at {path}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot make the folder {out}: {exc.strerror or exc}") from None
    await prepare_database(cfg.database_url)
    engine = dbm.make_engine(cfg.database_url)
    try:
        async with dbm.make_sessionmaker(engine)() as session:
            ids = list(await session.scalars(select(Community.id).order_by(Community.id)))
            if not ids:
                raise ReportError("no community in the database yet: add the bot to a group first")
            if community_id is not None and community_id not in ids:
                known = ", ".join(map(str, ids[:20])) + (", …" if len(ids) > 20 else "")
                raise ReportError(f"no community {community_id} (communities: {known})")
            community = await session.get(Community, community_id if community_id is not None else ids[0])
            assert community is not None
            runs = await community_runs(session, community.id)
            if not runs:
                raise ReportError(
                    f"community {community.id} has no analytics results yet: run "
                    f"`gatherbot analytics run --community {community.id}` first (gatherbot run also does it nightly)"
                )
            language = lang or (community.locale if community.locale in LANGUAGES else cfg.language)
            return await write_report(session, community, runs[0], now, language, out, cfg.chart_font)
    finally:
        await engine.dispose()
