"""Points: computed from what is recorded (check-ins, submissions, wins, questions, answers, write-ups, votes),
never kept as a counter. ``tally`` is a pure function of those facts; /points and /leaderboard call it on
the facts read from the tables, so changing a weight in [points] re-scores the past too."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import POINT_KINDS, Points
from bot.context import Ctx
from bot.features.formats.common import name
from bot.features.notify import reply_privately
from bot.registry import CommandSpec
from bot.storage.formats import ChallengeWinner, Question, Submission, Writeup, WriteupVote
from bot.storage.models import Attendance, Community, Event, Member, Poll

POINTS_USAGE, POINTS_EXAMPLE = "/points", "/points"
BOARD_USAGE, BOARD_EXAMPLE = "/leaderboard [ID]", "/leaderboard"
CHUNK = 1000
# Facts that earn their own kind's points directly; "vote" and "vote_closed" decide the write-up winners,
# consecutive "attend" facts the streaks.
DIRECT = frozenset({"attend", "submit", "win", "runner_up", "ask", "answer", "best_question", "writeup"})


@dataclass(frozen=True)
class Fact:
    """One recorded thing that can earn points."""

    kind: str  # one of DIRECT, or vote | vote_closed
    member_id: int  # who did it (the voter of a vote; 0 for vote_closed)
    event_id: int
    event_start: datetime  # orders the events for streaks
    ref: int = 0  # a vote: the member id of the write-up's author


def tally(facts: Iterable[Fact], streak_events: int) -> dict[int, Counter[str]]:
    """How many times each member earned each kind of points; the order of the facts does not matter.

    - every DIRECT fact counts once for its member;
    - streak: a check-in at an event counts when the member also checked in at the streak_events - 1 events
      before it, counting only events where someone checked in (ordered by start, then id);
    - writeup_win: in each event whose vote is closed, the authors with the most votes (ties all win; no
      votes, no winner).
    """
    facts = list(facts)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    held = sorted({(f.event_start, f.event_id) for f in facts if f.kind == "attend"})
    position = {event_id: i for i, (_, event_id) in enumerate(held)}
    attended: dict[int, set[int]] = defaultdict(set)
    votes: dict[int, Counter[int]] = defaultdict(Counter)
    closed: set[int] = set()
    for f in facts:
        if f.kind in DIRECT:
            counts[f.member_id][f.kind] += 1
        if f.kind == "attend":
            attended[f.member_id].add(position[f.event_id])
        elif f.kind == "vote":
            votes[f.event_id][f.ref] += 1
        elif f.kind == "vote_closed":
            closed.add(f.event_id)
    for member, seen in attended.items():
        for i in seen:
            if i >= streak_events - 1 and all(i - j in seen for j in range(1, streak_events)):
                counts[member]["streak"] += 1
    for event_id in closed:
        top = max(votes[event_id].values(), default=0)
        for author, n in votes[event_id].items():
            if n == top > 0:
                counts[author]["writeup_win"] += 1
    return {m: c for m, c in counts.items() if c}


def total(counts: Counter[str], weights: Points) -> int:
    return sum(n * weights.weight(kind) for kind, n in counts.items())


def compute(facts: Iterable[Fact], weights: Points) -> dict[int, int]:
    """Every member's points."""
    return {m: total(c, weights) for m, c in tally(facts, weights.streak_events).items()}


async def load_facts(session: AsyncSession, community_id: int) -> list[Fact]:
    """The facts of a community, from the tables (cancelled events earn nothing).

    Only ids are read per fact (each event's start once), so 100k check-ins load in well under a second."""
    live = (Event.community_id == community_id) & (Event.status == "scheduled")
    starts = dict((await session.execute(select(Event.id, Event.starts_at).where(live))).all())
    facts: list[Fact] = []

    async def rows(*columns, event_col, where=None):  # type: ignore[no-untyped-def]
        stmt = (
            select(*columns)
            .join(Event, Event.id == event_col)
            .where(live, true() if where is None else where)
        )
        return (await session.execute(stmt)).all()

    for m, e in await rows(Attendance.member_id, Attendance.event_id, event_col=Attendance.event_id):
        facts.append(Fact("attend", m, e, starts[e]))
    for m, e in await rows(Submission.member_id, Submission.event_id, event_col=Submission.event_id):
        facts.append(Fact("submit", m, e, starts[e]))
    for m, e, place in await rows(
        ChallengeWinner.member_id,
        ChallengeWinner.event_id,
        ChallengeWinner.place,
        event_col=ChallengeWinner.event_id,
    ):
        facts.append(Fact("win" if place == 1 else "runner_up", m, e, starts[e]))
    for m, e, answerer, best in await rows(
        Question.member_id,
        Question.event_id,
        Question.answered_by,
        Question.best,
        event_col=Question.event_id,
    ):
        facts.append(Fact("ask", m, e, starts[e]))
        if answerer is not None:
            facts.append(Fact("answer", answerer, e, starts[e]))
        if best:
            facts.append(Fact("best_question", m, e, starts[e]))
    for m, e in await rows(Writeup.member_id, Writeup.event_id, event_col=Writeup.event_id):
        facts.append(Fact("writeup", m, e, starts[e]))
    votes = (
        select(WriteupVote.member_id, WriteupVote.event_id, Writeup.member_id)
        .join(Writeup, Writeup.id == WriteupVote.writeup_id)
        .join(Event, Event.id == WriteupVote.event_id)
        .where(live)
    )
    for m, e, author in (await session.execute(votes)).all():
        facts.append(Fact("vote", m, e, starts[e], author))
    closed = (Poll.kind == "writeup") & (Poll.status == "closed")
    for (e,) in await rows(Poll.event_id, event_col=Poll.event_id, where=closed):
        facts.append(Fact("vote_closed", 0, e, starts[e]))
    return facts


async def member_points(
    session: AsyncSession, community: Community, weights: Points
) -> dict[int, Counter[str]]:
    """Every member's counts per kind, from the community's facts."""
    return tally(await load_facts(session, community.id), weights.streak_events)


def ranked(totals: dict[int, int], members: Iterable[Member]) -> list[tuple[int, Member, int]]:
    """(rank, member, points) of members with points who may be listed, best first; ties share a rank."""
    listed = sorted(
        ((totals[m.id], m) for m in members if totals.get(m.id, 0) > 0 and listable(m)),
        key=lambda r: (-r[0], r[1].id),
    )
    out: list[tuple[int, Member, int]] = []
    for i, (points, member) in enumerate(listed):
        rank = out[-1][0] if out and out[-1][2] == points else i + 1
        out.append((rank, member, points))
    return out


def listable(member: Member) -> bool:
    """Members who turned analytics off, left, or were deleted are never listed."""
    return member.is_member and not member.analytics_opt_out


async def board(session: AsyncSession, community: Community, weights: Points) -> tuple[list, dict]:
    counts = await member_points(session, community, weights)
    totals = {m: total(c, weights) for m, c in counts.items()}
    ids, members = list(totals), []
    for start in range(0, len(ids), CHUNK):  # bounded IN lists (SQLite limits bound parameters)
        members += list(
            await session.scalars(select(Member).where(Member.id.in_(ids[start : start + CHUNK])))
        )
    return ranked(totals, members), counts


async def points(ctx: Ctx, _args: str) -> None:
    """/points: your total, rank and where it comes from; privately when the bot can write to you."""
    assert ctx.member is not None and ctx.community is not None
    weights = ctx.config.points
    rows, counts = await board(ctx.session, ctx.community, weights)
    mine = counts.get(ctx.member.id, Counter())
    score = total(mine, weights)
    if not score:
        text = ctx.t("points.none")
    else:
        rank = next((r for r, m, _ in rows if m.id == ctx.member.id), None)
        if rank is not None:
            head = ctx.t("points.total", name=name(ctx.member), points=score, rank=rank, n=len(rows))
        else:
            key = "points.total_opted_out" if ctx.member.analytics_opt_out else "points.total_unlisted"
            head = ctx.t(key, name=name(ctx.member), points=score)
        lines = [head] + [
            ctx.t(
                "points.line",
                what=ctx.t(f"points.kind_{kind}"),
                n=mine[kind],
                each=weights.weight(kind),
                points=mine[kind] * weights.weight(kind),
            )  # fmt: skip
            for kind in POINT_KINDS
            if mine[kind] and weights.weight(kind)
        ]
        text = "\n".join(lines)
    await reply_privately(ctx, text, "points.sent_private")


async def leaderboard(ctx: Ctx, args: str) -> None:
    """/leaderboard: the community's top members by points; /leaderboard ID: a challenge's scores."""
    assert ctx.community is not None
    if args.strip():
        from bot.features.formats import challenge
        from bot.features.formats.common import format_event

        event = await format_event(ctx, args, challenge.KINDS, BOARD_USAGE, "/leaderboard 1")
        await challenge.event_leaderboard(ctx, event)
        return
    weights = ctx.config.points
    rows, _ = await board(ctx.session, ctx.community, weights)
    if not rows:
        await ctx.reply("points.board_empty")
        return
    lines = [ctx.t("points.board_header")]
    lines += [
        ctx.t("points.board_line", rank=rank, name=name(m), points=p)
        for rank, m, p in rows[: weights.leaderboard_size]
    ]
    lines.append(ctx.t("points.board_footer"))
    await ctx.send("\n".join(lines))


def specs() -> list[CommandSpec]:
    return [
        CommandSpec("points", points, POINTS_USAGE, POINTS_EXAMPLE),
        CommandSpec("leaderboard", leaderboard, BOARD_USAGE, BOARD_EXAMPLE),
    ]
