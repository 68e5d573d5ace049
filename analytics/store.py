"""Database access for analytics: a read-only engine, writing a run's results, reading them back."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from analytics.config import AnalyticsConfig
from analytics.pipeline import Results
from analytics.sql import Window
from bot.storage.db import normalize_url
from bot.storage.models import Community, Event, Member
from bot.storage.results import (
    AnalyticsRun,
    EventEffect,
    MemberSegment,
    Recommendation,
    SegmentProfile,
    TopicTrend,
)

CHILDREN = (MemberSegment, SegmentProfile, EventEffect, Recommendation, TopicTrend)
EFFECT_COLUMNS = (
    "going",
    "attended",
    "active_members",
    "participation_rate",
    "active_rate",
    "interaction_rate",
    "satisfaction_mean",
    "response_rate",
    "rating",
    "predicted_turnout",
    "turnout_low",
    "turnout_high",
    "lift",
)


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_conn.isolation_level = None  # we issue a plain (deferred) BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def read_engine(url: str) -> AsyncEngine:
    """An engine for analytics' reads: on SQLite a deferred BEGIN (a WAL snapshot), so a long read
    never holds the write lock that the bot's own engine takes with BEGIN IMMEDIATE."""
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_pre_ping=True, isolation_level="REPEATABLE READ")
    engine = create_async_engine(url, poolclass=NullPool)
    event.listen(engine.sync_engine, "connect", _sqlite_read_pragmas)
    event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, NaN to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _num(value: Any) -> Any:
    value = jsonable(value)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def communities(conn: Connection) -> list[tuple[int, str]]:
    """(id, timezone) of every community."""
    return [
        (int(i), str(tz))
        for i, tz in conn.execute(select(Community.id, Community.timezone).order_by(Community.id))
    ]


def previous_assignments(conn: Connection, community_id: int) -> dict[int, int]:
    """Member -> segment of the community's latest successful run (for stability between runs)."""
    run = conn.execute(
        select(AnalyticsRun.id)
        .where(AnalyticsRun.community_id == community_id, AnalyticsRun.status == "ok")
        .order_by(AnalyticsRun.id.desc())
        .limit(1)
    ).scalar()
    if run is None:
        return {}
    rows = conn.execute(
        select(MemberSegment.member_id, MemberSegment.segment).where(MemberSegment.run_id == run)
    )
    return {int(m): int(s) for m, s in rows}


def _rows(res: Results, run_id: int) -> dict[type, list[dict[str, Any]]]:
    seg = res.segmentation
    members = [
        {"run_id": run_id, "member_id": m, "segment": s}
        for m, s in zip(res.features.index.astype(int).tolist(), seg.labels.tolist(), strict=True)
    ]
    profiles = [
        {
            "run_id": run_id,
            "segment": int(s),
            "name": str(r["name"]),
            "size": int(r["size"]),
            "profile": jsonable(r.drop(["name", "size"]).to_dict()),
        }
        for s, r in res.profiles.iterrows()
    ]
    effects = [
        {"run_id": run_id, "event_id": int(i), **{c: _num(r.get(c)) for c in EFFECT_COLUMNS}}
        for i, r in res.effects.iterrows()
    ]
    for row in effects:
        for c in ("going", "attended", "active_members"):
            row[c] = int(row[c] or 0)
    rec = res.recommendations
    recs = [
        {"run_id": run_id, "member_id": m, "event_id": e, "kind": k, "rank": n, "score": s, "reason": r}
        for m, e, k, n, s, r in zip(
            rec["member_id"].astype(int).tolist(),
            rec["event_id"].astype(int).tolist(),
            rec["kind"].tolist(),
            rec["rank"].astype(int).tolist(),
            rec["score"].astype(float).tolist(),
            rec["reason"].tolist(),
            strict=True,
        )
    ]
    trends = [
        {"run_id": run_id, **{k: jsonable(v) for k, v in r.items() if k != "week"}}
        for r in res.trends.to_dict("records")
    ]
    return {
        MemberSegment: members,
        SegmentProfile: profiles,
        EventEffect: effects,
        Recommendation: recs,
        TopicTrend: trends,
    }


def write_results(
    conn: Connection,
    window: Window,
    cfg: AnalyticsConfig,
    res: Results,
    started: datetime,
    finished: datetime,
) -> int:
    """Store a run and all its rows in the caller's transaction; prune runs beyond keep_runs."""
    run_id = conn.execute(
        insert(AnalyticsRun)
        .values(
            community_id=window.community_id,
            status="ok",
            started_at=started,
            finished_at=finished,
            window_start=window.start,
            window_end=window.end,
            seed=cfg.seed,
            params=cfg.to_dict(),
            metrics=jsonable(res.metrics),
        )
        .returning(AnalyticsRun.id)
    ).scalar_one()
    for model, rows in _rows(res, run_id).items():
        for start in range(0, len(rows), 5000):
            conn.execute(insert(model), rows[start : start + 5000])
    old = (
        conn.execute(
            select(AnalyticsRun.id)
            .where(AnalyticsRun.community_id == window.community_id)
            .order_by(AnalyticsRun.id.desc())
            .offset(cfg.keep_runs)
        )
        .scalars()
        .all()
    )
    _store_active_hours(conn, window.community_id, res.active_hours)
    if old:
        for model in CHILDREN:
            conn.execute(delete(model).where(model.run_id.in_(old)))
        conn.execute(delete(AnalyticsRun).where(AnalyticsRun.id.in_(old)))
    return int(run_id)


def _store_active_hours(conn: Connection, community_id: int, hours: pd.Series) -> None:
    """Set members.active_hour from this run; everyone else in the community (too little history,
    opted out of analytics, gone quiet) goes back to None, which means the default reminder timing."""
    conn.execute(
        update(Member)
        .where(Member.community_id == community_id, Member.active_hour.is_not(None))
        .values(active_hour=None)
    )
    for hour, group in hours.groupby(hours):
        ids = group.index.astype(int).tolist()
        for start in range(0, len(ids), 5000):
            conn.execute(
                update(Member)
                .where(Member.community_id == community_id, Member.id.in_(ids[start : start + 5000]))
                .values(active_hour=int(hour))
            )


def read_tables(conn: Connection, run_id: int) -> dict[str, Any]:
    """A stored run as the three tables the demo prints, plus its metrics and topic trends."""
    session = Session(bind=conn)
    run = session.get(AnalyticsRun, run_id)
    if run is None:
        raise LookupError(f"no analytics run {run_id}")
    segs = session.scalars(
        select(SegmentProfile).where(SegmentProfile.run_id == run_id).order_by(SegmentProfile.segment)
    )
    profiles = pd.DataFrame([{"segment": s.name, "size": s.size, **s.profile} for s in segs])
    eff = session.execute(
        select(Event.title, Event.starts_at, EventEffect)
        .join(Event, Event.id == EventEffect.event_id)
        .where(EventEffect.run_id == run_id)
        .order_by(Event.starts_at, Event.id)
    )
    effects = pd.DataFrame(
        [{"event": t, "starts_at": s, **{c: getattr(e, c) for c in EFFECT_COLUMNS}} for t, s, e in eff]
    )
    recs = session.execute(
        select(Member.display_name, Event.title, Event.starts_at, Recommendation)
        .join(Member, Member.id == Recommendation.member_id)
        .join(Event, Event.id == Recommendation.event_id)
        .where(Recommendation.run_id == run_id)
        .order_by(Recommendation.member_id, Recommendation.kind.desc(), Recommendation.rank)
    )
    recommendations = pd.DataFrame(
        [
            {
                "member": m,
                "kind": r.kind,
                "rank": r.rank,
                "item": t,
                "starts_at": when,
                "score": r.score,
                "reason": r.reason,
            }
            for m, t, when, r in recs
        ]
    )
    trends = pd.DataFrame(
        session.execute(
            select(
                TopicTrend.topic,
                TopicTrend.period_start,
                TopicTrend.messages,
                TopicTrend.rsvps,
                TopicTrend.attended,
            ).where(TopicTrend.run_id == run_id)
        ).all(),
        columns=["topic", "period_start", "messages", "rsvps", "attended"],
    )
    return {
        "metrics": run.metrics,
        "window_end": run.window_end,
        "profiles": profiles,
        "effects": effects,
        "recommendations": recommendations,
        "trends": trends,
    }
