"""Topic tags from message text: English with stop words, Chinese with jieba, hashtags."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.topics import extract_topics, topic_vocabulary


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Anyone tried the new asyncio TaskGroup? My pytest suite hangs", None, ["python"]),
        ("docker and k8s deploy broke again, and the postgres index too", "en", ["devops", "databases"]),
        ("Great intro to machine learning with PyTorch", None, ["ml"]),
        ("今天学习了Python的装饰器", None, ["python"]),
        ("用机器学习做推荐，模型训练好慢", "zh", ["ml"]),
        ("数据库索引怎么设计？", None, ["databases"]),
        ("see you all tomorrow, thanks!", None, []),
        ("", None, []),
    ],
)
def test_extracts_canonical_topics(text: str, lang: str | None, expected: list[str]) -> None:
    assert extract_topics(text, lang) == expected


def test_hashtags_are_strong_signals_mapped_through_the_vocabulary() -> None:
    assert extract_topics("notes from tonight #graphql #rust about the web", "en") == ["web", "rust"]
    assert extract_topics("slides are up #wasm", "en") == ["wasm"]  # an unknown tag is kept as it is


def test_synonyms_in_both_languages_map_to_one_topic() -> None:
    assert (
        extract_topics("刷题：动态规划", "zh")
        == extract_topics("leetcode dynamic programming", "en")
        == ["algorithms"]
    )


def test_stop_words_alone_give_nothing() -> None:
    assert extract_topics("the and of to in is it you that", "en") == []


def test_at_most_three_topics_and_deterministic() -> None:
    text = "python rust go docker postgres react leetcode security"
    assert len(extract_topics(text)) == 3
    assert extract_topics(text) == extract_topics(text)
    assert set(extract_topics(text)) <= set(topic_vocabulary())


# Pieces that make texts near the edges of the quick test: vocabulary terms in both languages, their
# fragments, stop words, digits, punctuation that joins or splits tokens, full-width and CJK text.
_PIECES = sorted(
    {t for t in topic_vocabulary()}
    | {"machine", "learning", "open", "source", "pull", "request", "deep", "borrow", "checker"}
    | {"the", "a", "and", "我", "的", "了", "今天", "数据", "库", "爬", "虫", "云南", "模型训练"}
    | {"js", "node", "py", "ci", "cd", "k8s", "c++", "c#", "go", "ts", "rag", "pr", "dp", "sql", "etl"}
    | {
        "2",
        "3.",
        ".",
        "-",
        "+",
        "#",
        "＃",
        "/",
        "_",
        " ",
        "  ",
        "\n",
        "，",
        "。",
        "Ｐｙ",
        "ＰＹＴＨＯＮ",
        "K",
    }
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(_PIECES) | st.text(max_size=4), max_size=12),
    lang=st.sampled_from([None, "en", "zh"]),
)
def test_the_quick_test_never_changes_the_answer(pieces: list[str], lang: str | None) -> None:
    """extract_topics skips segmentation when a text cannot have topics; the full method agrees."""
    from analytics.topics import CJK, MAX_CHARS, MAX_TOPICS, _ranked

    text = "".join(pieces)[:MAX_CHARS]
    if not text.strip():
        return
    chinese = lang == "zh" or (lang is None and CJK.search(text) is not None)
    assert extract_topics(text, lang) == _ranked(text, chinese, MAX_TOPICS)
