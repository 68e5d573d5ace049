"""Topic tags from message text: English with stop words, Chinese with jieba, hashtags."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.topics import extract_topics, topic_vocabulary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anyone tried the new asyncio TaskGroup? My pytest suite hangs", ["python"]),
        ("docker and k8s deploy broke again, and the postgres index too", ["devops", "databases"]),
        ("Great intro to machine learning with PyTorch", ["ml"]),
        ("今天学习了Python的装饰器", ["python"]),
        ("用机器学习做推荐，模型训练好慢", ["ml"]),
        ("数据库索引怎么设计？", ["databases"]),
        ("see you all tomorrow, thanks!", []),
        ("", []),
    ],
)
def test_extracts_canonical_topics(text: str, expected: list[str]) -> None:
    assert extract_topics(text) == expected


def test_the_text_decides_the_tokenizer_not_the_groups_language() -> None:
    # Both kinds of message turn up in every bilingual group, whatever its locale says.
    assert extract_topics("今天讲机器学习和深度学习") == ["ml"]
    assert "data" in extract_topics("我们用 Python 做数据分析")
    assert extract_topics("a talk on machine learning") == ["ml"]  # two-word terms, in any group


async def test_ingest_tags_a_chinese_message_in_an_english_speaking_group(bot) -> None:  # type: ignore[no-untyped-def]
    from bot.storage.models import Activity, Community

    await bot.app.ingest_batch([bot.session.chat.say("li", "今天讲机器学习")])
    assert [c.locale for c in await bot.rows(Community)] == ["en"]
    assert [a.data.get("topics") for a in await bot.rows(Activity)] == [["ml"]]


def test_hashtags_are_strong_signals_mapped_through_the_vocabulary() -> None:
    assert extract_topics("notes from tonight #graphql #rust about the web") == ["web", "rust"]
    assert extract_topics("slides are up #wasm") == ["wasm"]  # an unknown tag is kept as it is


def test_synonyms_in_both_languages_map_to_one_topic() -> None:
    assert (
        extract_topics("刷题：动态规划") == extract_topics("leetcode dynamic programming") == ["algorithms"]
    )


def test_stop_words_alone_give_nothing() -> None:
    assert extract_topics("the and of to in is it you that") == []


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
)
def test_the_quick_test_never_changes_the_answer(pieces: list[str]) -> None:
    """extract_topics skips segmentation when a text cannot have topics; the full method agrees."""
    from analytics.topics import CJK, MAX_CHARS, MAX_TOPICS, _ranked

    text = "".join(pieces)[:MAX_CHARS]
    if not text.strip():
        return
    chinese = CJK.search(text) is not None
    assert extract_topics(text) == _ranked(text, chinese, MAX_TOPICS)


def test_chinese_text_is_segmented_only_when_a_chinese_term_could_come_out(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import analytics.topics as topics

    real, calls = topics._segment, []

    def counting(text: str) -> list[str]:
        calls.append(1)
        return real(text)

    monkeypatch.setattr(topics, "_segment", counting)
    assert extract_topics("有人用过pandas吗") == ["python"]  # its Latin words are enough
    assert extract_topics("我们下周用Rust写一个命令行工具") == ["rust"]
    assert calls == []
    assert extract_topics("用机器学习做推荐") == ["ml"]
    assert calls == [1]


# Dictionary words, characters outside it, the vocabulary's terms, Latin runs with digits, dots and
# percent signs, whitespace and line breaks: what jieba's blocks, route and HMM each see.
_SEGMENT_PIECES = sorted(
    set(_PIECES)
    | {
        "机器学习",
        "模型",
        "训练",
        "太慢",
        "周末",
        "一起",
        "算法",
        "太难",
        "索引",
        "怎么",
        "设计",
        "比较",
        "好",
    }
    | {"龘", "靐", "齉", "爨", "魑魅", "魍魉", "的的", "是是是", "学习学习"}
    | {"a1", "3.5%", "v2.0", "Rust", "x_y", "\r\n", "\t", "é", "😀", "，", "。", "？", "！"}
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(_SEGMENT_PIECES) | st.text(max_size=3), max_size=14))
def test_the_segmenter_cuts_exactly_as_jieba_does(pieces: list[str]) -> None:
    """analytics.topics segments Chinese with its own faster copy of jieba.lcut's method."""
    from analytics.topics import _jieba, _segment

    text = "".join(pieces)
    assert _segment(text) == _jieba().lcut(text)


def test_the_segmenter_agrees_with_jieba_on_whole_sentences() -> None:
    from analytics.topics import _jieba, _segment

    for text in (
        "这个机器学习模型训练太慢了",
        "周末一起刷题吗？算法太难了",
        "我们下周用Rust写一个命令行工具，3.5%的人会来",
        "目前端午节放假，前端和后端的同学都不在",  # 前端 across two words, then as one
        "今天学习了Python的装饰器\r\n明天学习生成器",
        "",
    ):
        assert _segment(text) == _jieba().lcut(text), text


def test_the_segmenter_starts_over_when_it_has_kept_enough_and_cuts_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from analytics.topics import _jieba, _segment, _segmenter

    monkeypatch.setattr(_segmenter(), "MAX_KEPT", 5)
    text = "这个机器学习模型训练太慢了，数据库索引怎么设计比较好"
    for _ in range(3):
        assert _segment(text) == _jieba().lcut(text)
        assert len(_segmenter().logp) <= 5 + len(text)  # cleared before each sentence past the bound
