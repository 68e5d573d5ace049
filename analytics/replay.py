"""Past sessions a member missed: SVD on member x event satisfaction votes predicts their score.

Votes are sparse (a few per member), so the factorization is regularized harder (EVENT_REG) than
the dense member x topic one. Only sessions with at least MIN_VOTES votes are recommended.
An event has a replay when its kind is one communities usually record (lectures, tech sharing)
or it carries a tag such as #recording or #replay (the schema has no materials field yet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import AnalyticsConfig
from analytics.effects import MIN_VOTES
from analytics.recommend import top_n
from analytics.svd import Factors, fit_svd

EVENT_REG = 0.2


def vote_ratings(votes: pd.DataFrame) -> pd.DataFrame:
    """(user, item, rating) rows from satisfaction votes."""
    out = votes[["member_id", "event_id", "score"]].rename(
        columns={"member_id": "user", "event_id": "item", "score": "rating"}
    )
    return out.astype({"user": int, "item": int, "rating": float})


def fit_scores(votes: pd.DataFrame, cfg: AnalyticsConfig) -> Factors | None:
    """The member x event score model (None without votes)."""
    ratings = vote_ratings(votes)
    if ratings.empty:
        return None
    return fit_svd(ratings, cfg.svd_factors, cfg.svd_epochs, cfg.seed, reg=EVENT_REG)


def replay_events(ev: pd.DataFrame, cfg: AnalyticsConfig) -> pd.DataFrame:
    """Finished events that have a recording or materials."""
    has = ev["kind"].isin(cfg.replay_kinds) | ev["tags"].apply(
        lambda ts: bool(set(ts) & set(cfg.replay_tags))
    )
    return ev[ev["past"] & has & (ev["votes"] >= MIN_VOTES)]


def recommend_replays(
    model: Factors | None,
    members: pd.Index,
    events: pd.DataFrame,
    attendance: pd.DataFrame,
    cfg: AnalyticsConfig,
) -> pd.DataFrame:
    """Top replay_n missed sessions per member with the predicted score and a reason."""
    cols = ["member_id", "event_id", "rank", "score", "reason"]
    if model is None or events.empty or not len(members):
        return pd.DataFrame(columns=cols)
    pred = model.predict(members, events.index)
    seen = np.zeros(pred.shape, dtype=bool)
    rows, colx = (
        members.get_indexer(attendance["member_id"]),
        events.index.get_indexer(attendance["event_id"]),
    )
    ok = (rows >= 0) & (colx >= 0)
    seen[rows[ok], colx[ok]] = True
    best = top_n(pred, cfg.replay_n, exclude=seen)
    about = [
        f"rated {sat:.1f}/5 by {int(n)} attendees; " + " ".join(f"#{t}" for t in tags[:2])
        for sat, n, tags in zip(events["satisfaction"], events["votes"], events["tags"], strict=True)
    ]
    ids, member_ids = events.index.to_numpy(), members.to_numpy()
    m, rank = np.nonzero(best >= 0)
    e = best[m, rank]
    scores = pred[m, e]
    reasons = [f"you would rate it {s:.1f}; {about[j]}"[:200] for s, j in zip(scores, e, strict=True)]
    return pd.DataFrame(
        {
            "member_id": member_ids[m].astype(int),
            "event_id": ids[e].astype(int),
            "rank": rank + 1,
            "score": np.round(scores, 3),
            "reason": reasons,
        }
    )
