"""`gatherbot import telegram|discord|csv`: bring existing history into the database.

Every export is read twice, as a stream: first checked from end to end (a bad file stops here,
with the position, and nothing is written; a malformed file does not even create the database),
then read again and written in batches, each batch its own transaction. If the second pass is
interrupted, importing again writes only what is missing: events are deduped on their source ids.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path

import click

from bot.cli import config_options, friendly_errors, load_config, setup_logging
from bot.config import Config
from bot.importers.common import ImportFormatError, Overlap, Parsed, Result, Source, ingest
from bot.importers.progress import Progress


@click.group("import")
def import_group() -> None:
    """Import history: Telegram Desktop (JSON or HTML) and DiscordChatExporter exports, CSV records."""


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


async def run_import(cfg: Config, parsed: Parsed, overlap: Overlap | None = None) -> Result:
    """Log already parsed events (a Parsed that kept them) through the App, the same path as live events."""
    from bot.bootstrap import build_app
    from bot.clock import SystemClock

    app = await build_app(cfg, adapters={}, clock=SystemClock())
    try:
        added = await ingest(app, parsed.events or [], overlap=overlap, skipped=parsed)
    finally:
        await app.close()
    return Result(parsed, added)


async def run_sources(
    cfg: Config, sources: Sequence[Source], overlap: Overlap | None = None, progress: Progress | None = None
) -> Result:
    """Read checked sources again and log their events in batches (bounded memory)."""
    from bot.bootstrap import build_app
    from bot.clock import SystemClock

    parsed = Parsed(events=None)
    app = await build_app(cfg, adapters={}, clock=SystemClock())
    try:
        if progress is not None:
            progress.start("importing")
        events = chain.from_iterable(source.events(parsed, progress) for source in sources)
        added = await ingest(app, events, progress=progress, overlap=overlap, skipped=parsed)
    finally:
        if progress is not None:
            progress.finish_line()
        await app.close()
    return Result(parsed, added)


def _import(config_path: str | None, db: str | None, sources: Callable[[], list[Source]],
            overlap: Overlap | None = None) -> None:  # fmt: skip
    cfg = load_config(config_path, db)
    setup_logging(cfg.log_level, quiet=True)
    try:
        found = sources()
    except ImportFormatError as exc:
        raise click.ClickException(f"{exc}\nnothing was imported") from None
    total = sum(source.size for source in found)
    progress = Progress(sys.stderr, total)
    progress.start("checking")
    try:
        for source in found:
            source.check(progress)
    except ImportFormatError as exc:
        progress.finish_line()
        raise click.ClickException(f"{exc}\nnothing was imported") from None
    progress.finish_line()
    click.echo(f"checked {len(found)} export(s), {_size(total)}: importing", err=True)
    with friendly_errors(cfg.database_url):
        try:
            result = asyncio.run(run_sources(cfg, found, overlap, progress))
        except ImportFormatError as exc:  # the file changed between the two passes
            raise click.ClickException(
                f"{exc}\nthe import stopped there; what was written before is kept, and importing again"
                " after fixing the file adds only what is missing"
            ) from None
    click.echo(result.summary())


def telegram_sources(paths: Sequence[str], chat: str | None) -> list[Source]:
    """What each path is: result.json, an HTML chat folder (or one of its pages), an HTML account export."""
    from bot.importers.telegram import JsonExport
    from bot.importers.telegram_html import PAGE, HtmlAccount, HtmlChat

    sources: list[Source] = []
    folders: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            if (path / "result.json").is_file():
                path = path / "result.json"
            elif (path / "messages.html").is_file():
                path = path / "messages.html"
            elif (path / "lists" / "chats.html").is_file():
                path = path / "export_results.html"
            else:
                raise ImportFormatError(
                    f"{path}: no Telegram Desktop export here (expected result.json, messages.html,"
                    " or lists/chats.html of a whole-account export)"
                )
        if path.name == "export_results.html":
            sources.append(HtmlAccount(path.parent))
        elif PAGE.fullmatch(path.name):
            folder = path.parent.resolve()
            if folder not in folders:
                folders.add(folder)
                sources.append(HtmlChat(folder, chat_id=chat))
        elif path.suffix.lower() in (".html", ".htm"):
            raise ImportFormatError(
                f"{path}: not a page of a Telegram Desktop chat export (messages.html, messages2.html, ...)"
            )
        else:
            sources.append(JsonExport(path))
    html_chats = [s for s in sources if isinstance(s, HtmlChat)]
    if chat is not None:
        if len(html_chats) != 1 or len(sources) != 1:
            raise ImportFormatError(
                "--chat names the group of one HTML chat export (JSON exports carry their chat ids)"
            )
        if not re.fullmatch(r"-\d+", chat):
            raise ImportFormatError(f"--chat {chat}: not a Telegram group id (like -1001234567890)")
    return sources


@import_group.command("telegram")
@config_options
@click.option(
    "--chat",
    "chat",
    default=None,
    help="HTML exports only: the group's id (-100...), so the history joins the community the bot serves.",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def telegram_cmd(config_path: str | None, db: str | None, chat: str | None, paths: tuple[str, ...]) -> None:
    """Telegram Desktop "Export chat history": result.json (a chat or a whole account), or the HTML
    export (a folder with messages.html, messages2.html, ...; or a whole account's folder)."""
    from bot.importers import telegram

    _import(config_path, db, lambda: telegram_sources(paths, chat), telegram.overlap)


@import_group.command("discord")
@config_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def discord_cmd(config_path: str | None, db: str | None, paths: tuple[str, ...]) -> None:
    """DiscordChatExporter JSON files (one per channel or thread)."""
    from bot.importers.discord import DiscordExport

    _import(config_path, db, lambda: [DiscordExport(p) for p in paths])


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
