"""Topic tags from message text: English with stop words, Chinese with jieba, hashtags."""

from __future__ import annotations

import pytest

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
