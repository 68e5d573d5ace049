"""/newevent shows the turnout the latest analytics run forecasts, read from the stored planning model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from analytics.turnout import TurnoutModel
from bot.features.insights.forecast import forecast, hour_of_week
from tests.test_insights import PROFILE, add_run

SH = ZoneInfo("Asia/Shanghai")


def past_events(n: int = 24, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kinds = ["lecture", "salon", "sharing", "challenge", "discussion"]
    rows = []
    for i in range(n):
        how = int(rng.choice([19, 43, 67, 91, 130, 150]))
        tags = [str(rng.choice(["python", "rust", "ml"]))] if i % 4 else []
        rows.append({"how": how, "duration_h": float(rng.choice([1.0, 1.5, 2.0])),
                     "lead_days": float(rng.uniform(2, 9)), "tags": tags, "kind": kinds[i % 5],
                     "attended": int(8 + (how >= 120) * 6 + rng.integers(0, 5) + 3 * ("rust" in tags))})  # fmt: skip
    return pd.DataFrame(rows)


def activity() -> np.ndarray:
    base = np.ones(168)
    base[[19, 43, 67, 91, 130, 150]] = [1.5, 1.7, 1.2, 1.9, 2.4, 2.2]
    return base / base.mean()


def test_the_stored_model_forecasts_what_the_fitted_model_predicts() -> None:
    act = activity()
    model = TurnoutModel(use_early=False).fit(past_events(), act)
    stored = model.export(act)
    starts = datetime(2026, 12, 5, 10, 0, tzinfo=SH)  # Saturday 10:00: hour of week 130
    created = starts - timedelta(days=6)
    assert hour_of_week(starts, SH) == 130
    for kind, tags in (
        ("lecture", ["rust"]),
        ("challenge", []),
        ("salon", ["python", "ml"]),
        ("talk", ["new"]),
    ):
        frame = pd.DataFrame([{"how": 130, "duration_h": 2.0, "lead_days": 6.0, "tags": tags, "kind": kind}])
        want = model.predict(frame, act).iloc[0]
        got = forecast(stored, starts_at=starts, ends_at=starts + timedelta(hours=2), created_at=created,
                       kind=kind, tags=tags, tz=SH)  # fmt: skip
        assert got is not None
        assert abs(got.predicted - want["predicted"]) < 1e-9
        assert abs(got.low - want["low"]) < 1e-9 and abs(got.high - want["high"]) < 1e-9


def test_too_few_events_give_the_mean_and_an_unknown_model_gives_nothing() -> None:
    act = activity()
    small = TurnoutModel(use_early=False).fit(past_events(2), act).export(act)
    assert "coef" not in small
    now = datetime(2026, 12, 1, tzinfo=UTC)
    got = forecast(small, starts_at=now, ends_at=now, created_at=now, kind="lecture", tags=[], tz=SH)
    assert got is not None and got.predicted == small["mean"]
    assert (
        forecast({"version": 99}, starts_at=now, ends_at=now, created_at=now, kind="x", tags=[], tz=SH)
        is None
    )


async def test_newevent_confirmation_shows_the_forecast_once_a_model_exists(bot, bot_zh) -> None:
    assert "Expected turnout" not in await bot.text("alice: /newevent Warm-up 2026-12-04 19:00")
    await bot_zh("alice: /newevent Warm-up 2026-12-04 19:00")
    act = activity()
    model = TurnoutModel(use_early=False).fit(past_events(), act)
    await add_run(bot, PROFILE, metrics={"turnout_model": model.export(act)})
    await add_run(bot_zh, PROFILE, metrics={"turnout_model": model.export(act)})
    out = await bot.text("alice: /newevent Rust deep dive 2026-12-05 10:00 2h type=lecture #rust")
    frame = pd.DataFrame(
        [{"how": 130, "duration_h": 2.0, "lead_days": 4 + 1 / 24, "tags": ["rust"], "kind": "lecture"}]
    )
    want = model.predict(frame, act).iloc[0]
    line = (f"📈 Expected turnout: about {want['predicted']:.0f} (90% range {want['low']:.0f}–{want['high']:.0f}), "
            "from past events like it.")  # fmt: skip
    assert "✅ Created #2 Rust deep dive" in out and line in out
    zh = await bot_zh.text("alice: /newevent Rust deep dive 2026-12-05 10:00 2h type=lecture #rust")
    assert (
        f"📈 预计到场：约 {want['predicted']:.0f} 人（90% 区间 {want['low']:.0f}–{want['high']:.0f}）" in zh
    )
    assert "Expected turnout" not in await bot.text(
        "bob: /newevent Sneaky 2026-12-05 10:00"
    )  # organizers only
