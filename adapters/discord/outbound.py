"""Shaping an OutMessage for Discord: length limits, mentions, buttons, polls and Scheduled Event fields."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import discord

from bot.domain.messages import Button, EventMirror, OutMessage, PollSpec
from bot.ports import PermanentError

logger = logging.getLogger(__name__)

MAX_TEXT = 2000
MAX_LABEL = 80
MAX_CUSTOM_ID = 100
MAX_ROWS = MAX_PER_ROW = 5
MAX_QUESTION, MAX_ANSWER, MAX_ANSWERS = 300, 55, 10
MAX_EVENT_NAME, MAX_EVENT_DESCRIPTION, MAX_LOCATION = 100, 1000, 100
DEFAULT_LOCATION = "Discord"
ELLIPSIS = "…"
CHANNEL_MENTION = re.compile(r"<#(\d{15,21})>")
_OPEN_MARKUP = re.compile(r"<[@#][!&]?\d*$")

Names = Callable[[str], tuple[str | None, str | None] | None]  # user id -> (display name, username)


def fit(text: str, limit: int = MAX_TEXT, *, what: str = "text") -> str:
    """text cut to limit characters, ending in an ellipsis when cut, never inside a <@id> mention."""
    if len(text) <= limit:
        return text
    cut = _OPEN_MARKUP.sub("", text[: limit - 1])
    logger.warning("discord: %s of %d characters cut to the %d Discord allows", what, len(text), limit)
    return cut + ELLIPSIS


def render_mentions(text: str, user_ids: Sequence[str], names: Names) -> str:
    """Each mentioned member's '@username' (or else their display name) in text becomes <@id>.

    The core writes names; Discord pings only for <@id>. A member whose name is unknown to the
    adapter stays plain text.
    """
    for user_id in dict.fromkeys(user_ids):
        known = names(user_id) if user_id.isdigit() else None
        if known is None:
            continue
        display, username = known
        patterns = [rf"(?<![\w<])@{re.escape(username)}(?![\w])"] if username else []
        if display:
            patterns.append(rf"(?<![\w@<#]){re.escape(display)}(?![\w>])")
        for pattern in patterns:
            new, count = re.subn(pattern, f"<@{user_id}>", text, count=1, flags=re.IGNORECASE)
            if count:
                text = new
                break
    return text


def allowed_mentions(user_ids: Sequence[str]) -> discord.AllowedMentions:
    """Ping exactly the members the core named: never @everyone, roles, or anyone else in the text."""
    users = [discord.Object(int(u)) for u in dict.fromkeys(user_ids) if u.isdigit()]
    return discord.AllowedMentions(everyone=False, roles=False, replied_user=False, users=users)


def build_view(rows: Sequence[Sequence[Button]]) -> discord.ui.View | None:
    """Buttons whose custom_id is the core's button data, so presses keep working after a restart."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    if len(rows) > MAX_ROWS or any(len(row) > MAX_PER_ROW for row in rows):
        raise PermanentError(f"discord: at most {MAX_ROWS} rows of {MAX_PER_ROW} buttons")
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(rows):
        for button in row:
            view.add_item(_button(button, index))
    view.stop()  # not kept by discord.py's view store: the adapter reads every press itself
    return view


def _button(button: Button, row: int) -> discord.ui.Button[discord.ui.View]:
    label = fit(button.label, MAX_LABEL, what="button label") or ELLIPSIS
    if button.url is not None:  # a link (e.g. to the bot's profile, to write to it privately)
        return discord.ui.Button(label=label, url=button.url, style=discord.ButtonStyle.link, row=row)
    if not 1 <= len(button.data) <= MAX_CUSTOM_ID:
        raise PermanentError(
            f"discord: button {button.label!r}: custom_id must be 1-{MAX_CUSTOM_ID} characters"
        )
    return discord.ui.Button(label=label, custom_id=button.data, style=discord.ButtonStyle.secondary, row=row)


def text_kwargs(message: OutMessage, names: Names) -> dict[str, Any]:
    """content, allowed_mentions and (when there are buttons) view for send / edit."""
    # Our text is plain: escape Markdown so a title like **x** or [a](link) shows as typed.
    escaped = discord.utils.escape_markdown(
        render_mentions(message.text, message.mentions, names), ignore_links=True
    )
    content = fit(escaped)
    kwargs: dict[str, Any] = {"content": content, "allowed_mentions": allowed_mentions(message.mentions)}
    view = build_view(message.buttons)
    if view is not None:
        kwargs["view"] = view
    return kwargs


def build_poll(spec: PollSpec, hours: int) -> discord.Poll:
    """A single-choice native poll; the core ends it itself, before Discord would."""
    if not 1 <= len(spec.options) <= MAX_ANSWERS:
        raise PermanentError(f"discord: a poll has 1-{MAX_ANSWERS} answers, not {len(spec.options)}")
    poll = discord.Poll(
        question=fit(spec.question, MAX_QUESTION, what="poll question"),
        duration=timedelta(hours=hours),
        multiple=False,
    )
    for option in spec.options:
        poll.add_answer(text=fit(option, MAX_ANSWER, what="poll answer"))
    return poll


def place_channel_id(place: str | None) -> int | None:
    """The channel a place names as <#id> (the core matches voice check-ins against it)."""
    match = CHANNEL_MENTION.search(place or "")
    return int(match.group(1)) if match else None


def location(place: str | None, channel_name: Callable[[int], str | None]) -> str:
    """An external event's location: the place, with channel mentions as '#name'."""

    def name(match: re.Match[str]) -> str:
        found = channel_name(int(match.group(1)))
        return f"#{found}" if found else match.group(0)

    text = CHANNEL_MENTION.sub(name, " ".join((place or "").split()))
    return fit(text, MAX_LOCATION, what="event location") if text else DEFAULT_LOCATION


def event_fields(mirror: EventMirror, channel: discord.abc.GuildChannel | None, where: str) -> dict[str, Any]:
    """Keyword arguments for Guild.create_scheduled_event / ScheduledEvent.edit.

    In a voice or stage channel when the place names one (members who join it are checked in),
    else an external event at the place.
    """
    fields: dict[str, Any] = {
        "name": fit(mirror.title, MAX_EVENT_NAME, what="event name"),
        "description": fit(mirror.description, MAX_EVENT_DESCRIPTION, what="event description"),
        "start_time": mirror.starts_at,
        "end_time": mirror.ends_at,
        "privacy_level": discord.PrivacyLevel.guild_only,
    }
    if isinstance(channel, discord.StageChannel):
        fields.update(entity_type=discord.EntityType.stage_instance, channel=channel)
    elif isinstance(channel, discord.VoiceChannel):
        fields.update(entity_type=discord.EntityType.voice, channel=channel)
    else:
        fields.update(entity_type=discord.EntityType.external, location=where)
    return fields
