"""/privacy: a member sees what is stored about them, exports it, deletes it, and opts out.

Everything applies to all of the user's communities on the platform. Privacy messages go out as
``privacy_notice`` deliveries whose payload (it names the member's private chat) is erased once sent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n
from bot.context import Ctx, UsageError
from bot.delivery import outbox
from bot.delivery.render import OutboxRow, RenderCtx, Renderer, register
from bot.domain.messages import Attachment, Button, OutMessage, SentRef, Target
from bot.features.announce import refresh_announcement
from bot.features.planner import replan_event
from bot.features.privacy import texts as _texts
from bot.features.privacy.scan import Subject, erase, rows_about, subject_of
from bot.features.rsvp import promote_waitlist
from bot.ingest import hash_key, user_hash
from bot.storage import repo
from bot.storage.models import Community, Delivery, DoNotCollect, Event, Member, Rsvp

_ = _texts  # registers the strings
USAGE = "/privacy [export | delete | forget | analytics off|on | reminders off|on | collect on]"
EXAMPLE = "/privacy export"
EXPORT_FORMAT = "gatherbot-export/1"
WORDS = {
    "导出": "export", "删除": "delete", "忘记": "forget", "遗忘": "forget", "统计": "analytics",
    "分析": "analytics", "提醒": "reminders", "remind": "reminders", "收集": "collect", "确认": "confirm",
    "开": "on", "开启": "on", "关": "off", "关闭": "off",
}  # fmt: skip
TOGGLES = {"analytics": "analytics_opt_out", "reminders": "reminders_opt_out"}


async def privacy(ctx: Ctx, args: str) -> None:
    """/privacy [subcommand]: in private only, so nobody else sees the answer."""
    if not ctx.event.chat.is_private:
        await ctx.reply("privacy.private_only")
        return
    words = [WORDS.get(w, w) for w in args.lower().split()]
    action, rest = (words[0], words[1:]) if words else ("", [])
    if ctx.member is None and await is_blocked(ctx):
        if (action, rest) == ("collect", ["on"]):
            await collect_on(ctx)
        else:
            await notice(ctx, "blocked", ctx.t("privacy.blocked"))
        return
    if not action:
        await overview(ctx)
    elif action == "export" and not rest:
        await export(ctx)
    elif action in ("delete", "forget") and rest in ([], ["confirm"]):
        await (remove(ctx, forget=action == "forget") if rest else ask(ctx, action))
    elif action in TOGGLES and rest in (["on"], ["off"]):
        await toggle(ctx, action, rest[0] == "off")
    elif (action, rest) == ("collect", ["on"]):
        await notice(ctx, "collect", ctx.t("privacy.collect_already"))
    else:
        word = " ".join(args.split()[:2]) or action
        problem = ctx.t("privacy.bad", word=word[:40])
        raise UsageError(ctx.t("error.usage", problem=problem, usage=USAGE, example=EXAMPLE))


async def on_button(ctx: Ctx, parts: list[str]) -> None:
    """The confirmation buttons of /privacy delete and /privacy forget."""
    if ctx.event.chat.is_private and parts in (["delete"], ["forget"]):
        await remove(ctx, forget=parts[0] == "forget")


async def notice(ctx: Ctx, name: str, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
    """Answer privately; the outbox row forgets the chat once the message is sent."""
    message = OutMessage(ctx.here(), text, buttons)
    await outbox.enqueue(
        ctx.session, key=f"privacy:{ctx.event.platform}:{ctx.event.source_id}:{name}", platform=ctx.event.platform,
        kind="privacy_notice", due_at=ctx.now, now=ctx.now, payload={"message": message.to_json()},
    )  # fmt: skip


async def _memberships(ctx: Ctx) -> list[tuple[Member, Community]]:
    return await repo.members_of_user(ctx.session, ctx.event.platform, ctx.event.user.user_id)


async def overview(ctx: Ctx) -> None:
    memberships = await _memberships(ctx)
    days = ctx.config.text_retention_days
    lines = [
        ctx.t("privacy.community_kept" if c.keep_text else "privacy.community_not_kept", title=c.title or c.chat_id, days=days)
        for _, c in memberships
    ] or [ctx.t("privacy.no_communities")]  # fmt: skip

    def state(opted_out: bool) -> str:
        return ctx.t("privacy.state_off" if opted_out else "privacy.state_on")

    text = ctx.t(
        "privacy.overview", days=days, communities="\n".join(lines),
        analytics=state(any(m.analytics_opt_out for m, _ in memberships)),
        reminders=state(any(m.reminders_opt_out for m, _ in memberships)),
    )  # fmt: skip
    await notice(ctx, "overview", text)


async def export(ctx: Ctx) -> None:
    """Queue the export file: it is built when it is sent, from what is stored then."""
    if ctx.member is None:
        await notice(ctx, "export", ctx.t("privacy.nothing"))
        return
    await outbox.enqueue(
        ctx.session, key=f"privacy-export:{ctx.event.platform}:{ctx.event.source_id}", platform=ctx.event.platform,
        kind="privacy_export", due_at=ctx.now, now=ctx.now, member_id=ctx.member.id,
        payload={"target": vars(ctx.here()), "user_id": ctx.event.user.user_id, "lang": ctx.lang},
    )  # fmt: skip


async def ask(ctx: Ctx, action: str) -> None:
    n = len(await _memberships(ctx))
    if n == 0 and action == "delete":
        await notice(ctx, "ask", ctx.t("privacy.nothing"))
        return
    button = Button(ctx.t(f"privacy.{action}_button"), f"privacy:{action}")
    await notice(ctx, "ask", ctx.t(f"privacy.{action}_ask", n=n), ((button,),))


async def remove(ctx: Ctx, *, forget: bool) -> None:
    """Delete everything about the user (withdrawing upcoming answers first); forget: stop collecting."""
    memberships = await _memberships(ctx)
    subject = await subject_of(
        ctx.session, ctx.event.platform, ctx.event.user.user_id, {ctx.event.chat.chat_id}
    )
    for member, community in memberships:
        await _withdraw(ctx.session, ctx, member, community)
    counts = await erase(ctx.session, subject, ctx.now)
    ctx.member = ctx.community = None  # their rows are gone
    if forget:
        key = await hash_key(ctx.session, ctx.config, create=True)
        assert key is not None
        await ctx.session.execute(
            repo.dialect_insert(ctx.session, DoNotCollect)
            .values(user_hash=user_hash(key, ctx.event.platform, ctx.event.user.user_id), created_at=ctx.now)
            .on_conflict_do_nothing()
        )
    if memberships:
        rows = sum(n for name, n in counts.items() if name not in ("kept", "unlinked", "scrubbed"))
        await notice(
            ctx, "deleted", ctx.t("privacy.deleted", rows=rows, n=len(memberships), kept=counts["kept"])
        )
    elif not forget:
        await notice(ctx, "deleted", ctx.t("privacy.nothing"))
    if forget:
        await notice(ctx, "forgotten", ctx.t("privacy.forgotten"))


async def _withdraw(session: AsyncSession, ctx: Ctx, member: Member, community: Community) -> None:
    """Take the member's answers back from events not started yet (the waitlist moves up)."""
    rows = await session.execute(
        select(Rsvp, Event)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.member_id == member.id, Event.starts_at > ctx.now)
    )
    for rsvp, event in rows.all():
        going = rsvp.status == "going"
        await session.delete(rsvp)
        await session.flush()
        if event.status != "scheduled":
            continue
        if going:
            await promote_waitlist(session, event, community, ctx.now)
        await replan_event(session, event, community, ctx.config, ctx.now)
        await refresh_announcement(session, event, community, ctx.now)


async def toggle(ctx: Ctx, name: str, off: bool) -> None:
    """analytics|reminders off|on in every community; reminders are re-planned (timing uses analytics)."""
    memberships = await _memberships(ctx)
    if not memberships:
        await notice(ctx, name, ctx.t("privacy.nothing"))
        return
    for member, community in memberships:
        setattr(member, TOGGLES[name], off)
        if name == "analytics" and off:
            member.active_hour = None  # derived from their activity: reminders go back to plain offsets
        await _replan(ctx, member, community)
    await notice(ctx, name, ctx.t(f"privacy.{name}_{'off' if off else 'on'}"))


async def _replan(ctx: Ctx, member: Member, community: Community) -> None:
    events = await ctx.session.scalars(
        select(Event)
        .join(Rsvp, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member.id, Event.status == "scheduled", Event.starts_at > ctx.now)
    )
    for event in list(events):
        await replan_event(ctx.session, event, community, ctx.config, ctx.now)


async def _list_hash(ctx: Ctx) -> str | None:
    key = await hash_key(ctx.session, ctx.config)
    return None if key is None else user_hash(key, ctx.event.platform, ctx.event.user.user_id)


async def is_blocked(ctx: Ctx) -> bool:
    """Whether the speaker is on the do-not-collect list."""
    digest = await _list_hash(ctx)
    return digest is not None and await ctx.session.get(DoNotCollect, digest) is not None


async def collect_on(ctx: Ctx) -> None:
    digest = await _list_hash(ctx)
    if digest is not None:
        await ctx.session.execute(delete(DoNotCollect).where(DoNotCollect.user_hash == digest))
    await notice(ctx, "collect", ctx.t("privacy.collect_on"))


# --- deliveries --------------------------------------------------------------------------------


async def export_data(session: AsyncSession, subject: Subject, now: datetime) -> dict[str, Any]:
    """Everything stored about the subject: their communities and every row that names them."""
    communities = await session.scalars(
        select(Community).where(Community.id.in_(set(subject.communities.values()))).order_by(Community.id)
    )
    return {
        "format": EXPORT_FORMAT,
        "generated_at": now.astimezone(UTC).isoformat(),
        "platform": subject.platform,
        "user_id": subject.user_id,
        "communities": [
            {"id": c.id, "chat_id": c.chat_id, "title": c.title, "keeps_message_text": c.keep_text} for c in communities
        ],
        "tables": await rows_about(session, subject),
    }  # fmt: skip


def _jsonable(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value)


async def render_export(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    if not row.payload:
        return None
    target, lang = Target(**row.payload["target"]), row.payload.get("lang", "en")
    subject = await subject_of(rc.session, row.platform, row.payload["user_id"], {target.chat_id})
    if not subject.member_ids:
        return None  # deleted in the meantime
    data = await export_data(rc.session, subject, rc.now)
    body = json.dumps(data, ensure_ascii=False, indent=1, default=_jsonable)
    caption = i18n.t(lang, "privacy.export_caption", when=f"{rc.now.astimezone(UTC):%Y-%m-%d %H:%M}")
    if rc.capabilities.files:
        attachment = Attachment("gatherbot-export.json", body.encode("utf-8"), "application/json")
        return OutMessage(target, caption, attachment=attachment)
    text = f"{caption}\n{body}"
    return OutMessage(
        target, text if len(text) <= rc.capabilities.max_text else i18n.t(lang, "privacy.export_too_big")
    )


async def render_notice(rc: RenderCtx, row: OutboxRow) -> OutMessage | None:
    return OutMessage.from_json(row.payload["message"]) if row.payload else None


async def forget_payload(rc: RenderCtx, row: Delivery, ref: SentRef) -> None:
    """Once sent, the row no longer says to whom (or what)."""
    row.payload = {}


register("privacy_notice", Renderer(render_notice, after_sent=forget_payload, read_only=True))
register("privacy_export", Renderer(render_export, after_sent=forget_payload))
