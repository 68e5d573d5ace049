"""Discussions with write-ups: after the event members send a write-up link until a deadline; then a vote
(one vote each, never for one's own; a native poll where the platform has one, else buttons) and the winner
announced when it closes. The vote's opening and closing are outbox rows planned with the event."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.config import Config
from bot.context import Ctx, UsageError
from bot.delivery import outbox
from bot.delivery.render import RenderCtx, Renderer, register
from bot.domain.messages import Button, OutMessage, PollSpec, SentRef
from bot.features.common import mention
from bot.features.formats.common import (
    format_event,
    group,
    name,
    scheduled_event,
    settings_of,
    usage_error,
    when,
)
from bot.features.notify import dm_target
from bot.registry import CommandSpec
from bot.storage.formats import ChallengePrize, EventFormat, Writeup, WriteupVote
from bot.storage.models import Delivery, Event, Member, Poll
from bot.timeparse import TimeParseError, parse_when

KINDS = ("discussion",)
POLL_KIND = "writeup"
WRITEUP_USAGE, WRITEUP_EXAMPLE = "/writeup ID link", "/writeup 3 https://blog.example/notes-on-async"
WRITEUPS_USAGE, WRITEUPS_EXAMPLE = "/writeups ID [until WHEN]", "/writeups 3 until 2026-12-10 21:00"
LINK = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
MAX_LINK, MAX_NATIVE_OPTIONS, MAX_LABEL = 500, 10, 40
UNTIL_WORDS = ("until", "截止", "截止到", "到")
Notice = Callable[..., Awaitable[None]]  # (ctx, key, **params): how a vote's outcome is told


async def deadline_of(session: AsyncSession, event: Event, config: Config) -> datetime:
    """When write-ups close and the vote opens: the organizer's deadline, else the configured window."""
    settings = await session.get(EventFormat, event.id)
    if (
        settings is not None
        and settings.writeup_deadline is not None
        and settings.writeup_deadline > event.ends_at
    ):
        return settings.writeup_deadline
    return event.ends_at + config.writeup_window


async def schedule(
    session: AsyncSession, event: Event, config: Config
) -> list[tuple[str, str, datetime, dict]]:
    """The vote's opening at the deadline and its closing (with the winner) after the vote's duration."""
    deadline = await deadline_of(session, event, config)
    return [
        (f"fmtwu:vote:{event.id}", "fmt_vote_open", deadline, {}),
        (f"fmtwu:close:{event.id}", "fmt_vote_close", deadline + config.vote_duration, {}),
    ]


async def writeups_of(session: AsyncSession, event_id: int) -> list[tuple[Writeup, Member]]:
    rows = await session.execute(
        select(Writeup, Member)
        .join(Member, Member.id == Writeup.member_id)
        .where(Writeup.event_id == event_id)
        .order_by(Writeup.submitted_at, Writeup.id)
    )
    return [(w, m) for w, m in rows.all()]


# --- commands --------------------------------------------------------------------------------------


async def writeup(ctx: Ctx, args: str) -> None:
    """/writeup ID link: from the end of the discussion until the deadline; sending again replaces the link."""
    id_text, _, link = args.strip().partition(" ")
    event = await format_event(ctx, id_text, KINDS, WRITEUP_USAGE, WRITEUP_EXAMPLE)
    assert ctx.member is not None
    deadline = await deadline_of(ctx.session, event, ctx.config)
    if ctx.now < event.ends_at:
        raise UsageError(ctx.t("writeup.not_yet", id=event.id, when=when(event.ends_at, ctx.tz, ctx.lang)))
    if ctx.now >= deadline:
        raise UsageError(ctx.t("writeup.closed", id=event.id, when=when(deadline, ctx.tz, ctx.lang)))
    link = link.strip()
    if not LINK.fullmatch(link) or len(link) > MAX_LINK:
        problem = ctx.t("writeup.bad_link", text=link[:60]) if link else ctx.t("writeup.no_link")
        raise usage_error(ctx, problem, WRITEUP_USAGE, WRITEUP_EXAMPLE)
    existing = await ctx.session.scalar(
        select(Writeup).where(Writeup.event_id == event.id, Writeup.member_id == ctx.member.id)
    )
    opens = when(deadline, ctx.tz, ctx.lang)
    if existing is not None:
        existing.link, existing.updated_at = link, ctx.now
        await ctx.reply("writeup.updated", id=event.id, when=opens)
        return
    ctx.session.add(
        Writeup(
            event_id=event.id, member_id=ctx.member.id, link=link, submitted_at=ctx.now, updated_at=ctx.now
        )
    )
    await ctx.reply("writeup.saved", id=event.id, when=opens)


async def writeups(ctx: Ctx, args: str) -> None:
    """/writeups ID [until WHEN] (organizers): call for write-ups in the group, optionally with a deadline."""
    id_text, _, rest = args.strip().partition(" ")
    event = await format_event(ctx, id_text, KINDS, WRITEUPS_USAGE, WRITEUPS_EXAMPLE)
    assert ctx.community is not None
    settings = await settings_of(ctx.session, event)
    if ctx.now >= await deadline_of(ctx.session, event, ctx.config):
        raise UsageError(ctx.t("writeup.vote_started", id=event.id))
    rest = rest.strip()
    word, _, after = rest.partition(" ")
    if word.lower() in UNTIL_WORDS:
        rest = after.strip()
    if rest:
        try:
            deadline = parse_when(rest, now=ctx.now, tz=ctx.tz)
        except TimeParseError:
            problem = ctx.t("writeup.bad_deadline", text=rest[:60])
            raise usage_error(ctx, problem, WRITEUPS_USAGE, WRITEUPS_EXAMPLE) from None
        if deadline <= max(event.ends_at, ctx.now):
            problem = ctx.t(
                "writeup.deadline_early", when=when(max(event.ends_at, ctx.now), ctx.tz, ctx.lang)
            )
            raise usage_error(ctx, problem, WRITEUPS_USAGE, WRITEUPS_EXAMPLE)
        settings.writeup_deadline = deadline
    deadline = await deadline_of(ctx.session, event, ctx.config)
    for key, kind, due, payload in await schedule(ctx.session, event, ctx.config):
        await outbox.plan(
            ctx.session, key=key, platform=ctx.community.platform, kind=kind, due_at=due, now=ctx.now,
            community_id=ctx.community.id, event_id=event.id, payload=payload,
        )  # fmt: skip
    await outbox.enqueue(
        ctx.session, key=f"fmtwu:call:{event.id}:{int(deadline.timestamp())}", platform=ctx.community.platform,
        kind="fmt_writeup_call", due_at=ctx.now, now=ctx.now, community_id=ctx.community.id, event_id=event.id,
    )  # fmt: skip
    if ctx.event.chat.is_private:
        await ctx.reply("writeup.called", id=event.id, when=when(deadline, ctx.tz, ctx.lang))


# --- voting ----------------------------------------------------------------------------------------


async def record_vote(ctx: Ctx, poll: Poll, member: Member, writeup_id: int, notice: Notice) -> None:
    """One vote per member and event, never for one's own write-up, only while the vote is open."""
    if poll.status != "open" or ctx.now >= poll.closes_at:
        await notice(ctx, "wvote.closed")
        return
    found = await ctx.session.get(Writeup, writeup_id)
    if found is None or found.event_id != poll.event_id:
        return
    if found.member_id == member.id:
        await notice(ctx, "wvote.own")
        return
    existing = await ctx.session.scalar(
        select(WriteupVote).where(WriteupVote.event_id == poll.event_id, WriteupVote.member_id == member.id)
    )
    if existing is not None:
        chosen = await ctx.session.get(Writeup, existing.writeup_id)
        author = await ctx.session.get(Member, chosen.member_id) if chosen else None
        await notice(ctx, "wvote.twice", name=name(author) if author else "?")
        return
    ctx.session.add(
        WriteupVote(event_id=poll.event_id, member_id=member.id, writeup_id=found.id, voted_at=ctx.now)
    )
    author = await ctx.session.get(Member, found.member_id)
    await notice(ctx, "wvote.thanks", name=name(author) if author else "?")


async def toast(ctx: Ctx, key: str, **params: object) -> None:
    ctx.toast(ctx.t(key, **params))


async def on_vote_button(ctx: Ctx, parts: list[str]) -> None:
    """wvote:{poll}:{write-up}."""
    if (
        len(parts) != 2
        or not all(p.isdecimal() for p in parts)
        or ctx.member is None
        or ctx.community is None
    ):
        return
    poll = await ctx.session.get(Poll, int(parts[0]))
    if poll is None or poll.kind != POLL_KIND:
        return
    event = await ctx.session.get(Event, poll.event_id)
    if event is None or event.community_id != ctx.community.id:
        return
    await record_vote(ctx, poll, ctx.member, int(parts[1]), toast)


async def private_notice(ctx: Ctx, key: str, **params: object) -> None:
    """A native vote has no private answer: a refusal is told privately where the bot can write to them."""
    if key == "wvote.thanks" or ctx.member is None or ctx.community is None or not ctx.member.can_dm:
        return
    await ctx.send(ctx.t(key, **params), target=dm_target(ctx.community, ctx.member))


async def on_native_vote(ctx: Ctx, poll: Poll, member: Member, options: tuple[int, ...]) -> None:
    """A vote in the native poll: the option's index is the write-up's place in the vote's order."""
    settings = await ctx.session.get(EventFormat, poll.event_id)
    order = list(settings.vote_writeups or []) if settings else []
    if not options:  # retracted on the platform: the member may vote again
        if poll.status == "open" and ctx.now < poll.closes_at:
            await ctx.session.execute(
                delete(WriteupVote).where(
                    WriteupVote.event_id == poll.event_id, WriteupVote.member_id == member.id
                )
            )
        return
    if 0 <= options[0] < len(order):
        await record_vote(ctx, poll, member, order[options[0]], private_notice)


# --- scheduled posts -------------------------------------------------------------------------------


async def render_call(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """The organizer's call for write-ups (sent when they ask for it)."""
    loaded = await scheduled_event(rc, row, KINDS)
    if loaded is None:
        return None
    event, community = loaded
    lang, tz = community.locale, ZoneInfo(community.timezone)
    deadline = await deadline_of(rc.session, event, rc.config)
    if rc.now >= deadline:
        return None
    key = "writeup.call" if rc.now >= event.ends_at else "writeup.call_later"
    text = i18n.t(
        lang,
        key,
        id=event.id,
        title=event.title,
        end=when(event.ends_at, tz, lang),
        when=when(deadline, tz, lang),
    )
    prize = await rc.session.get(ChallengePrize, (event.id, 1))
    return OutMessage(
        group(community), text + (i18n.t(lang, "writeup.prize", prize=prize.text) if prize else "")
    )


def labels(people: list[Member]) -> list[str]:
    """Option labels: the authors' names, numbered when two share a name."""
    names = [name(m)[:MAX_LABEL] for m in people]
    if len(set(names)) == len(names):
        return names
    return [f"{i}. {n}" for i, n in enumerate(names, 1)]


def vote_text(
    event: Event, rows: list[tuple[Writeup, Member]], closes: datetime, tz: ZoneInfo, lang: str
) -> str:
    lines = [i18n.t(lang, "wvote.post", id=event.id, title=event.title, when=when(closes, tz, lang))]
    lines += [f"{i}. {name(m)} — {w.link}" for i, (w, m) in enumerate(rows, 1)]
    return "\n".join(lines)


async def _poll(session: AsyncSession, event_id: int) -> Poll | None:
    return await session.scalar(select(Poll).where(Poll.event_id == event_id, Poll.kind == POLL_KIND))


async def render_vote_open(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """At the deadline: the write-ups and the vote (a native poll, or a button per write-up)."""
    loaded = await scheduled_event(rc, row, KINDS)
    if loaded is None:
        return None
    event, community = loaded
    lang, tz = community.locale, ZoneInfo(community.timezone)
    rows = await writeups_of(rc.session, event.id)
    if not rows:
        return None
    if len(rows) == 1:
        (w, author), *_ = rows
        text = i18n.t(lang, "wvote.single", id=event.id, title=event.title, name=mention(author), link=w.link)
        return OutMessage(group(community), text, mentions=(author.user_id,))
    settings = await settings_of(rc.session, event)
    poll = await _poll(rc.session, event.id)
    if poll is None:
        close = await rc.session.scalar(
            select(Delivery.due_at).where(Delivery.dedupe_key == f"fmtwu:close:{event.id}")
        )
        poll = Poll(
            event_id=event.id, kind=POLL_KIND, status="open", opened_at=rc.now,
            closes_at=close or rc.now + rc.config.vote_duration,
        )  # fmt: skip
        rc.session.add(poll)
        await rc.session.flush()
        settings.vote_writeups = [w.id for w, _ in rows]
    order = {wid: i for i, wid in enumerate(settings.vote_writeups or [])}
    rows = sorted((r for r in rows if r[0].id in order), key=lambda r: order[r[0].id])
    text = vote_text(event, rows, poll.closes_at, tz, lang)
    names = labels([m for _, m in rows])
    if rc.capabilities.native_polls and len(rows) <= MAX_NATIVE_OPTIONS:
        question = i18n.t(lang, "wvote.question", id=event.id, title=event.title)
        return OutMessage(group(community), text, poll=PollSpec(question[:250], tuple(names)))
    buttons = tuple(
        (Button(label, f"wvote:{poll.id}:{w.id}"),) for label, (w, _) in zip(names, rows, strict=True)
    )
    return OutMessage(group(community), text, buttons)


async def after_vote_open(rc: RenderCtx, row: Delivery, ref: SentRef) -> None:
    poll = await _poll(rc.session, row.event_id or 0)
    if poll is not None:
        poll.message_id, poll.platform_poll_id = ref.message_id, ref.poll_id


def winners_of(votes: Counter[int]) -> list[int]:
    """The write-ups with the most votes (several on a tie; none without votes)."""
    top = max(votes.values(), default=0)
    return sorted(w for w, n in votes.items() if n == top and top > 0)


async def render_vote_close(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """Close the vote and announce the winner, from the votes as they are now."""
    loaded = await scheduled_event(rc, row, KINDS)
    poll = await _poll(rc.session, row.event_id or 0)
    if loaded is None or poll is None:
        return None
    event, community = loaded
    lang = community.locale
    if poll.status == "open":
        poll.status = "closed"
        await outbox.enqueue(
            rc.session, key=f"fmtwu:stop:{poll.id}", platform=row.platform, kind="fmt_vote_stop", due_at=rc.now,
            now=rc.now, community_id=community.id, event_id=event.id,
        )  # fmt: skip
    votes = Counter(
        await rc.session.scalars(select(WriteupVote.writeup_id).where(WriteupVote.event_id == event.id))
    )
    won = winners_of(votes)
    if not won:
        return OutMessage(group(community), i18n.t(lang, "wvote.no_votes", id=event.id, title=event.title))
    rows = [(w, m) for w, m in await writeups_of(rc.session, event.id) if w.id in won]
    items = [i18n.t(lang, "wvote.winner", name=mention(m), link=w.link) for w, m in rows]
    key = "wvote.won" if len(rows) == 1 else "wvote.tied"
    text = i18n.t(lang, key, id=event.id, title=event.title, n=votes[won[0]], total=sum(votes.values()))
    prize = await rc.session.get(ChallengePrize, (event.id, 1))
    text = "\n".join([text, *items]) + (i18n.t(lang, "writeup.prize", prize=prize.text) if prize else "")
    return OutMessage(group(community), text, mentions=tuple(m.user_id for _, m in rows))


async def render_vote_stop(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """Stop the native poll, or take the buttons off the vote's message."""
    loaded = await scheduled_event(rc, row, KINDS)
    poll = await _poll(rc.session, row.event_id or 0)
    if loaded is None or poll is None or poll.message_id is None:
        return None
    event, community = loaded
    if poll.platform_poll_id is not None:
        return OutMessage(
            group(community), "", edit_message_id=poll.message_id, close_poll_id=poll.platform_poll_id
        )
    if not rc.capabilities.edit_messages:
        return None
    settings = await rc.session.get(EventFormat, event.id)
    order = {wid: i for i, wid in enumerate(settings.vote_writeups or [])} if settings else {}
    rows = sorted(
        (r for r in await writeups_of(rc.session, event.id) if r[0].id in order), key=lambda r: order[r[0].id]
    )
    lang, tz = community.locale, ZoneInfo(community.timezone)
    text = vote_text(event, rows, poll.closes_at, tz, lang) + i18n.t(lang, "wvote.closed_suffix")
    return OutMessage(group(community), text, edit_message_id=poll.message_id)


register("fmt_writeup_call", Renderer(render_call))
register("fmt_vote_open", Renderer(render_vote_open, after_sent=after_vote_open))
register("fmt_vote_close", Renderer(render_vote_close))
register("fmt_vote_stop", Renderer(render_vote_stop))


def specs() -> list[CommandSpec]:
    return [
        CommandSpec("writeup", writeup, WRITEUP_USAGE, WRITEUP_EXAMPLE),
        CommandSpec("writeups", writeups, WRITEUPS_USAGE, WRITEUPS_EXAMPLE, role="organizer"),
    ]
