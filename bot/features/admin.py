"""Help, language, community settings and organizer roles."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select

from bot import i18n
from bot.context import Ctx, UsageError
from bot.domain.events import BotRoleChanged
from bot.features.common import community_setting
from bot.features.eventform import tokenize
from bot.registry import CommandSpec, Registry
from bot.storage.models import Event, Member
from bot.timeparse import TimeParseError, format_duration, parse_duration, parse_offsets

SETTINGS_USAGE = "/settings [timezone=Area/City] [language=en|zh] [reminders=24h,1h] [remind_maybe=on|off] [poll_delay=10m] [poll_duration=24h] [keep_text=on|off]"
SETTINGS_EXAMPLE = "/settings timezone=Asia/Shanghai language=zh reminders=24h,1h"
ORGANIZER_USAGE = "/organizer add @name | /organizer remove @name | /organizer list"
ORGANIZER_EXAMPLE = "/organizer add @alice"
BOOL_WORDS = {
    "on": True,
    "yes": True,
    "true": True,
    "开": True,
    "off": False,
    "no": False,
    "false": False,
    "关": False,
}

i18n.register(
    {
        "help.help": {"en": "What I can do", "zh": "我能做什么"},
        "help.start": {
            "en": "Start talking to me (enables private reminders)",
            "zh": "开始私聊（开启私信提醒）",
        },
        "help.lang": {"en": "Your language: /lang en or /lang zh", "zh": "设置语言：/lang en 或 /lang zh"},
        "help.settings": {"en": "Community settings (organizers)", "zh": "社群设置（组织者）"},
        "help.organizer": {"en": "Name or remove organizers (admins)", "zh": "设置或移除组织者（管理员）"},
        "help.cancel": {"en": "Stop the current step-by-step dialog", "zh": "退出当前的分步对话"},
        "help.header_member": {"en": "Here's what I can do:", "zh": "我可以帮你："},
        "help.header_organizer": {"en": "For organizers:", "zh": "组织者命令："},
        "help.footer": {
            "en": "Press Going / Maybe / Can't go under an announcement to answer.",
            "zh": "在活动公告下点击「参加 / 可能 / 不去」即可报名。",
        },
        "start.private": {
            "en": "👋 Hi {name}! I'll send your reminders here from now on. /help shows what I can do.",
            "zh": "👋 你好 {name}！之后的提醒会私信发给你。发送 /help 查看我能做什么。",
        },
        "start.unknown": {
            "en": "👋 Hi! Add me to your community's group and speak there once; then I can send you reminders here.",
            "zh": "👋 你好！请先把我加入你的社群群聊并在群里说句话，之后我就能在这里给你发提醒。",
        },
        "start.group": {
            "en": "👋 I'm gatherbot: I announce events, take RSVPs, remind and collect feedback. /help for more.",
            "zh": "👋 我是 gatherbot：发布活动、报名、提醒并收集反馈。发送 /help 了解更多。",
        },
        "lang.set": {"en": "Language set to English.", "zh": "语言已设置为简体中文。"},
        "lang.bad": {"en": "Choose en or zh.", "zh": "请选择 en 或 zh。"},
        "help.timezone": {
            "en": "Your timezone for times I show and read",
            "zh": "设置你的时区（显示和识别时间）",
        },
        "tz.show": {
            "en": "I show and read times for you in {zone} ({source}). Change it: /timezone Area/City",
            "zh": "我按 {zone}（{source}）为你显示和识别时间。修改：/timezone 地区/城市",
        },
        "tz.source_member": {"en": "your setting", "zh": "你的设置"},
        "tz.source_community": {"en": "the community's", "zh": "社群的设置"},
        "tz.set": {
            "en": "🕖 Your timezone is now {zone}: it is {now} there.",
            "zh": "🕖 你的时区已设为 {zone}，当地现在是 {now}。",
        },
        "tz.cleared": {
            "en": "You now use the community's timezone, {zone}.",
            "zh": "你现在使用社群的时区 {zone}。",
        },
        "tz.bad": {"en": "Unknown timezone “{zone}”.", "zh": "未知的时区 “{zone}”。"},
        "settings.show": {
            "en": "Settings of {title}:\ntimezone={tz}\nlanguage={language}\nreminders={reminders}\nremind_maybe={maybe}\npoll_delay={delay}\npoll_duration={duration}\nkeep_text={keep}",
            "zh": "{title} 的设置：\ntimezone={tz}\nlanguage={language}\nreminders={reminders}\nremind_maybe={maybe}\npoll_delay={delay}\npoll_duration={duration}\nkeep_text={keep}",
        },
        "settings.saved": {"en": "✅ Saved: {fields}.", "zh": "✅ 已保存：{fields}。"},
        "settings.bad_key": {
            "en": "Unknown setting “{name}”; known: {known}.",
            "zh": "未知的设置项 “{name}”；可用：{known}。",
        },
        "settings.bad_value": {
            "en": "“{value}” is not a valid value for {name}.",
            "zh": "“{value}” 不是 {name} 的有效值。",
        },
        "organizer.added": {"en": "✅ {name} is now an organizer.", "zh": "✅ {name} 现在是组织者了。"},
        "organizer.removed": {"en": "{name} is no longer an organizer.", "zh": "{name} 不再是组织者。"},
        "organizer.is_admin": {
            "en": "{name} is a group admin and always an organizer.",
            "zh": "{name} 是群管理员，始终是组织者。",
        },
        "organizer.unknown": {
            "en": "I don't know “{name}” in this group yet (they need to have spoken here).",
            "zh": "我还不认识本群的 “{name}”（对方需要先在群里说过话）。",
        },
        "organizer.not_one": {"en": "{name} is not an organizer.", "zh": "{name} 不是组织者。"},
        "organizer.what": {
            "en": "Tell me what to do: add or remove someone (by @name), or list the organizers.",
            "zh": "请说明要做什么：添加或移除某人（用 @名字），或列出组织者。",
        },
        "organizer.list": {"en": "Organizers: {names}", "zh": "组织者：{names}"},
        "organizer.none": {
            "en": "No organizers besides the group admins.",
            "zh": "除群管理员外没有其他组织者。",
        },
        "bot.not_admin": {
            "en": "ℹ️ Thanks for adding me! I'm not an admin here, so I can't see reactions or people joining, and maybe not ordinary messages: activity reports will be thinner. Make me an admin to fix that.",
            "zh": "ℹ️ 感谢拉我进群！我目前不是管理员，看不到表情回应和新成员加入，可能也看不到普通消息，活动统计会不完整。把我设为管理员即可解决。",
        },
        "bot.admin": {
            "en": "✅ I'm an admin now: I can see what activity reports need. /help shows what I can do.",
            "zh": "✅ 我现在是管理员了，可以看到活动统计需要的信息。发送 /help 查看我能做什么。",
        },
        "cancel.done": {"en": "Stopped. Nothing was saved.", "zh": "已退出，没有保存任何内容。"},
        "cancel.nothing": {"en": "There is nothing to stop.", "zh": "当前没有进行中的对话。"},
    }
)


async def help_(ctx: Ctx, args: str) -> None:
    lines = [ctx.t("help.header_member")]
    organizer_lines = []
    for spec in ctx.registry:
        line = f"/{spec.name} — {ctx.t(spec.help_key)}"
        (lines if spec.role == "member" else organizer_lines).append(line)
    if ctx.is_organizer and organizer_lines:
        lines += ["", ctx.t("help.header_organizer"), *organizer_lines]
    lines += ["", ctx.t("help.footer")]
    await ctx.send("\n".join(lines))


async def start(ctx: Ctx, args: str) -> None:
    if not ctx.event.chat.is_private:
        await ctx.reply("start.group")
    elif ctx.member is None:
        await ctx.reply("start.unknown")
    else:
        await ctx.reply("start.private", name=ctx.event.user.display_name)


async def lang(ctx: Ctx, args: str) -> None:
    choice = args.strip().lower()
    choice = {"中文": "zh", "chinese": "zh", "english": "en", "英文": "en"}.get(choice, choice)
    if choice not in i18n.LANGS:
        raise UsageError(
            ctx.t("error.usage", problem=ctx.t("lang.bad"), usage="/lang en|zh", example="/lang zh")
        )
    if ctx.member is not None:
        ctx.member.language = choice
    ctx.lang = choice
    await ctx.reply("lang.set")


async def on_bot_role(ctx: Ctx) -> None:
    """Tell the group once per change when the bot lacks (or gains) the admin rights it needs."""
    event = ctx.event
    if not isinstance(event, BotRoleChanged) or not event.present or event.chat.is_private:
        return
    await ctx.reply("bot.admin" if event.is_admin else "bot.not_admin")


TZ_USAGE = "/timezone [Area/City | default]"


async def timezone(ctx: Ctx, args: str) -> None:
    """Show or set the member's own timezone (reminders and times are shown in it)."""
    assert ctx.member is not None and ctx.community is not None
    zone = args.strip()
    if not zone:
        source = "tz.source_member" if ctx.member.timezone else "tz.source_community"
        await ctx.reply("tz.show", zone=ctx.tz.key, source=ctx.t(source))
        return
    if zone.lower() in ("default", "默认"):
        ctx.member.timezone = None
        await ctx.reply("tz.cleared", zone=ctx.community.timezone)
        return
    try:
        found = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problem = ctx.t("tz.bad", zone=zone[:64])
        raise UsageError(
            ctx.t("error.usage", problem=problem, usage=TZ_USAGE, example="/timezone Europe/Berlin")
        ) from None
    ctx.member.timezone = found.key
    await ctx.reply("tz.set", zone=found.key, now=f"{ctx.now.astimezone(found):%Y-%m-%d %H:%M}")


def _fmt_minutes(value: int, lang: str) -> str:
    return format_duration(timedelta(minutes=value), lang)


async def show_settings(ctx: Ctx) -> None:
    c = ctx.community
    assert c is not None
    reminders = ",".join(
        _fmt_minutes(m, "en").replace(" ", "") for m in community_setting(c, ctx.config, "reminder_offsets")
    )
    await ctx.reply(
        "settings.show", title=c.title or c.chat_id, tz=c.timezone, language=c.locale, reminders=reminders,
        maybe="on" if community_setting(c, ctx.config, "remind_maybe") else "off",
        delay=_fmt_minutes(community_setting(c, ctx.config, "poll_delay"), "en").replace(" ", ""),
        duration=_fmt_minutes(community_setting(c, ctx.config, "poll_duration"), "en").replace(" ", ""),
        keep="on" if c.keep_text else "off",
    )  # fmt: skip


SETTING_KEYS = (
    "timezone",
    "language",
    "reminders",
    "remind_maybe",
    "poll_delay",
    "poll_duration",
    "keep_text",
)
SETTING_ALIASES = {"tz": "timezone", "lang": "language"}


def _usage(ctx: Ctx, problem: str) -> UsageError:
    return UsageError(ctx.t("error.usage", problem=problem, usage=SETTINGS_USAGE, example=SETTINGS_EXAMPLE))


def _bad(ctx: Ctx, name: str, value: str) -> UsageError:
    return _usage(ctx, ctx.t("settings.bad_value", value=value[:40], name=name))


def _bad_key(ctx: Ctx, name: str) -> UsageError:
    return _usage(ctx, ctx.t("settings.bad_key", name=name[:40], known=", ".join(SETTING_KEYS)))


def _minutes_of(ctx: Ctx, name: str, value: str) -> int:
    td = parse_duration(value)
    if td is None or td > timedelta(days=14):
        raise _bad(ctx, name, value)
    return int(td.total_seconds() // 60)


def _setting_value(ctx: Ctx, name: str, value: str) -> object:
    """The validated value of one setting, or a UsageError naming it."""
    if name == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise _bad(ctx, name, value) from None
        return value
    if name == "language":
        if value.lower() not in i18n.LANGS:
            raise _bad(ctx, name, value)
        return value.lower()
    if name == "reminders":
        try:
            offsets = parse_offsets(value)
        except TimeParseError:
            raise _bad(ctx, name, value) from None
        if len(offsets) > 5 or any(o > timedelta(days=14) or o < timedelta(minutes=1) for o in offsets):
            raise _bad(ctx, name, value)
        return [int(o.total_seconds() // 60) for o in offsets]
    if name in ("remind_maybe", "keep_text"):
        if value.lower() not in BOOL_WORDS:
            raise _bad(ctx, name, value)
        return BOOL_WORDS[value.lower()]
    return _minutes_of(ctx, name, value)  # poll_delay, poll_duration


async def settings(ctx: Ctx, args: str) -> None:
    c = ctx.community
    assert c is not None
    tokens = tokenize(args)
    words = [part for part in tokens if "=" not in part]
    if words:
        raise _bad_key(ctx, words[0])
    if not tokens:
        await show_settings(ctx)
        return
    # Validate every key=value first, so one bad value changes nothing.
    parsed: dict[str, object] = {}
    for part in tokens:
        key, _, value = part.partition("=")
        name = SETTING_ALIASES.get(key.lower(), key.lower())
        if name not in SETTING_KEYS:
            raise _bad_key(ctx, key)
        parsed[name] = _setting_value(ctx, name, value.strip().strip('"“”'))
    values = dict(c.settings or {})
    for name, value in parsed.items():
        if name == "timezone":
            c.timezone = str(value)
        elif name == "language":
            c.locale = str(value)
        elif name == "keep_text":
            c.keep_text = bool(value)
        elif name == "reminders":
            values["reminder_offsets"] = value
        else:
            values[name] = value
    c.settings = values
    if set(parsed) & {"reminders", "remind_maybe", "poll_delay", "poll_duration"}:
        await _replan_upcoming(ctx)
    await ctx.reply("settings.saved", fields=", ".join(parsed))


async def _replan_upcoming(ctx: Ctx) -> None:
    """Make planned reminders and polls of events not yet over follow the new settings."""
    from bot.features.planner import replan_event

    assert ctx.community is not None
    events = await ctx.session.scalars(
        select(Event).where(
            Event.community_id == ctx.community.id, Event.status == "scheduled", Event.ends_at > ctx.now
        )
    )
    for event in list(events):
        await replan_event(ctx.session, event, ctx.community, ctx.config, ctx.now)


async def find_member(ctx: Ctx, name: str) -> Member:
    assert ctx.community is not None
    handle = name.strip().lstrip("@")
    member = await ctx.session.scalar(
        select(Member)
        .where(
            Member.community_id == ctx.community.id,
            # Platform usernames are case-insensitive (@Bob is @bob).
            or_(
                func.lower(Member.username) == handle.lower(),
                Member.display_name == handle,
                Member.user_id == handle,
            ),
        )
        .order_by(Member.id)
        .limit(1)
    )
    if member is None:
        raise UsageError(ctx.t("organizer.unknown", name=name.strip()[:40]))
    return member


async def organizer(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None
    action, _, name = args.strip().partition(" ")
    action = action.lower()
    if action == "list":
        rows = await ctx.session.scalars(
            select(Member)
            .where(Member.community_id == ctx.community.id, Member.role == "organizer")
            .order_by(Member.id)
        )
        names = [m.display_name for m in rows]
        await ctx.reply("organizer.list", names=", ".join(names)) if names else await ctx.reply(
            "organizer.none"
        )
        return
    if action not in ("add", "remove") or not name.strip():
        problem = (
            ctx.t("error.unknown_command", name=f"organizer {action}"[:40])
            if action and action not in ("add", "remove")
            else ctx.t("organizer.what")
        )
        raise UsageError(
            ctx.t("error.usage", problem=problem, usage=ORGANIZER_USAGE, example=ORGANIZER_EXAMPLE)
        )
    member = await find_member(ctx, name)
    if member.role == "admin":
        await ctx.reply("organizer.is_admin", name=member.display_name)
        return
    if action == "remove" and member.role != "organizer":
        await ctx.reply("organizer.not_one", name=member.display_name)
        return
    member.role = "organizer" if action == "add" else "member"
    await ctx.reply("organizer.added" if action == "add" else "organizer.removed", name=member.display_name)


def install(registry: Registry) -> None:
    registry.add(CommandSpec("help", help_, "/help", "/help", needs_community=False))
    registry.add(CommandSpec("start", start, "/start", "/start", needs_community=False))
    registry.listen(BotRoleChanged, on_bot_role)
    registry.add(CommandSpec("timezone", timezone, TZ_USAGE, "/timezone Europe/Berlin"))
    registry.add(CommandSpec("lang", lang, "/lang en|zh", "/lang zh", needs_community=False))
    registry.add(CommandSpec("settings", settings, SETTINGS_USAGE, SETTINGS_EXAMPLE, role="organizer"))
    registry.add(
        CommandSpec("organizer", organizer, ORGANIZER_USAGE, ORGANIZER_EXAMPLE, role="admin", scope="group")
    )
