"""Quality bars on the demo community, where the truth is known (issue 5)."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from analytics.cli import analytics_group
from analytics.demo import DemoRun


def test_segments_match_the_planted_ones(analysed: dict[str, Any]) -> None:
    assert analysed["planted_ari"] >= 0.8
    names = set(analysed["tables"]["profiles"]["segment"])
    assert names == {"core contributors", "event-goers", "quiet readers", "newcomers", "fading"}


def test_segment_names_fit_their_profiles(analysed: dict[str, Any]) -> None:
    prof = analysed["tables"]["profiles"].set_index("segment")
    assert prof["messages"].idxmax() == "core contributors"
    assert prof["attended"].idxmax() == "event-goers"
    assert prof["tenure_days"].idxmin() == "newcomers"
    assert prof["recent_share"].idxmin() == "fading"
    assert prof.loc["quiet readers", "messages"] == prof["messages"].min()


def test_turnout_model_beats_the_mean_by_30_percent(analysed: dict[str, Any]) -> None:
    turnout = analysed["evaluation"]["turnout"]
    assert turnout["test_events"] >= 15
    assert turnout["mae"] <= 0.7 * turnout["baseline_mean_mae"], turnout


def test_recommender_hit5_is_twice_popularity(analysed: dict[str, Any]) -> None:
    recs = analysed["evaluation"]["recommendations"]
    assert recs["positives"] >= 80
    assert recs["model"]["hit@5"] >= 2 * recs["popularity"]["hit@5"], recs
    assert recs["model"]["precision@5"] > recs["random"]["precision@5"]


def test_score_model_beats_the_global_mean(analysed: dict[str, Any]) -> None:
    scores = analysed["evaluation"]["scores"]
    assert scores["test_votes"] >= 20
    assert scores["svd"]["rmse"] < scores["global_mean"]["rmse"], scores


def test_segmentation_is_stable(analysed: dict[str, Any]) -> None:
    seg = analysed["evaluation"]["segments"]
    assert seg["k"] == 5 and seg["silhouette"] > 0.4 and seg["stability_seed_ari"] >= 0.9


def test_lift_finds_the_planted_boost(analysed: dict[str, Any]) -> None:
    """The demo boosts attendees' chatter for 14 days: the DiD estimate is positive."""
    lift = analysed["tables"]["metrics"]["lift"]
    assert lift["events"] >= 20 and lift["lift"] > 0


def test_evaluate_cli_prints_one_json_object(demo: DemoRun) -> None:
    now = demo.now.isoformat()
    out = CliRunner().invoke(analytics_group, ["evaluate", "--db", demo.database_url, "--now", now, "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert {"turnout", "recommendations", "scores", "segments", "cutoff"} <= set(result)
    assert result["turnout"]["baseline_mean_mae"] > result["turnout"]["mae"]
