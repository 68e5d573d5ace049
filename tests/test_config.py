"""Configuration: the example documents every setting, bad values fail clearly, secrets stay hidden."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot import cli
from bot.config import DEFAULT_LIMITS, Config, ConfigError, Points, RateLimit, load

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
PLATFORMS = ("telegram", "discord")
NO_ENV: dict[str, str] = {}

# Every Config field and the TOML keys that set it. A field added to Config without a row here
# (and the key in config.example.toml) fails test_every_config_field_is_mapped_and_documented.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "database_url": ("database.url",),
    "adapters": ("bot.adapters",),
    "language": ("bot.language",),
    "timezone": ("bot.timezone",),
    "log_level": ("bot.log_level",),
    "keep_text": ("privacy.keep_text",),
    "text_retention_days": ("privacy.text_retention_days",),
    "removed_grace_days": ("privacy.removed_grace_days",),
    "privacy_hash_key": ("privacy.hash_key",),
    "reminder_offsets": ("reminders.default_offsets",),
    "remind_maybe": ("reminders.include_maybe",),
    "personal_timing": ("reminders.personal_timing",),
    "recommend_pushes": ("recommendations.pushes",),
    "recommend_weekly_cap": ("recommendations.weekly_cap",),
    "default_duration": ("events.default_duration",),
    "max_title": ("events.max_title",),
    "max_occurrences": ("events.max_occurrences",),
    "wizard_timeout": ("events.wizard_timeout",),
    "checkin_opens_before": ("checkin.opens_before",),
    "poll_delay": ("polls.open_after",),
    "poll_duration": ("polls.duration",),
    "writeup_window": ("formats.writeup_window",),
    "vote_duration": ("formats.vote_duration",),
    "points": tuple(f"points.{f.name}" for f in dataclasses.fields(Points)),
    "tick_seconds": ("delivery.tick_seconds",),
    "lease_seconds": ("delivery.lease_seconds",),
    "max_attempts": ("delivery.max_attempts",),
    "batch_size": ("delivery.batch_size",),
    "max_in_flight": ("delivery.max_in_flight",),
    "rate_limits": tuple(
        f"delivery.rate_limits.{platform}.{f.name}"
        for platform in PLATFORMS
        for f in dataclasses.fields(RateLimit)
    ),
    "telegram": ("telegram.token",),
    "discord": ("discord.token",),
    "analytics": ("analytics.nightly_cron",),
    "chart_font": ("insights.chart_font",),
}


def leaf_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted names of every value in a parsed TOML document that is not a table."""
    keys: set[str] = set()
    for name, value in data.items():
        if isinstance(value, dict):
            keys |= leaf_keys(value, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def comments_above_keys(text: str) -> dict[str, str]:
    """Dotted key -> the comment lines written directly above it in a TOML file."""
    found: dict[str, str] = {}
    section, comment = "", []
    for line in text.splitlines():
        stripped = line.strip()
        header = re.fullmatch(r"\[([\w.]+)\]", stripped)
        key = re.match(r"([\w-]+)\s*=", stripped)
        if stripped.startswith("#"):
            comment.append(stripped)
            continue
        if header:
            section = header.group(1) + "."
        elif key:
            found[section + key.group(1)] = "\n".join(comment)
        comment = []
    return found


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the example file ---------------------------------------------------------------------------


def test_every_config_field_is_mapped_and_documented() -> None:
    assert set(FIELD_KEYS) == {f.name for f in dataclasses.fields(Config)}
    example_keys = leaf_keys(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    mapped = {key for keys in FIELD_KEYS.values() for key in keys}
    assert mapped - example_keys == set(), "settings missing from config.example.toml"
    assert example_keys - mapped == set(), "config.example.toml shows keys that config.py does not read"


def test_every_key_in_the_example_has_a_comment_with_its_default() -> None:
    comments = comments_above_keys(EXAMPLE.read_text(encoding="utf-8"))
    for keys in FIELD_KEYS.values():
        for key in keys:
            assert key in comments, key
            assert "Default" in comments[key], f"{key}: the comment above it does not give the default"


def test_example_loads_and_shows_the_defaults() -> None:
    cfg, default = load(EXAMPLE, env=NO_ENV), Config()
    for f in dataclasses.fields(Config):
        if f.name not in ("rate_limits", "telegram", "discord", "analytics"):
            assert getattr(cfg, f.name) == getattr(default, f.name), f.name
    from analytics.config import AnalyticsConfig
    from analytics.config import from_dict as analytics_from_dict

    assert analytics_from_dict(cfg.analytics) == AnalyticsConfig()  # the example shows the defaults
    for platform in PLATFORMS:
        assert cfg.rate_limit(platform) == default.rate_limit(platform) == DEFAULT_LIMITS[platform]
    assert cfg.rate_limit("console") is None
    assert cfg.telegram == {"token": ""} and cfg.discord == {"token": ""}


def test_example_points_tokens_to_the_environment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    comments = comments_above_keys(text)
    assert "GATHERBOT_TELEGRAM_TOKEN" in comments["telegram.token"]
    assert "GATHERBOT_DISCORD_TOKEN" in comments["discord.token"]
    assert "GATHERBOT_DATABASE_URL" in text


def test_no_file_means_defaults() -> None:
    cfg = load(None, env=NO_ENV)
    assert cfg.__dict__ == Config().__dict__


# --- invalid configuration ----------------------------------------------------------------------

BAD = [
    ('[bot]\ntimezone = "Mars/Base"', "bot.timezone"),
    ('[bot]\ntimezone = ""', "bot.timezone"),
    ('[bot]\nlanguage = "fr"', "bot.language"),
    ('[bot]\nadapters = ["slack"]', "bot.adapters"),
    ('[bot]\nadapters = "telegram"', "bot.adapters"),
    ("[bot]\nlog_level = 10", "bot.log_level"),
    ("[database]\nurl = 5", "database.url"),
    ("[privacy]\nkeep_text = 1", "privacy.keep_text"),
    ('[reminders]\ndefault_offsets = ["24h", "soon"]', "reminders.default_offsets"),
    ('[reminders]\ndefault_offsets = "24h"', "reminders.default_offsets"),
    ('[reminders]\ninclude_maybe = "yes"', "reminders.include_maybe"),
    ('[events]\ndefault_duration = "forever"', "events.default_duration"),
    ("[events]\nwizard_timeout = 30", "events.wizard_timeout"),
    ("[events]\nmax_title = 0", "events.max_title"),
    ('[events]\nmax_occurrences = "52"', "events.max_occurrences"),
    ('[checkin]\nopens_before = ""', "checkin.opens_before"),
    ('[polls]\nopen_after = "0m"', "polls.open_after"),
    ('[polls]\nduration = "30s"', "polls.duration"),
    ("[delivery]\ntick_seconds = -1", "delivery.tick_seconds"),
    ("[delivery]\ntick_seconds = 0", "delivery.tick_seconds"),
    ('[delivery]\nlease_seconds = "60"', "delivery.lease_seconds"),
    ("[delivery]\nmax_attempts = true", "delivery.max_attempts"),
    ("[delivery]\nbatch_size = -5", "delivery.batch_size"),
    ("[delivery]\nmax_in_flight = 0", "delivery.max_in_flight"),
    ("[delivery]\nrate_limits = 5", "delivery.rate_limits"),
    ("[delivery.rate_limits]\ntelegram = 5", "delivery.rate_limits.telegram"),
    (
        "[delivery.rate_limits.telegram]\nchat_per_second = 0",
        "delivery.rate_limits.telegram.chat_per_second",
    ),
    (
        '[delivery.rate_limits.discord]\ngroup_per_minute = "fast"',
        "delivery.rate_limits.discord.group_per_minute",
    ),
    ('[formats]\nwriteup_window = "soon"', "formats.writeup_window"),
    ("[formats]\nvote_duration = 2", "formats.vote_duration"),
    ("points = 5", "points"),
    ("[points]\nattend = -1", "points.attend"),
    ('[points]\nwin = "50"', "points.win"),
    ("[points]\nask = 2.5", "points.ask"),
    ("[points]\nstreak = true", "points.streak"),
    ("[points]\nstreak_events = 1", "points.streak_events"),
    ("[points]\nleaderboard_size = 0", "points.leaderboard_size"),
    ("[points]\nleaderboard_size = 51", "points.leaderboard_size"),
    ("[points]\nbonus = 5", "points.bonus"),
    ('telegram = "not a table"', "telegram"),
    ('discord = "not a table"', "discord"),
    ("[insights]\nchart_font = 5", "insights.chart_font"),
    ('[insights]\nchart_font = "/nowhere/NotoSansCJK-Regular.ttc"', "insights.chart_font"),
]


@pytest.mark.parametrize(("text", "key"), BAD, ids=[key for _, key in BAD])
def test_invalid_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{re.escape(key)}: "):
        load(write(tmp_path, text), env=NO_ENV)


def test_malformed_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[bot\nlanguage = 'en'\n")
    with pytest.raises(ConfigError, match="not valid TOML") as err:
        load(path, env=NO_ENV)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError, match="config file not found") as err:
        load(path, env=NO_ENV)
    assert str(path) in str(err.value)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


# --- environment overrides ----------------------------------------------------------------------

FILE_WITH_SECRETS = """
[database]
url = "from-file.db"
[telegram]
token = "file-telegram"
[discord]
token = "file-discord"
"""


def test_environment_overrides_win(tmp_path: Path) -> None:
    env = {
        "GATHERBOT_DATABASE_URL": "postgresql://gb:pw@db.example/gatherbot",
        "GATHERBOT_TELEGRAM_TOKEN": "env-telegram",
        "GATHERBOT_DISCORD_TOKEN": "env-discord",
    }
    cfg = load(write(tmp_path, FILE_WITH_SECRETS), env=env)
    assert cfg.database_url == "postgresql://gb:pw@db.example/gatherbot"
    assert cfg.telegram["token"] == "env-telegram"
    assert cfg.discord["token"] == "env-discord"


def test_environment_overrides_apply_without_a_file() -> None:
    cfg = load(None, env={"GATHERBOT_TELEGRAM_TOKEN": "env-telegram", "GATHERBOT_DATABASE_URL": "env.db"})
    assert cfg.telegram == {"token": "env-telegram"} and cfg.database_url == "env.db"


def test_empty_environment_values_do_not_override(tmp_path: Path) -> None:
    env = {"GATHERBOT_DATABASE_URL": "", "GATHERBOT_TELEGRAM_TOKEN": "", "GATHERBOT_DISCORD_TOKEN": ""}
    cfg = load(write(tmp_path, FILE_WITH_SECRETS), env=env)
    assert cfg.database_url == "from-file.db"
    assert cfg.telegram["token"] == "file-telegram" and cfg.discord["token"] == "file-discord"


def test_process_environment_is_read_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATHERBOT_TELEGRAM_TOKEN", "process-telegram")
    assert load(write(tmp_path, FILE_WITH_SECRETS)).telegram["token"] == "process-telegram"


def test_cli_reads_config_toml_and_db_option_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GATHERBOT_DATABASE_URL", raising=False)
    write(tmp_path, '[bot]\nlanguage = "zh"\n[database]\nurl = "from-file.db"\n')
    cfg = cli.load_config(None, None)
    assert (cfg.language, cfg.database_url) == ("zh", "from-file.db")
    monkeypatch.setenv("GATHERBOT_DATABASE_URL", "from-env.db")
    assert cli.load_config(None, None).database_url == "from-env.db"
    cfg = cli.load_config(None, "from-option.db")
    assert (cfg.language, cfg.database_url) == ("zh", "from-option.db")


# --- secrets ------------------------------------------------------------------------------------

SECRET_FILE = """
[database]
url = "postgresql://gatherbot:SECRETPW@db.example:5432/gatherbot"
[telegram]
token = "123:SECRET"
[discord]
token = "SECRET.discord"
"""


def test_repr_and_str_hide_tokens_and_database_password(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, SECRET_FILE), env=NO_ENV)
    assert cfg.telegram["token"] == "123:SECRET"  # still there for the adapter
    for text in (repr(cfg), str(cfg), f"{cfg}", f"{cfg!r}", repr([cfg])):
        assert "SECRET" not in text
    assert "db.example" in repr(cfg)  # still useful for telling databases apart


def test_repr_hides_secrets_from_the_environment() -> None:
    env = {
        "GATHERBOT_DATABASE_URL": "postgresql+asyncpg://u:SECRETPW@h/db",
        "GATHERBOT_TELEGRAM_TOKEN": "123:SECRET",
        "GATHERBOT_DISCORD_TOKEN": "SECRET.discord",
    }
    cfg = load(None, env=env)
    assert "SECRET" not in repr(cfg) and "SECRET" not in str(cfg)


def test_errors_about_other_keys_do_not_show_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, SECRET_FILE + "[delivery]\ntick_seconds = -1\n")
    with pytest.raises(ConfigError) as err:
        load(path, env=NO_ENV)
    assert "SECRET" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('telegram = "123:SECRET"', "telegram"),
        ('discord = "SECRET.discord"', "discord"),
        ('[database]\nurl = ["postgresql://u:SECRET@h/db"]', "database.url"),
        ('[database]\nurl = {password = "SECRET"}', "database.url"),
    ],
)
def test_type_errors_do_not_echo_the_value(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{re.escape(key)}: ") as err:
        load(write(tmp_path, text), env=NO_ENV)
    assert "SECRET" not in str(err.value)


# --- the command line ---------------------------------------------------------------------------

CLI_BAD = [
    ('[bot]\ntimezone = "Mars/Base"\n', "bot.timezone"),
    ('[bot]\nadapters = ["slack"]\n', "bot.adapters"),
    ("[delivery]\ntick_seconds = -1\n", "delivery.tick_seconds"),
    ("[bot\n", "not valid TOML"),
    (None, "config file not found"),
]


@pytest.mark.parametrize(("text", "expected"), CLI_BAD, ids=[e for _, e in CLI_BAD])
def test_run_with_a_bad_config_exits_with_a_message(tmp_path: Path, text: str | None, expected: str) -> None:
    path = write(tmp_path, text, "bad.toml") if text is not None else tmp_path / "bad.toml"
    result = CliRunner().invoke(cli.main, ["run", "--config", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert expected in result.output
    assert "invalid configuration" in result.output
    assert "Traceback" not in result.output


def test_run_error_does_not_show_the_database_password(tmp_path: Path) -> None:
    path = write(tmp_path, SECRET_FILE + '[bot]\nlanguage = "fr"\n', "bad.toml")
    result = CliRunner().invoke(cli.main, ["run", "--config", str(path)])
    assert result.exit_code != 0 and "bot.language" in result.output
    assert "SECRET" not in result.output


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[bot]\nlangauge = 'zh'", "bot.langauge"),
        ("[telegarm]\ntoken = 'x'", "telegarm"),
        ("[delivery.rate_limits.slack]\nchat_per_second = 1", "delivery.rate_limits.slack"),
        ("[delivery.rate_limits.telegram]\nper_chat = 1", "delivery.rate_limits.telegram.per_chat"),
        ("[bot]\nlog_level = 'LOUD'", "bot.log_level"),
        ("[events]\nmax_title = 1.9", "events.max_title"),
        ("[delivery]\nmax_attempts = true", "delivery.max_attempts"),
    ],
)
def test_typos_and_wrong_kinds_are_refused(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path, NO_ENV)
    assert str(info.value).startswith(key)


def test_unreadable_config_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe[bot]")
    with pytest.raises(ConfigError, match="bad.toml"):
        load(tmp_path / "bad.toml", NO_ENV)
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path, NO_ENV)  # a directory


def test_chart_font_is_a_font_file(tmp_path: Path) -> None:
    font = tmp_path / "cjk.ttf"
    font.write_bytes(b"\x00\x01\x00\x00")
    assert load(write(tmp_path, f'[insights]\nchart_font = "{font}"'), NO_ENV).chart_font == str(font)
    with pytest.raises(ConfigError, match=r"insights.chart_font: no font file at .*example"):
        load(write(tmp_path, f'[insights]\nchart_font = "{tmp_path}"'), NO_ENV)  # a directory
    with pytest.raises(ConfigError, match="insights.chart_fnt: unknown key"):
        load(write(tmp_path, '[insights]\nchart_fnt = ""'), NO_ENV)


def test_a_bad_analytics_setting_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[analytics]\nwindow_days = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="analytics.window_days"):
        load(path, NO_ENV)
    path.write_text("[analytics]\nwindwo_days = 9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="analytics.windwo_days: unknown"):
        load(path, NO_ENV)
