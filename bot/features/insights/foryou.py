"""/foryou: up to three upcoming events the latest analytics run recommends to the member, privately if possible."""

from __future__ import annotations

from sqlalchemy import select

from bot import i18n
from bot.context import Ctx, UsageError
from bot.features.common import fmt_time
from bot.features.insights.common import latest_runs, translate_reason
from bot.features.notify import reply_privately
from bot.registry import CommandSpec
from bot.storage.models import Event, Rsvp
from bot.storage.results import Recommendation

LIMIT = 3

i18n.register(
    {
        "help.foryou": {"en": "Upcoming events recommended for you", "zh": "为你推荐的即将举行的活动"},
        "foryou.title": {"en": "✨ Recommended for you:", "zh": "✨ 为你推荐："},
        "foryou.item": {"en": "{n}. #{id} {title} — {when}\n   why: {reason}",
                        "zh": "{n}. #{id} {title} — {when}\n   推荐理由：{reason}"},
        "foryou.footer": {"en": "Answer with /event ID.", "zh": "发送 /event 编号 查看并报名。"},
        "foryou.none": {
            "en": "No recommendations for you right now: there is no upcoming event you have not answered "
            "that fits you. Send /events to see them all.",
            "zh": "暂时没有给你的推荐：没有适合你且你还没回复的活动。发送 /events 查看全部活动。",
        },
        "foryou.opted_out": {
            "en": "You turned statistics and recommendations off, so I don't make recommendations for you. "
            "Send /events to see what's coming up, or /privacy analytics on (privately) to turn them back on.",
            "zh": "你已关闭统计和推荐，所以我不会为你做推荐。发送 /events 查看即将举行的活动，"
            "或私聊我发送 /privacy analytics on 重新开启。",
        },
        "foryou.sent_private": {"en": "I sent you your recommendations privately.",
                                "zh": "我已经私聊把推荐发给你了。"},
        "foryou.pushes_off": {"en": "🔕 I won't message you with recommendations. /foryou still shows them; "
                                    "/foryou on turns the messages back on.",
                              "zh": "🔕 我不会再主动给你发推荐消息。发送 /foryou 仍可查看推荐；发送 /foryou on 重新开启。"},
        "foryou.pushes_on": {"en": "🔔 I may message you privately about an upcoming event that fits you "
                                   "(at most {cap} a week). /foryou off stops it.",
                             "zh": "🔔 遇到适合你的活动时我会私信告诉你（每周最多 {cap} 条）。发送 /foryou off 可关闭。"},
        "foryou.bad": {"en": "“{text}” is not an option of /foryou.", "zh": "/foryou 没有“{text}”这个选项。"},
    }
)  # fmt: skip


async def recommended(ctx: Ctx) -> list[tuple[Event, Recommendation]]:
    """The member's upcoming recommendations of the latest run: still scheduled, in the future, not answered."""
    assert ctx.member is not None
    runs = await latest_runs(ctx)
    if not runs:
        return []
    answered = select(Rsvp.event_id).where(Rsvp.member_id == ctx.member.id)
    rows = await ctx.session.execute(
        select(Event, Recommendation)
        .join(Event, Event.id == Recommendation.event_id)
        .where(
            Recommendation.run_id == runs[0].id,
            Recommendation.member_id == ctx.member.id,
            Recommendation.kind == "upcoming",
            Event.status == "scheduled",
            Event.starts_at > ctx.now,
            Event.id.not_in(answered),
        )
        .order_by(Recommendation.rank, Recommendation.id)
        .limit(LIMIT)
    )
    return [(e, r) for e, r in rows]


USAGE, EXAMPLE = "/foryou | /foryou off | /foryou on", "/foryou off"


async def foryou(ctx: Ctx, args: str) -> None:
    assert ctx.member is not None and ctx.community is not None
    word = args.strip().lower()
    if word in ("off", "关", "关闭"):
        ctx.member.recommend_opt_out = True
        await ctx.reply("foryou.pushes_off")
        return
    if word in ("on", "开", "开启"):
        ctx.member.recommend_opt_out = False
        await ctx.reply("foryou.pushes_on", cap=ctx.config.recommend_weekly_cap)
        return
    if word:
        problem = ctx.t("foryou.bad", text=args.strip()[:40])
        raise UsageError(ctx.t("error.usage", problem=problem, usage=USAGE, example=EXAMPLE))
    if ctx.member.analytics_opt_out:
        await ctx.reply("foryou.opted_out")
        return
    picks = await recommended(ctx)
    if not await latest_runs(ctx):
        text = ctx.t("insights.no_run")
    elif not picks:
        text = ctx.t("foryou.none")
    else:
        lines = [ctx.t("foryou.title")]
        for n, (event, rec) in enumerate(picks, 1):
            lines.append(ctx.t("foryou.item", n=n, id=event.id, title=event.title,
                               when=fmt_time(event.starts_at, ctx.tz, ctx.lang),
                               reason=translate_reason(rec.reason, ctx.lang)))  # fmt: skip
        lines.append(ctx.t("foryou.footer"))
        text = "\n".join(lines)
    await reply_privately(ctx, text, "foryou.sent_private")


def specs() -> list[CommandSpec]:
    return [CommandSpec("foryou", foryou, USAGE, EXAMPLE)]
