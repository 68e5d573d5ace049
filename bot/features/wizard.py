"""The step-by-step /newevent dialog, for organizers who send /newevent without arguments.

Its state is a row in ``conversations``, so a restart mid-dialog loses nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot import i18n
from bot.context import Ctx, UsageError
from bot.domain.events import MessageReceived
from bot.features import eventform as form_
from bot.features.common import EVENT_KINDS, kind_label
from bot.features.eventform import EventForm, FormError
from bot.registry import CommandSpec, Registry
from bot.storage.models import Conversation

SKIP = ("skip", "-", "跳过", "无", "no", "none")
STEPS = ("title", "when", "duration", "type", "extras")

i18n.register(
    {
        "wizard.title": {
            "en": "Let's create an event (send /cancel to stop). What's the title?",
            "zh": "来创建一个活动吧（发送 /cancel 退出）。活动标题是什么？",
        },
        "wizard.when": {
            "en": "When does it start? For example: 2026-12-05 19:00, tomorrow 20:00, next monday 7pm",
            "zh": "什么时候开始？例如：2026-12-05 19:00、明天晚上8点、下周一晚上7点",
        },
        "wizard.duration": {
            "en": "How long? (e.g. 90m, 2h; skip = {default})",
            "zh": "持续多久？（例如 90m、2小时；跳过 = {default}）",
        },
        "wizard.type": {
            "en": "What type? {kinds} (skip = discussion)",
            "zh": "什么类型？{kinds}（跳过 = 讨论）",
        },
        "wizard.extras": {
            "en": "Anything else? Tags, capacity, place in one line, e.g. #python capacity=30 place=Room 301 — or skip.",
            "zh": "还有其他信息吗？一行写标签、人数、地点，例如 #python capacity=30 place=301室，或发送「跳过」。",
        },
        "wizard.retry": {"en": "{problem}\n{question}", "zh": "{problem}\n{question}"},
    }
)


def _question(ctx: Ctx, step: str) -> str:
    if step == "duration":
        from bot.timeparse import format_duration

        return ctx.t("wizard.duration", default=format_duration(ctx.config.default_duration, ctx.lang))
    if step == "type":
        if ctx.lang == "zh":  # the Chinese labels are accepted answers too
            return ctx.t("wizard.type", kinds="、".join(kind_label(k, "zh") for k in EVENT_KINDS))
        return ctx.t("wizard.type", kinds=", ".join(EVENT_KINDS))
    return ctx.t(f"wizard.{step}")


async def start_wizard(ctx: Ctx) -> None:
    assert ctx.member is not None
    await drop_dialog(ctx)
    ctx.session.add(
        Conversation(
            member_id=ctx.member.id, chat_id=ctx.event.chat.chat_id, kind="newevent", step="title", data={},
            expires_at=ctx.now + ctx.config.wizard_timeout,
        )
    )  # fmt: skip
    await ctx.send(_question(ctx, "title"))


def _apply(ctx: Ctx, step: str, text: str, data: dict) -> dict:
    """Validate one answer into the dialog's data; raise FormError on a bad one."""
    data = dict(data)
    skip = text.strip().lower() in SKIP
    if step == "title":
        if not text.strip():
            raise FormError("form.no_title")
        if len(text.strip()) > ctx.config.max_title:
            raise FormError("form.title_too_long", length=len(text.strip()), max=ctx.config.max_title)
        data["title"] = text.strip()
    elif step == "when":
        start = form_.check_start(form_.parse_time_text(text, ctx.now, ctx.tz), ctx.now, ctx.tz)
        data["when"] = start.isoformat()
    elif step == "duration" and not skip:
        data["minutes"] = int(form_.parse_event_duration(text.strip()).total_seconds() // 60)
    elif step == "type" and not skip:
        data["kind"] = form_.parse_kind(text.strip())
    elif step == "extras" and not skip:
        words, options, tags = form_.split_options(form_.tokenize(text))
        if words and "place" in options:  # "place=Room 301": unquoted words after place= belong to it
            options["place"], words = " ".join([options["place"], *words]), []
        unknown = words[:1] or [key for key in options if key not in ("tags", "capacity", "place")]
        if unknown:  # e.g. repeat=weekly: the dialog has no step for it, so don't drop it silently
            raise FormError("form.bad_option", text=unknown[0][:40], keys="#tag, capacity, place")
        data["tags"] = form_.parse_tags(
            ["#" + t for t in tags] + ([options["tags"]] if "tags" in options else [])
        )
        if "capacity" in options:
            data["capacity"] = form_.parse_capacity(options["capacity"])
        if "place" in options:
            data["place"] = form_.parse_place(options["place"])
    return data


def _form(ctx: Ctx, data: dict) -> EventForm:
    from datetime import timedelta

    return EventForm(
        title=data["title"],
        starts_at=datetime.fromisoformat(data["when"]),
        duration=timedelta(minutes=data["minutes"]) if "minutes" in data else ctx.config.default_duration,
        kind=data.get("kind", "discussion"),
        tags=list(data.get("tags", [])),
        capacity=data.get("capacity"),
        place=data.get("place"),
    )


async def on_message(ctx: Ctx) -> None:
    """The organizer answered the current question."""
    assert ctx.member is not None and isinstance(ctx.event, MessageReceived)
    convo = await ctx.session.scalar(
        select(Conversation).where(
            Conversation.member_id == ctx.member.id, Conversation.chat_id == ctx.event.chat.chat_id
        )
    )
    assert convo is not None
    try:
        data = _apply(ctx, convo.step, ctx.event.text, convo.data)
    except FormError as exc:
        raise UsageError(
            ctx.t("wizard.retry", problem=exc.text(ctx.lang), question=_question(ctx, convo.step))
        ) from None
    following = STEPS.index(convo.step) + 1
    if following < len(STEPS) and not data.get("complete"):
        convo.step, convo.data, convo.expires_at = STEPS[following], data, ctx.now + ctx.config.wizard_timeout
        await ctx.send(_question(ctx, STEPS[following]))
        return
    from bot.features.events import confirm_created, create_events

    form = _form(ctx, data)
    if form.starts_at <= ctx.now:  # the start passed while the dialog went on: ask for it again
        convo.step, convo.expires_at = "when", ctx.now + ctx.config.wizard_timeout
        convo.data = {**data, "complete": True}  # only the time is missing now
        problem = ctx.t("form.past", when=f"{form.starts_at.astimezone(ctx.tz):%Y-%m-%d %H:%M} {ctx.tz.key}")
        await ctx.send(ctx.t("wizard.retry", problem=problem, question=_question(ctx, "when")))
        return
    await ctx.session.delete(convo)
    await confirm_created(ctx, await create_events(ctx, form))


async def drop_dialog(ctx: Ctx) -> bool:
    """End the speaker's open dialog in this chat, if any; True if there was one."""
    assert ctx.member is not None
    result = await ctx.session.execute(
        delete(Conversation).where(
            Conversation.member_id == ctx.member.id, Conversation.chat_id == ctx.event.chat.chat_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel(ctx: Ctx, args: str) -> None:
    await ctx.reply("cancel.done" if await drop_dialog(ctx) else "cancel.nothing")


def install(registry: Registry) -> None:
    registry.conversation("newevent", on_message)
    registry.add(CommandSpec("cancel", cancel, "/cancel", "/cancel"))
