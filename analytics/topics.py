"""Topic tags from message text, at ingest time, so topics exist even where raw text is not kept.

Where to call it: in ``bot.ingest.log_values`` for ``MessageReceived`` (and the free-text args of
``CommandInvoked``), store ``values["data"]["topics"] = extract_topics(event.text)`` before the
text is dropped. Analytics reads
``activity_log.data["topics"]`` and works without it (topics then come from event tags).

Method: a text with Chinese characters in it is segmented as ``jieba.lcut`` segments it (jieba's
dictionary and HMM; the route is found by _Segmenter, a faster copy of jieba's method that tests hold
equal to it), and its Latin words then go through the English tokenizer; any other text is tokenized
as English with a stop-word list. The text decides, not the community's language (a Chinese message
in an English-speaking group has Chinese topics, and an English one in a Chinese group keeps its
two-word terms). Tokens and bigrams are mapped through a small technical vocabulary (synonyms and
both languages map to one canonical topic) and explicit #hashtags are kept. Topics are ranked by
term frequency times an IDF weight (broad words such as "data" weigh less than specific ones such
as "rust").
"""

from __future__ import annotations

import logging
import re
from functools import cache
from math import log

MAX_TOPICS = 3
MAX_CHARS = 4000
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
HASHTAG = re.compile(r"[#＃]([\w+\-.]{2,32})")

# canonical topic -> (idf weight, terms in English and Chinese)
VOCAB: dict[str, tuple[float, tuple[str, ...]]] = {
    "python": (
        1.2,
        (
            "python",
            "py",
            "pip",
            "asyncio",
            "pandas",
            "numpy",
            "django",
            "flask",
            "fastapi",
            "pytest",
            "decorator",
            "decorators",
            "装饰器",
            "生成器",
        ),
    ),
    "rust": (1.6, ("rust", "cargo", "borrow checker", "lifetimes", "tokio", "所有权", "借用")),
    "go": (1.4, ("golang", "goroutine", "goroutines", "协程")),
    "javascript": (1.2, ("javascript", "js", "node", "nodejs", "typescript", "ts", "npm", "deno")),
    "web": (
        0.9,
        (
            "web",
            "react",
            "vue",
            "css",
            "html",
            "frontend",
            "front-end",
            "backend",
            "http",
            "rest",
            "graphql",
            "前端",
            "后端",
            "网页",
        ),
    ),
    "ml": (
        1.1,
        (
            "machine learning",
            "ml",
            "deep learning",
            "pytorch",
            "tensorflow",
            "sklearn",
            "scikit-learn",
            "model",
            "models",
            "training",
            "neural",
            "机器学习",
            "深度学习",
            "神经网络",
            "模型",
            "训练",
        ),
    ),
    "llm": (
        1.5,
        (
            "llm",
            "llms",
            "gpt",
            "transformer",
            "transformers",
            "prompt",
            "rag",
            "embedding",
            "embeddings",
            "大模型",
            "提示词",
        ),
    ),
    "data": (0.8, ("data", "sql", "etl", "analytics", "dataframe", "spark", "数据", "数据分析")),
    "databases": (
        1.2,
        (
            "database",
            "databases",
            "postgres",
            "postgresql",
            "mysql",
            "sqlite",
            "redis",
            "mongodb",
            "index",
            "indexes",
            "数据库",
            "索引",
        ),
    ),
    "devops": (
        1.2,
        (
            "devops",
            "docker",
            "kubernetes",
            "k8s",
            "ci",
            "cd",
            "deploy",
            "deployment",
            "terraform",
            "ansible",
            "运维",
            "部署",
            "容器",
        ),
    ),
    "cloud": (1.1, ("cloud", "aws", "gcp", "azure", "serverless", "云", "云原生")),
    "security": (
        1.4,
        (
            "security",
            "ctf",
            "xss",
            "csrf",
            "vulnerability",
            "exploit",
            "auth",
            "oauth",
            "encryption",
            "安全",
            "漏洞",
            "加密",
        ),
    ),
    "algorithms": (
        1.3,
        (
            "algorithm",
            "algorithms",
            "leetcode",
            "dp",
            "dynamic programming",
            "graph",
            "graphs",
            "sorting",
            "complexity",
            "算法",
            "数据结构",
            "动态规划",
            "刷题",
        ),
    ),
    "linux": (1.2, ("linux", "bash", "shell", "kernel", "vim", "ubuntu", "内核")),
    "career": (
        1.0,
        (
            "career",
            "interview",
            "interviews",
            "resume",
            "job",
            "jobs",
            "offer",
            "面试",
            "简历",
            "求职",
            "跳槽",
        ),
    ),
    "opensource": (
        1.2,
        ("open source", "open-source", "github", "pull request", "pr", "contributor", "开源"),
    ),
    "crawler": (1.5, ("crawler", "scraping", "scraper", "spider", "爬虫")),
}

STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours anyone someone thanks today
    tomorrow yesterday please hi hello hey yes ok okay lol new try tried using use used like get got
    know think want need really good great nice cool one two week weekend tonight""".split()
)
ZH_STOP_WORDS = frozenset(
    "的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 吗 呢 吧 啊 这个 那个 今天 大家".split()
)


@cache
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for topic, (_, terms) in VOCAB.items():
        table[topic] = topic
        for term in terms:
            table[term] = topic
    return table


# The English vocabulary terms and the first words of two-word terms: an English text without one
# (and without a hashtag) has no topic.
_ENGLISH_HEADS = frozenset(term.split(" ")[0] for term in _lookup() if not CJK.search(term))


@cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for term in _lookup():
        if CJK.search(term):
            jieba.add_word(term, freq=2000)
    return jieba


@cache
def _spotters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What a text with Chinese in it must contain to have any topic: (an ASCII term, a CJK term)
    anywhere in the text (jieba may cut words differently from the English tokenizer, so only a
    substring test is safe). Hashtags always count. For English text, see _ENGLISH_HEADS."""
    ascii_terms = "|".join(re.escape(w) for w in sorted(_ENGLISH_HEADS, key=len, reverse=True))
    cjk_terms = "|".join(re.escape(t) for t in sorted(_lookup(), key=len, reverse=True) if CJK.search(t))
    return re.compile(ascii_terms), re.compile(cjk_terms)


def _chinese_may_have_topics(text: str) -> bool:
    """The quick test for a text with Chinese in it (an English one: see extract_topics)."""
    if "#" in text or "＃" in text:
        return True
    ascii_terms, cjk_terms = _spotters()
    return cjk_terms.search(text) is not None or ascii_terms.search(text.lower()) is not None


def _count_english(words: list[str], counts: dict[str, int]) -> None:
    """Count into counts the topics of English words (WORD.findall of the lowered text): each word
    that is a term, stop words left out, and each two-word phrase of consecutive kept words that is a
    term (only phrases starting with the first word of a two-word term are looked up)."""
    lookup, heads, previous = _lookup(), _bigram_heads(), None
    for word in words:
        if word in STOP_WORDS:
            continue
        topic = lookup.get(word)
        if topic is not None:
            counts[topic] = counts.get(topic, 0) + 1
        if previous is not None:
            topic = lookup.get(f"{previous} {word}")
            if topic is not None:
                counts[topic] = counts.get(topic, 0) + 1
        previous = word if word in heads else None


@cache
def _bigram_heads() -> frozenset[str]:
    return frozenset(term.split(" ")[0] for term in _lookup() if " " in term)


class _Segmenter:
    """jieba.lcut(text) (its default mode: dictionary, then HMM for unknown words), computed the same
    way (the same prefix dictionary, route, tie-breaks, float arithmetic and HMM) but about twice as
    fast: each word's log-probability is worked out once and kept, and the route is found in one
    right-to-left pass that builds the word graph as it goes. tests/analytics/test_topics.py holds it
    equal to jieba.lcut on generated text."""

    MAX_KEPT = 50_000  # log-probabilities kept (words and characters seen, a few MB at most); then start over

    def __init__(self, jieba) -> None:  # type: ignore[no-untyped-def]
        from jieba import finalseg, re_han_default, re_skip_default

        tokenizer = jieba.dt
        tokenizer.check_initialized()
        self.freq: dict[str, int] = tokenizer.FREQ
        self.logtotal = log(tokenizer.total)
        self.hmm = finalseg.cut
        self.han, self.skip = re_han_default, re_skip_default
        self.logp: dict[str, float] = {}

    def lcut(self, text: str) -> list[str]:
        out: list[str] = []
        for block in self.han.split(text):
            if not block:
                continue
            if self.han.match(block):
                self._block(block, out)
                continue
            for part in self.skip.split(block):
                if self.skip.match(part):
                    out.append(part)
                else:
                    out.extend(part)  # one token per character, as jieba yields them
        return out

    def _block(self, sentence: str, out: list[str]) -> None:
        freq, logp, logtotal = self.freq, self.logp, self.logtotal
        if len(logp) > self.MAX_KEPT:
            logp.clear()
        n = len(sentence)
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            best, best_x = 0.0, -1
            i, frag = k, sentence[k]
            while i < n and frag in freq:  # jieba's get_DAG: the words starting at k
                if freq[frag]:
                    p = logp.get(frag)
                    if p is None:
                        p = logp[frag] = log(freq[frag]) - logtotal
                    p += score[i + 1]
                    if best_x < 0 or p > best or (p == best and i > best_x):  # max((p, x)) as in calc
                        best, best_x = p, i
                i += 1
                frag = sentence[k : i + 1]
            if best_x < 0:  # no word starts here: the character alone
                frag = sentence[k]
                p = logp.get(frag)
                if p is None:
                    p = logp[frag] = log(freq.get(frag) or 1) - logtotal
                best, best_x = p + score[k + 1], k
            score[k], end[k] = best, best_x
        x, buf = 0, ""
        while x < n:  # jieba's __cut_DAG: runs of single characters go to the HMM
            y = end[x] + 1
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append(sentence[x:y])
            x = y
        if buf:
            self._flush(buf, out)

    def _flush(self, buf: str, out: list[str]) -> None:
        if len(buf) == 1:
            out.append(buf)
        elif not self.freq.get(buf):
            out.extend(self.hmm(buf))
        else:
            out.extend(buf)


@cache
def _segmenter() -> _Segmenter:
    return _Segmenter(_jieba())


def _segment(text: str) -> list[str]:
    return _segmenter().lcut(text)


# The tokens jieba cuts a text's Latin parts into: runs of ASCII letters and digits (its re_eng).
LATIN_RUN = re.compile(r"[a-zA-Z0-9]+")


def _count_chinese(text: str, counts: dict[str, int]) -> None:
    """Count into counts the topics of a text with Chinese in it: its CJK words as segmented, and the
    English topics of each Latin word between them."""
    if _spotters()[1].search(text) is None:
        # No CJK vocabulary term anywhere in it, so no CJK token the segmenter could cut would count:
        # only its Latin words can, and those need no segmentation (segmenting costs ~10 µs a message).
        for run in LATIN_RUN.findall(text):
            _count_english(WORD.findall(run.lower()), counts)
        return
    lookup = _lookup()
    for token in _segment(text):
        token = token.strip().lower()
        if not token or token in ZH_STOP_WORDS:
            continue
        if not token.isascii() and CJK.search(token):
            topic = lookup.get(token)
            if topic is not None:
                counts[topic] = counts.get(topic, 0) + 1
        else:
            _count_english(WORD.findall(token), counts)


def extract_topics(text: str, max_topics: int = MAX_TOPICS) -> list[str]:
    """Canonical topic tags of a message, most salient first (empty when nothing technical)."""
    text = (text or "")[:MAX_CHARS]
    if not text or text.isspace():
        return []
    # The quick test: most chat messages have no vocabulary term and no hashtag, so no need to rank
    # (or, for Chinese, to segment). test_topics holds its answers equal to _ranked's.
    if text.isascii() or CJK.search(text) is None:  # English: tokenized once, for both steps
        found = WORD.findall(text.lower())
        if _ENGLISH_HEADS.isdisjoint(found) and "#" not in text and "＃" not in text:
            return []
        return _ranked(text, False, max_topics, found)
    if not _chinese_may_have_topics(text):
        return []
    return _ranked(text, True, max_topics)


def _ranked(text: str, chinese: bool, max_topics: int, found: list[str] | None = None) -> list[str]:
    """The topics of a (truncated, non-blank) text, by the full method."""
    counts: dict[str, int] = {}  # a plain dict: Counter's set-up cost more than the counting here
    if chinese:
        _count_chinese(text, counts)
    else:
        _count_english(WORD.findall(text.lower()) if found is None else found, counts)
    scores = {topic: n * VOCAB[topic][0] for topic, n in counts.items()}
    if "#" in text or "＃" in text:
        lookup = _lookup()
        for tag in HASHTAG.findall(text):
            topic = lookup.get(tag.lower(), tag.lower())
            scores[topic] = scores.get(topic, 0.0) + 2.0  # an explicit tag is a strong signal
    if len(scores) < 2:
        return list(scores)[:max_topics]
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [topic for topic, _ in ranked[:max_topics]]


def topic_vocabulary() -> list[str]:
    """The canonical topics extract_topics can return besides hashtags."""
    return sorted(VOCAB)
