"""Every bot text exists in English and Simplified Chinese, with the same placeholders."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from bot import i18n
from bot.config import POINT_KINDS
from bot.context import Ctx
from bot.features import build_registry

REGISTRY = build_registry()  # importing the features registers their strings
CATALOG = i18n.catalog()
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff]")
# Checked by hand: these are layout only (placeholders, punctuation, emoji), the same in both languages
# apart from full-width punctuation.
SYMBOLIC = {
    "notify.mention_prefix", "checkin.place", "announce.place", "reminder.place_line",
    "events.mine_line", "poll.post", "wizard.retry",
}  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "bot" / "features").rglob("*.py")),
    ROOT / "bot" / "app.py",
    ROOT / "bot" / "context.py",
]
FILE_NAME = re.compile(r"\.(md|png)$")  # "report.md", "overview.png": files, not keys
# Keys that code builds at run time from a fixed set of parts.
DYNAMIC = {
    "kind.{}": ("lecture", "salon", "sharing", "challenge", "discussion"),
    "status.{}": ("going", "maybe", "no", "waitlist"),
    "rsvp.{}": ("going", "maybe", "no"),
    "rsvp.toast_{}": ("going", "maybe", "no", "waitlist", "same"),
    "wizard.{}": ("title", "when", "duration", "type", "extras"),
    "points.kind_{}": POINT_KINDS,
}


def test_the_catalog_is_not_empty() -> None:
    assert len(CATALOG) > 100


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = CATALOG[key]
    assert set(texts) == set(i18n.LANGS) == {"en", "zh"}
    assert texts["en"].strip() and texts["zh"].strip()
    assert i18n.placeholders(texts["en"]) == i18n.placeholders(texts["zh"])
    params = dict.fromkeys(i18n.placeholders(texts["en"]), "X")
    for lang in i18n.LANGS:  # no stray braces or bad format specs
        assert "X" in i18n.t(lang, key, **params) or not params


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_chinese_text_is_chinese(key: str) -> None:
    en, zh = CATALOG[key]["en"], CATALOG[key]["zh"]
    assert not HAN.search(en), "Chinese characters in the English text"
    if key in SYMBOLIC:
        layout = re.sub(r"\{[^}]*\}", "", zh)
        assert not re.search(r"[A-Za-z]{2,}", layout), "a symbolic entry has words: translate it"
    else:
        assert HAN.search(zh), "the Chinese text has no Chinese characters"


def test_symbolic_entries_exist() -> None:
    assert SYMBOLIC <= set(CATALOG)


def test_placeholders_never_clash_with_the_parameters_of_t_and_reply() -> None:
    """ctx.t(key, key=…) or ctx.reply("…", lang=…) would raise TypeError at run time."""
    reserved = set()
    for func in (Ctx.t, Ctx.reply, i18n.t):
        for param in inspect.signature(func).parameters.values():
            if param.kind not in (param.POSITIONAL_ONLY, param.VAR_KEYWORD):
                reserved.add(param.name)
    clashes = {k: i18n.placeholders(v["en"]) & reserved for k, v in CATALOG.items()}
    assert {k: v for k, v in clashes.items() if v} == {}


def test_a_placeholder_named_lang_works() -> None:
    assert i18n.t("zh", "error.unknown_command", name="x", lang="ignored") == i18n.t(
        "zh", "error.unknown_command", name="x"
    )


@pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda s: s.name)
def test_every_command_has_help_in_both_languages(spec) -> None:  # type: ignore[no-untyped-def]
    texts = CATALOG[spec.help_key]
    assert texts["en"].strip() and HAN.search(texts["zh"])
    view = spec.view()
    assert (view.help_en, view.help_zh) == (texts["en"], texts["zh"])
    assert spec.usage.startswith("/" + spec.name) and spec.example.startswith("/" + spec.name)


def test_every_key_used_in_the_code_exists() -> None:
    prefixes = {key.split(".")[0] for key in CATALOG}
    used = set()
    for path in SOURCES:
        for match in re.finditer(r'"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")):
            if match.group(1).split(".")[0] in prefixes and not FILE_NAME.search(match.group(1)):
                used.add(match.group(1))
    assert len(used) > 80
    assert sorted(used - set(CATALOG)) == []
    for pattern, parts in DYNAMIC.items():
        assert [pattern.format(p) for p in parts if pattern.format(p) not in CATALOG] == []


def test_unknown_language_falls_back_to_english() -> None:
    assert i18n.t("fr", "events.none") == CATALOG["events.none"]["en"]
    assert i18n.normalize_lang("zh-Hans") == "zh" and i18n.normalize_lang("en-US") == "en"
    assert i18n.normalize_lang("de") is None and i18n.normalize_lang(None) is None


def test_register_refuses_duplicates_and_missing_languages() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        i18n.register({"events.none": {"en": "x", "zh": "x"}})
    with pytest.raises(ValueError, match="lacks"):
        i18n.register({"test.only_english": {"en": "x"}})
    assert "test.only_english" not in i18n.catalog()


def test_usage_errors_say_usage_and_example_in_both_languages() -> None:
    assert "\nUsage: {usage}\nExample: {example}" in CATALOG["error.usage"]["en"]
    assert "\n用法：{usage}\n示例：{example}" in CATALOG["error.usage"]["zh"]
    assert not CJK.search(CATALOG["error.usage"]["en"])
