"""The satisfaction poll after an event: 1-5 in the chat, an optional comment, a summary for the organizer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery import outbox
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.events import PollVoteCast
from bot.domain.messages import Button, OutMessage, PollSpec, SentRef, Target
from bot.features.common import get_event, member_lang, mention, parse_event_id
from bot.features.notify import dm_target
from bot.registry import CommandSpec, Registry
from bot.storage import repo
from bot.storage.models import Attendance, Community, Delivery, Event, Member, Poll, PollVote, Rsvp

SCORES = ("1", "2", "3", "4", "5")
FEEDBACK_USAGE = "/feedback ID your comment"
FEEDBACK_EXAMPLE = "/feedback 3 Great examples, more time for Q&A please"

i18n.register(
    {
        "help.feedback": {"en": "Add a comment to your event rating", "zh": "为你的活动评分补充评论"},
        "poll.question": {
            "en": "How was #{id} {title}? Rate it 1 (poor) to 5 (great).",
            "zh": "#{id} {title} 怎么样？请打分：1（差）到 5（很好）。",
        },
        "poll.post": {"en": "{names}⭐ {question}", "zh": "{names}⭐ {question}"},
        "poll.thanks": {
            "en": "Thanks! You rated {title} {score}/5. Add a comment with /feedback {id} your words",
            "zh": "谢谢！你给 {title} 打了 {score}/5 分。可以用 /feedback {id} 评论内容 补充评论",
        },
        "poll.not_attendee": {
            "en": "Only people who were at the event can rate it.",
            "zh": "只有参加了活动的人才能评分。",
        },
        "poll.closed": {"en": "This poll is closed.", "zh": "该投票已结束。"},
        "poll.closed_text": {"en": "{question}\n(closed)", "zh": "{question}\n（已结束）"},
        "poll.summary": {
            "en": "📊 Feedback on #{id} {title}: responses {n}, attendees {attendees}, mean {mean}.\n{bars}{comments}",
            "zh": "📊 #{id} {title} 的反馈：回复 {n} 人，参加者 {attendees} 人，平均 {mean} 分。\n{bars}{comments}",
        },
        "poll.summary_none": {
            "en": "📊 Feedback on #{id} {title}: no responses (attendees {attendees}).",
            "zh": "📊 #{id} {title} 的反馈：{attendees} 位参加者都没有回复。",
        },
        "poll.closed_group": {
            "en": "📊 The feedback poll for #{id} {title} is closed (responses {n}). Organizers: /results {id}",
            "zh": "📊 #{id} {title} 的反馈投票已结束（{n} 人回复）。组织者可发送 /results {id} 查看。",
        },
        "help.results": {
            "en": "Feedback results of an event (organizers)",
            "zh": "查看活动反馈结果（组织者）",
        },
        "results.none": {"en": "#{id} has no feedback poll yet.", "zh": "#{id} 还没有反馈投票。"},
        "poll.comments": {"en": "\nComments:\n{lines}", "zh": "\n评论：\n{lines}"},
        "feedback.saved": {
            "en": "📝 Comment saved for #{id}. Thank you!",
            "zh": "📝 已保存你对 #{id} 的评论，谢谢！",
        },
        "feedback.no_vote": {
            "en": "Rate #{id} first (the poll after the event), then add a comment.",
            "zh": "请先为 #{id} 打分（活动后的投票），再补充评论。",
        },
        "feedback.empty": {"en": "The comment is empty.", "zh": "评论内容为空。"},
    }
)


async def attendees(session, event_id: int) -> list[Member]:  # type: ignore[no-untyped-def]
    """Members who checked in; if nobody did, those who said they were going."""
    checked = list(
        await session.scalars(
            select(Member)
            .join(Attendance, Attendance.member_id == Member.id)
            .where(Attendance.event_id == event_id)
            .order_by(Member.id)
        )
    )
    if checked:
        return checked
    return list(
        await session.scalars(
            select(Member)
            .join(Rsvp, Rsvp.member_id == Member.id)
            .where(Rsvp.event_id == event_id, Rsvp.status == "going")
            .order_by(Member.id)
        )
    )


def group(community: Community) -> Target:
    return Target(community.platform, community.chat_id, False, "group")


async def _event_community(rc: RenderCtx, row: OutboxRow) -> tuple[Event, Community] | None:
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if event is None or community is None or event.status != "scheduled":
        return None
    return event, community


async def render_poll_open(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    loaded = await _event_community(rc, row)
    if loaded is None:
        return None
    event, community = loaded
    people = await attendees(rc.session, event.id)
    if not people:
        return None
    poll = await rc.session.scalar(select(Poll).where(Poll.event_id == event.id, Poll.kind == "satisfaction"))
    if poll is None:
        close = await rc.session.scalar(
            select(Delivery.due_at).where(Delivery.dedupe_key == f"pollclose:{event.id}")
        )
        poll = Poll(
            event_id=event.id, kind="satisfaction", status="open", opened_at=rc.now, closes_at=close or rc.now
        )
        rc.session.add(poll)
        await rc.session.flush()
    lang = community.locale
    question = i18n.t(lang, "poll.question", id=event.id, title=event.title)
    names = i18n.t(lang, "notify.mention_prefix", names=" ".join(mention(m) for m in people))
    mentions = tuple(m.user_id for m in people)
    if rc.capabilities.native_polls:
        return OutMessage(group(community), names.strip(), mentions=mentions, poll=PollSpec(question, SCORES))
    buttons = (tuple(Button(s, f"vote:{poll.id}:{s}") for s in SCORES),)
    return OutMessage(
        group(community),
        i18n.t(lang, "poll.post", names=names, question=question),
        buttons,
        mentions=mentions,
    )


async def after_poll_open(rc: RenderCtx, row: Delivery, ref: SentRef) -> None:
    poll = await rc.session.scalar(
        select(Poll).where(Poll.event_id == row.event_id, Poll.kind == "satisfaction")
    )
    if poll is not None:
        poll.message_id, poll.platform_poll_id = ref.message_id, ref.poll_id


async def record_vote(ctx: Ctx, poll: Poll, member: Member, score: int) -> None:
    event = await ctx.session.get(Event, poll.event_id)
    assert event is not None
    if poll.status != "open" or ctx.now >= poll.closes_at:
        ctx.toast(ctx.t("poll.closed"))
        return
    if member.id not in {m.id for m in await attendees(ctx.session, event.id)}:
        ctx.toast(ctx.t("poll.not_attendee"))
        return
    vote = await ctx.session.scalar(
        select(PollVote).where(PollVote.poll_id == poll.id, PollVote.member_id == member.id)
    )
    if vote is None:
        ctx.session.add(PollVote(poll_id=poll.id, member_id=member.id, score=score, voted_at=ctx.now))
    else:
        vote.score, vote.voted_at = score, ctx.now
    ctx.toast(ctx.t("poll.thanks", title=event.title, score=score, id=event.id))


async def on_vote_button(ctx: Ctx, parts: list[str]) -> None:
    if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in SCORES or ctx.member is None:
        return
    poll = await ctx.session.get(Poll, int(parts[0]))
    if poll is None or ctx.community is None:
        return
    event = await ctx.session.get(Event, poll.event_id)
    if event is None or event.community_id != ctx.community.id:
        return
    await record_vote(ctx, poll, ctx.member, int(parts[1]))


async def on_native_vote(ctx: Ctx) -> None:
    """A native poll answer: find the poll by the platform's id; the chat comes from the poll's event."""
    vote = ctx.event
    assert isinstance(vote, PollVoteCast)
    poll = await ctx.session.scalar(select(Poll).where(Poll.platform_poll_id == vote.poll_id))
    if poll is None:
        return
    event = await ctx.session.get(Event, poll.event_id)
    community = await ctx.session.get(Community, event.community_id) if event else None
    if community is None:
        return
    member = await repo.member_for_user(ctx.session, community, vote.user, ctx.now)
    ctx.community, ctx.member, ctx.lang = community, member, member_lang(member, community)
    if poll.kind != "satisfaction":  # another feature's poll (e.g. the vote for the best write-up)
        handler = ctx.registry.poll_kinds.get(poll.kind) if ctx.registry is not None else None
        if handler is not None:
            await handler(ctx, poll, member, vote.option_ids)
        return
    if not vote.option_ids:
        existing = await ctx.session.scalar(
            select(PollVote).where(PollVote.poll_id == poll.id, PollVote.member_id == member.id)
        )
        if existing is not None and poll.status == "open":
            await ctx.session.delete(existing)
        return
    await record_vote(ctx, poll, member, vote.option_ids[0] + 1)


async def render_poll_close(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    """Close the poll and render the organizer's summary."""
    poll = await rc.session.scalar(
        select(Poll).where(Poll.event_id == row.event_id, Poll.kind == "satisfaction")
    )
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if poll is None or event is None or community is None:
        return None
    if poll.status == "open":
        poll.status = "closed"
        await outbox.enqueue(
            rc.session, key=f"pollstop:{poll.id}", platform=row.platform, kind="poll_stop", due_at=rc.now, now=rc.now,
            community_id=community.id, event_id=event.id,
        )  # fmt: skip
    organizer = await rc.session.get(Member, event.created_by) if event.created_by else None
    if organizer is not None and organizer.can_dm:
        lang = member_lang(organizer, community)
        return OutMessage(dm_target(community, organizer), await summary(rc.session, poll, event, lang))
    # Members' scores and comments are not posted in the group: organizers ask with /results.
    n = len(list(await rc.session.scalars(select(PollVote.id).where(PollVote.poll_id == poll.id))))
    text = i18n.t(community.locale, "poll.closed_group", id=event.id, title=event.title, n=n)
    return OutMessage(group(community), text)


async def summary(session: AsyncSession, poll: Poll, event: Event, lang: str) -> str:
    """Responses, mean and distribution of a poll."""
    votes = list(await session.scalars(select(PollVote).where(PollVote.poll_id == poll.id)))
    n_attendees = len(await attendees(session, event.id))
    if not votes:
        return i18n.t(lang, "poll.summary_none", id=event.id, title=event.title, attendees=n_attendees)
    counts = {s: sum(1 for v in votes if v.score == s) for s in range(5, 0, -1)}
    bars = "\n".join(f"{s}★ {'█' * c}{' ' if c else ''}{c}" for s, c in counts.items())
    comments = [f"• {v.comment}" for v in votes if v.comment]
    return i18n.t(
        lang, "poll.summary", id=event.id, title=event.title, n=len(votes), attendees=n_attendees,
        mean=f"{sum(v.score for v in votes) / len(votes):.1f}", bars=bars,
        comments=i18n.t(lang, "poll.comments", lines="\n".join(comments)) if comments else "",
    )  # fmt: skip


async def render_poll_stop(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    poll = await rc.session.scalar(
        select(Poll).where(Poll.event_id == row.event_id, Poll.kind == "satisfaction")
    )
    event = await rc.session.get(Event, row.event_id)
    community = await rc.session.get(Community, row.community_id)
    if poll is None or event is None or community is None or poll.message_id is None:
        return None
    question = i18n.t(community.locale, "poll.question", id=event.id, title=event.title)
    if poll.platform_poll_id is not None:
        return OutMessage(
            group(community), "", edit_message_id=poll.message_id, close_poll_id=poll.platform_poll_id
        )
    if not rc.capabilities.edit_messages:
        return None
    text = i18n.t(community.locale, "poll.closed_text", question=question)
    return OutMessage(group(community), text, edit_message_id=poll.message_id)


async def feedback(ctx: Ctx, args: str) -> None:
    assert ctx.member is not None
    id_text, _, comment = args.partition(" ")
    event = await get_event(ctx, parse_event_id(ctx, id_text, FEEDBACK_EXAMPLE))
    comment = comment.strip()
    if not comment:
        raise UsageError(
            ctx.t(
                "error.usage", problem=ctx.t("feedback.empty"), usage=FEEDBACK_USAGE, example=FEEDBACK_EXAMPLE
            )
        )
    vote = await ctx.session.scalar(
        select(PollVote)
        .join(Poll, Poll.id == PollVote.poll_id)
        .where(Poll.event_id == event.id, PollVote.member_id == ctx.member.id)
    )
    if vote is None:
        raise UsageError(ctx.t("feedback.no_vote", id=event.id))
    poll = await ctx.session.get(Poll, vote.poll_id)
    if poll is None or poll.status != "open":
        raise UsageError(ctx.t("poll.closed"))
    vote.comment = comment[:1000]
    await ctx.reply("feedback.saved", id=event.id)


register("poll_open", Renderer(render_poll_open, after_sent=after_poll_open))
register("poll_close", Renderer(render_poll_close))
register("poll_stop", Renderer(render_poll_stop, read_only=True))


async def results(ctx: Ctx, args: str) -> None:
    """/results ID: the feedback summary of an event, where the organizer asks for it."""
    event = await get_event(ctx, parse_event_id(ctx, args, "/results 3"))
    poll = await ctx.session.scalar(
        select(Poll).where(Poll.event_id == event.id, Poll.kind == "satisfaction")
    )
    if poll is None:
        raise UsageError(ctx.t("results.none", id=event.id))
    await ctx.send(await summary(ctx.session, poll, event, ctx.lang))


def install(registry: Registry) -> None:
    registry.add(CommandSpec("results", results, "/results ID", "/results 3", role="organizer"))
    registry.button("vote", on_vote_button)
    registry.poll_vote = on_native_vote
    registry.add(CommandSpec("feedback", feedback, FEEDBACK_USAGE, FEEDBACK_EXAMPLE))
