"""Event effect: participation, interaction, satisfaction, and a rating label per event.

Rating thresholds (participation = attended / going; walk-ins can push it above 1):
  excellent  at least MIN_VOTES votes, satisfaction >= 4.3 and participation >= 0.75
  good       satisfaction >= 3.8 and participation >= 0.6; unvoted: participation >= 0.75
  fair       satisfaction >= 3.0; unvoted: participation >= 0.5
  poor       anything lower, or nobody came
Events that have not ended are "upcoming"; an event without going answers counts as fully attended.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.load import Inputs

MIN_VOTES = 3
EXCELLENT, GOOD, FAIR = (4.3, 0.75), (3.8, 0.6), 3.0


def rating(satisfaction: float, votes: int, participation: float, attended: int) -> str:
    """The label for one finished event (see the module docstring)."""
    part = 1.0 if np.isnan(participation) else participation
    if attended == 0:
        return "poor"
    if votes > 0 and not np.isnan(satisfaction):
        if votes >= MIN_VOTES and satisfaction >= EXCELLENT[0] and part >= EXCELLENT[1]:
            return "excellent"
        if satisfaction >= GOOD[0] and part >= GOOD[1]:
            return "good"
        return "fair" if satisfaction >= FAIR else "poor"
    if part >= 0.75:
        return "good"
    return "fair" if part >= 0.5 else "poor"


def event_table(inp: Inputs, early_hours: int) -> pd.DataFrame:
    """Events with their counts: going, early going, attended, votes, tags; indexed by event_id."""
    ev = inp.events.set_index("event_id").copy()
    for col in ("starts", "ends", "created", "how", "interacted"):
        ev[col] = pd.to_numeric(ev[col], errors="coerce").fillna(0.0)
    rs = inp.rsvps.copy()
    going = rs[rs["status"].isin(["going", "waitlist"])]
    ev["going"] = going.groupby("event_id").size().reindex(ev.index, fill_value=0)
    ev["maybe"] = rs[rs["status"] == "maybe"].groupby("event_id").size().reindex(ev.index, fill_value=0)
    cutoff = ev["starts"].reindex(going["event_id"]).to_numpy() - early_hours * 3600.0
    early = going[going["created"].astype(float).to_numpy() <= cutoff]
    ev["early_going"] = early.groupby("event_id").size().reindex(ev.index, fill_value=0)
    ev["attended"] = inp.attendance.groupby("event_id").size().reindex(ev.index, fill_value=0)
    votes = inp.votes.groupby("event_id")["score"]
    ev["votes"] = votes.size().reindex(ev.index, fill_value=0)
    ev["satisfaction"] = votes.mean().reindex(ev.index)
    tags = inp.tags.groupby("event_id")["tag"].apply(list)
    ev["tags"] = [tags.get(i, []) for i in ev.index]
    ev["duration_h"] = (ev["ends"] - ev["starts"]) / 3600.0
    ev["lead_days"] = ((ev["starts"] - ev["created"]) / 86400.0).clip(lower=0)
    ev["week"] = ((ev["starts"] - inp.window.start.timestamp()) // (7 * 86400)).astype(int)
    ev["past"] = ev["ends"] <= inp.window.end.timestamp()
    return ev


def active_members(inp: Inputs, weeks: pd.Series) -> pd.Series:
    """Members active in the four weekly bins before each event's week."""
    wk = inp.weekly
    per_week = {}
    for week in sorted(set(weeks.tolist())):
        mask = (wk["week"] >= week - 4) & (wk["week"] < max(week, 1))
        per_week[week] = int(wk.loc[mask, "member_id"].nunique())
    return weeks.map(per_week).astype(float)


def effects(inp: Inputs, ev: pd.DataFrame) -> pd.DataFrame:
    """Per finished event: participation, interaction, satisfaction, response rate and rating."""
    past = ev[ev["past"]].copy()
    past["active_members"] = active_members(inp, past["week"]).reindex(past.index).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        past["participation_rate"] = np.where(past["going"] > 0, past["attended"] / past["going"], np.nan)
        past["active_rate"] = np.where(
            past["active_members"] > 0, past["attended"] / past["active_members"], np.nan
        )
        past["interaction_rate"] = np.where(
            past["attended"] > 0, past["interacted"] / past["attended"], np.nan
        )
        past["response_rate"] = np.where(past["attended"] > 0, past["votes"] / past["attended"], np.nan)
    past["satisfaction_mean"] = past["satisfaction"]
    past["rating"] = [
        rating(float(r.satisfaction), int(r.votes), float(r.participation_rate), int(r.attended))
        for r in past.itertuples()
    ]
    return past
