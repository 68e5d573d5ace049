"""Q&A of sharing sessions and lectures: questions to the speaker during the event (/ask, or a reply to the
event's posts), counted per member; the speaker or an organizer marks them answered or best; the most active
member is announced at the end."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery.render import RenderCtx, Renderer, register
from bot.domain.events import MessageReceived
from bot.domain.messages import OutMessage
from bot.features.common import kind_label, mention
from bot.features.formats.common import (
    QA_KINDS,
    clock,
    find_member,
    format_event,
    group,
    lock_event,
    name,
    scheduled_event,
    settings_of,
    usage_error,
    when,
)
from bot.registry import CommandSpec
from bot.storage.formats import ChallengePrize, EventFormat, Question
from bot.storage.models import Community, Delivery, Event, Member

ASK_USAGE, ASK_EXAMPLE = "/ask [#ID] your question", "/ask How does asyncio decide which task runs next?"
QUESTIONS_USAGE, QUESTIONS_EXAMPLE = "/questions ID", "/questions 2"
ANSWERED_USAGE, ANSWERED_EXAMPLE = "/answered ID Q [@member]", "/answered 2 3 @carol"
BEST_USAGE, BEST_EXAMPLE = "/best ID Q", "/best 2 3"
SPEAKER_USAGE, SPEAKER_EXAMPLE = "/speaker ID @member", "/speaker 2 @dave"
MAX_QUESTION, LIST_LIMIT, LIST_CHARS = 500, 30, 80


async def ongoing(session: AsyncSession, community: Community, now: datetime) -> list[Event]:
    """Sharing sessions and lectures of the community that are on now."""
    return list(
        await session.scalars(
            select(Event)
            .where(
                Event.community_id == community.id,
                Event.kind.in_(QA_KINDS),
                Event.status == "scheduled",
                Event.starts_at <= now,
                Event.ends_at > now,
            )
            .order_by(Event.starts_at, Event.id)
        )
    )


async def add_question(ctx: Ctx, event: Event, text: str, source: str) -> Question:
    """Record a question (numbered within its event) by the speaker of ctx."""
    assert ctx.member is not None
    await lock_event(ctx.session, event)
    number = await ctx.session.scalar(select(func.max(Question.number)).where(Question.event_id == event.id))
    question = Question(
        event_id=event.id, number=int(number or 0) + 1, member_id=ctx.member.id, text=text[:MAX_QUESTION],
        source=source, asked_at=ctx.now, best=False,
    )  # fmt: skip
    ctx.session.add(question)
    await ctx.session.flush()
    return question


async def ask(ctx: Ctx, args: str) -> None:
    """/ask [#ID] text: a question to the speaker of the session that is on (or of event ID)."""
    assert ctx.community is not None and ctx.member is not None
    text = args.strip()
    if text[:1] in "#＃" and text[1:].split(" ", 1)[0].isdecimal():
        id_text, _, text = text.partition(" ")
        event = await format_event(ctx, id_text.lstrip("#＃"), QA_KINDS, ASK_USAGE, ASK_EXAMPLE)
        if ctx.now < event.starts_at:
            raise UsageError(ctx.t("qa.not_yet", id=event.id, when=when(event.starts_at, ctx.tz, ctx.lang)))
        if ctx.now >= event.ends_at:
            raise UsageError(ctx.t("qa.over", id=event.id, when=when(event.ends_at, ctx.tz, ctx.lang)))
    else:
        events = await ongoing(ctx.session, ctx.community, ctx.now)
        if not events:
            raise usage_error(
                ctx, ctx.t("qa.none_on"), ASK_USAGE, "/ask #2 " + ASK_EXAMPLE.removeprefix("/ask ")
            )
        if len(events) > 1:
            ids = ", ".join(f"#{e.id}" for e in events)
            example = f"/ask #{events[0].id} " + ASK_EXAMPLE.removeprefix("/ask ")
            raise usage_error(ctx, ctx.t("qa.which", ids=ids), ASK_USAGE, example)
        event = events[0]
    text = text.strip()
    if not text:
        raise usage_error(ctx, ctx.t("qa.empty"), ASK_USAGE, ASK_EXAMPLE)
    question = await add_question(ctx, event, text, "command")
    asked = await ctx.session.scalar(
        select(func.count()).where(Question.event_id == event.id, Question.member_id == ctx.member.id)
    )
    await ctx.reply("qa.noted", n=question.number, id=event.id, asked=asked)


async def post_ids(session: AsyncSession, event: Event) -> set[str]:
    """Platform ids of the bot's posts about the event: a reply to one, or a thread on one, is a question."""
    keys = [f"fmtqa:open:{event.id}", f"checkin:{event.id}", f"announce:{event.id}"]
    rows = await session.scalars(
        select(Delivery.platform_message_id).where(
            Delivery.dedupe_key.in_(keys), Delivery.platform_message_id.is_not(None)
        )
    )
    return {*rows, *([event.announce_message_id] if event.announce_message_id else [])}


async def on_message(ctx: Ctx) -> None:
    """A reply to (or a thread on) a post of a session that is on counts as a question to its speaker."""
    message = ctx.event
    if not isinstance(message, MessageReceived) or ctx.community is None or ctx.member is None:
        return
    if message.chat.is_private or not (message.reply_to_message_id or message.thread_id):
        return
    for event in await ongoing(ctx.session, ctx.community, ctx.now):
        ids = await post_ids(ctx.session, event)
        if message.reply_to_message_id in ids or message.thread_id in ids:
            await add_question(ctx, event, message.text.strip(), "reply")
            return


async def questions(ctx: Ctx, args: str) -> None:
    """/questions ID: the event's questions, unanswered first."""
    event = await format_event(ctx, args, QA_KINDS, QUESTIONS_USAGE, QUESTIONS_EXAMPLE)
    rows = (
        await ctx.session.execute(
            select(Question, Member)
            .join(Member, Member.id == Question.member_id)
            .where(Question.event_id == event.id)
            .order_by(Question.answered_at.is_not(None), Question.number)
        )
    ).all()
    if not rows:
        await ctx.reply("qa.no_questions", id=event.id)
        return
    answered = sum(1 for q, _ in rows if q.answered_at is not None)
    lines = [ctx.t("qa.list_header", id=event.id, title=event.title, n=len(rows), answered=answered)]
    credited = await _names(ctx.session, {q.answered_by for q, _ in rows if q.answered_by})
    for q, asker in rows[:LIST_LIMIT]:
        text = q.text if len(q.text) <= LIST_CHARS else q.text[: LIST_CHARS - 1] + "…"
        marks = ("⭐" if q.best else "") + ("✅" if q.answered_at else "")
        if q.answered_by in credited:
            marks += ctx.t("qa.by", name=credited[q.answered_by])
        line = ctx.t("qa.list_line", n=q.number, name=name(asker), text=text or ctx.t("qa.no_text"))
        lines.append(f"{line} {marks}".rstrip())
    if len(rows) > LIST_LIMIT:
        lines.append(ctx.t("qa.more", n=len(rows) - LIST_LIMIT))
    await ctx.send("\n".join(lines))


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {m.id: name(m) for m in await session.scalars(select(Member).where(Member.id.in_(ids)))}


async def _may_mark(ctx: Ctx, event: Event) -> None:
    """The speaker of the event or an organizer; anyone else is told who can."""
    assert ctx.member is not None
    speaker_id = (await settings_of(ctx.session, event)).speaker_id
    if ctx.is_organizer or ctx.member.id == speaker_id:
        return
    if speaker_id is None:
        raise UsageError(ctx.t("qa.only_organizers", id=event.id))
    speaker = await ctx.session.get(Member, speaker_id)
    raise UsageError(ctx.t("qa.only_speaker", id=event.id, name=name(speaker) if speaker else "?"))


async def _question(ctx: Ctx, event: Event, number: str, usage: str, example: str) -> Question:
    found = None
    if number.lstrip("Qq#").isdecimal():
        found = await ctx.session.scalar(
            select(Question).where(
                Question.event_id == event.id, Question.number == int(number.lstrip("Qq#")[:9])
            )
        )
    if found is None:
        raise usage_error(ctx, ctx.t("qa.no_such", id=event.id, n=number[:12]), usage, example)
    return found


async def answered(ctx: Ctx, args: str) -> None:
    """/answered ID Q [@member]: mark a question answered, crediting a member who answered it."""
    parts = args.split()
    if len(parts) not in (2, 3):
        raise usage_error(ctx, ctx.t("qa.mark_what"), ANSWERED_USAGE, ANSWERED_EXAMPLE)
    event = await format_event(ctx, parts[0], QA_KINDS, ANSWERED_USAGE, ANSWERED_EXAMPLE)
    await _may_mark(ctx, event)
    question = await _question(ctx, event, parts[1], ANSWERED_USAGE, ANSWERED_EXAMPLE)
    answerer = await find_member(ctx, parts[2], ANSWERED_USAGE, ANSWERED_EXAMPLE) if len(parts) == 3 else None
    if answerer is not None and answerer.id == question.member_id:
        problem = ctx.t("qa.own_answer", name=name(answerer), n=question.number)
        raise usage_error(ctx, problem, ANSWERED_USAGE, ANSWERED_EXAMPLE)
    question.answered_at = question.answered_at or ctx.now
    question.answered_by = answerer.id if answerer else None
    if answerer is not None:
        await ctx.reply("qa.answered_by", n=question.number, id=event.id, name=name(answerer))
    else:
        await ctx.reply("qa.answered", n=question.number, id=event.id)


async def best(ctx: Ctx, args: str) -> None:
    """/best ID Q: mark a question as one of the best (its asker earns the bonus)."""
    parts = args.split()
    if len(parts) != 2:
        raise usage_error(ctx, ctx.t("qa.mark_what"), BEST_USAGE, BEST_EXAMPLE)
    event = await format_event(ctx, parts[0], QA_KINDS, BEST_USAGE, BEST_EXAMPLE)
    await _may_mark(ctx, event)
    question = await _question(ctx, event, parts[1], BEST_USAGE, BEST_EXAMPLE)
    question.best = True
    asker = await ctx.session.get(Member, question.member_id)
    await ctx.reply("qa.best", n=question.number, id=event.id, name=name(asker) if asker else "?")


async def speaker(ctx: Ctx, args: str) -> None:
    """/speaker ID @member (organizers): who may mark the questions of a session."""
    parts = args.split()
    if len(parts) != 2:
        raise usage_error(ctx, ctx.t("qa.speaker_what"), SPEAKER_USAGE, SPEAKER_EXAMPLE)
    event = await format_event(ctx, parts[0], QA_KINDS, SPEAKER_USAGE, SPEAKER_EXAMPLE)
    member = await find_member(ctx, parts[1], SPEAKER_USAGE, SPEAKER_EXAMPLE)
    (await settings_of(ctx.session, event)).speaker_id = member.id
    await ctx.reply("qa.speaker_set", id=event.id, name=name(member))


# --- scheduled posts -------------------------------------------------------------------------------


async def render_open(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """At the start: how to ask (this post is what replies go to)."""
    loaded = await scheduled_event(rc, row, QA_KINDS)
    if loaded is None or loaded[0].ends_at <= rc.now:
        return None
    event, community = loaded
    lang = community.locale
    settings = await rc.session.get(EventFormat, event.id)
    who = await rc.session.get(Member, settings.speaker_id) if settings and settings.speaker_id else None
    text = i18n.t(
        lang, "qa.open", id=event.id, title=event.title, kind=kind_label(event.kind, lang),
        speaker=i18n.t(lang, "qa.speaker", name=mention(who)) if who else "",
        end=clock(event.ends_at, ZoneInfo(community.timezone)),
    )  # fmt: skip
    return OutMessage(group(community), text, mentions=(who.user_id,) if who else ())


async def most_active(
    session: AsyncSession, event_id: int
) -> tuple[list[Question], Counter[int], Counter[int]]:
    """The event's questions, and per member how many they asked and how many answers they are credited with."""
    rows = list(
        await session.scalars(select(Question).where(Question.event_id == event_id).order_by(Question.number))
    )
    return rows, Counter(q.member_id for q in rows), Counter(q.answered_by for q in rows if q.answered_by)


async def render_end(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """At the end: how many questions, and the most active member (asked + answered) with the prize."""
    loaded = await scheduled_event(rc, row, QA_KINDS)
    if loaded is None:
        return None
    event, community = loaded
    lang = community.locale
    rows, asked, answers = await most_active(rc.session, event.id)
    if not rows:
        return None
    activity = asked + answers
    top = max(activity.values())
    leaders = list(
        await rc.session.scalars(
            select(Member)
            .where(Member.id.in_([m for m, n in activity.items() if n == top]))
            .order_by(Member.id)
        )
    )
    done = sum(1 for q in rows if q.answered_at is not None)
    lines = [
        i18n.t(
            lang, "qa.summary", id=event.id, title=event.title, n=len(rows), people=len(asked), answered=done
        )
    ]
    names = "、".join if lang == "zh" else ", ".join
    who = names(
        i18n.t(lang, "qa.leader", name=mention(m), asked=asked.get(m.id, 0), answers=answers.get(m.id, 0))
        for m in leaders
    )
    prize = await rc.session.get(ChallengePrize, (event.id, 1))
    lines.append(
        i18n.t(lang, "qa.most_active", who=who) + (i18n.t(lang, "qa.wins", prize=prize.text) if prize else "")
    )
    best_rows = [q for q in rows if q.best]
    if best_rows:
        authors = {
            m.id: m
            for m in await rc.session.scalars(
                select(Member).where(Member.id.in_([q.member_id for q in best_rows]))
            )
        }
        items = ", ".join(
            f"Q{q.number} {mention(authors[q.member_id])}" for q in best_rows if q.member_id in authors
        )
        lines.append(i18n.t(lang, "qa.best_list", items=items))
    return OutMessage(group(community), "\n".join(lines), mentions=tuple(m.user_id for m in leaders))


register("fmt_qa_open", Renderer(render_open))
register("fmt_qa_end", Renderer(render_end))


def schedule(event: Event) -> list[tuple[str, str, datetime, dict]]:
    """The Q&A's posts: how to ask at the start, the most active member at the end."""
    return [
        (f"fmtqa:open:{event.id}", "fmt_qa_open", event.starts_at, {}),
        (f"fmtqa:end:{event.id}", "fmt_qa_end", event.ends_at, {}),
    ]


def specs() -> list[CommandSpec]:
    return [
        CommandSpec("ask", ask, ASK_USAGE, ASK_EXAMPLE),
        CommandSpec("questions", questions, QUESTIONS_USAGE, QUESTIONS_EXAMPLE),
        CommandSpec("answered", answered, ANSWERED_USAGE, ANSWERED_EXAMPLE),
        CommandSpec("best", best, BEST_USAGE, BEST_EXAMPLE),
        CommandSpec("speaker", speaker, SPEAKER_USAGE, SPEAKER_EXAMPLE, role="organizer"),
    ]
