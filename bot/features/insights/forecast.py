"""Forecast a new event's turnout from the planning model the latest analytics run stored.

analytics/turnout.py fits the model (ridge on standardized features) and exports it as JSON in the
run's metrics (``turnout_model``); this reads it back in plain Python, so `/newevent` can show a
forecast without loading numpy or scikit-learn into the bot. A test checks both give the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.common import event_tags
from bot.storage.models import Event
from bot.storage.results import AnalyticsRun

EPOCH_MONDAY = datetime(1970, 1, 5)  # a Monday: hour of week 0 is Monday 00:00 local


@dataclass(frozen=True)
class Forecast:
    predicted: float
    low: float
    high: float


def hour_of_week(when: datetime, tz: ZoneInfo) -> int:
    local = when.astimezone(tz).replace(tzinfo=None)
    return int((local - EPOCH_MONDAY).total_seconds() // 3600) % 168


def forecast(
    model: dict[str, Any],
    *,
    starts_at: datetime,
    ends_at: datetime,
    created_at: datetime,
    kind: str,
    tags: list[str],
    tz: ZoneInfo,
) -> Forecast | None:
    """Predicted attendance and its 90% range; None when the stored model is not one we can read."""
    if model.get("version") != 1:
        return None
    mean, sigma, z = float(model["mean"]), float(model["sigma"]), float(model["z90"])
    pred = mean
    if "coef" in model:
        how = hour_of_week(starts_at, tz)
        tag_mean = model["tag_mean"]
        priors = [float(tag_mean[t]) for t in tags if t in tag_mean]
        x = [
            1.0 if how >= 120 else 0.0,
            float(model["activity"][how]),
            (ends_at - starts_at).total_seconds() / 3600.0,
            max((starts_at - created_at).total_seconds() / 86400.0, 0.0),
            sum(priors) / len(priors) if priors else mean,
            *(1.0 if kind == k else 0.0 for k in model["kinds"]),
        ]
        if len(x) != len(model["coef"]):
            return None
        pred = float(model["intercept"]) + sum(
            c * (v - m) / s
            for c, v, m, s in zip(model["coef"], x, model["center"], model["scale"], strict=True)
        )
        pred = max(pred, 0.0)
    return Forecast(pred, max(pred - z * sigma, 0.0), pred + z * sigma)


async def event_forecast(session: AsyncSession, event: Event, tz: ZoneInfo, now: datetime) -> Forecast | None:
    """The forecast for an event from its community's latest run (None without a usable model)."""
    metrics = await session.scalar(
        select(AnalyticsRun.metrics)
        .where(AnalyticsRun.community_id == event.community_id, AnalyticsRun.status == "ok")
        .order_by(AnalyticsRun.id.desc())
        .limit(1)
    )
    model = (metrics or {}).get("turnout_model")
    if not model:
        return None
    tags = await event_tags(session, event.id)
    return forecast(
        model,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        created_at=now,
        kind=event.kind,
        tags=tags,
        tz=tz,
    )
