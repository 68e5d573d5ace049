"""Analytics settings: the [analytics] table of config.toml, validated into a frozen dataclass."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

EXECUTORS = ("process", "thread", "inline")


class AnalyticsConfigError(ValueError):
    """An invalid [analytics] setting; the message names the key."""


@dataclass(frozen=True)
class AnalyticsConfig:
    """Every knob of the analytics run (defaults suit a study group of tens to 100k members)."""

    window_days: int = 90  # history the features and models look at
    recent_days: int = 28  # "recent" share of activity (fading vs newcomers)
    seed: int = 42
    k: int | None = None  # segments; None: chosen by silhouette in k_min..k_max
    k_min: int = 3
    k_max: int = 8
    minibatch_above: int = 5000  # members; MiniBatchKMeans above this
    silhouette_sample: int = 4000
    lift_days: int = 14
    lift_max_events: int = 60
    holdout_days: int = 28  # evaluation: train before now - holdout_days, test after
    horizon_days: int = 14  # upcoming events considered for recommendations
    top_n: int = 5  # upcoming recommendations per member
    replay_n: int = 3  # replay recommendations per member
    replay_kinds: tuple[str, ...] = ("lecture", "sharing")
    replay_tags: tuple[str, ...] = ("recording", "replay", "materials", "录播", "回放")
    time_weight: float = 0.35  # share of time-slot fit in an upcoming recommendation's score
    svd_factors: int = 8
    svd_epochs: int = 40
    svd_max_ratings: int = 300_000  # topic SVD trains on a sample this large, the rest is folded in
    early_rsvp_hours: int = 24
    active_hour_min_actions: int = (
        10  # messages+reactions in the window before reminders follow a member's hour
    )
    turnout_alpha: float | None = None  # ridge penalty; None: chosen by leave-one-out; 0: plain OLS
    min_group: int = 5  # segments smaller than this are not named in reports
    keep_runs: int = 14
    executor: str = "process"
    nightly_cron: str = "30 3 * * *"  # minute hour day month weekday, in the bot's timezone

    def with_(self, **changes: Any) -> AnalyticsConfig:
        """A copy with some fields changed (validated)."""
        return validate(replace(self, **changes))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (stored with each run)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def validate(cfg: AnalyticsConfig) -> AnalyticsConfig:
    """Check ranges; raise AnalyticsConfigError naming the key."""
    positive = (
        "window_days",
        "recent_days",
        "k_min",
        "lift_days",
        "holdout_days",
        "horizon_days",
        "svd_factors",
        "svd_epochs",
        "svd_max_ratings",
        "keep_runs",
        "minibatch_above",
        "active_hour_min_actions",
    )
    for name in positive:
        if getattr(cfg, name) <= 0:
            raise AnalyticsConfigError(
                f"analytics.{name}: must be greater than 0, got {getattr(cfg, name)!r}"
            )
    if cfg.k_min < 2 or cfg.k_max < cfg.k_min:
        raise AnalyticsConfigError(
            f"analytics.k_min/k_max: need 2 <= k_min <= k_max, got {cfg.k_min}..{cfg.k_max}"
        )
    if cfg.k is not None and cfg.k < 2:
        raise AnalyticsConfigError(f"analytics.k: must be at least 2, got {cfg.k!r}")
    if not 0.0 <= cfg.time_weight <= 1.0:
        raise AnalyticsConfigError(f"analytics.time_weight: must be within 0..1, got {cfg.time_weight!r}")
    if cfg.holdout_days >= cfg.window_days:
        raise AnalyticsConfigError("analytics.holdout_days: must be shorter than window_days")
    if cfg.executor not in EXECUTORS:
        raise AnalyticsConfigError(f"analytics.executor: one of {', '.join(EXECUTORS)}, got {cfg.executor!r}")
    if len(cfg.nightly_cron.split()) != 5:
        raise AnalyticsConfigError(f"analytics.nightly_cron: five cron fields, got {cfg.nightly_cron!r}")
    return cfg


def from_dict(table: dict[str, Any]) -> AnalyticsConfig:
    """Build from the [analytics] table; unknown keys are an error, not silently ignored."""
    known = {f.name: f for f in fields(AnalyticsConfig)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise AnalyticsConfigError(f"analytics.{key}: unknown setting")
        default = getattr(AnalyticsConfig(), key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise AnalyticsConfigError(f"analytics.{key}: expected a list of strings, got {value!r}")
            value = tuple(value)
        elif isinstance(default, bool | int | float | str) and not isinstance(value, type(default)):
            if not (isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool)):
                raise AnalyticsConfigError(
                    f"analytics.{key}: expected {type(default).__name__}, got {value!r}"
                )
        values[key] = value
    return validate(AnalyticsConfig(**values))


def load(path: str | Path | None) -> AnalyticsConfig:
    """Read the [analytics] table of a config file (defaults when there is no file or table)."""
    if path is None:
        return AnalyticsConfig()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise AnalyticsConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AnalyticsConfigError(f"{path}: not valid TOML: {exc}") from exc
    table = data.get("analytics", {})
    if not isinstance(table, dict):
        raise AnalyticsConfigError("analytics: expected a table")
    return from_dict(table)
