"""Turnout: a linear model of attendance from event features, with a 90% prediction range.

Two feature sets, kept small because a community has only a few dozen past events:
- scheduled events (RSVPs known): going answers received a day or more before the start, lead
  time, duration, weekend, the community's activity at that hour of the week, and the mean turnout
  of past events with the same tags (target encoding; leave-one-out on the training events);
- planning a new event (no RSVPs yet): type (one-hot), weekend, hour-of-week activity, duration,
  lead time and the tag encoding.
The model is ridge-penalized least squares, the penalty chosen by leave-one-out (alpha=0 gives
plain OLS); the range is +-1.645 leave-one-out RMSE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

KINDS = ("lecture", "salon", "sharing", "challenge", "discussion")
Z90 = 1.645
ALPHAS = np.logspace(-2, 3, 16)


def slot_activity(heatmap: pd.DataFrame) -> np.ndarray:
    """Share of activity per hour of week (168, mean 1), smoothed with the neighbouring hours."""
    counts = np.zeros(168)
    if len(heatmap):
        counts[heatmap["how"].astype(int).to_numpy() % 168] = heatmap["n"].astype(float).to_numpy()
    smooth = 0.5 * counts + 0.25 * np.roll(counts, 1) + 0.25 * np.roll(counts, -1)
    total = smooth.sum()
    return smooth / total * 168 if total > 0 else np.ones(168)


@dataclass
class TurnoutModel:
    """Fitted on past events; predicts attendance with a low/high range."""

    use_early: bool
    alpha: float | None = None
    tag_sum: dict[str, float] = field(default_factory=dict)
    tag_n: dict[str, int] = field(default_factory=dict)
    mean: float = 0.0
    sigma: float = 0.0
    lead_days: float = 7.0  # median announcement lead of the training events
    pipe: Pipeline | None = None

    def _tag_prior(self, tags: list[str], own: float | None = None) -> float:
        """Mean turnout of past events sharing a tag; own is left out (training rows)."""
        values = []
        for t in tags:
            n = self.tag_n.get(t, 0) - (own is not None)
            if n > 0:
                values.append((self.tag_sum[t] - (own or 0.0)) / n)
        return float(np.mean(values)) if values else self.mean

    def _x(self, ev: pd.DataFrame, activity: np.ndarray, training: bool = False) -> np.ndarray:
        how = ev["how"].astype(int).to_numpy() % 168
        own = ev["attended"].astype(float).tolist() if training else [None] * len(ev)
        cols = [
            (how >= 120).astype(float),
            activity[how],
            ev["duration_h"].astype(float).to_numpy(),
            ev["lead_days"].astype(float).to_numpy(),
            np.array([self._tag_prior(t, o) for t, o in zip(ev["tags"], own, strict=True)]),
        ]
        if self.use_early:
            cols.append(ev["early_going"].astype(float).to_numpy())
        else:
            cols += [(ev["kind"] == k).astype(float).to_numpy() for k in KINDS]
        return np.column_stack(cols)

    def fit(self, ev: pd.DataFrame, activity: np.ndarray) -> TurnoutModel:
        """Fit on finished events (a constant mean below three)."""
        y = ev["attended"].astype(float).to_numpy()
        self.mean = float(y.mean()) if len(y) else 0.0
        self.sigma = float(y.std()) if len(y) else 0.0
        if len(ev):
            self.lead_days = float(ev["lead_days"].astype(float).median())
        exploded = ev[["tags", "attended"]].explode("tags").dropna()
        self.tag_sum = exploded.groupby("tags")["attended"].sum().astype(float).to_dict()
        self.tag_n = exploded.groupby("tags").size().astype(int).to_dict()
        if len(ev) < 3:
            return self
        x = self._x(ev, activity, training=True)
        if self.alpha is None:
            reg = RidgeCV(alphas=ALPHAS, store_cv_results=True)
            self.pipe = make_pipeline(StandardScaler(), reg).fit(x, y)
            best = int(np.argmin(reg.cv_results_.mean(axis=0)))
            self.sigma = float(np.sqrt(reg.cv_results_[:, best].mean()))
            return self
        reg = LinearRegression() if self.alpha == 0 else Ridge(alpha=self.alpha)
        self.pipe = make_pipeline(StandardScaler(), reg).fit(x, y)
        resid = y - self.pipe.predict(x)
        self.sigma = float(np.sqrt((resid**2).sum() / max(len(y) - x.shape[1] - 1, 1)))
        return self

    def export(self, activity: np.ndarray) -> dict[str, object]:
        """The fitted planning model as plain JSON (stored with the run), so the bot can forecast a new
        event's turnout without loading scikit-learn: bot/features/insights/forecast.py reads it."""
        assert not self.use_early, "only the planning model (no RSVPs yet) is exported"
        out: dict[str, object] = {
            "version": 1,
            "kinds": list(KINDS),
            "mean": self.mean,
            "sigma": self.sigma,
            "z90": Z90,
            "tag_mean": {t: self.tag_sum[t] / n for t, n in self.tag_n.items() if n > 0},
            "activity": [float(v) for v in activity],
        }
        if self.pipe is not None:
            scaler, reg = self.pipe[0], self.pipe[-1]
            out.update(
                center=[float(v) for v in scaler.mean_],
                scale=[float(v) for v in scaler.scale_],
                coef=[float(v) for v in reg.coef_],
                intercept=float(reg.intercept_),
            )
        return out

    def predict(self, ev: pd.DataFrame, activity: np.ndarray) -> pd.DataFrame:
        """Predicted attendance and its 90% range, one row per event."""
        if self.pipe is None or not len(ev):
            pred = np.full(len(ev), self.mean)
        else:
            pred = np.clip(self.pipe.predict(self._x(ev, activity)), 0, None)
        low = np.clip(pred - Z90 * self.sigma, 0, None)
        return pd.DataFrame({"predicted": pred, "low": low, "high": pred + Z90 * self.sigma}, index=ev.index)


def mae(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean absolute error (nan when there is nothing to score)."""
    y, pred = np.asarray(y, float), np.asarray(pred, float)
    return float(np.mean(np.abs(y - pred))) if len(y) else float("nan")
