"""Pure functions for interactions: an INTERACTION_CREATE payload in, domain events out.

Slash commands with typed options are rendered back into the one-line form the core parses
(bot/features/eventform.py), using its ``key="value"`` options for the free-text fields, so a
title with '=' or a time that ends in a number can never be misread. Buttons and select menus
become ButtonPressed with the component's custom_id as data (plus the chosen value for selects).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.discord.refs import (
    Lookups,
    chat_ref,
    has_admin_bits,
    snowflake_time,
    source,
    user_ref,
    where,
)
from bot.domain.events import ButtonPressed, CommandInvoked, DomainEvent, UserRef

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CHAT_INPUT = 1
MODAL_PREFIX = "cmd:"  # a modal whose custom_id is 'cmd:NAME' submits the command NAME
NEWEVENT = "newevent"
# How the adapter acknowledges an interaction within Discord's 3 seconds.
MODAL, THINK, UPDATE, SUGGEST, NONE = "modal", "think", "update", "suggest", "none"
FREE_TEXT = ("title", "when", "place")  # always quoted: they may hold spaces, '=' or '#'
_SPLIT_TAGS = re.compile(r"[,\s，]+")


def options_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """A slash command's options as name -> value (empty strings dropped)."""
    found: dict[str, Any] = {}
    for option in data.get("options") or []:
        value = option.get("value")
        if value is not None and value != "":
            found[str(option["name"])] = value
    return found


def focused(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The option being typed in an autocomplete interaction, and its text so far."""
    for option in data.get("options") or []:
        if option.get("focused"):
            return str(option["name"]), str(option.get("value") or "")
    return None


def first_response(payload: Mapping[str, Any]) -> str:
    """What to answer right away: a modal, a 'thinking' notice, a silent ack, or suggestions."""
    kind = payload.get("type")
    if kind == COMMAND:
        data = payload.get("data") or {}
        if data.get("name") == NEWEVENT and not needs_no_form(options_of(data)):
            return MODAL
        return THINK
    return {COMPONENT: UPDATE, AUTOCOMPLETE: SUGGEST, MODAL_SUBMIT: THINK}.get(int(kind or 0), NONE)


def needs_no_form(options: Mapping[str, Any]) -> bool:
    """/newevent with both a title and a time can go straight to the core; otherwise a form opens."""
    return bool(options.get("title")) and bool(options.get("when"))


def quote(value: str) -> str:
    """A value in quotes the core's tokenizer keeps whole (on one line)."""
    text = " ".join(str(value).split())
    if '"' not in text:
        return f'"{text}"'
    if "“" not in text and "”" not in text:
        return f"“{text}”"
    return '"' + text.replace('"', "'") + '"'


def _pair(key: str, value: object) -> str:
    text = str(value).strip()
    if key in FREE_TEXT or not re.fullmatch(r"[^\s\"“”]+", text):
        return f"{key}={quote(text)}"
    return f"{key}={text}"


def tag_words(text: str) -> list[str]:
    """'python, #rust' -> ['#python', '#rust']."""
    return ["#" + part.lstrip("#＃") for part in _SPLIT_TAGS.split(text.strip()) if part.lstrip("#＃")]


def place_text(options: Mapping[str, Any]) -> str:
    """The place: the text given, and the voice/stage channel as a <#id> mention the core matches."""
    parts = [str(options.get("place") or "").strip()]
    if options.get("voice"):
        parts.append(f"<#{options['voice']}>")
    return " ".join(p for p in parts if p)


def newevent_args(options: Mapping[str, Any]) -> str:
    """The /newevent form line for the core, from slash-command options or the modal's fields."""
    words: list[str] = []
    for key in ("title", "when", "duration", "type"):
        if str(options.get(key) or "").strip():
            words.append(_pair(key, options[key]))
    words += tag_words(str(options.get("tags") or ""))
    for key in ("capacity",):
        if options.get(key) not in (None, ""):
            words.append(_pair(key, options[key]))
    place = place_text(options)
    if place:
        words.append(_pair("place", place))
    for key in ("repeat", "count"):
        if options.get(key) not in (None, ""):
            words.append(_pair(key, options[key]))
    extra = " ".join(str(options.get("extra") or "").split())
    return " ".join([*words, extra] if extra else words)


def modal_prefill(options: Mapping[str, Any]) -> dict[str, str]:
    """The modal's starting values from whatever options the member already gave."""
    extra = newevent_args(
        {k: v for k, v in options.items() if k in ("type", "tags", "capacity", "repeat", "count")}
    )
    prefill = {key: str(options[key]) for key in ("title", "when", "duration") if options.get(key)}
    place = place_text(options)
    if place:
        prefill["place"] = place
    if extra:
        prefill["extra"] = extra
    return prefill


def modal_values(components: list[Mapping[str, Any]]) -> dict[str, str]:
    """custom_id -> value of the text inputs in a modal submission (action rows or labels)."""
    values: dict[str, str] = {}
    stack = list(components)
    while stack:
        component = stack.pop(0)
        if "custom_id" in component and "value" in component:
            values[str(component["custom_id"])] = str(component["value"] or "")
        stack.extend(component.get("components") or [])
        if component.get("component"):
            stack.append(component["component"])
    return values


def command_args(name: str, options: Mapping[str, Any]) -> str:
    """The args string of a slash command: /newevent's form line, or the one 'args' option."""
    if name == NEWEVENT:
        return newevent_args(options)
    return " ".join(str(options.get("args") or "").split())


def actor(payload: Mapping[str, Any]) -> UserRef | None:
    """Who interacted; permissions come with the payload, so admin rights need no lookup."""
    member = payload.get("member")
    locale = payload.get("locale")
    if member and member.get("user"):
        perms = member.get("permissions")
        admin = has_admin_bits(int(perms)) if perms is not None else None
        return user_ref(member["user"], member, is_admin=admin, language_code=locale)
    user = payload.get("user")
    return user_ref(user, language_code=locale) if user else None


def interaction_events(payload: Mapping[str, Any], *, lookups: Lookups | None = None) -> list[DomainEvent]:
    """The domain event of a slash command, button, select menu or modal submission (autocomplete: none)."""
    user = actor(payload)
    if user is None:
        return []
    interaction_id = str(payload["id"])
    base: dict[str, Any] = {
        "source_id": source(f"int:{where(payload)}:{interaction_id}"),
        "chat": chat_ref(payload.get("guild_id"), user, lookups or Lookups()),
        "user": user,
        "occurred_at": snowflake_time(interaction_id),
        "interaction_id": interaction_id,
    }
    kind, data = payload.get("type"), payload.get("data") or {}
    if kind == COMMAND and data.get("type", CHAT_INPUT) == CHAT_INPUT:
        if first_response(payload) == MODAL:
            return []  # the form's submission carries the command
        name = str(data["name"])
        return [CommandInvoked(**base, name=name, args=command_args(name, options_of(data)))]
    if kind == COMPONENT and data.get("custom_id"):
        chosen = [str(v) for v in data.get("values") or []]
        pressed = str(data["custom_id"]) + (":" + ",".join(chosen) if chosen else "")
        message_id = (payload.get("message") or {}).get("id")
        return [ButtonPressed(**base, data=pressed, message_id=str(message_id) if message_id else None)]
    if kind == MODAL_SUBMIT and str(data.get("custom_id", "")).startswith(MODAL_PREFIX):
        name = str(data["custom_id"])[len(MODAL_PREFIX) :]
        fields = modal_values(list(data.get("components") or []))
        return [CommandInvoked(**base, name=name, args=command_args(name, fields))]
    return []


def interaction_payload(interaction: Any) -> dict[str, Any]:
    """The INTERACTION_CREATE fields the translation reads, from a discord.Interaction.

    discord.py keeps ``data`` as Discord sent it but parses the rest into objects; this puts
    those few fields back, so one pure function serves recorded payloads and live interactions.
    """
    user = interaction.user
    user_data = {
        "id": str(user.id),
        "username": user.name,
        "global_name": getattr(user, "global_name", None),
        "bot": bool(getattr(user, "bot", False)),
    }
    locale = getattr(interaction, "locale", None)
    payload: dict[str, Any] = {
        "id": str(interaction.id),
        "type": int(interaction.type.value),
        "data": dict(interaction.data or {}),
        "channel_id": str(interaction.channel_id) if interaction.channel_id else None,
        "locale": getattr(locale, "value", locale),
    }
    if interaction.guild_id is not None:
        payload["guild_id"] = str(interaction.guild_id)
        payload["member"] = {
            "user": user_data,
            "nick": getattr(user, "nick", None),
            "permissions": str(interaction.permissions.value),
        }
    else:
        payload["user"] = user_data
    if getattr(interaction, "message", None) is not None:
        payload["message"] = {"id": str(interaction.message.id)}
    return payload
