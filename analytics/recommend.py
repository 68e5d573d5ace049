"""Upcoming-event recommendations: SVD on member x topic affinities, blended with time-slot fit.

Affinity of a member for a topic (before the rating scale): 3 per event attended with that tag,
1.5 per going answer, 0.5 per satisfaction point above 3 (minus below), 0.3 per message on the
topic and 0.15 per reaction to one. Mapped to 1-5 by 1 + 4(1 - exp(-affinity / 3)); every topic
a member never touched is a 1, so the factorization learns dislikes as well as likes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from analytics.config import AnalyticsConfig
from analytics.features import SLOTS, slot48
from analytics.load import Inputs
from analytics.svd import Factors, fit_svd, fold_in

WEIGHTS = {"attended": 3.0, "going": 1.5, "vote": 0.5, "message": 0.3, "reaction": 0.15}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def topic_matrix(inp: Inputs, members: pd.Index, topics: list[str]) -> pd.DataFrame:
    """Dense 1-5 affinities (engaged members x topics)."""
    mt = inp.member_topics
    mt = mt[mt["member_id"].isin(members) & mt["topic"].isin(topics)]
    raw = (
        (mt["value"].astype(float) * mt["source"].map(WEIGHTS).fillna(0.0))
        .groupby([mt["member_id"], mt["topic"]])
        .sum()
    )
    dense = raw.unstack(fill_value=0.0).reindex(columns=topics, fill_value=0.0).clip(lower=0.0)
    dense = dense[dense.sum(axis=1) > 0]
    return 1.0 + 4.0 * (1.0 - np.exp(-dense / 3.0))


def fit_topics(dense: pd.DataFrame, cfg: AnalyticsConfig) -> Factors | None:
    """SVD on the affinities (on a seeded sample of members when large), other members folded in."""
    if dense.empty:
        return None
    rows = dense.index
    per_member = max(len(dense.columns), 1)
    if len(rows) * per_member > cfg.svd_max_ratings:
        rng = np.random.default_rng(cfg.seed)
        rows = pd.Index(
            np.sort(rng.choice(rows.to_numpy(), cfg.svd_max_ratings // per_member, replace=False))
        )
    long = dense.loc[rows].stack().rename("rating").reset_index()
    long.columns = ["user", "item", "rating"]
    model = fit_svd(long, cfg.svd_factors, cfg.svd_epochs, cfg.seed)
    return fold_in(model, dense)


def time_profiles(inp: Inputs, members: pd.Index, starts_how: pd.Series) -> np.ndarray:
    """Members x 48 weekday/weekend hours: activity plus (x3) attended events' start hours,
    with a prior from the whole community, smoothed over neighbouring hours, max-normalized."""
    counts = np.zeros((len(members), SLOTS))
    if len(inp.hours):
        rows = members.get_indexer(inp.hours["member_id"])
        ok = rows >= 0
        slots = inp.hours["bin"].to_numpy()[ok].astype(int)
        np.add.at(counts, (rows[ok], slots), inp.hours["n"].to_numpy()[ok].astype(float))
    att = inp.attendance.merge(starts_how.rename("how"), left_on="event_id", right_index=True)
    if len(att):
        rows = members.get_indexer(att["member_id"])
        ok = rows >= 0
        np.add.at(counts, (rows[ok], slot48(att["how"].to_numpy()[ok].astype(int))), 3.0)
    community = counts.sum(axis=0) + 1.0
    profile = counts + community / community.sum() * 2.0
    days = profile.reshape(len(members), 2, 24)  # smooth within weekdays and within weekends
    smooth = 0.5 * days + 0.25 * np.roll(days, 1, axis=2) + 0.25 * np.roll(days, -1, axis=2)
    smooth = smooth.reshape(len(members), SLOTS)
    return smooth / smooth.max(axis=1, keepdims=True)


@dataclass
class UpcomingScores:
    """Score matrix (members x events) and its two parts, for ranking and for reasons."""

    members: pd.Index
    events: pd.Index
    score: np.ndarray
    topic_fit: np.ndarray
    time_fit: np.ndarray
    best: np.ndarray  # index into tags of the event tag that fits best, -1 for untagged events
    tags: list[str]

    def tag(self, m: int, e: int) -> str:
        """The best-fitting tag of event e for member m ('' if untagged)."""
        j = int(self.best[m, e])
        return self.tags[j] if j >= 0 else ""


def score_upcoming(
    model: Factors | None, profiles: np.ndarray, members: pd.Index, events: pd.DataFrame, weight: float
) -> UpcomingScores:
    """Blend topic fit ((predicted affinity - 1) / 4, best tag) with time fit at the event's slot."""
    tags = sorted({t for ts in events["tags"] for t in ts})
    if model is not None and tags:
        pred = (model.predict(members, pd.Index(tags)) - 1.0) / 4.0
    else:
        pred = np.full((len(members), len(tags)), 0.5)
    col = {t: j for j, t in enumerate(tags)}
    topic_fit = np.full((len(members), len(events)), 0.5 if model is None else (model.mu - 1.0) / 4.0)
    best = np.full((len(members), len(events)), -1, dtype=int)
    for e, ts in enumerate(events["tags"]):
        idx = np.array([col[t] for t in ts], dtype=int)
        if len(idx):
            sub = pred[:, idx]
            topic_fit[:, e] = sub.max(axis=1)
            best[:, e] = idx[sub.argmax(axis=1)]
    bins = slot48(events["how"].astype(int).to_numpy())
    time_fit = profiles[:, bins] if len(events) else np.zeros((len(members), 0))
    score = (1.0 - weight) * topic_fit + weight * time_fit
    return UpcomingScores(members, events.index, score, topic_fit, time_fit, best, tags)


def slot_label(how: int) -> str:
    """'Sat 10:00' for an hour of the week."""
    return f"{DAYS[(how // 24) % 7]} {how % 24:02d}:00"


def local_label(ts: float, offset_s: int) -> str:
    """'Sat 10:00' for an epoch time in the community's offset."""
    local = datetime.fromtimestamp(ts + offset_s, UTC)
    return f"{DAYS[local.weekday()]} {local:%H:%M}"


def reason(topic_fit: float, time_fit: float, tag: str, when: str) -> str:
    """A short English reason for an upcoming recommendation."""
    parts = []
    if tag and topic_fit >= 0.5:
        parts.append(f"you like #{tag} ({1 + 4 * topic_fit:.1f}/5)")
    elif tag:
        parts.append(f"about #{tag}")
    if time_fit >= 0.6:
        parts.append(f"{when} fits when you are active")
    return "; ".join(parts) or "popular in the community"


def top_n(score: np.ndarray, n: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """Column indices of the n best scores per row (ties broken by column order), -1 padded."""
    s = np.where(exclude, -np.inf, score) if exclude is not None else score
    order = np.argsort(-s, axis=1, kind="stable")[:, :n]
    taken = np.take_along_axis(s, order, axis=1)
    return np.where(np.isfinite(taken), order, -1)
