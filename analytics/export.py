"""Exports of the latest analytics results for analysts, with members pseudonymized.

A member appears as a keyed hash (HMAC-SHA256 of platform and user id) under a key derived from the
installation's privacy key, never as a platform id or a name; the same member gets the same key in
every export of one installation, so analysts can join files without learning who anyone is.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.ingest import hash_key
from bot.storage.models import Community, Event, Member
from bot.storage.results import AnalyticsRun, EventEffect, MemberSegment, Recommendation, SegmentProfile

FILES = ("segments.csv", "members.csv", "events.csv", "recommendations.csv")


def pseudonym(key: bytes, platform: str, user_id: str) -> str:
    """A stable, keyed stand-in for one platform user (not reversible without the key)."""
    return hmac.new(key, f"{platform}\x00{user_id}".encode(), hashlib.sha256).hexdigest()[:20]


async def export_key(session: AsyncSession, config: Config) -> bytes:
    """A key for exports, derived from (never equal to) the privacy key, so files cannot be matched to it."""
    base = await hash_key(session, config, create=True)
    assert base is not None
    return hmac.new(base, b"gatherbot analytics export", hashlib.sha256).digest()


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


async def export(
    session: AsyncSession, config: Config, out: Path, *, pseudonymize: bool = True
) -> dict[str, int]:
    """Write the latest run of every community as CSV files into out; return rows per file."""
    out.mkdir(parents=True, exist_ok=True)
    key = await export_key(session, config) if pseudonymize else b""
    latest = select(AnalyticsRun).order_by(AnalyticsRun.community_id, AnalyticsRun.id.desc())
    runs: dict[int, AnalyticsRun] = {}
    for run in await session.scalars(latest):
        runs.setdefault(run.community_id, run)
    run_ids = [r.id for r in runs.values()]
    platform = {c.id: c.platform for c in await session.scalars(select(Community))}

    def who(member: Member) -> str:
        if not pseudonymize:
            return str(member.id)
        return pseudonym(key, platform.get(member.community_id, ""), member.user_id)

    names: dict[tuple[int, int], str] = {}
    segments = []
    for p in await session.scalars(select(SegmentProfile).where(SegmentProfile.run_id.in_(run_ids))):
        names[(p.run_id, p.segment)] = p.name
        segments.append([p.run_id, p.segment, p.name, p.size, *[p.profile.get(k) for k in sorted(p.profile)]])
    members = [
        [ms.run_id, who(m), names.get((ms.run_id, ms.segment), str(ms.segment))]
        for ms, m in await session.execute(
            select(MemberSegment, Member)
            .join(Member, Member.id == MemberSegment.member_id)
            .where(MemberSegment.run_id.in_(run_ids), Member.analytics_opt_out.is_(False))
        )
    ]
    events = [
        [e.run_id, e.event_id, ev.kind, ev.starts_at.isoformat(), e.going, e.attended, e.participation_rate,
         e.interaction_rate, e.satisfaction_mean, e.response_rate, e.rating, e.predicted_turnout, e.lift]
        for e, ev in await session.execute(
            select(EventEffect, Event).join(Event, Event.id == EventEffect.event_id).where(EventEffect.run_id.in_(run_ids))
        )
    ]  # fmt: skip
    recs = [
        [r.run_id, who(m), r.event_id, r.kind, r.rank, round(r.score, 4)]
        for r, m in await session.execute(
            select(Recommendation, Member)
            .join(Member, Member.id == Recommendation.member_id)
            .where(Recommendation.run_id.in_(run_ids), Member.analytics_opt_out.is_(False))
        )
    ]
    profile_keys = sorted({k for p in await session.scalars(select(SegmentProfile)) for k in p.profile})
    member_col = "member_key" if pseudonymize else "member_id"
    return {
        "segments.csv": _write(
            out / "segments.csv", ["run", "segment", "name", "size", *profile_keys], segments
        ),
        "members.csv": _write(out / "members.csv", ["run", member_col, "segment"], sorted(members)),
        "events.csv": _write(
            out / "events.csv",
            [
                "run",
                "event",
                "kind",
                "starts_at",
                "going",
                "attended",
                "participation",
                "interaction",
                "satisfaction",
                "response_rate",
                "rating",
                "predicted_turnout",
                "lift",
            ],
            sorted(events),
        ),  # fmt: skip
        "recommendations.csv": _write(
            out / "recommendations.csv", ["run", member_col, "event", "kind", "rank", "score"], sorted(recs)
        ),
    }
