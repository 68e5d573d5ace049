"""Readable output of a run: the seed's three tables as text, an evaluation summary, PNG charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROFILE_COLUMNS = {
    "segment": "segment",
    "size": "size",
    "messages": "msgs",
    "active_days": "active days",
    "replies_given": "replies",
    "reactions_given": "reactions",
    "rsvps": "RSVPs",
    "attended": "attended",
    "attendance_ratio": "show rate",
    "satisfaction_given": "sat. given",
    "tenure_days": "tenure d",
    "recent_share": "recent",
}
EFFECT_COLUMNS = {
    "event": "event",
    "when": "when",
    "going": "going",
    "attended": "came",
    "participation_rate": "particip.",
    "interaction_rate": "interact.",
    "satisfaction_mean": "satisf.",
    "response_rate": "resp.",
    "rating": "rating",
    "forecast": "forecast (90%)",
}


def profiles_table(profiles: pd.DataFrame, min_group: int = 5) -> str:
    """Segment profiles: size and mean of each key feature (segments below min_group are hidden)."""
    df = profiles[profiles["size"] >= min_group]
    df = df[[c for c in PROFILE_COLUMNS if c in df]].rename(columns=PROFILE_COLUMNS)
    return df.to_string(index=False, float_format=lambda v: f"{v:.2f}")


def effects_table(effects: pd.DataFrame, tz: str, last: int = 12) -> str:
    """Event effect of the latest finished events and the forecast of upcoming ones."""
    df = effects.copy()
    df["when"] = pd.to_datetime(df["starts_at"], utc=True).dt.tz_convert(tz).dt.strftime("%a %d %b %H:%M")
    df["forecast"] = [
        f"{p:.1f} [{lo:.0f}-{hi:.0f}]" if pd.notna(p) else ""
        for p, lo, hi in zip(df["predicted_turnout"], df["turnout_low"], df["turnout_high"], strict=True)
    ]
    done, upcoming = df[df["rating"] != "upcoming"].tail(last), df[df["rating"] == "upcoming"]
    df = pd.concat([done, upcoming])[list(EFFECT_COLUMNS)].rename(columns=EFFECT_COLUMNS)
    return df.to_string(index=False, float_format=lambda v: f"{v:.2f}", na_rep="-")


def recommendations_table(
    recs: pd.DataFrame, tz: str, members: list[str] | None = None, per_member: int = 3
) -> str:
    """member -> item -> predicted score, with the reason, for some members."""
    df = recs if members is None else recs[recs["member"].isin(members)]
    df = df[df["rank"] <= per_member].copy()
    df["score"] = [
        f"{s:.2f}" if k == "upcoming" else f"{s:.1f}/5" for s, k in zip(df["score"], df["kind"], strict=True)
    ]
    when = pd.to_datetime(df["starts_at"], utc=True).dt.tz_convert(tz).dt.strftime("%d %b")
    df["item"] = df["item"] + " (" + when + ")"
    df = df[["member", "kind", "item", "score", "reason"]]
    return df.to_string(index=False, max_colwidth=70)


def advice_lines(metrics: dict[str, Any]) -> str:
    """Best slots for a new event, for everyone and per segment, with predicted turnout."""
    advice = metrics.get("advice") or {}

    def fmt(slots: list[dict[str, Any]]) -> str:
        return ", ".join(
            f"{s['slot']} (~{s.get('predicted_turnout', '?')} [{s.get('low', '?'):.0f}-{s.get('high', '?'):.0f}])"
            for s in slots
        )

    lines = [f"{'everyone':<18} {fmt(advice.get('all', []))}"]
    lines += [f"{name:<18} {fmt(slots)}" for name, slots in advice.get("segments", {}).items()]
    lines += [f"{'#' + tag:<18} {fmt(slots)}" for tag, slots in advice.get("tags", {}).items()]
    return "\n".join(lines)


def evaluation_table(ev: dict[str, Any]) -> str:
    """Each model next to its baselines, measured in the same run."""
    t, r, s, g = ev["turnout"], ev["recommendations"], ev["scores"], ev["segments"]
    rows = [
        (
            "turnout MAE (lower is better)",
            t.get("mae"),
            f"mean: {t.get('baseline_mean_mae', float('nan')):.2f}",
        )
    ]
    for metric in ("hit@5", "member_hit@5", "precision@5"):
        rows.append(
            (
                f"recommendations {metric}",
                r["model"][metric],
                f"popularity: {r['popularity'][metric]:.2f}, random: {r['random'][metric]:.2f}",
            )
        )
    if "svd" in s:
        for metric in ("rmse", "mae"):
            rows.append(
                (
                    f"score model {metric.upper()} (lower is better)",
                    s["svd"][metric],
                    f"global mean: {s['global_mean'][metric]:.2f}, BaselineOnly: {s['baseline_only'][metric]:.2f}",
                )
            )
    rows.append(
        (
            "segments silhouette / seed ARI",
            g.get("silhouette"),
            f"stability ARI: {g.get('stability_seed_ari') or 0:.2f} (k={g.get('k')})",
        )
    )
    width = max(len(r[0]) for r in rows)
    return "\n".join(
        f"{name:<{width}}  {value if value is not None else float('nan'):6.3f}   vs {base}"
        for name, value, base in rows
    )


def charts(tables: dict[str, Any], out: Path, tz: str) -> list[Path]:
    """Write segments.png, events.png, heatmap.png and topics.png; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    prof = tables["profiles"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    axes[0].barh(prof["segment"], prof["size"], color="#4C72B0")
    axes[0].set_title("Members per segment")
    cols = [
        c
        for c in (
            "messages",
            "active_days",
            "replies_given",
            "reactions_given",
            "rsvps",
            "attended",
            "tenure_days",
            "recent_share",
        )
        if c in prof
    ]
    z = prof[cols].astype(float)
    z = (z - z.mean()) / z.std(ddof=0).replace(0, 1)
    axes[1].imshow(z.to_numpy(), cmap="RdBu_r", vmin=-2, vmax=2, aspect="auto")
    axes[1].set_xticks(range(len(cols)), cols, rotation=40, ha="right")
    axes[1].set_yticks(range(len(prof)), prof["segment"])
    axes[1].set_title("Segment profiles (z-score of the mean)")
    paths.append(_save(fig, out / "segments.png"))

    eff = tables["effects"]
    done = eff[eff["rating"] != "upcoming"]
    when = pd.to_datetime(done["starts_at"], utc=True).dt.tz_convert(tz)
    fig, ax = plt.subplots(figsize=(12, 4))
    ax.plot(when, done["attended"], "o-", label="attended")
    ax.plot(when, done["predicted_turnout"], "x--", label="predicted (in sample)")
    ax.fill_between(when, done["turnout_low"], done["turnout_high"], alpha=0.15, label="90% range")
    ax.set_title("Turnout per event")
    ax.legend()
    paths.append(_save(fig, out / "events.png"))

    heat = np.array(tables["metrics"].get("heatmap") or np.zeros(168)).reshape(7, 24)
    fig, ax = plt.subplots(figsize=(12, 3.5))
    ax.imshow(heat, cmap="viridis", aspect="auto")
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_title(f"Activity by hour of week ({tz})")
    paths.append(_save(fig, out / "heatmap.png"))

    trends = tables["trends"]
    fig, ax = plt.subplots(figsize=(12, 4))
    if len(trends):
        demand = trends.assign(d=trends["messages"] + 3 * trends["rsvps"])
        pivot = demand.pivot_table(
            index="period_start", columns="topic", values="d", aggfunc="sum", fill_value=0
        )
        pivot.plot(ax=ax)
    ax.set_title("Topic demand per week (messages + 3 x going answers)")
    paths.append(_save(fig, out / "topics.png"))
    return paths


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
