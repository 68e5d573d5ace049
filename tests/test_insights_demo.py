"""The insight commands on the seeded 120-member demo community, after a real analytics run: what the
chat shows is what the results tables hold."""

from __future__ import annotations

import itertools
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.memory import MemoryAdapter
from analytics.demo import PLATFORM, DemoRun
from analytics.jobs import run_analytics
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.domain.events import ChatRef, CommandInvoked, UserRef
from bot.features.common import fmt_time
from bot.features.insights.segments import characteristic
from bot.storage.models import Event, Member, Rsvp
from bot.storage.results import AnalyticsRun, EventEffect, Recommendation, SegmentProfile
from tests.analytics.conftest import CFG, demo  # noqa: F401  (the session-scoped demo fixture)


class Chat:
    """Demo members sending commands to a bot over a copy of the demo database."""

    def __init__(self, run: DemoRun, url: str) -> None:
        self.run, self.url, self.seq = run, url, itertools.count(1)
        self.adapter = MemoryAdapter(platform=PLATFORM)

    async def start(self) -> None:
        config = Config(database_url=self.url, timezone=self.run.world.spec.tz, language="en")
        self.app = await build_app(
            config, adapters={PLATFORM: self.adapter}, clock=SimulatedClock(self.run.now)
        )
        await self.app.relay.drain()  # anything the demo left due

    async def __call__(self, i: int, text: str) -> str:
        p = self.run.world.crowd[i]
        head, _, args = text[1:].partition(" ")
        n = next(self.seq)
        event = CommandInvoked(
            source_id=f"insights:{n}", chat=ChatRef(PLATFORM, "demo-group", False, "Demo study group"),
            user=UserRef(f"demo-{i}", p.name, p.name, is_admin=i == 0), occurred_at=self.app.clock.now(),
            name=head, args=args, message_id=f"insights:{n}",
        )  # fmt: skip
        before = len(self.adapter.log)
        await self.app.handle(event)
        await self.app.relay.drain()
        return "\n".join(self.adapter.log[before:])

    async def rows(self, stmt: Any) -> list[Any]:
        async with self.app.sessions() as s:
            return list((await s.execute(stmt)).all())


async def open_recommendation(chat: Chat) -> tuple[str, Event, str]:
    """The first member (by id) with an upcoming recommendation they have not answered: theirs at the top."""
    recs = await chat.rows(
        select(Member.user_id, Event, Recommendation.reason)
        .join(Member, Member.id == Recommendation.member_id)
        .join(Event, Event.id == Recommendation.event_id)
        .where(Recommendation.kind == "upcoming", Event.status == "scheduled", Event.starts_at > chat.run.now)
        .order_by(Recommendation.member_id, Recommendation.rank)
    )
    answered = {(m, e) for m, e in await chat.rows(select(Rsvp.member_id, Rsvp.event_id))}
    ids = {u: i for u, i in await chat.rows(select(Member.user_id, Member.id))}
    user, event, reason = next(r for r in recs if (ids[r[0]], r[1].id) not in answered)
    return user, event, reason


@pytest.fixture
async def chat(demo: DemoRun, tmp_path: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    url = str(tmp_path / "demo.db")
    shutil.copyfile(demo.database_url, url)
    await run_analytics(url, CFG, now=demo.now)
    c = Chat(demo, url)
    await c.start()
    yield c
    await c.app.close()


async def test_insights_on_the_demo_match_the_results_tables(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = [p for (p,) in await chat.rows(select(SegmentProfile))]
    out = await chat(0, "/segments")
    tops = characteristic(profiles)
    for p in profiles:
        if p.size < 5:
            assert p.name not in out
            continue
        assert f"• {p.name}: {p.size} members" in out
        feature, value, _ = tops[p.segment][0]
        assert f"{value:.2f}".rstrip("0").rstrip(".") in out.split(f"• {p.name}:")[1].split("\n")[1]
    await chat(0, "/lang zh")
    zh = await chat(0, "/segments")
    assert "成员群体" in zh and ("活动常客" in zh or "核心贡献者" in zh)
    await chat(0, "/lang en")

    # /report ID: a finished event with enough people
    eff = next(e for (e,) in await chat.rows(select(EventEffect).order_by(EventEffect.event_id))
               if e.rating != "upcoming" and e.attended >= 5)  # fmt: skip
    report = await chat(0, f"/report {eff.event_id}")
    assert (
        f"Going {eff.going} · came {eff.attended} · participation {100 * eff.participation_rate:.0f}%"
        in report
    )
    assert f"actual {eff.attended}" in report

    # /report: the community's last 30 days
    overview = await chat(0, "/report")
    assert "📊 The last 30 days" in overview and "Active members" in overview
    big = sorted((p for p in profiles if p.size >= 5), key=lambda p: -p.size)
    assert f"{big[0].name} {big[0].size}" in overview

    # /suggest: the stored advice, for everyone and for a type
    advice = await chat(0, "/suggest")
    assert advice.count(" expected (") == 3

    async def no_live_compute(*_: Any) -> None:
        raise AssertionError("the run stores each type's slots: /suggest TYPE must not compute them now")

    monkeypatch.setattr("bot.features.insights.suggest.live_slots", no_live_compute)
    salon = await chat(0, "/suggest salon")
    assert "Best times for a new salon" in salon and salon.count(" expected (") == 3
    ((metrics,),) = await chat.rows(select(AnalyticsRun.metrics).order_by(AnalyticsRun.id.desc()).limit(1))
    stored = metrics["advice"]["kinds"]["salon"][:3]  # the run stores each type's slots: nothing computed now
    for slot in stored:
        when = fmt_time(datetime.fromisoformat(slot["starts_at"]), ZoneInfo(chat.run.world.spec.tz), "en")
        assert f"{when} — about {slot['predicted_turnout']:.0f} expected (" in salon

    # /foryou: a member's first recommendation that is still open to them
    user, event, reason = await open_recommendation(chat)
    mine = await chat(int(user.split("-")[1]), "/foryou")
    tz = ZoneInfo(chat.run.world.spec.tz)
    assert f"1. #{event.id} {event.title}" in mine
    assert reason in mine or fmt_time(event.starts_at, tz, "en") in mine
