"""Time-based holdout: fit on the history before a cutoff, score on what happened after it.

Each model is printed next to its baseline, measured in the same run on the same test set:
- turnout: MAE on events that started after the cutoff (their early RSVPs, a day before the
  start, are known when predicting) vs always predicting the training mean;
- recommendations: the events starting after the cutoff are ranked for every member; hit@5 is the
  share of held-out going answers whose event is in the member's top 5, member_hit@5 the share of
  members with at least one, precision@5 the mean share of the top 5 they answered going; baselines
  rank by the training popularity of the event's tags, or at random (mean of 20 shuffles);
- member x event scores: RMSE/MAE on held-out votes (for events after the cutoff, the later half of
  each event's votes; the earlier half is training data, as when a replay is recommended after the
  first ratings came in) vs the training global mean and surprise's BaselineOnly;
- segmentation: silhouette of the chosen k and seed-to-seed stability (adjusted Rand index).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics.config import AnalyticsConfig
from analytics.effects import event_table
from analytics.features import member_features
from analytics.jobs import engine_url, executor_for, off_loop, read_inputs
from analytics.load import Inputs
from analytics.pipeline import topic_universe
from analytics.recommend import fit_topics, score_upcoming, time_profiles, topic_matrix
from analytics.replay import EVENT_REG, vote_ratings
from analytics.segments import segment
from analytics.svd import fit_baseline, fit_svd, predict_pairs, rmse_mae
from analytics.turnout import TurnoutModel, mae, slot_activity

K = 5
RANDOM_SHUFFLES = 20


def ranking_metrics(score: np.ndarray, positives: np.ndarray) -> dict[str, float]:
    """hit@5, member_hit@5 and precision@5 of a score matrix against a boolean matrix of positives."""
    keep = positives.any(axis=1)
    score, positives = score[keep], positives[keep]
    if not len(score):
        return {"hit@5": float("nan"), "member_hit@5": float("nan"), "precision@5": float("nan")}
    top = np.argsort(-score, axis=1, kind="stable")[:, :K]
    in_top = np.zeros_like(positives)
    np.put_along_axis(in_top, top, True, axis=1)
    hits = (in_top & positives).sum(axis=1)
    return {
        "hit@5": float(hits.sum() / positives.sum()),
        "member_hit@5": float((hits > 0).mean()),
        "precision@5": float((hits / min(K, score.shape[1])).mean()),
    }


def eval_turnout(
    train_ev: pd.DataFrame, test_ev: pd.DataFrame, activity: np.ndarray, cfg: AnalyticsConfig
) -> dict[str, Any]:
    """Turnout MAE vs the mean-turnout baseline."""
    model = TurnoutModel(use_early=True, alpha=cfg.turnout_alpha).fit(train_ev, activity)
    y = test_ev["attended"].to_numpy(float)
    pred = model.predict(test_ev, activity)
    inside = ((y >= pred["low"]) & (y <= pred["high"])).mean() if len(y) else float("nan")
    return {
        "train_events": len(train_ev),
        "test_events": len(test_ev),
        "mae": mae(y, pred["predicted"]),
        "baseline_mean_mae": mae(y, np.full(len(y), model.mean)),
        "range_coverage_90": float(inside),
    }


def eval_recommender(
    train: Inputs,
    train_ev: pd.DataFrame,
    test_ev: pd.DataFrame,
    positives_df: pd.DataFrame,
    cfg: AnalyticsConfig,
) -> dict[str, Any]:
    """hit@5 / precision@5 of the topic-SVD + time-fit ranking vs popularity and random."""
    feats = member_features(train)
    members = feats.index
    model = fit_topics(topic_matrix(train, members, topic_universe(train, train_ev)), cfg)
    prof = time_profiles(train, members, train_ev["how"])
    s = score_upcoming(model, prof, members, test_ev, cfg.time_weight)
    pos = np.zeros(s.score.shape, dtype=bool)
    rows, cols = (
        members.get_indexer(positives_df["member_id"]),
        test_ev.index.get_indexer(positives_df["event_id"]),
    )
    ok = (rows >= 0) & (cols >= 0)
    pos[rows[ok], cols[ok]] = True
    popularity = tag_popularity(train_ev, test_ev)
    rng = np.random.default_rng(cfg.seed)
    shuffles = [ranking_metrics(rng.random(s.score.shape), pos) for _ in range(RANDOM_SHUFFLES)]
    return {
        "members": int(pos.any(axis=1).sum()),
        "candidates": len(test_ev),
        "positives": int(pos.sum()),
        "model": ranking_metrics(s.score, pos),
        "popularity": ranking_metrics(np.tile(popularity, (len(members), 1)), pos),
        "random": {k: float(np.mean([r[k] for r in shuffles])) for k in shuffles[0]},
    }


def tag_popularity(train_ev: pd.DataFrame, test_ev: pd.DataFrame) -> np.ndarray:
    """Mean going answers per training event with the same tag (best tag), the same for every member."""
    tagged = train_ev[["tags", "going"]].explode("tags").dropna()
    mean = tagged.groupby("tags")["going"].mean()
    overall = float(train_ev["going"].mean()) if len(train_ev) else 0.0
    # ties are broken by start time (earlier first), as a "most popular next" list would be
    order = np.argsort(np.argsort(test_ev["starts"].to_numpy())) * 1e-6
    return np.array([max([mean.get(t, overall) for t in ts] or [overall]) for ts in test_ev["tags"]]) - order


def eval_scores(votes: pd.DataFrame, test_events: pd.Index, cfg: AnalyticsConfig) -> dict[str, Any]:
    """Member x event score model vs global mean and BaselineOnly on held-out votes."""
    votes = votes.sort_values(["event_id", "voted", "vote_id"])
    is_test_event = votes["event_id"].isin(test_events)
    order = votes.groupby("event_id").cumcount()
    size = votes.groupby("event_id")["score"].transform("size")
    test_mask = is_test_event & (order >= size // 2)
    train, test = vote_ratings(votes[~test_mask]), vote_ratings(votes[test_mask])
    if train.empty or test.empty:
        return {"train_votes": len(train), "test_votes": len(test)}
    svd = fit_svd(train, cfg.svd_factors, cfg.svd_epochs, cfg.seed, reg=EVENT_REG)
    base = fit_baseline(train)
    truth = test["rating"].to_numpy()
    out: dict[str, Any] = {"train_votes": len(train), "test_votes": len(test)}
    for name, pred in (
        ("svd", predict_pairs(svd, test["user"].to_numpy(), test["item"].to_numpy())),
        ("global_mean", np.full(len(test), train["rating"].mean())),
        ("baseline_only", predict_pairs(base, test["user"].to_numpy(), test["item"].to_numpy())),
    ):
        rmse, m = rmse_mae(truth, pred)
        out[name] = {"rmse": rmse, "mae": m}
    return out


def evaluate_frames(train: Inputs, full: Inputs, cfg: AnalyticsConfig) -> dict[str, Any]:
    """Every model against its baseline (the CPU part of `evaluate`)."""
    cutoff = train.window.end.timestamp()
    train_ev = event_table(train, cfg.early_rsvp_hours)
    train_past = train_ev[train_ev["past"]]
    full_ev = event_table(full, cfg.early_rsvp_hours)
    test_ev = full_ev[(full_ev["starts"] >= cutoff) & full_ev["past"]]
    activity = slot_activity(train.heatmap)
    rsvps = full.rsvps[
        full.rsvps["status"].isin(["going", "waitlist"]) & full.rsvps["event_id"].isin(test_ev.index)
    ]
    seg = segment(member_features(full), cfg)
    return {
        "cutoff": train.window.end.isoformat(),
        "now": full.window.end.isoformat(),
        "turnout": eval_turnout(train_past, test_ev, activity, cfg),
        "recommendations": eval_recommender(train, train_past, test_ev, rsvps, cfg),
        "scores": eval_scores(full.votes, test_ev.index, cfg),
        "segments": {"k": seg.k, "silhouette": seg.silhouette, "stability_seed_ari": seg.stability},
    }


async def evaluate(
    engine: Any,
    config: AnalyticsConfig | None = None,
    now: datetime | None = None,
    community_id: int | None = None,
) -> dict[str, Any]:
    """Load the history as of the cutoff and as of now, and score every model against its baseline."""
    cfg = config or AnalyticsConfig()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    url = engine_url(engine)
    cutoff = now - timedelta(days=cfg.holdout_days)
    train, _ = await read_inputs(url, community_id, cfg, cutoff, cfg.window_days - cfg.holdout_days)
    full, _ = await read_inputs(url, train.window.community_id, cfg, now)
    with executor_for(cfg) as pool:
        return dict(await off_loop(cfg, pool, evaluate_frames, train, full, cfg))
