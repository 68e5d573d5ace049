"""The demo community, played through the bot's own ingestion path: domain events -> App -> log.

Chatter goes through App.ingest_batch; /newevent, RSVP and check-in buttons and poll votes go
through App.handle, with a simulated clock, and the relay delivers announcements, check-in posts
and polls when they fall due, as in production. Analytics may not import adapters/, so a tiny
recording adapter lives here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, func, select, update

from analytics.demo_world import SEGMENTS, DemoSpec, World, chatter, pick_target, plan_world
from analytics.topics import extract_topics
from bot.app import App
from bot.bootstrap import build_app
from bot.clock import SimulatedClock
from bot.config import Config
from bot.domain.events import (
    ButtonPressed,
    ChatRef,
    CommandInvoked,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    ReactionAdded,
    UserRef,
)
from bot.domain.messages import OutMessage, SentRef
from bot.ingest import log_values
from bot.ports import Capabilities, CommandSpecView, EventSink
from bot.storage.models import Activity, Event, Poll

Progress = Callable[[str], None]
PLATFORM = "demo"


class RecordingAdapter:
    """A chat platform that only counts and numbers what the bot sends."""

    platform = PLATFORM
    capabilities = Capabilities(idempotent_send=True)

    def __init__(self) -> None:
        self.sent = 0
        self._ids = itertools.count(1)

    async def start(self, sink: EventSink) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def sync_commands(self, commands: Sequence[CommandSpecView]) -> None:
        """No menu to publish."""

    async def answer(self, interaction_id: str, text: str) -> None:
        """Toasts are not recorded."""

    async def send(self, message: OutMessage, *, idempotency_key: str) -> SentRef:
        """Count the message and give it an id (edits keep theirs)."""
        self.sent += 1
        return SentRef(message.edit_message_id or str(next(self._ids)))


def ingestion_extracts_topics() -> bool:
    """Whether the core already stores data['topics'] at ingest time (then the demo does not)."""
    probe = MessageReceived(
        source_id="probe",
        chat=ChatRef(PLATFORM, "probe"),
        user=UserRef("probe", "probe"),
        occurred_at=datetime.now().astimezone(),
        message_id="probe",
        text="python asyncio",
    )
    return "topics" in log_values(probe, None, None)["data"]


@dataclass
class DemoRun:
    """A played demo: the plan (with the truth), the database and the simulated 'now'."""

    world: World
    database_url: str
    now: datetime
    community_id: int
    log_rows: int


class Player:
    """Feeds the plan to the App in time order."""

    def __init__(self, app: App, world: World, progress: Progress) -> None:
        self.app, self.world, self.progress = app, world, progress
        self.chat = ChatRef(PLATFORM, "demo-group", False, "Demo study group")
        self.seq = itertools.count(1)
        self.event_ids: dict[int, int] = {}
        self.poll_ids: dict[int, int | None] = {}
        self.enrich = not ingestion_extracts_topics()
        self.rows = 0

    @property
    def clock(self) -> SimulatedClock:
        assert isinstance(self.app.clock, SimulatedClock)
        return self.app.clock

    def user(self, i: int) -> UserRef:
        p = self.world.crowd[i]
        return UserRef(f"demo-{i}", p.name, p.name, is_admin=i == 0, language_code=p.lang)

    def base(self, i: int, when: datetime) -> dict[str, object]:
        return {
            "source_id": f"demo:{next(self.seq)}",
            "chat": self.chat,
            "user": self.user(i),
            "occurred_at": when,
        }

    async def advance(self, when: datetime) -> None:
        """Deliver everything due up to `when`, in order, then move the clock there."""
        last = None
        while (due := await self.app.relay.next_due_at()) is not None and due <= when and due != last:
            last = due
            if due > self.clock.now():
                self.clock.set(due)
            await self.app.relay.drain()
        if when > self.clock.now():
            self.clock.set(when)

    async def day(self, day: int, rng: np.random.Generator) -> None:
        """Joins, leaves, messages (some replies) and reactions of one day, in one batch."""
        spec, crowd = self.world.spec, self.world.crowd
        events: list[DomainEvent] = []
        for i, p in enumerate(crowd):
            for at, cls in ((p.joins, MemberJoined), (p.leaves, MemberLeft)):
                if at is not None and day <= at < day + 1:
                    events.append(cls(**self.base(i, spec.t0 + timedelta(days=at))))  # type: ignore[arg-type]
        recent: list[tuple[str, str]] = []  # (message id, topic) of today's messages so far
        for when, i, kind, text, topic in chatter(spec, crowd, day, rng):
            base = self.base(i, when)
            sid = str(base["source_id"])
            if kind == "message":
                reply = (
                    pick_target(recent, crowd[i], rng, 20)
                    if rng.random() < SEGMENTS[crowd[i].segment][2]
                    else None
                )
                message = MessageReceived(**base, message_id=sid, text=text, reply_to_message_id=reply)  # type: ignore[arg-type]
                events.append(message)
                recent.append((sid, topic))
            elif (target := pick_target(recent, crowd[i], rng, 30)) is not None:
                events.append(ReactionAdded(**base, message_id=target, emoji="👍"))  # type: ignore[arg-type]
        events.sort(key=lambda e: e.occurred_at)
        self.rows += await self.app.ingest_batch(events)
        if self.enrich:
            await self.add_topics([e for e in events if isinstance(e, MessageReceived)])

    async def add_topics(self, messages: list[MessageReceived]) -> None:
        """Stand-in for ingest-time topic extraction until the core does it (see analytics.topics)."""
        rows = []
        for m in messages:
            topics = extract_topics(m.text)
            if topics:
                data = {**log_values(m, None, None)["data"], "topics": topics}
                rows.append({"sid": m.source_id, "d": data})
        if rows:
            table = Activity.__table__
            stmt = update(table).where(table.c.platform == PLATFORM, table.c.source_id == bindparam("sid"))
            async with self.app.sessions() as session:
                await session.execute(stmt.values(data=bindparam("d", type_=table.c.data.type)), rows)
                await session.commit()

    async def press(self, i: int, when: datetime, data: str) -> None:
        self.rows += int(
            await self.app.handle(ButtonPressed(**self.base(i, when), data=data, message_id=None))
        )  # type: ignore[arg-type]

    async def new_event(self, key: int, when: datetime) -> None:
        ev = self.world.events[key]
        local = ev.starts.astimezone(self.world.spec.t0.tzinfo)
        minutes = int(ev.hours * 60)
        args = f"{ev.title} {local:%Y-%m-%d %H:%M} {minutes}m type={ev.kind} #{ev.topic}"
        cmd = CommandInvoked(**self.base(0, when), name="newevent", args=args)  # type: ignore[arg-type]
        self.rows += int(await self.app.handle(cmd))
        async with self.app.sessions() as session:
            newest = int(await session.scalar(select(func.max(Event.id))) or 0)
        if newest in self.event_ids.values() or newest == 0:
            raise RuntimeError(f"/newevent {args!r} created no event: see the log above")
        self.event_ids[key] = newest

    async def poll_id(self, key: int) -> int | None:
        if self.poll_ids.get(key) is None:
            async with self.app.sessions() as session:
                self.poll_ids[key] = await session.scalar(
                    select(Poll.id).where(Poll.event_id == self.event_ids[key])
                )
        return self.poll_ids[key]


def timeline(world: World) -> list[tuple[datetime, int, str, tuple[int, ...]]]:
    """Every planned action before the end, in time order: (when, tie-break, kind, args)."""
    spec = world.spec
    out: list[tuple[datetime, int, str, tuple[int, ...]]] = []
    for day in range(spec.weeks * 7):
        out.append((spec.t0 + timedelta(days=day), 0, "day", (day,)))
    for ev in world.events:
        out.append((ev.created, 1, "new", (ev.key,)))
        out += [(w, 2, "rsvp", (ev.key, i, int(s == "going"))) for w, i, s in ev.rsvps]
        out += [(w, 3, "checkin", (ev.key, i)) for w, i in ev.checkins]
        out += [(w, 4, "vote", (ev.key, i, s)) for w, i, s in ev.votes]
    return sorted((a for a in out if a[0] < spec.end), key=lambda a: (a[0], a[1], a[3]))


async def play(world: World, database_url: str, progress: Progress = print) -> DemoRun:
    """Create the database and play the whole plan through the App."""
    spec = world.spec
    config = Config(database_url=database_url, timezone=spec.tz, language="en")
    app = await build_app(
        config, adapters={PLATFORM: RecordingAdapter()}, clock=SimulatedClock(spec.t0 - timedelta(minutes=1))
    )
    player = Player(app, world, progress)
    rng = np.random.default_rng(spec.seed + 1)
    try:
        for when, _, kind, args in timeline(world):
            await player.advance(when)
            if kind == "day":
                await player.day(args[0], rng)
                if args[0] % 7 == 6:
                    progress(
                        f"  week {args[0] // 7 + 1:>2}/{spec.weeks}: {player.rows:,} log rows, "
                        f"{len(player.event_ids)} events"
                    )
            elif kind == "new":
                await player.new_event(args[0], when)
            elif kind == "rsvp":
                status = "going" if args[2] else "maybe"
                await player.press(args[1], when, f"rsvp:{player.event_ids[args[0]]}:{status}")
            elif kind == "checkin":
                await player.press(args[1], when, f"checkin:{player.event_ids[args[0]]}")
            elif (poll := await player.poll_id(args[0])) is not None:
                await player.press(args[1], when, f"vote:{poll}:{args[2]}")
        await player.advance(spec.end)
        async with app.sessions() as session:
            community = await session.scalar(select(func.min(Activity.community_id)))
    finally:
        await app.close()
    return DemoRun(world, database_url, spec.end, int(community or 0), player.rows)


async def build_demo(database_url: str, spec: DemoSpec | None = None, progress: Progress = print) -> DemoRun:
    """Plan the demo community and play it into database_url."""
    return await play(plan_world(spec or DemoSpec()), database_url, progress)
