"""Code challenges: organizers attach tasks and prizes, members submit during the event, organizers score,
a live leaderboard, and the results announcement naming the winners and their prizes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery import outbox
from bot.delivery.render import RenderCtx, Renderer, register
from bot.domain.messages import OutMessage
from bot.features.common import mention
from bot.features.formats.common import (
    clock,
    find_member,
    format_event,
    group,
    lock_event,
    name,
    place_label,
    scheduled_event,
    settings_of,
    usage_error,
    when,
)
from bot.features.notify import dm_target
from bot.registry import CommandSpec
from bot.storage.formats import ChallengePrize, ChallengeScore, ChallengeTask, ChallengeWinner, Submission
from bot.storage.models import Delivery, Event, Member

KINDS = ("challenge",)
TASK_USAGE = "/task add ID title | description, /task remove ID TASK"
TASK_EXAMPLE = "/task add 1 Python scraping | Collect the 100 newest titles from books.example"
TASKS_USAGE, TASKS_EXAMPLE = "/tasks ID", "/tasks 1"
SUBMIT_USAGE = "/submit ID TASK link-or-text"
SUBMIT_EXAMPLE = "/submit 1 1 https://github.com/bob/scraper"
SCORE_USAGE, SCORE_EXAMPLE = "/score ID @member points", "/score 1 @bob 90"
PRIZE_USAGE, PRIZE_EXAMPLE = "/prize ID PLACE text", "/prize 1 1 Annual membership"
WINNERS_USAGE, WINNERS_EXAMPLE = "/winners ID [@member …]", "/winners 1"
SUBMISSIONS_USAGE, SUBMISSIONS_EXAMPLE = "/submissions ID", "/submissions 1"
MAX_TITLE, MAX_DESCRIPTION, MAX_CONTENT, MAX_PRIZE = 120, 1000, 2000, 200
MAX_SCORE, MAX_PLACES, DEFAULT_WINNERS = 1000, 10, 3


# --- reading ---------------------------------------------------------------------------------------


async def tasks_of(session: AsyncSession, event_id: int) -> list[ChallengeTask]:
    return list(
        await session.scalars(
            select(ChallengeTask).where(ChallengeTask.event_id == event_id).order_by(ChallengeTask.number)
        )
    )


async def prizes_of(session: AsyncSession, event_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(ChallengePrize.place, ChallengePrize.text)
        .where(ChallengePrize.event_id == event_id)
        .order_by(ChallengePrize.place)
    )
    return {place: text for place, text in rows.all()}


def prizes_line(prizes: dict[int, str], lang: str) -> str:
    if not prizes:
        return ""
    items = " · ".join(f"{place_label(p, lang)} {text}" for p, text in prizes.items())
    return i18n.t(lang, "challenge.prizes", prizes=items)


def task_lines(tasks: list[ChallengeTask], lang: str) -> list[str]:
    return [
        i18n.t(lang, "challenge.task_line", n=t.number, title=t.title, description=t.description)
        if t.description
        else i18n.t(lang, "challenge.task_line_short", n=t.number, title=t.title)
        for t in tasks
    ]


async def standings(session: AsyncSession, event_id: int) -> list[tuple[Member, int | None, int]]:
    """Everyone who submitted: (member, score or None, tasks submitted), best first.

    Scored members by score, then by their first submission; members not scored yet come last."""
    rows = (
        await session.execute(
            select(
                Member, ChallengeScore.points, func.count(Submission.id), func.min(Submission.submitted_at)
            )
            .join(Submission, Submission.member_id == Member.id)
            .outerjoin(
                ChallengeScore,
                (ChallengeScore.event_id == Submission.event_id) & (ChallengeScore.member_id == Member.id),
            )
            .where(Submission.event_id == event_id)
            .group_by(Member.id, ChallengeScore.points)
        )
    ).all()
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[3], r[0].id))
    return [(member, points, n) for member, points, n, _ in rows]


# --- commands --------------------------------------------------------------------------------------


async def task(ctx: Ctx, args: str) -> None:
    """/task add ID title | description, /task remove ID TASK."""
    action, _, rest = args.strip().partition(" ")
    action = {"添加": "add", "删除": "remove", "rm": "remove", "del": "remove"}.get(action, action.lower())
    if action not in ("add", "remove"):
        problem = ctx.t("challenge.task_action", word=action[:20]) if action else ctx.t("challenge.task_what")
        raise usage_error(ctx, problem, TASK_USAGE, TASK_EXAMPLE)
    id_text, _, body = rest.strip().partition(" ")
    event = await format_event(ctx, id_text, KINDS, TASK_USAGE, TASK_EXAMPLE)
    if event.ends_at <= ctx.now:
        raise UsageError(ctx.t("challenge.over", id=event.id))
    if action == "remove":
        number = body.strip().lstrip("#")
        found = await _task(ctx, event, number, TASK_USAGE, TASK_EXAMPLE)
        used = await ctx.session.scalar(select(func.count()).where(Submission.task_id == found.id))
        if used:
            raise UsageError(ctx.t("challenge.task_used", n=found.number, id=event.id, count=used))
        await ctx.session.execute(delete(ChallengeTask).where(ChallengeTask.id == found.id))
        await ctx.reply("challenge.task_removed", n=found.number, id=event.id)
        return
    title, _, description = body.partition("|")
    title, description = " ".join(title.split()), description.strip()
    if not title:
        raise usage_error(ctx, ctx.t("challenge.task_no_title"), TASK_USAGE, TASK_EXAMPLE)
    if len(title) > MAX_TITLE or len(description) > MAX_DESCRIPTION:
        problem = ctx.t("challenge.task_too_long", title=MAX_TITLE, description=MAX_DESCRIPTION)
        raise usage_error(ctx, problem, TASK_USAGE, TASK_EXAMPLE)
    await lock_event(ctx.session, event)
    number = int(
        await ctx.session.scalar(
            select(func.max(ChallengeTask.number)).where(ChallengeTask.event_id == event.id)
        )
        or 0
    )
    added = ChallengeTask(
        event_id=event.id, number=number + 1, title=title, description=description, created_at=ctx.now
    )
    ctx.session.add(added)
    if event.starts_at <= ctx.now:  # the tasks were posted at the start: post this one too
        assert ctx.community is not None
        lang = ctx.community.locale
        line = task_lines([added], lang)[0]
        await ctx.send(i18n.t(lang, "challenge.task_new", id=event.id, task=line), target=ctx.group())
        if not ctx.event.chat.is_private:
            return
    await ctx.reply("challenge.task_added", n=number + 1, id=event.id, title=title)


async def _task(ctx: Ctx, event: Event, number: str, usage: str, example: str) -> ChallengeTask:
    tasks = await tasks_of(ctx.session, event.id)
    found = next((t for t in tasks if number.isdecimal() and t.number == int(number)), None)
    if found is None:
        numbers = ", ".join(str(t.number) for t in tasks)
        problem = (
            ctx.t("challenge.no_such_task", n=number[:10], id=event.id, numbers=numbers)
            if tasks
            else ctx.t("challenge.no_tasks", id=event.id)
        )
        raise usage_error(ctx, problem, usage, example)
    return found


async def list_tasks(ctx: Ctx, args: str) -> None:
    event = await format_event(ctx, args, KINDS, TASKS_USAGE, TASKS_EXAMPLE)
    tasks = await tasks_of(ctx.session, event.id)
    if not tasks:
        await ctx.reply("challenge.no_tasks", id=event.id)
        return
    span = f"{when(event.starts_at, ctx.tz, ctx.lang)}–{clock(event.ends_at, ctx.tz)}"
    lines = [ctx.t("challenge.tasks_header", id=event.id, title=event.title, when=span)]
    lines += task_lines(tasks, ctx.lang)
    prizes = prizes_line(await prizes_of(ctx.session, event.id), ctx.lang)
    lines += [prizes] if prizes else []
    lines.append(ctx.t("challenge.how_to_submit", id=event.id))
    await ctx.send("\n".join(lines))


async def submit(ctx: Ctx, args: str) -> None:
    """/submit ID TASK link-or-text: during the challenge only; submitting again replaces the solution."""
    parts = args.split(maxsplit=2)
    if len(parts) < 3:
        problem = ctx.t("challenge.submit_what")
        raise usage_error(ctx, problem, SUBMIT_USAGE, SUBMIT_EXAMPLE)
    id_text, number, content = parts
    event = await format_event(ctx, id_text, KINDS, SUBMIT_USAGE, SUBMIT_EXAMPLE)
    assert ctx.member is not None
    if ctx.now < event.starts_at:
        raise UsageError(
            ctx.t("challenge.not_yet", id=event.id, when=when(event.starts_at, ctx.tz, ctx.lang))
        )
    if ctx.now >= event.ends_at:
        raise UsageError(ctx.t("challenge.closed", id=event.id, when=when(event.ends_at, ctx.tz, ctx.lang)))
    found = await _task(ctx, event, number.lstrip("#"), SUBMIT_USAGE, SUBMIT_EXAMPLE)
    content = content.strip()
    if len(content) > MAX_CONTENT:
        raise usage_error(ctx, ctx.t("challenge.too_long", max=MAX_CONTENT), SUBMIT_USAGE, SUBMIT_EXAMPLE)
    existing = await ctx.session.scalar(
        select(Submission).where(Submission.task_id == found.id, Submission.member_id == ctx.member.id)
    )
    if existing is not None:
        existing.content, existing.updated_at = content, ctx.now
        await ctx.reply("challenge.resubmitted", n=found.number, id=event.id)
        return
    ctx.session.add(
        Submission(
            event_id=event.id, task_id=found.id, member_id=ctx.member.id, content=content,
            submitted_at=ctx.now, updated_at=ctx.now,
        )
    )  # fmt: skip
    await ctx.reply("challenge.submitted", n=found.number, title=found.title, id=event.id)


async def _open_results(ctx: Ctx, event: Event) -> None:
    """Refuse once the results are out: they are final."""
    if (await settings_of(ctx.session, event)).results_at is not None:
        raise UsageError(ctx.t("challenge.final", id=event.id))


async def score(ctx: Ctx, args: str) -> None:
    """/score ID @member points (organizers): replaces an earlier score."""
    parts = args.split()
    if len(parts) != 3:
        raise usage_error(ctx, ctx.t("challenge.score_what"), SCORE_USAGE, SCORE_EXAMPLE)
    id_text, who, points_text = parts
    event = await format_event(ctx, id_text, KINDS, SCORE_USAGE, SCORE_EXAMPLE)
    if not points_text.isdecimal() or len(points_text) > 7 or int(points_text) > MAX_SCORE:
        problem = ctx.t("challenge.bad_score", text=points_text[:20], max=MAX_SCORE)
        raise usage_error(ctx, problem, SCORE_USAGE, SCORE_EXAMPLE)
    await _open_results(ctx, event)
    member = await find_member(ctx, who, SCORE_USAGE, SCORE_EXAMPLE)
    if not await _submitted(ctx.session, event, member):
        raise usage_error(
            ctx, ctx.t("challenge.no_submission", name=name(member), id=event.id), SCORE_USAGE, SCORE_EXAMPLE
        )
    row = await ctx.session.scalar(
        select(ChallengeScore).where(
            ChallengeScore.event_id == event.id, ChallengeScore.member_id == member.id
        )
    )
    assert ctx.member is not None
    if row is None:
        row = ChallengeScore(event_id=event.id, member_id=member.id, points=0, scored_at=ctx.now)
        ctx.session.add(row)
    row.points, row.scored_by, row.scored_at = int(points_text), ctx.member.id, ctx.now
    await ctx.reply("challenge.scored", name=name(member), points=int(points_text), id=event.id)


async def _submitted(session: AsyncSession, event: Event, member: Member) -> bool:
    found = await session.scalar(
        select(Submission.id)
        .where(Submission.event_id == event.id, Submission.member_id == member.id)
        .limit(1)
    )
    return found is not None


async def prize(ctx: Ctx, args: str) -> None:
    """/prize ID PLACE text (organizers): what a place wins; the Q&A's and the write-up vote's use place 1."""
    from bot.features.formats.common import FORMAT_KINDS

    parts = args.split(maxsplit=2)
    if len(parts) < 3:
        raise usage_error(ctx, ctx.t("challenge.prize_what"), PRIZE_USAGE, PRIZE_EXAMPLE)
    id_text, place_text, text = parts
    event = await format_event(ctx, id_text, FORMAT_KINDS, PRIZE_USAGE, PRIZE_EXAMPLE)
    places = MAX_PLACES if event.kind == "challenge" else 1
    if not place_text.isdecimal() or len(place_text) > 4 or not 1 <= int(place_text) <= places:
        problem = ctx.t("challenge.bad_place", text=place_text[:20], max=places)
        raise usage_error(ctx, problem, PRIZE_USAGE, PRIZE_EXAMPLE)
    text = " ".join(text.split())
    if len(text) > MAX_PRIZE:
        raise usage_error(ctx, ctx.t("challenge.too_long", max=MAX_PRIZE), PRIZE_USAGE, PRIZE_EXAMPLE)
    await _open_results(ctx, event)
    place = int(place_text)
    row = await ctx.session.get(ChallengePrize, (event.id, place))
    if row is None:
        ctx.session.add(ChallengePrize(event_id=event.id, place=place, text=text))
    else:
        row.text = text
    await ctx.reply("challenge.prize_set", place=place, id=event.id, prize=text)


async def winners(ctx: Ctx, args: str) -> None:
    """/winners ID [@member …] (organizers): fix the winners (named, else the best scores) and announce them."""
    id_text, *names = args.split() or [""]
    event = await format_event(ctx, id_text, KINDS, WINNERS_USAGE, WINNERS_EXAMPLE)
    if ctx.now < event.ends_at:
        raise UsageError(
            ctx.t("challenge.still_running", id=event.id, when=when(event.ends_at, ctx.tz, ctx.lang))
        )
    await _open_results(ctx, event)
    chosen: list[Member] = []
    for who in names:
        member = await find_member(ctx, who, WINNERS_USAGE, WINNERS_EXAMPLE)
        if not await _submitted(ctx.session, event, member):
            problem = ctx.t("challenge.no_submission", name=name(member), id=event.id)
            raise usage_error(ctx, problem, WINNERS_USAGE, WINNERS_EXAMPLE)
        if member.id in {m.id for m in chosen}:
            raise usage_error(
                ctx, ctx.t("challenge.twice", name=name(member)), WINNERS_USAGE, WINNERS_EXAMPLE
            )
        chosen.append(member)
    if len(chosen) > MAX_PLACES:
        raise usage_error(ctx, ctx.t("challenge.too_many", max=MAX_PLACES), WINNERS_USAGE, WINNERS_EXAMPLE)
    if not chosen:
        prizes = await prizes_of(ctx.session, event.id)
        count = max(prizes) if prizes else DEFAULT_WINNERS
        chosen = [m for m, points, _ in await standings(ctx.session, event.id) if points][:count]
    if not chosen:
        problem = ctx.t("challenge.nobody_scored", id=event.id)
        raise usage_error(ctx, problem, WINNERS_USAGE, WINNERS_EXAMPLE)
    ctx.session.add_all(
        ChallengeWinner(event_id=event.id, member_id=m.id, place=i, announced_at=ctx.now)
        for i, m in enumerate(chosen, 1)
    )
    (await settings_of(ctx.session, event)).results_at = ctx.now
    assert ctx.community is not None
    await outbox.enqueue(
        ctx.session, key=f"fmtch:results:{event.id}", platform=ctx.community.platform, kind="fmt_results",
        due_at=ctx.now, now=ctx.now, community_id=ctx.community.id, event_id=event.id,
    )  # fmt: skip
    if ctx.event.chat.is_private:
        await ctx.reply("challenge.announced", id=event.id)


async def submissions(ctx: Ctx, args: str) -> None:
    """/submissions ID (organizers): every solution, to score them; only ever in a private chat."""
    event = await format_event(ctx, args, KINDS, SUBMISSIONS_USAGE, SUBMISSIONS_EXAMPLE)
    assert ctx.member is not None and ctx.community is not None
    private = ctx.event.chat.is_private
    if not private and not ctx.member.can_dm:
        raise UsageError(ctx.t("challenge.submissions_private", id=event.id))
    rows = (
        await ctx.session.execute(
            select(Submission, ChallengeTask, Member)
            .join(ChallengeTask, ChallengeTask.id == Submission.task_id)
            .join(Member, Member.id == Submission.member_id)
            .where(Submission.event_id == event.id)
            .order_by(ChallengeTask.number, Submission.submitted_at, Submission.id)
        )
    ).all()
    if not rows:
        text = ctx.t("challenge.board_empty", id=event.id)
    else:
        lines = [ctx.t("challenge.submissions", id=event.id, title=event.title, n=len(rows))]
        task_id = None
        for sub, found, member in rows:
            if found.id != task_id:
                task_id = found.id
                lines.append(ctx.t("challenge.task_line_short", n=found.number, title=found.title))
            lines.append(f"• {name(member)} ({clock(sub.updated_at, ctx.tz)}): {sub.content}")
        text = "\n".join(lines)
    if private:
        await ctx.send(text)
        return
    await ctx.send(text, target=dm_target(ctx.community, ctx.member))
    await ctx.reply("challenge.submissions_sent", id=event.id)


async def event_leaderboard(ctx: Ctx, event: Event) -> None:
    """/leaderboard ID of a challenge: scores so far (or final), and who has not been scored yet."""
    rows = await standings(ctx.session, event.id)
    if not rows:
        await ctx.reply("challenge.board_empty", id=event.id)
        return
    total = len(await tasks_of(ctx.session, event.id))
    final = (await settings_of(ctx.session, event)).results_at is not None
    places = {w.member_id: w.place for w in await _winners(ctx.session, event.id)}
    lines = [
        ctx.t("challenge.board_final" if final else "challenge.board_live", id=event.id, title=event.title)
    ]
    rank = 0
    for member, points, n in rows:
        if points is None:
            lines.append(ctx.t("challenge.board_unscored", name=name(member), n=n, total=total))
            continue
        rank += 1
        medal = f" {place_label(places[member.id], ctx.lang)}" if member.id in places else ""
        lines.append(
            ctx.t("challenge.board_line", rank=rank, name=name(member), points=points, n=n, total=total)
            + medal
        )
    await ctx.send("\n".join(lines))


async def _winners(session: AsyncSession, event_id: int) -> list[ChallengeWinner]:
    return list(
        await session.scalars(
            select(ChallengeWinner)
            .where(ChallengeWinner.event_id == event_id)
            .order_by(ChallengeWinner.place)
        )
    )


# --- scheduled posts -------------------------------------------------------------------------------


async def render_open(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """At the start: the tasks, the prizes and how to submit."""
    loaded = await scheduled_event(rc, row, KINDS)
    if loaded is None or loaded[0].ends_at <= rc.now:
        return None
    event, community = loaded
    lang, tz = community.locale, ZoneInfo(community.timezone)
    tasks = await tasks_of(rc.session, event.id)
    lines = [i18n.t(lang, "challenge.started", id=event.id, title=event.title, end=clock(event.ends_at, tz))]
    lines += task_lines(tasks, lang) if tasks else [i18n.t(lang, "challenge.tasks_later")]
    prizes = prizes_line(await prizes_of(rc.session, event.id), lang)
    lines += [prizes] if prizes else []
    lines.append(i18n.t(lang, "challenge.how_to_submit", id=event.id))
    return OutMessage(group(community), "\n".join(lines))


async def render_close(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """At the end: submissions are closed; how many came in; what organizers do next."""
    loaded = await scheduled_event(rc, row, KINDS)
    if loaded is None:
        return None
    event, community = loaded
    lang = community.locale
    count, people = (
        await rc.session.execute(
            select(func.count(Submission.id), func.count(func.distinct(Submission.member_id))).where(
                Submission.event_id == event.id
            )
        )
    ).one()
    if not count:
        return OutMessage(
            group(community), i18n.t(lang, "challenge.closed_none", id=event.id, title=event.title)
        )
    text = i18n.t(lang, "challenge.closed_post", id=event.id, title=event.title, n=count, people=people)
    return OutMessage(group(community), text)


async def render_results(rc: RenderCtx, row: Delivery) -> OutMessage | None:
    """The winners with their places, scores and prizes, as they stand when it is sent."""
    loaded = await scheduled_event(rc, row, KINDS)
    if loaded is None:
        return None
    event, community = loaded
    lang = community.locale
    won = await _winners(rc.session, event.id)
    if not won:
        return None
    prizes = await prizes_of(rc.session, event.id)
    scores = dict(
        (
            await rc.session.execute(
                select(ChallengeScore.member_id, ChallengeScore.points).where(
                    ChallengeScore.event_id == event.id
                )
            )
        ).all()
    )
    members = {
        m.id: m
        for m in await rc.session.scalars(select(Member).where(Member.id.in_([w.member_id for w in won])))
    }
    lines = [i18n.t(lang, "challenge.results", id=event.id, title=event.title)]
    for w in won:
        member = members[w.member_id]
        parts = [f"{place_label(w.place, lang)} {mention(member)}"]
        if w.member_id in scores:
            parts.append(i18n.t(lang, "challenge.points", points=scores[w.member_id]))
        if w.place in prizes:
            parts.append(prizes[w.place])
        lines.append(" — ".join(parts))
    people = await rc.session.scalar(
        select(func.count(func.distinct(Submission.member_id))).where(Submission.event_id == event.id)
    )
    lines.append(i18n.t(lang, "challenge.thanks", n=people or 0))
    return OutMessage(group(community), "\n".join(lines), mentions=tuple(m.user_id for m in members.values()))


register("fmt_challenge_open", Renderer(render_open))
register("fmt_challenge_close", Renderer(render_close))
register("fmt_results", Renderer(render_results))


def schedule(event: Event) -> list[tuple[str, str, datetime, dict]]:
    """The challenge's posts: the tasks when it starts, the closing of submissions when it ends."""
    return [
        (f"fmtch:open:{event.id}", "fmt_challenge_open", event.starts_at, {}),
        (f"fmtch:close:{event.id}", "fmt_challenge_close", event.ends_at, {}),
    ]


def specs() -> list[CommandSpec]:
    return [
        CommandSpec("task", task, TASK_USAGE, TASK_EXAMPLE, role="organizer"),
        CommandSpec("tasks", list_tasks, TASKS_USAGE, TASKS_EXAMPLE),
        CommandSpec("submit", submit, SUBMIT_USAGE, SUBMIT_EXAMPLE),
        CommandSpec("score", score, SCORE_USAGE, SCORE_EXAMPLE, role="organizer"),
        CommandSpec("prize", prize, PRIZE_USAGE, PRIZE_EXAMPLE, role="organizer"),
        CommandSpec("winners", winners, WINNERS_USAGE, WINNERS_EXAMPLE, role="organizer"),
        CommandSpec("submissions", submissions, SUBMISSIONS_USAGE, SUBMISSIONS_EXAMPLE, role="organizer"),
    ]
