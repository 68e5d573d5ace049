"""The slash-command menu from the core's registry, the /newevent form, and event-id suggestions.

Commands are published as plain application-command JSON (``bulk_upsert``), so the whole menu is
a pure function of the registry views and easy to check; interactions are handled by the adapter,
not by discord.py's CommandTree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from adapters.discord.interactions import MODAL_PREFIX, NEWEVENT
from bot.features.common import EVENT_KINDS, kind_label
from bot.features.eventform import MAX_CAPACITY, MAX_PLACE
from bot.ports import CommandSpecView

MANAGE_EVENTS = 1 << 33
GUILD, BOT_DM = 0, 1  # interaction contexts
GUILD_INSTALL = 0
STRING, INTEGER, CHANNEL = 3, 4, 7
VOICE_CHANNEL, STAGE_CHANNEL = 2, 13
MAX_COMMANDS, MAX_DESCRIPTION, MAX_CHOICES = 100, 100, 25
ZH = "zh-CN"
# Chinese names in the menu (the name the core sees stays the English one).
NAME_ZH = {
    "help": "帮助", "start": "开始", "events": "活动", "event": "活动详情", "myevents": "我的活动",
    "remind": "提醒", "feedback": "反馈", "ics": "日历", "lang": "语言", "cancel": "退出对话",
    "newevent": "新建活动", "editevent": "修改活动", "cancelevent": "取消活动", "results": "反馈结果",
    "settings": "设置", "organizer": "组织者",
    "task": "题目", "tasks": "查看题目", "submit": "提交", "submissions": "查看解答", "score": "打分",
    "prize": "奖品", "winners": "公布获奖", "leaderboard": "排行榜", "points": "积分", "ask": "提问",
    "questions": "问题列表", "answered": "已回答", "best": "最佳提问", "speaker": "主讲人", "writeup": "提交总结",
    "writeups": "征集总结",
}  # fmt: skip
REPEATS = (("weekly", "每周"), ("biweekly", "每两周"), ("monthly", "每月"))


def _cut(text: str, limit: int = MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _option(kind: int, name: str, zh_name: str, en: str, zh: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "name": name,
        "name_localizations": {ZH: zh_name},
        "description": _cut(en),
        "description_localizations": {ZH: _cut(zh)},
        "required": False,
        **extra,
    }


def newevent_options(*, max_title: int, max_occurrences: int) -> list[dict[str, Any]]:
    """Typed options of /newevent; all optional: without a title and a time a form opens."""
    kinds = [
        {"name": kind_label(k, "en"), "name_localizations": {ZH: kind_label(k, "zh")}, "value": k}
        for k in EVENT_KINDS
    ]
    repeats = [{"name": en, "name_localizations": {ZH: zh}, "value": en} for en, zh in REPEATS]
    return [
        _option(STRING, "title", "标题", "Title", "活动标题", max_length=max_title),
        _option(STRING, "when", "时间", "Start, e.g. 2026-12-05 19:00 or next monday 7pm",
                "开始时间，例如 2026-12-05 19:00 或 下周一晚上7点", max_length=100),
        _option(STRING, "duration", "时长", "How long, e.g. 90m or 2h", "时长，例如 90m、2h、2小时", max_length=20),
        _option(STRING, "type", "类型", "Kind of event", "活动类型", choices=kinds),
        _option(STRING, "tags", "标签", "Topics, e.g. #python #rust", "话题标签，例如 #python #rust", max_length=200,
                autocomplete=True),
        _option(INTEGER, "capacity", "人数", "Most people going (a waitlist after that)",
                "人数上限（之后进入候补）", min_value=1, max_value=MAX_CAPACITY),
        _option(STRING, "place", "地点", "A link or an address", "链接或地址", max_length=MAX_PLACE),
        _option(CHANNEL, "voice", "语音频道", "Voice or stage channel: joining it checks members in",
                "语音或舞台频道：进入即签到", channel_types=[VOICE_CHANNEL, STAGE_CHANNEL]),
        _option(STRING, "repeat", "重复", "Repeat the event", "重复举办", choices=repeats),
        _option(INTEGER, "count", "次数", "How many times, when repeating", "重复次数",
                min_value=2, max_value=max(2, max_occurrences)),
    ]  # fmt: skip


def arguments_hint(view: CommandSpecView) -> str:
    """The usage without the command's name: '/event ID' -> 'ID'; '' when the command takes nothing."""
    alternatives = [part.strip() for part in view.usage.split("|")]
    hints = [a.removeprefix(f"/{view.name}").strip() for a in alternatives]
    return " | ".join(h for h in hints if h)


def takes_event_id(view: CommandSpecView) -> bool:
    """Commands written '/name ID …' get event-id suggestions."""
    return arguments_hint(view).split(" ", 1)[0] == "ID"


def command_payload(
    view: CommandSpecView, *, max_title: int = 120, max_occurrences: int = 52
) -> dict[str, Any]:
    """One application command (CHAT_INPUT) for a registry entry."""
    payload: dict[str, Any] = {
        "type": 1,
        "name": view.name,
        "description": _cut(view.help_en or view.name),
        "description_localizations": {ZH: _cut(view.help_zh or view.help_en or view.name)},
        "contexts": [GUILD] if view.organizer_only else [GUILD, BOT_DM],
        "integration_types": [GUILD_INSTALL],
    }
    if view.name in NAME_ZH:
        payload["name_localizations"] = {ZH: NAME_ZH[view.name]}
    if view.organizer_only:
        # Hidden from members by default; server admins can change who sees it (Integrations settings).
        payload["default_member_permissions"] = str(MANAGE_EVENTS)
    if view.name == NEWEVENT:
        payload["options"] = newevent_options(max_title=max_title, max_occurrences=max_occurrences)
    elif arguments_hint(view):
        hint = arguments_hint(view)
        payload["options"] = [
            _option(STRING, "args", "参数", hint, hint, max_length=1000, autocomplete=takes_event_id(view))
        ]
    return payload


def command_payloads(views: Sequence[CommandSpecView], **limits: int) -> list[dict[str, Any]]:
    """The whole menu (Discord allows 100 commands)."""
    return [command_payload(v, **limits) for v in views[:MAX_COMMANDS]]


# --- the /newevent form --------------------------------------------------------------------

FORM_TITLE = {"en": "New event", "zh": "新建活动"}
FIELDS = (
    # custom_id, label (en, zh), hint (en, zh), placeholder, required, max length, paragraph
    ("title", ("Title", "标题"), None, "Rust study night", True, None, False),
    ("when", ("Start", "开始时间"), ("A date and time, or words like 'next monday 7pm'",
     "日期和时间，或“下周一晚上7点”"), "2026-12-05 19:00", True, 100, False),
    ("duration", ("Duration", "时长"), None, "2h", False, 20, False),
    ("place", ("Place", "地点"), ("A link, an address, or a voice channel as <#id>",
     "链接、地址，或语音频道（<#频道ID>）"), "https://meet.example/x", False, MAX_PLACE, False),
    ("extra", ("More", "更多"), ("type=… #tags capacity=N repeat=weekly count=N",
     "type=… #标签 capacity=N repeat=weekly count=N"), "type=challenge #python capacity=30", False, 400, True),
)  # fmt: skip


def newevent_modal(prefill: dict[str, str], lang: str, *, max_title: int = 120) -> discord.ui.Modal:
    """The form that opens when /newevent lacks a title or a time; its submission is the command."""
    modal = discord.ui.Modal(title=FORM_TITLE[lang], custom_id=MODAL_PREFIX + NEWEVENT, timeout=None)
    pick = 1 if lang == "zh" else 0
    for key, label, hint, placeholder, required, limit, paragraph in FIELDS:
        field: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
            custom_id=key,
            placeholder=_cut(placeholder),
            default=prefill.get(key),
            required=required,
            max_length=max_title if key == "title" else limit,
            style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        )
        text, description = _cut(label[pick], 45), _cut(hint[pick]) if hint else None
        if hasattr(discord.ui, "Label"):  # discord.py 2.6+: a labelled component
            modal.add_item(discord.ui.Label(text=text, description=description, component=field))
        else:  # pragma: no cover - older discord.py
            field.label = text
            modal.add_item(field)
    modal.stop()  # not kept by discord.py's view store: the adapter reads every submission itself
    return modal


# --- event-id suggestions ------------------------------------------------------------------


@dataclass(frozen=True)
class KnownEvent:
    """One of our events, as the adapter learned it from the Scheduled Events it mirrors."""

    event_id: int
    title: str
    starts_at: datetime | None = None
    cancelled: bool = False
    tags: tuple[str, ...] = ()


TAG_IN_TEXT = re.compile(r"#([\w+\-.]{1,32})")


def tags_in(text: str) -> tuple[str, ...]:
    """The #tags written in a text (a mirrored event's description lists the event's tags)."""
    text = re.sub(r"gatherbot #\d+", "", text)  # the marker naming our event id is no tag
    return tuple(dict.fromkeys(t.lower() for t in TAG_IN_TEXT.findall(text)))


def tag_suggestions(events: Iterable[KnownEvent], typed: str) -> list[discord.app_commands.Choice[str]]:
    """Complete the last tag being typed from the tags of this server's events, most used first."""
    head, _, last = typed.rpartition(" ")
    stem = last.lstrip("#＃").casefold()
    counts: dict[str, int] = {}
    for event in events:
        for tag in event.tags:
            counts[tag] = counts.get(tag, 0) + 1
    found = sorted((t for t in counts if t.startswith(stem)), key=lambda t: (-counts[t], t))
    prefix = f"{head} " if head else ""
    return [
        discord.app_commands.Choice(name=_cut(prefix + "#" + t), value=_cut(prefix + "#" + t))
        for t in found[:MAX_CHOICES]
    ]


def suggestions(events: Iterable[KnownEvent], typed: str) -> list[discord.app_commands.Choice[str]]:
    """Up to 25 events matching what was typed (an id prefix or part of the title), soonest first."""
    text = typed.strip().lstrip("#").casefold()
    head = text.split(" ", 1)[0]
    found = [
        e for e in events
        if not e.cancelled and (not text or str(e.event_id).startswith(head) or text in e.title.casefold())
    ]  # fmt: skip
    found.sort(key=lambda e: (e.starts_at is None, e.starts_at or datetime.max, e.event_id))
    return [
        discord.app_commands.Choice(name=_cut(f"#{e.event_id} {e.title}"), value=str(e.event_id))
        for e in found[:MAX_CHOICES]
    ]
