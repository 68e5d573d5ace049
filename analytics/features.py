"""Member features from the SQL aggregates, and their cleaning for models.

Cleaning: missing counts are 0 (no row means no activity); a missing satisfaction is the community
mean; counts are log1p-scaled, winsorized at the 1st/99th percentiles, then standardized.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.load import Inputs

COUNTS = (
    "messages",
    "active_days",
    "replies_given",
    "replies_received",
    "reactions_given",
    "reactions_received",
    "rsvps",
    "attended",
    "no_shows",
    "votes_given",
    "contributions",  # challenge submissions, Q&A questions, write-ups and write-up votes
)
CLUSTER_FEATURES = (
    "messages",
    "active_days",
    "replies_given",
    "reactions_given",
    "rsvps",
    "attended",
    "tenure_days",
    "recent_share",
)
PROFILE_FEATURES = (
    "messages",
    "active_days",
    "replies_given",
    "replies_received",
    "reactions_given",
    "rsvps",
    "attended",
    "attendance_ratio",
    "no_shows",
    "satisfaction_given",
    "contributions",
    "tenure_days",
    "recent_share",
)
HOUR_BINS = 12  # weekday / weekend x six 4-hour blocks, local time (the profile table)
SLOTS = 48  # weekday / weekend x 24 hours, local time (what SQL returns per member)
DAY = 86400.0


def slot48(how: np.ndarray | int) -> np.ndarray:
    """Weekday/weekend hour (0-47) of an hour of the week (0 = Monday 00:00)."""
    how = np.asarray(how)
    return np.where(how >= 120, 24, 0) + how % 24


def bin12(slot: np.ndarray | int) -> np.ndarray:
    """The 4-hour profile bin (0-11) of a weekday/weekend hour."""
    slot = np.asarray(slot)
    return (slot // 24) * 6 + (slot % 24) // 4


def member_features(inp: Inputs) -> pd.DataFrame:
    """One row per member in scope (current members and anyone active in the window), by member_id."""
    w = inp.window
    base = inp.members.set_index("member_id")
    df = base[["user_id", "display_name", "is_member", "joined"]].copy()
    for part in (inp.activity, inp.received, inp.member_events):
        if len(part):
            df = df.join(part.set_index("member_id"), how="left")
    for col in (*COUNTS, "actions", "recent_actions", "attended_rsvp"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0) if col in df else 0.0
    for col in ("first_seen", "last_seen", "satisfaction_given"):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df else np.nan
    active = (df["actions"] > 0) | (df["rsvps"] > 0) | (df["attended"] > 0)
    df = df[active | df["is_member"].astype(bool)].copy()
    start = pd.concat([pd.to_numeric(df["joined"], errors="coerce"), df["first_seen"]], axis=1).min(axis=1)
    start = start.fillna(w.end.timestamp()).clip(lower=w.start.timestamp())
    df["tenure_days"] = (w.end.timestamp() - start) / DAY
    df["recent_share"] = np.where(df["actions"] > 0, df["recent_actions"] / df["actions"].clip(lower=1), 0.0)
    df["attendance_ratio"] = np.where(
        df["rsvps"] > 0, df["attended_rsvp"] / df["rsvps"].clip(lower=1), np.nan
    )
    df["days_since_seen"] = ((w.end.timestamp() - df["last_seen"]) / DAY).fillna(
        float((w.end - w.start).days)
    )
    return df.join(hour_profile(inp, df.index), how="left").sort_index()


def hour_profile(inp: Inputs, index: pd.Index) -> pd.DataFrame:
    """Share of each member's messages and reactions in each of the 12 local time bins (h0..h11)."""
    cols = [f"h{i}" for i in range(HOUR_BINS)]
    if not len(inp.hours):
        return pd.DataFrame(0.0, index=index, columns=cols)
    hours = inp.hours.assign(bin=bin12(inp.hours["bin"].to_numpy()))
    counts = hours.pivot_table(index="member_id", columns="bin", values="n", aggfunc="sum", fill_value=0)
    counts = counts.reindex(index=index, columns=range(HOUR_BINS), fill_value=0).astype(float)
    totals = counts.sum(axis=1).replace(0, np.nan)
    shares = counts.div(totals, axis=0).fillna(0.0)
    shares.columns = cols
    return shares


def clean_matrix(df: pd.DataFrame, columns: tuple[str, ...] = CLUSTER_FEATURES) -> np.ndarray:
    """Log-scale counts, winsorize, standardize: the matrix the segmentation sees."""
    from sklearn.preprocessing import StandardScaler

    cols = []
    for name in columns:
        x = df[name].astype(float).fillna(0.0).to_numpy()
        if name in COUNTS:
            x = np.log1p(np.clip(x, 0, None))
        if len(x) > 20:
            lo, hi = np.percentile(x, [1, 99])
            x = np.clip(x, lo, hi)
        cols.append(x)
    matrix = np.column_stack(cols) if cols else np.zeros((len(df), 0))
    return StandardScaler().fit_transform(matrix) if len(df) > 1 else matrix


def impute_satisfaction(df: pd.DataFrame) -> pd.Series:
    """Satisfaction given, with the community mean where a member never voted."""
    mean = df["satisfaction_given"].mean()
    return df["satisfaction_given"].fillna(3.0 if np.isnan(mean) else mean)
