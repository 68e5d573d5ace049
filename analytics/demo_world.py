"""The demo community's hidden truth: members with planted segments, topic tastes and time habits,
a calendar of events, and who answers, comes, rates and chats when (pure, seeded numpy).

analytics.demo plays this plan through the bot's ingestion path; tests compare what analytics
recovers with the truth planted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from analytics.demo_text import TOPICS, message_text

# segment -> messages/day, reactions/day, reply share, event appetite, show-up, vote share
SEGMENTS: dict[str, tuple[float, float, float, float, float, float]] = {
    "core contributors": (2.5, 1.2, 0.5, 0.55, 0.92, 0.8),
    "event-goers": (0.15, 0.2, 0.2, 0.85, 0.9, 0.75),
    "quiet readers": (0.02, 0.35, 0.1, 0.01, 0.5, 0.3),
    "newcomers": (1.2, 0.6, 0.3, 0.5, 0.75, 0.6),
    "fading": (1.5, 0.8, 0.4, 0.55, 0.85, 0.6),
}
SHARES = (0.15, 0.25, 0.30, 0.15, 0.15)
TOPIC_WEIGHTS = np.array([0.15, 0.11, 0.14, 0.13, 0.12, 0.12, 0.12, 0.11])
# time habit -> (days of week, first and last hour of chatter), community-local time
SLOTS: dict[str, tuple[tuple[int, ...], float, float]] = {
    "weekday evenings": ((0, 1, 2, 3, 4), 19.0, 23.0),
    "weekday lunch": ((0, 1, 2, 3, 4), 11.5, 13.5),
    "weekend mornings": ((5, 6), 9.0, 12.0),
    "weekend afternoons": ((5, 6), 14.0, 18.0),
}
# the weekly calendar: (time habit it suits, weekday, hour, minute)
EVENT_TIMES = (
    ("weekday evenings", 1, 19, 30),
    ("weekday lunch", 2, 12, 0),
    ("weekday evenings", 3, 20, 0),
    ("weekend mornings", 5, 10, 0),
    ("weekend afternoons", 6, 15, 0),
)
SLOT_WEIGHTS = np.array([0.4, 0.2, 0.2, 0.2])
KINDS = ("lecture", "sharing", "challenge", "discussion", "salon")
NAMES = (
    "alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil "
    "trent victor walter xiao mei lei wei jun ling hao yan tao"
).split()


@dataclass(frozen=True)
class DemoSpec:
    """How big the demo community is and where its simulated time starts."""

    members: int = 120
    weeks: int = 12
    seed: int = 7
    start: str = "2026-09-07 00:00"  # a Monday, community-local time
    tz: str = "Asia/Shanghai"
    chinese_share: float = 0.3

    @property
    def t0(self) -> datetime:
        return datetime.fromisoformat(self.start).replace(tzinfo=ZoneInfo(self.tz))

    @property
    def end(self) -> datetime:
        return self.t0 + timedelta(weeks=self.weeks)


@dataclass
class Person:
    """One planted member."""

    name: str
    segment: str
    topics: tuple[str, str, str]  # two favourites, one secondary
    slots: tuple[str, str]  # primary, secondary time habit
    lang: str
    leniency: float
    joins: float  # day the member arrives
    fades: float | None  # day activity starts to decay
    leaves: float | None = None
    attended: list[float] = field(default_factory=list)  # days of attended events (activity lift)

    def activity(self, day: float) -> float:
        """Activity multiplier on a day: 0 before joining, decaying when fading, boosted after events."""
        if day < self.joins or (self.leaves is not None and day >= self.leaves):
            return 0.0
        level = (
            1.0
            if self.fades is None or day < self.fades
            else max(0.02, float(np.exp(-(day - self.fades) / 5)))
        )
        return level * (1.5 if any(0 < day - a <= 14 for a in self.attended) else 1.0)


@dataclass
class PlannedEvent:
    """An event and every planned reaction to it."""

    key: int
    title: str
    kind: str
    topic: str
    slot: str
    starts: datetime
    hours: float
    created: datetime
    quality: float
    rsvps: list[tuple[datetime, int, str]] = field(default_factory=list)  # (when, person, going|maybe)
    checkins: list[tuple[datetime, int]] = field(default_factory=list)
    votes: list[tuple[datetime, int, int]] = field(default_factory=list)  # (when, person, score)


def people(spec: DemoSpec, rng: np.random.Generator) -> list[Person]:
    """Members with planted segments (in proportion), tastes and habits."""
    names = list(SEGMENTS)
    counts = np.floor(np.array(SHARES) * spec.members).astype(int)
    counts[0] += spec.members - counts.sum()
    days = spec.weeks * 7
    out: list[Person] = []
    for seg, count in zip(names, counts, strict=True):
        for _ in range(count):
            topics = rng.choice(len(TOPICS), size=3, replace=False, p=TOPIC_WEIGHTS)
            slot = rng.choice(len(SLOTS), size=2, replace=False, p=SLOT_WEIGHTS)
            joins = (
                float(rng.uniform(0, 1.5)) if seg != "newcomers" else float(rng.uniform(days - 35, days - 12))
            )
            fades = float(rng.uniform(18, 32)) if seg == "fading" else None
            leaves = fades + 25 if fades is not None and rng.random() < 0.3 else None
            i = len(out)
            out.append(
                Person(
                    f"{NAMES[i % len(NAMES)]}{i // len(NAMES) or ''}",
                    seg,
                    tuple(TOPICS[t] for t in topics),
                    tuple(list(SLOTS)[s] for s in slot),  # type: ignore[arg-type]
                    "zh" if rng.random() < spec.chinese_share else "en",
                    float(rng.normal(0, 0.35)),
                    joins,
                    fades,
                    leaves,
                )
            )
    return out


def calendar(spec: DemoSpec, rng: np.random.Generator) -> list[PlannedEvent]:
    """Five events a week on a fixed weekly calendar (plus the week after the end), topics rotating."""
    out: list[PlannedEvent] = []
    order: list[str] = []
    for week in range(spec.weeks + 1):
        for slot, weekday, hour, minute in EVENT_TIMES:
            if not order:
                order = list(rng.permutation(TOPICS))
            topic, kind = order.pop(), str(rng.choice(KINDS, p=[0.3, 0.25, 0.2, 0.15, 0.1]))
            starts = spec.t0 + timedelta(weeks=week, days=weekday, hours=hour, minutes=minute)
            lead = timedelta(days=int(rng.integers(3, 9)), hours=float(rng.uniform(-2, 2)))
            hours = 1.0 if slot == "weekday lunch" else float(rng.choice([1.5, 2.0]))
            title = f"{topic.capitalize() if topic != 'ml' else 'Machine learning'} {_phrase(kind)}"
            out.append(
                PlannedEvent(
                    len(out),
                    title,
                    kind,
                    topic,
                    slot,
                    starts,
                    hours,
                    max(spec.t0, starts - lead),
                    float(rng.uniform(3.0, 4.6)),
                )
            )
    return out


def _phrase(kind: str) -> str:
    return {
        "lecture": "deep dive",
        "sharing": "show and tell",
        "challenge": "coding challenge",
        "discussion": "round table",
        "salon": "salon",
    }[kind]


def _day(spec: DemoSpec, when: datetime) -> float:
    return (when - spec.t0).total_seconds() / 86400.0


def plan_reactions(
    spec: DemoSpec, crowd: list[Person], events: list[PlannedEvent], rng: np.random.Generator
) -> None:
    """Who answers each event, who comes, who rates it and how (in event order, so lift builds up)."""
    for ev in events:
        day = _day(spec, ev.starts)
        for i, p in enumerate(crowd):
            seg = SEGMENTS[p.segment]
            act = min(1.0, p.activity(day))
            topic = 1.0 if ev.topic in p.topics[:2] else 0.35 if ev.topic == p.topics[2] else 0.03
            slot = 1.0 if ev.slot == p.slots[0] else 0.6 if ev.slot == p.slots[1] else 0.1
            if act <= 0 or rng.random() >= seg[3] * act * topic * slot:
                if act > 0 and rng.random() < 0.01 * topic * slot:
                    ev.checkins.append(
                        (ev.starts + timedelta(minutes=float(rng.uniform(-5, 20))), i)
                    )  # walk-in
                continue
            opened = max(ev.created, spec.t0 + timedelta(days=p.joins)) + timedelta(minutes=10)
            when = opened + timedelta(days=float(rng.exponential(1.2)))
            when = min(when, ev.starts - timedelta(minutes=30))
            if when <= opened - timedelta(minutes=10):
                continue
            status = "maybe" if rng.random() < 0.08 else "going"
            ev.rsvps.append((when, i, status))
            if rng.random() < (seg[4] if status == "going" else 0.3):
                ev.checkins.append((ev.starts + timedelta(minutes=float(rng.uniform(-5, 20))), i))
        for _, i in ev.checkins:
            p = crowd[i]
            p.attended.append(day)
            if rng.random() < SEGMENTS[p.segment][5]:
                taste = 0.6 if ev.topic in p.topics[:2] else -0.5
                score = int(np.clip(np.rint(ev.quality + taste + p.leniency + rng.normal(0, 0.5)), 1, 5))
                poll = ev.starts + timedelta(hours=ev.hours, minutes=10)
                ev.votes.append((poll + timedelta(hours=float(min(rng.exponential(2.0), 20))), i, score))


def chatter(
    spec: DemoSpec, crowd: list[Person], day: int, rng: np.random.Generator
) -> list[tuple[datetime, int, str, str, str]]:
    """One day's messages and reactions: (when, person, 'message'|'reaction', text or '', topic or '')."""
    out = []
    date = spec.t0 + timedelta(days=day)
    for i, p in enumerate(crowd):
        act = p.activity(day + 0.5)
        if act <= 0:
            continue
        seg = SEGMENTS[p.segment]
        for kind, rate in (("message", seg[0]), ("reaction", seg[1])):
            for _ in range(int(rng.poisson(rate * act))):
                when = date + timedelta(hours=_hour(p, date.weekday(), rng))
                text, topic = message_text(p.topics, p.lang, rng) if kind == "message" else ("", "")
                out.append((when, i, kind, text, topic))
    return sorted(out, key=lambda r: (r[0], r[1]))


def pick_target(
    recent: list[tuple[str, str]], p: Person, rng: np.random.Generator, window: int
) -> str | None:
    """A recent message to reply or react to, on one of the member's topics 70% of the time."""
    pool = recent[-window:]
    if not pool:
        return None
    mine = [m for m, topic in pool if topic in p.topics]
    if mine and rng.random() < 0.7:
        return str(mine[int(rng.integers(0, len(mine)))])
    return str(pool[int(rng.integers(0, len(pool)))][0])


def _hour(p: Person, weekday: int, rng: np.random.Generator) -> float:
    pick = p.slots[0] if rng.random() < 0.7 else p.slots[1]
    for slot in (pick, *p.slots):
        days, lo, hi = SLOTS[slot]
        if weekday in days:
            return float(rng.uniform(lo, hi))
    return float(rng.uniform(9, 23))


@dataclass
class World:
    """The whole plan."""

    spec: DemoSpec
    crowd: list[Person]
    events: list[PlannedEvent]


def plan_world(spec: DemoSpec) -> World:
    """Members, calendar and reactions, seeded by spec.seed (chatter is drawn day by day later)."""
    rng = np.random.default_rng(spec.seed)
    crowd = people(spec, rng)
    events = calendar(spec, rng)
    plan_reactions(spec, crowd, events, rng)
    return World(spec, crowd, events)
