"""The compute step of a run: a pure function of the loaded frames (runs in a worker process)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analytics.config import AnalyticsConfig
from analytics.effects import effects, event_table
from analytics.features import member_features
from analytics.lift import lift
from analytics.load import Inputs
from analytics.planning import advise, group_weights
from analytics.recommend import (
    fit_topics,
    local_label,
    reason,
    score_upcoming,
    time_profiles,
    top_n,
    topic_matrix,
)
from analytics.replay import fit_scores, recommend_replays, replay_events
from analytics.segments import Segmentation, profiles, segment, stability_vs
from analytics.trends import last_full_week, rising, topic_trends
from analytics.turnout import KINDS, TurnoutModel, slot_activity

REC_COLUMNS = ["member_id", "event_id", "kind", "rank", "score", "reason"]
MAX_MESSAGE_TOPICS = 50


@dataclass
class Results:
    """What a run produces; jobs.write_results stores it."""

    features: pd.DataFrame
    segmentation: Segmentation
    profiles: pd.DataFrame
    effects: pd.DataFrame
    recommendations: pd.DataFrame
    trends: pd.DataFrame
    metrics: dict[str, Any] = field(default_factory=dict)
    active_hours: pd.Series = field(default_factory=lambda: pd.Series(dtype=int))  # member -> local hour


def active_hours(hours: pd.DataFrame, min_actions: int) -> pd.Series:
    """Each member's most active local hour of the day (0-23), for members with enough history.

    hours has one row per (member_id, bin, n) where bin is a weekday (0-23) or weekend (24-47) hour;
    both fold onto the hour of the day. Ties go to the later hour (an evening over a morning).
    """
    if hours.empty:
        return pd.Series(dtype=int)
    h = hours.assign(hour=hours["bin"].astype(int) % 24)
    per = h.groupby(["member_id", "hour"])["n"].sum().unstack(fill_value=0)
    per = per.reindex(columns=range(24), fill_value=0)
    enough = per.sum(axis=1) >= min_actions
    counts = per[enough].to_numpy()
    if not len(counts):
        return pd.Series(dtype=int)
    best = 23 - np.argmax(counts[:, ::-1], axis=1)
    return pd.Series(best.astype(int), index=per.index[enough].astype(int))


def topic_universe(inp: Inputs, ev: pd.DataFrame) -> list[str]:
    """Event tags plus the most frequent message topics."""
    tags = {t for ts in ev["tags"] for t in ts}
    mt = inp.member_topics
    msg = mt[mt["source"].isin(["message", "reaction"])].groupby("topic")["value"].sum()
    return sorted(tags | set(msg.sort_values(ascending=False).head(MAX_MESSAGE_TOPICS).index))


def upcoming_recs(inp: Inputs, feats: pd.DataFrame, ev: pd.DataFrame, cfg: AnalyticsConfig) -> pd.DataFrame:
    """Top-N upcoming events per current member, excluding events they already answered."""
    members = feats.index[feats["is_member"].astype(bool)]
    upcoming = ev[ev["starts"] >= inp.window.end.timestamp()]
    if upcoming.empty or not len(members):
        return pd.DataFrame(columns=REC_COLUMNS)
    model = fit_topics(topic_matrix(inp, members, topic_universe(inp, ev)), cfg)
    prof = time_profiles(inp, members, ev["how"])
    s = score_upcoming(model, prof, members, upcoming, cfg.time_weight)
    answered = np.zeros(s.score.shape, dtype=bool)
    rows, cols = (
        members.get_indexer(inp.rsvps["member_id"]),
        upcoming.index.get_indexer(inp.rsvps["event_id"]),
    )
    ok = (rows >= 0) & (cols >= 0)
    answered[rows[ok], cols[ok]] = True
    best = top_n(s.score, cfg.top_n, exclude=answered)
    labels = [local_label(ts, inp.window.offset_s) for ts in upcoming["starts"]]
    out = [
        (
            int(members[m]),
            int(upcoming.index[e]),
            "upcoming",
            rank,
            round(float(s.score[m, e]), 4),
            reason(float(s.topic_fit[m, e]), float(s.time_fit[m, e]), s.tag(m, e), labels[e]),
        )
        for m, picks in enumerate(best)
        for rank, e in enumerate(picks[picks >= 0], start=1)
    ]
    return pd.DataFrame(out, columns=REC_COLUMNS)


def event_rows(
    inp: Inputs,
    ev: pd.DataFrame,
    feats: pd.DataFrame,
    seg: Segmentation,
    cfg: AnalyticsConfig,
    activity: np.ndarray,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Effects of finished events plus forecasts for upcoming ones, with lift and turnout."""
    eff = effects(inp, ev)
    past = ev[ev["past"]]
    model = TurnoutModel(use_early=True, alpha=cfg.turnout_alpha).fit(past, activity)
    upcoming = ev[ev["starts"] >= inp.window.end.timestamp()].copy()
    upcoming["rating"] = "upcoming"
    rows = pd.concat([eff, upcoming])
    pred = model.predict(rows, activity)
    rows["predicted_turnout"], rows["turnout_low"], rows["turnout_high"] = (
        pred["predicted"],
        pred["low"],
        pred["high"],
    )
    lifts, summary = lift(inp, ev, feats, seg.labels, cfg.lift_days, cfg.lift_max_events)
    rows["lift"] = lifts.reindex(rows.index)
    return rows, {"lift": summary, "turnout_sigma": round(model.sigma, 3)}


def compute(
    inp: Inputs, cfg: AnalyticsConfig, previous: dict[int, int] | None = None, on_stage: Any = None
) -> Results:
    """Features, segments, event effects, turnout, lift, recommendations, trends and advice.

    on_stage(name), if given, is called as each stage ends (the benchmark measures with it).
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.perf_counter() - clock, 3)
        if on_stage is not None:
            on_stage(name)
        clock = time.perf_counter()

    feats = member_features(inp)
    seg = segment(feats, cfg)
    prof = profiles(feats, seg)
    lap("segments")
    ev = event_table(inp, cfg.early_rsvp_hours)
    activity = slot_activity(inp.heatmap)
    rows, event_metrics = event_rows(inp, ev, feats, seg, cfg, activity)
    lap("events")
    recs = upcoming_recs(inp, feats, ev, cfg)
    members = feats.index[feats["is_member"].astype(bool)]
    replays = recommend_replays(
        fit_scores(inp.votes, cfg), members, replay_events(ev, cfg), inp.attendance, cfg
    )
    replays.insert(2, "kind", "replay")
    recs = pd.concat([recs, replays[REC_COLUMNS]], ignore_index=True)
    lap("recommendations")
    trends = topic_trends(inp, ev)
    metrics: dict[str, Any] = {
        "members": len(feats),
        "events": int(ev["past"].sum()),
        "upcoming": int((~ev["past"]).sum()),
        "k": seg.k,
        "silhouette": seg.silhouette,
        "silhouettes": seg.silhouettes,
        "stability_seed_ari": seg.stability,
        "stability_vs_previous": stability_vs(previous, feats.index, seg.labels) if previous else None,
        "rising_topics": rising(trends, last_full_week(inp)),
        **event_metrics,
    }
    plan_model = TurnoutModel(use_early=False, alpha=cfg.turnout_alpha).fit(ev[ev["past"]], activity)
    metrics["advice"] = planning_advice(inp, ev, feats, seg, cfg, activity, plan_model)
    metrics["turnout_model"] = plan_model.export(activity)
    metrics["heatmap"] = [round(float(v), 3) for v in activity]  # hour of week, Monday 00:00 first
    lap("trends_advice")
    metrics["timings"] = timings
    hours = active_hours(inp.hours, cfg.active_hour_min_actions)
    return Results(feats, seg, prof, rows, recs, trends, metrics, hours)


def planning_advice(
    inp: Inputs,
    ev: pd.DataFrame,
    feats: pd.DataFrame,
    seg: Segmentation,
    cfg: AnalyticsConfig,
    activity: np.ndarray,
    model: TurnoutModel,
) -> dict[str, Any]:
    """Best slots for everyone, for each named segment, and for the five most attended tags."""
    scheduled = ev[ev["starts"] >= inp.window.end.timestamp()]
    w = inp.window

    def slots(
        members: pd.Index | None, tags: list[str], n: int = 3, kind: str = "lecture"
    ) -> list[dict[str, object]]:
        template = {"kind": kind, "duration_h": 1.5, "tags": tags}
        weights = group_weights(inp.hours, members)
        return advise(activity, weights, scheduled, w.end, w.offset_s, model, template)[:n]

    out: dict[str, Any] = {"all": slots(None, [], 5), "segments": {}, "tags": {}}
    # per event type, so /suggest TYPE answers from the run instead of computing in the chat
    out["kinds"] = {kind: slots(None, [], 5, kind) for kind in KINDS}
    for s, name in seg.names.items():
        group = feats.index[seg.labels == s]
        if len(group) >= cfg.min_group:
            out["segments"][name] = slots(group, [])
    fans = inp.attendance.merge(inp.tags, on="event_id")
    for tag, group in fans.groupby("tag")["member_id"]:
        members = pd.Index(group.unique())
        if len(members) >= cfg.min_group and tag in fans["tag"].value_counts().head(5).index:
            out["tags"][str(tag)] = slots(members, [str(tag)])
    return out
