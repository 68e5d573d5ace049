"""Segmentation: K-means with k chosen by silhouette, readable names from the profiles, stability.

Names come from matching each segment's centroid (in standardized feature space) to five
archetypes, one name per segment (Hungarian assignment on the archetype scores):
core contributors (much talk), event-goers (events, little talk), quiet readers (little of
anything), newcomers (short tenure, activity is recent) and fading (long tenure, nothing recent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from analytics.config import AnalyticsConfig
from analytics.features import CLUSTER_FEATURES, PROFILE_FEATURES, clean_matrix

ARCHETYPES: dict[str, dict[str, float]] = {
    "core contributors": {"messages": 1, "active_days": 1, "replies_given": 1, "recent_share": 0.3},
    "event-goers": {"rsvps": 1, "attended": 1, "messages": -0.5, "replies_given": -0.3},
    "quiet readers": {
        "messages": -1,
        "active_days": -0.5,
        "rsvps": -0.5,
        "attended": -0.5,
        "tenure_days": 0.5,
    },
    "newcomers": {"tenure_days": -1.5, "recent_share": 1},
    "fading": {"recent_share": -1.5, "tenure_days": 0.5, "messages": 0.2},
}


SELECT_ON = 20_000  # members; above this, k is chosen on a sample of this size


@dataclass
class Segmentation:
    """Labels per member, the chosen k, its silhouette, and seed-to-seed stability (ARI)."""

    labels: np.ndarray
    k: int
    silhouette: float | None
    stability: float | None
    names: dict[int, str]
    silhouettes: dict[int, float]


def _model(k: int, n: int, cfg: AnalyticsConfig, seed: int) -> KMeans | MiniBatchKMeans:
    if n > cfg.minibatch_above:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096, max_iter=100)
    return KMeans(n_clusters=k, random_state=seed, n_init=10)


def _silhouette(x: np.ndarray, labels: np.ndarray, cfg: AnalyticsConfig) -> float:
    sample = min(len(x), cfg.silhouette_sample)
    return float(silhouette_score(x, labels, sample_size=sample, random_state=cfg.seed))


def segment(df: pd.DataFrame, cfg: AnalyticsConfig) -> Segmentation:
    """Cluster the members of df (rows of member features)."""
    x = clean_matrix(df)
    n = len(x)
    if n < 4:
        return Segmentation(np.zeros(n, dtype=int), 1, None, None, {0: "members"}, {})
    ks = [cfg.k] if cfg.k else list(range(cfg.k_min, min(cfg.k_max, n - 1) + 1))
    # k is chosen on a seeded sample of a large community; the chosen k is then fit on everyone
    sample = x
    if n > SELECT_ON:
        sample = x[np.sort(np.random.default_rng(cfg.seed).choice(n, SELECT_ON, replace=False))]
    scores: dict[int, float] = {}
    fits: dict[int, np.ndarray] = {}
    for k in ks:
        fits[k] = _model(k, len(sample), cfg, cfg.seed).fit_predict(sample)
        if len(set(fits[k])) >= 2:
            scores[k] = _silhouette(sample, fits[k], cfg)
    if not scores:
        return Segmentation(np.zeros(n, dtype=int), 1, None, None, {0: "members"}, {})
    k = max(scores, key=lambda kk: (scores[kk], -kk))
    labels = _relabel(x, fits[k] if sample is x else _model(k, n, cfg, cfg.seed).fit_predict(x))
    again = _model(k, n, cfg, cfg.seed + 1).fit_predict(x)
    stability = float(adjusted_rand_score(labels, again))
    return Segmentation(labels, k, scores[k], stability, name_segments(x, labels), scores)


def _relabel(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Number segments by size (largest first), so labels do not depend on K-means' internal order."""
    ids, counts = np.unique(labels, return_counts=True)
    order = ids[np.lexsort((ids, -counts))]
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=int)


def name_segments(x: np.ndarray, labels: np.ndarray) -> dict[int, str]:
    """A readable, unique name per segment from its centroid."""
    segments = sorted(set(labels.tolist()))
    col = {name: i for i, name in enumerate(CLUSTER_FEATURES)}
    centroids = np.array([x[labels == s].mean(axis=0) for s in segments])
    names = list(ARCHETYPES)
    score = np.zeros((len(segments), len(names)))
    for j, name in enumerate(names):
        for feature, weight in ARCHETYPES[name].items():
            score[:, j] += weight * centroids[:, col[feature]]
    rows, cols = linear_sum_assignment(-score)
    out = {segments[r]: names[c] for r, c in zip(rows, cols, strict=True)}
    for i, s in enumerate(segments):  # more segments than archetypes: name by the closest one
        if s not in out:
            out[s] = f"{names[int(np.argmax(score[i]))]} ({i + 1})"
    return out


def profiles(df: pd.DataFrame, seg: Segmentation) -> pd.DataFrame:
    """The seed's table: size and mean of each key feature per segment, with its name."""
    frame = df[list(PROFILE_FEATURES)].astype(float).copy()
    frame["segment"] = seg.labels
    out = frame.groupby("segment").mean().round(2)
    out.insert(0, "size", frame.groupby("segment").size())
    out.insert(0, "name", [seg.names[s] for s in out.index])
    return out


def stability_vs(previous: dict[int, int], members: pd.Index, labels: np.ndarray) -> float | None:
    """ARI between this run's and a previous run's assignments, over members in both."""
    common = [(previous[m], int(lab)) for m, lab in zip(members, labels, strict=True) if m in previous]
    if len(common) < 2:
        return None
    before, now = zip(*common, strict=True)
    return float(adjusted_rand_score(before, now))
