"""Topics in demand over time: per topic and week, messages on it, events, going answers, attendance."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from analytics.load import Inputs

COLUMNS = ["topic", "week", "period_start", "messages", "events", "rsvps", "attended"]


def topic_trends(inp: Inputs, ev: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per (topic, week) with any demand."""
    start = inp.window.start
    past = ev[ev["starts"] < inp.window.end.timestamp()]
    tagged = past[["week", "tags", "going", "attended"]].explode("tags").dropna(subset=["tags"])
    tagged = tagged.rename(columns={"tags": "topic", "going": "rsvps"})
    events = tagged.groupby(["topic", "week"]).agg(
        events=("rsvps", "size"), rsvps=("rsvps", "sum"), attended=("attended", "sum")
    )
    msgs = inp.topic_weeks.groupby(["topic", "week"])["messages"].sum() if len(inp.topic_weeks) else None
    out = events if msgs is None else events.join(msgs, how="outer")
    out = out.reset_index().fillna(0)
    if "messages" not in out:
        out["messages"] = 0
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = out[out["week"] >= 0]
    out["period_start"] = [start + timedelta(days=7 * int(w)) for w in out["week"]]
    for col in ("messages", "events", "rsvps", "attended"):
        out[col] = out[col].astype(int)
    return out[COLUMNS].sort_values(["week", "topic"]).reset_index(drop=True)


def rising(trends: pd.DataFrame, last_week: int, n: int = 3) -> list[dict[str, object]]:
    """Topics whose demand (messages + 3 x going answers) grew most: last 4 weeks vs the 4 before."""
    if trends.empty:
        return []
    demand = trends.assign(d=trends["messages"] + 3 * trends["rsvps"])
    recent = demand[demand["week"].between(last_week - 3, last_week)].groupby("topic")["d"].sum()
    before = demand[demand["week"].between(last_week - 7, last_week - 4)].groupby("topic")["d"].sum()
    both = pd.concat([recent.rename("recent"), before.rename("before")], axis=1).fillna(0)
    both["growth"] = (both["recent"] + 1) / (both["before"] + 1)
    both = both[both["recent"] >= 5].sort_values(["growth", "recent"], ascending=False).head(n)
    return [
        {
            "topic": str(t),
            "recent": int(r.recent),
            "before": int(r.before),
            "growth": round(float(r.growth), 2),
        }
        for t, r in both.iterrows()
    ]


def last_full_week(inp: Inputs) -> int:
    """Index of the last 7-day bin that lies entirely inside the window."""
    return int(np.floor((inp.window.end - inp.window.start).days / 7)) - 1
