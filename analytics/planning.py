"""Planning advice: the best hours of the week for a new event, clear of scheduled ones, with turnout.

The heatmap is the community's messages and reactions per hour of the week (local time). For one
segment or tag (the members who attended events with it) it is reweighted by that group's
weekday/weekend hourly profile relative to everyone's. Slots are whole hours between 08:00 and
22:00 in the coming week, at least CLASH_HOURS from any scheduled event and at least
MIN_GAP_HOURS apart from each other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from analytics.features import SLOTS, slot48
from analytics.recommend import slot_label
from analytics.turnout import TurnoutModel

CLASH_HOURS = 3
MIN_GAP_HOURS = 4
FIRST_HOUR, LAST_HOUR = 8, 22


def group_weights(hours: pd.DataFrame, members: pd.Index | None) -> np.ndarray:
    """168 weights: a group's share of activity at each weekday/weekend hour, relative to everyone's."""
    if members is None or not len(hours):
        return np.ones(168)
    every = hours.groupby("bin")["n"].sum().reindex(range(SLOTS), fill_value=0).to_numpy() + 1.0
    mine = hours[hours["member_id"].isin(members)].groupby("bin")["n"].sum()
    mine = mine.reindex(range(SLOTS), fill_value=0).to_numpy() + 1.0
    ratio = (mine / mine.sum()) / (every / every.sum())
    return ratio[slot48(np.arange(168))]


def advise(
    activity: np.ndarray,
    weights: np.ndarray,
    scheduled: pd.DataFrame,
    now: datetime,
    offset_s: int,
    model: TurnoutModel | None,
    template: dict[str, object],
    n: int = 5,
) -> list[dict[str, object]]:
    """The n best slots in the next 7 days with their predicted turnout."""
    score = activity * weights
    offset = timedelta(seconds=offset_s)
    first = (now.astimezone(UTC).replace(tzinfo=None) + offset).replace(minute=0, second=0, microsecond=0)
    busy = [
        (s - CLASH_HOURS * 3600, e + CLASH_HOURS * 3600)
        for s, e in zip(scheduled["starts"], scheduled["ends"], strict=True)
    ]
    options = []
    for h in range(1, 7 * 24 + 1):
        local = first + timedelta(hours=h)  # naive community-local time
        if not FIRST_HOUR <= local.hour <= LAST_HOUR:
            continue
        utc_ts = (local - offset).replace(tzinfo=UTC).timestamp()
        if any(lo < utc_ts < hi for lo, hi in busy):
            continue
        how = local.weekday() * 24 + local.hour
        options.append((float(score[how]), utc_ts, how))
    options.sort(key=lambda o: (-o[0], o[1]))
    chosen: list[tuple[float, float, int]] = []
    for option in options:
        if all(abs(option[1] - c[1]) >= MIN_GAP_HOURS * 3600 for c in chosen):
            chosen.append(option)
        if len(chosen) == n:
            break
    return [_slot(c, now, model, template, activity) for c in chosen]


def _slot(
    option: tuple[float, float, int],
    now: datetime,
    model: TurnoutModel | None,
    template: dict[str, object],
    activity: np.ndarray,
) -> dict[str, object]:
    value, utc_ts, how = option
    out: dict[str, object] = {
        "slot": slot_label(how),
        "starts_at": datetime.fromtimestamp(utc_ts, UTC).isoformat(),
        "activity_index": round(value, 2),
    }
    if model is not None:
        duration = float(template.get("duration_h", 1.5))  # type: ignore[arg-type]
        row = pd.DataFrame(
            [
                {
                    "kind": template.get("kind", "lecture"),
                    "how": how,
                    "duration_h": duration,
                    "lead_days": model.lead_days,  # announced as early as events usually are
                    "tags": list(template.get("tags", [])),  # type: ignore[call-overload]
                    "early_going": 0.0,
                }
            ]
        )
        pred = model.predict(row, activity).iloc[0]
        out.update(
            predicted_turnout=round(float(pred["predicted"]), 1),
            low=round(float(pred["low"]), 1),
            high=round(float(pred["high"]), 1),
        )
    return out
