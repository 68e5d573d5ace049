"""Configuration: TOML into validated dataclasses, secrets overridable from the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.timeparse import parse_duration

LANGUAGES = ("en", "zh")
ENV_PREFIX = "GATHERBOT_"


class ConfigError(ValueError):
    """Invalid configuration; the message names the key."""


@dataclass(frozen=True)
class RateLimit:
    """Sending limits for one platform."""

    global_per_second: float = 30.0
    group_per_minute: float = 20.0
    chat_per_second: float = 1.0


@dataclass(frozen=True)
class Points:
    """Points a member earns for each thing they do ([points] in config.toml); 0 turns one off."""

    attend: int = 10  # a check-in
    submit: int = 5  # a submission to a challenge task
    win: int = 50  # first place in a challenge
    runner_up: int = 20  # any other prize place in a challenge
    ask: int = 2  # a question in a Q&A
    answer: int = 3  # credited with answering a Q&A question
    best_question: int = 5  # asked a question marked best
    writeup: int = 10  # a write-up after a discussion
    writeup_win: int = 20  # the write-up that won the vote
    streak: int = 5  # a check-in that makes streak_events consecutive events in a row
    streak_events: int = 3
    leaderboard_size: int = 10  # members shown by /leaderboard

    def weight(self, kind: str) -> int:
        return int(getattr(self, kind))


POINT_KINDS = (
    "attend", "streak", "submit", "win", "runner_up", "ask", "answer", "best_question", "writeup", "writeup_win",
)  # fmt: skip


@dataclass(frozen=True)
class Config:
    """Everything gatherbot reads from config.toml (see config.example.toml)."""

    database_url: str = "gatherbot.db"
    adapters: tuple[str, ...] = ()
    language: str = "en"
    timezone: str = "UTC"
    keep_text: bool = False
    text_retention_days: int = 30
    removed_grace_days: int = 30
    privacy_hash_key: str = ""  # secret: the HMAC key of the do-not-collect list ("" = generated once)
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    remind_maybe: bool = False
    personal_timing: bool = True  # the first reminder goes out at the member's most active hour
    recommend_pushes: bool = True  # "recommended for you" private messages after the analytics run
    recommend_weekly_cap: int = 2  # most such messages a member gets in 7 days
    default_duration: timedelta = timedelta(hours=1)
    max_title: int = 120
    max_occurrences: int = 52
    checkin_opens_before: timedelta = timedelta(minutes=15)
    poll_delay: timedelta = timedelta(minutes=10)
    poll_duration: timedelta = timedelta(hours=24)
    wizard_timeout: timedelta = timedelta(minutes=30)
    writeup_window: timedelta = timedelta(days=3)
    vote_duration: timedelta = timedelta(days=2)
    points: Points = field(default_factory=Points)
    tick_seconds: float = 1.0
    lease_seconds: float = 60.0
    max_attempts: int = 8
    batch_size: int = 500
    max_in_flight: int = 1  # sends that may be unrecorded at once: the repeat window per crash
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    telegram: dict[str, Any] = field(default_factory=dict)
    discord: dict[str, Any] = field(default_factory=dict)
    analytics: dict[str, Any] = field(default_factory=dict)  # the [analytics] table (analytics.config)
    chart_font: str = ""  # a font file with Chinese glyphs for charts ("" = look for an installed one)
    log_level: str = "INFO"

    def rate_limit(self, platform: str) -> RateLimit | None:
        """The limits for a platform; None (no limit) for local ones such as the console."""
        return self.rate_limits.get(platform, DEFAULT_LIMITS.get(platform))

    def __repr__(self) -> str:  # never show tokens
        return f"Config(database={redact_url(self.database_url)!r}, adapters={self.adapters!r})"


DEFAULT_LIMITS = {
    "telegram": RateLimit(30.0, 20.0, 1.0),
    "discord": RateLimit(50.0, 300.0, 5.0),
}


def redact_url(url: str) -> str:
    """Hide a password in a database URL."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def _get(data: dict[str, Any], path: str, default: Any) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


TYPE_NAMES = {
    str: "a string",
    bool: "true or false",
    list: "a list",
    dict: "a table",
    (int, float): "a number",
}


def _typed(path: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    # The message names the key and the types but never echoes the value: it may be a secret.
    expected = TYPE_NAMES.get(kind, getattr(kind, "__name__", str(kind)))  # type: ignore[call-overload]
    if (isinstance(value, bool) and kind in (int, float, (int, float))) or not isinstance(value, kind):
        raise ConfigError(f"{path}: expected {expected}, got {type(value).__name__}")
    return value


def _duration(path: str, value: Any) -> timedelta:
    td = parse_duration(str(value)) if isinstance(value, str) else None
    if td is None:
        raise ConfigError(f'{path}: expected a duration like "1h" or "15m", got {value!r}')
    return td


def _zone(path: str, value: Any) -> str:
    try:
        ZoneInfo(_typed(path, value, str))
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(f'{path}: unknown timezone {value!r} (example: "Asia/Shanghai")') from exc
    return str(value)


def _language(path: str, value: Any) -> str:
    if value not in LANGUAGES:
        raise ConfigError(f"{path}: expected one of {', '.join(LANGUAGES)}, got {value!r}")
    return str(value)


def _positive(path: str, value: Any) -> float:
    number = _typed(path, value, (int, float))
    if number <= 0:
        raise ConfigError(f"{path}: must be greater than 0, got {value!r}")
    return float(number)


def _rate_limits(data: dict[str, Any]) -> dict[str, RateLimit]:
    raw = _typed("delivery.rate_limits", _get(data, "delivery.rate_limits", {}), dict)
    limits = {}
    for platform, table in raw.items():
        base = DEFAULT_LIMITS.get(platform, RateLimit())
        prefix = f"delivery.rate_limits.{platform}"
        table = _typed(prefix, table, dict)
        limits[platform] = RateLimit(
            global_per_second=_positive(
                f"{prefix}.global_per_second", table.get("global_per_second", base.global_per_second)
            ),
            group_per_minute=_positive(
                f"{prefix}.group_per_minute", table.get("group_per_minute", base.group_per_minute)
            ),
            chat_per_second=_positive(
                f"{prefix}.chat_per_second", table.get("chat_per_second", base.chat_per_second)
            ),
        )
    return limits


KNOWN_KEYS = {
    "bot": {"adapters", "language", "timezone", "log_level"},
    "database": {"url"},
    "privacy": {"keep_text", "text_retention_days", "removed_grace_days", "hash_key"},
    "reminders": {"default_offsets", "include_maybe", "personal_timing"},
    "recommendations": {"pushes", "weekly_cap"},
    "events": {"default_duration", "max_title", "max_occurrences", "wizard_timeout"},
    "checkin": {"opens_before"},
    "polls": {"open_after", "duration"},
    "formats": {"writeup_window", "vote_duration"},
    "points": {*POINT_KINDS, "streak_events", "leaderboard_size"},
    "delivery": {
        "tick_seconds",
        "lease_seconds",
        "max_attempts",
        "batch_size",
        "max_in_flight",
        "rate_limits",
    },
    "telegram": None,  # adapter settings: each adapter validates its own
    "discord": None,
    "analytics": None,
    "insights": {"chart_font"},
}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _check_keys(data: dict[str, Any]) -> None:
    """A typo in a key is an error, not a silently ignored setting."""
    for section, value in data.items():
        if section not in KNOWN_KEYS:
            raise ConfigError(f"{section}: unknown section (known: {', '.join(sorted(KNOWN_KEYS))})")
        keys = KNOWN_KEYS[section]
        if keys is None:
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"{section}: expected a table, got {type(value).__name__}")
        for key in value:
            if key not in keys:
                raise ConfigError(f"{section}.{key}: unknown key (known: {', '.join(sorted(keys))})")
    limits = _typed("delivery.rate_limits", _get(data, "delivery.rate_limits", {}), dict)
    for platform, table in limits.items():
        if platform not in DEFAULT_LIMITS:
            raise ConfigError(f"delivery.rate_limits.{platform}: unknown platform (known: telegram, discord)")
        for key in _typed(f"delivery.rate_limits.{platform}", table, dict):
            if key not in ("global_per_second", "group_per_minute", "chat_per_second"):
                raise ConfigError(f"delivery.rate_limits.{platform}.{key}: unknown key")


def _whole(path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{path}: expected a whole number greater than 0")
    return value


def _count(path: str, value: Any, *, low: int = 0, high: int = 100_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{path}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _points(table: dict[str, Any]) -> Points:
    """The [points] table: each kind's points (0 turns it off), the streak length, the leaderboard size."""
    d = Points()
    values: dict[str, int] = {
        kind: _count(f"points.{kind}", table.get(kind, d.weight(kind))) for kind in POINT_KINDS
    }
    values["streak_events"] = _count(
        "points.streak_events", table.get("streak_events", d.streak_events), low=2, high=100
    )
    values["leaderboard_size"] = _count(
        "points.leaderboard_size", table.get("leaderboard_size", d.leaderboard_size), low=1, high=50
    )
    return Points(**values)


def _log_level(value: Any) -> str:
    level = _typed("bot.log_level", value, str).upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"bot.log_level: expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level


def _font_file(path: str, value: Any) -> str:
    text = _typed(path, value, str).strip()
    if text and not Path(text).expanduser().is_file():
        raise ConfigError(
            f'{path}: no font file at {text!r} (example: "/usr/share/fonts/noto/NotoSansCJK-Regular.ttc")'
        )
    return str(Path(text).expanduser()) if text else ""


def _analytics(table: dict[str, Any]) -> dict[str, Any]:
    """Validate the [analytics] table now, so a bad value stops start-up naming its key."""
    from analytics.config import AnalyticsConfigError
    from analytics.config import from_dict as analytics_from_dict

    try:
        analytics_from_dict(table)
    except AnalyticsConfigError as exc:
        raise ConfigError(str(exc)) from None
    return dict(table)


def from_dict(data: dict[str, Any], env: dict[str, str] | None = None) -> Config:
    """Validate a parsed TOML document (plus environment overrides) into a Config."""
    env = dict(os.environ) if env is None else env
    _check_keys(data)
    d = Config()
    offsets = _typed(
        "reminders.default_offsets", _get(data, "reminders.default_offsets", None) or ["24h", "1h"], list
    )
    adapters = _typed("bot.adapters", _get(data, "bot.adapters", []), list)
    for name in adapters:
        if name not in ("console", "telegram", "discord"):
            raise ConfigError(
                f"bot.adapters: unknown adapter {name!r} (choose from console, telegram, discord)"
            )
    telegram = dict(_typed("telegram", _get(data, "telegram", {}), dict))
    discord = dict(_typed("discord", _get(data, "discord", {}), dict))
    if env.get(ENV_PREFIX + "TELEGRAM_TOKEN"):
        telegram["token"] = env[ENV_PREFIX + "TELEGRAM_TOKEN"]
    if env.get(ENV_PREFIX + "DISCORD_TOKEN"):
        discord["token"] = env[ENV_PREFIX + "DISCORD_TOKEN"]
    analytics = _analytics(_typed("analytics", _get(data, "analytics", {}), dict))
    return Config(
        analytics=analytics,
        database_url=env.get(ENV_PREFIX + "DATABASE_URL")
        or _typed("database.url", _get(data, "database.url", d.database_url), str),
        adapters=tuple(adapters),
        language=_language("bot.language", _get(data, "bot.language", d.language)),
        timezone=_zone("bot.timezone", _get(data, "bot.timezone", d.timezone)),
        keep_text=_typed("privacy.keep_text", _get(data, "privacy.keep_text", d.keep_text), bool),
        text_retention_days=_whole(
            "privacy.text_retention_days", _get(data, "privacy.text_retention_days", d.text_retention_days)
        ),
        removed_grace_days=_whole(
            "privacy.removed_grace_days", _get(data, "privacy.removed_grace_days", d.removed_grace_days)
        ),
        privacy_hash_key=env.get(ENV_PREFIX + "PRIVACY_KEY")
        or _typed("privacy.hash_key", _get(data, "privacy.hash_key", d.privacy_hash_key), str),
        reminder_offsets=tuple(
            sorted({_duration("reminders.default_offsets", o) for o in offsets}, reverse=True)
        ),
        remind_maybe=_typed("reminders.include_maybe", _get(data, "reminders.include_maybe", False), bool),
        personal_timing=_typed(
            "reminders.personal_timing", _get(data, "reminders.personal_timing", d.personal_timing), bool
        ),
        recommend_pushes=_typed(
            "recommendations.pushes", _get(data, "recommendations.pushes", d.recommend_pushes), bool
        ),
        recommend_weekly_cap=_count(
            "recommendations.weekly_cap", _get(data, "recommendations.weekly_cap", d.recommend_weekly_cap)
        ),
        default_duration=_duration("events.default_duration", _get(data, "events.default_duration", "1h")),
        max_title=_whole("events.max_title", _get(data, "events.max_title", d.max_title)),
        max_occurrences=_whole("events.max_occurrences", _get(data, "events.max_occurrences", 52)),
        checkin_opens_before=_duration("checkin.opens_before", _get(data, "checkin.opens_before", "15m")),
        poll_delay=_duration("polls.open_after", _get(data, "polls.open_after", "10m")),
        poll_duration=_duration("polls.duration", _get(data, "polls.duration", "24h")),
        wizard_timeout=_duration("events.wizard_timeout", _get(data, "events.wizard_timeout", "30m")),
        writeup_window=_duration("formats.writeup_window", _get(data, "formats.writeup_window", "3d")),
        vote_duration=_duration("formats.vote_duration", _get(data, "formats.vote_duration", "2d")),
        points=_points(_typed("points", _get(data, "points", {}), dict)),
        tick_seconds=_positive("delivery.tick_seconds", _get(data, "delivery.tick_seconds", 1.0)),
        lease_seconds=_positive("delivery.lease_seconds", _get(data, "delivery.lease_seconds", 60)),
        max_attempts=_whole("delivery.max_attempts", _get(data, "delivery.max_attempts", 8)),
        batch_size=_whole("delivery.batch_size", _get(data, "delivery.batch_size", 500)),
        max_in_flight=_whole("delivery.max_in_flight", _get(data, "delivery.max_in_flight", 1)),
        rate_limits=_rate_limits(data),
        telegram=telegram,
        discord=discord,
        log_level=_log_level(_get(data, "bot.log_level", "INFO")),
        chart_font=_font_file("insights.chart_font", _get(data, "insights.chart_font", "")),
    )


def load(path: str | Path | None, env: dict[str, str] | None = None) -> Config:
    """Read and validate a config file; None means defaults plus environment."""
    if path is None:
        return from_dict({}, env)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {type(exc).__name__}") from exc
    return from_dict(data, env)
