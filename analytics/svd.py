"""scikit-surprise SVD, with its factors pulled out so predictions for many pairs are one matrix product."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from surprise import SVD, BaselineOnly, Dataset, Reader

SCALE = (1.0, 5.0)


@dataclass
class Factors:
    """A fitted biased matrix factorization: r(u, i) = mu + bu + bi + pu . qi."""

    mu: float
    users: pd.Index
    items: pd.Index
    bu: np.ndarray
    bi: np.ndarray
    pu: np.ndarray
    qi: np.ndarray

    def predict(self, users: pd.Index, items: pd.Index) -> np.ndarray:
        """Dense predictions (users x items), clipped to the rating scale; unknowns get the biases only."""
        u, i = self.users.get_indexer(users), self.items.get_indexer(items)
        pred = self.mu + _take(self.bu, u)[:, None] + _take(self.bi, i)[None, :]
        if self.pu.size and self.qi.size:
            pu = self.pu[np.clip(u, 0, None)] * (u >= 0)[:, None]
            qi = self.qi[np.clip(i, 0, None)] * (i >= 0)[:, None]
            pred = pred + pu @ qi.T
        return np.clip(pred, *SCALE)


def _take(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """values[idx], 0 where idx is -1 (unknown)."""
    if not len(values):
        return np.zeros(len(idx))
    return np.where(idx >= 0, values[np.clip(idx, 0, None)], 0.0)


def _dataset(ratings: pd.DataFrame) -> Dataset:
    df = ratings[["user", "item", "rating"]].sort_values(["user", "item"], kind="stable")
    return Dataset.load_from_df(df, Reader(rating_scale=SCALE))


def fit_svd(ratings: pd.DataFrame, factors: int, epochs: int, seed: int, reg: float = 0.05) -> Factors:
    """Fit surprise's SVD on (user, item, rating) rows (sorted first, so the result is deterministic)."""
    trainset = _dataset(ratings).build_full_trainset()
    algo = SVD(n_factors=factors, n_epochs=epochs, random_state=seed, reg_all=reg, lr_all=0.02)
    algo.fit(trainset)
    users = pd.Index([trainset.to_raw_uid(u) for u in range(trainset.n_users)])
    items = pd.Index([trainset.to_raw_iid(i) for i in range(trainset.n_items)])
    return Factors(
        float(trainset.global_mean),
        users,
        items,
        np.asarray(algo.bu),
        np.asarray(algo.bi),
        np.asarray(algo.pu),
        np.asarray(algo.qi),
    )


def fit_baseline(ratings: pd.DataFrame) -> Factors:
    """surprise's BaselineOnly (ALS biases): the baseline the SVD must beat."""
    trainset = _dataset(ratings).build_full_trainset()
    algo = BaselineOnly(bsl_options={"method": "als", "n_epochs": 10}, verbose=False)
    algo.fit(trainset)
    users = pd.Index([trainset.to_raw_uid(u) for u in range(trainset.n_users)])
    items = pd.Index([trainset.to_raw_iid(i) for i in range(trainset.n_items)])
    bu, bi = np.asarray(algo.bu), np.asarray(algo.bi)
    empty = np.zeros((0, 0))
    return Factors(float(trainset.global_mean), users, items, bu, bi, empty, empty)


def fold_in(model: Factors, dense: pd.DataFrame, reg: float = 0.1) -> Factors:
    """Add users of a dense (users x items) rating matrix that the model did not train on.

    Each new user's bias and factors are the ridge solution against the learned item factors.
    """
    new = dense.index.difference(model.users)
    if not len(new) or not len(model.qi):
        return model
    cols = model.items.get_indexer(dense.columns)
    ok = cols >= 0
    q = np.column_stack([np.ones(ok.sum()), model.qi[cols[ok]]])  # bias + factors
    resid = dense.loc[new].to_numpy()[:, ok] - model.mu - model.bi[cols[ok]][None, :]
    a = q.T @ q + reg * np.eye(q.shape[1])
    sol = np.linalg.solve(a, q.T @ resid.T).T
    return Factors(
        model.mu,
        model.users.append(new),
        model.items,
        np.concatenate([model.bu, sol[:, 0]]),
        model.bi,
        np.vstack([model.pu, sol[:, 1:]]),
        model.qi,
    )


def rmse_mae(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """Root mean squared and mean absolute error."""
    err = np.asarray(truth, float) - np.asarray(pred, float)
    if not len(err):
        return float("nan"), float("nan")
    return float(np.sqrt(np.mean(err**2))), float(np.mean(np.abs(err)))


def predict_pairs(model: Factors, users: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Predictions for aligned (user, item) pairs."""
    u, i = model.users.get_indexer(pd.Index(users)), model.items.get_indexer(pd.Index(items))
    pred = model.mu + _take(model.bu, u) + _take(model.bi, i)
    if model.pu.size and model.qi.size:
        both = (u >= 0) & (i >= 0)
        pred[both] += np.einsum("ij,ij->i", model.pu[u[both]], model.qi[i[both]])
    return np.clip(pred, *SCALE)
