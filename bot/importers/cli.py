"""`gatherbot import telegram|discord|csv`: bring existing history into the database."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import click

from bot.cli import config_options, friendly_errors, load_config, setup_logging
from bot.config import Config
from bot.importers.common import ImportFormatError, Overlap, Parsed, Result, ingest


@click.group("import")
def import_group() -> None:
    """Import history: Telegram Desktop and DiscordChatExporter JSON exports, CSV records."""


def _parse(parse: Callable[[str], Parsed], paths: tuple[str, ...]) -> Parsed:
    """Parse (and so validate) every file before anything is written."""
    parsed = Parsed()
    for path in paths:
        try:
            parsed.extend(parse(path))
        except ImportFormatError as exc:
            raise click.ClickException(f"{exc}\nnothing was imported") from None
    return parsed


async def run_import(cfg: Config, parsed: Parsed, overlap: Overlap | None = None) -> Result:
    """Log parsed events through the App (the same path as live events)."""
    from bot.bootstrap import build_app
    from bot.clock import SystemClock

    app = await build_app(cfg, adapters={}, clock=SystemClock())
    try:
        added = await ingest(app, parsed.events, progress=sys.stderr, overlap=overlap, skipped=parsed)
    finally:
        await app.close()
    return Result(parsed, added)


def _run(config_path: str | None, db: str | None, parse: Callable[[str], Parsed], paths: tuple[str, ...],
         overlap: Overlap | None = None) -> None:  # fmt: skip
    cfg = load_config(config_path, db)
    setup_logging(cfg.log_level, quiet=True)
    parsed = _parse(parse, paths)
    click.echo(f"read {len(parsed.events)} events from {len(paths)} file(s); importing...", err=True)
    with friendly_errors(cfg.database_url):
        result = asyncio.run(run_import(cfg, parsed, overlap))
    click.echo(result.summary())


@import_group.command("telegram")
@config_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def telegram_cmd(config_path: str | None, db: str | None, paths: tuple[str, ...]) -> None:
    """Telegram Desktop "Export chat history" in JSON (result.json: one chat or a whole account)."""
    from bot.importers import telegram

    _run(config_path, db, telegram.parse_file, paths, telegram.overlap)


@import_group.command("discord")
@config_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def discord_cmd(config_path: str | None, db: str | None, paths: tuple[str, ...]) -> None:
    """DiscordChatExporter JSON files (one per channel or thread)."""
    from bot.importers import discord

    _run(config_path, db, discord.parse_file, paths)


@import_group.command("csv")
@config_options
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["members", "attendance", "ratings"]),
    help="What the rows are.",
)
@click.option(
    "--platform", required=True, type=click.Choice(["telegram", "discord"]), help="Whose user ids these are."
)
@click.option(
    "--chat", "chat_id", required=True, help="The community: Telegram chat id (-100…) or Discord server id."
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def csv_cmd(
    config_path: str | None, db: str | None, kind: str, platform: str, chat_id: str, path: str
) -> None:
    """Spreadsheet records: members, attendance or ratings (columns: see README, "Importing history")."""
    from bot.importers import csv_records

    cfg = load_config(config_path, db)
    setup_logging(cfg.log_level, quiet=True)
    try:
        records = csv_records.parse_file(path, kind, cfg.timezone)
    except ImportFormatError as exc:
        raise click.ClickException(f"{exc}\nnothing was imported") from None
    with friendly_errors(cfg.database_url):
        counts = asyncio.run(_csv(cfg, records, kind, platform, chat_id))
    click.echo(f"read {len(records)} rows; added: " + ", ".join(f"{k}={n}" for k, n in counts.items()))


async def _csv(cfg: Config, records: list, kind: str, platform: str, chat_id: str) -> dict[str, int]:  # type: ignore[type-arg]
    from bot.bootstrap import build_app
    from bot.clock import SystemClock
    from bot.importers.csv_records import import_records

    app = await build_app(cfg, adapters={}, clock=SystemClock())
    try:
        return await import_records(app, cfg, records, kind, platform, chat_id)
    finally:
        await app.close()
