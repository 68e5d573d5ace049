"""Lift: difference-in-differences of activity after vs before an event, attendees vs similar others.

Activity is counted in 7-day bins aligned to the window start: "before" is the lift_days of bins
just before the bin the event starts in, "after" the same number of bins just after the bin it
ends in (so about 14 days each side, never counting the event week itself). Controls are members
who did not attend, matched exactly on segment and on a bin of prior activity (none, 1-3, 4-11,
12-32, 33+ actions); only members seen before the "before" period count on either side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.load import Inputs

PRIOR_EDGES = np.array([0.5, 1.5, 2.5, 3.5])  # on log1p(prior actions)
WEEK = 7 * 86400.0


def weekly_matrix(inp: Inputs, members: pd.Index) -> np.ndarray:
    """Members x 7-day bins of message and reaction counts."""
    n_bins = int((inp.window.end - inp.window.start).days // 7) + 1
    m = np.zeros((len(members), n_bins), dtype=np.float32)
    wk = inp.weekly
    if len(wk):
        rows = members.get_indexer(wk["member_id"])
        ok = (rows >= 0) & (wk["week"].between(0, n_bins - 1)).to_numpy()
        np.add.at(
            m, (rows[ok], wk["week"].to_numpy()[ok].astype(int)), wk["n"].to_numpy()[ok].astype(np.float32)
        )
    return m


def event_lift(
    delta: np.ndarray, attended: np.ndarray, eligible: np.ndarray, strata: np.ndarray
) -> tuple[float, int]:
    """DiD for one event: (attendee-weighted mean of stratum differences, matched attendees)."""
    total, weight = 0.0, 0
    for s in np.unique(strata[attended & eligible]):
        att = attended & eligible & (strata == s)
        ctl = ~attended & eligible & (strata == s)
        if ctl.sum() == 0:
            continue
        n = int(att.sum())
        total += n * float(delta[att].mean() - delta[ctl].mean())
        weight += n
    return (total / weight if weight else float("nan")), weight


def lift(
    inp: Inputs, ev: pd.DataFrame, feats: pd.DataFrame, labels: np.ndarray, days: int, max_events: int
) -> tuple[pd.Series, dict[str, float | int | None]]:
    """Per-event lift (extra actions per member over the period) and a summary."""
    members = feats.index
    m = weekly_matrix(inp, members)
    bins = max(1, int(np.ceil(days / 7)))
    full = int((inp.window.end - inp.window.start).days // 7)  # bins entirely inside the window
    first_seen = inp.window.end.timestamp() - feats["tenure_days"].to_numpy() * 86400.0
    by_event = inp.attendance.groupby("event_id")["member_id"].apply(set)
    start0 = inp.window.start.timestamp()
    out: dict[int, float] = {}
    details: list[tuple[float, int, float]] = []
    candidates = ev[ev["past"]].sort_values("starts").tail(max_events)
    for event_id, row in candidates.iterrows():
        ws, we = int((row["starts"] - start0) // WEEK), int((row["ends"] - start0) // WEEK)
        if ws - bins < 0 or we + bins >= full:
            continue
        pre = m[:, ws - bins : ws].sum(axis=1)
        post = m[:, we + 1 : we + 1 + bins].sum(axis=1)
        strata = labels * 10 + np.digitize(np.log1p(pre), PRIOR_EDGES)
        attended = members.isin(list(by_event.get(event_id, set())))
        eligible = first_seen <= start0 + (ws - bins) * WEEK
        value, n = event_lift(post - pre, attended, eligible, strata)
        if n:
            out[int(event_id)] = value
            details.append((value, n, float(pre[attended & eligible].mean())))
    return pd.Series(out, dtype=float), _summary(details)


def _summary(details: list[tuple[float, int, float]]) -> dict[str, float | int | None]:
    if not details:
        return {"events": 0, "lift": None, "se": None, "relative": None}
    values = np.array([d[0] for d in details])
    weights = np.array([d[1] for d in details], dtype=float)
    mean = float(np.average(values, weights=weights))
    se = (
        float(np.sqrt(np.average((values - mean) ** 2, weights=weights) / len(values)))
        if len(values) > 1
        else None
    )
    prior = float(np.average([d[2] for d in details], weights=weights))
    return {
        "events": len(details),
        "lift": round(mean, 3),
        "se": None if se is None else round(se, 3),
        "relative": round(mean / prior, 3) if prior > 0 else None,
    }
