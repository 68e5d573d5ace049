"""Message text for the demo community, in English and Chinese, about each member's topics."""

from __future__ import annotations

import numpy as np

TOPICS = ("python", "rust", "ml", "web", "devops", "algorithms", "databases", "security")
TERMS = {
    "python": (
        ("python", "asyncio", "pytest", "pandas", "decorators"),
        ("Python", "装饰器", "asyncio", "pandas"),
    ),
    "rust": (("rust", "the borrow checker", "tokio", "cargo"), ("Rust", "所有权", "借用", "tokio")),
    "ml": (
        ("machine learning", "pytorch", "model training", "sklearn"),
        ("机器学习", "深度学习", "模型训练", "PyTorch"),
    ),
    "web": (("react", "css", "graphql", "the frontend"), ("前端", "React", "后端", "网页")),
    "devops": (("docker", "kubernetes", "terraform", "the ci pipeline"), ("Docker", "运维", "部署", "容器")),
    "algorithms": (
        ("leetcode", "dynamic programming", "graph algorithms", "sorting"),
        ("算法", "动态规划", "刷题", "数据结构"),
    ),
    "databases": (
        ("postgres", "redis", "sqlite", "database indexes"),
        ("数据库", "索引", "Redis", "PostgreSQL"),
    ),
    "security": (("xss", "oauth", "a ctf", "encryption"), ("安全", "漏洞", "加密", "CTF")),
}
EN = (
    "anyone tried {a} with {b}?",
    "here are my notes on {a}",
    "how do you handle {a} in production?",
    "great article about {a} and {b}",
    "stuck on a {a} bug again",
    "what's the best way to learn {a}?",
)
ZH = (
    "有人用过{a}和{b}吗？",
    "分享一下我的{a}笔记",
    "{a}在生产环境怎么处理？",
    "推荐一篇关于{a}的好文章",
    "又被{a}的bug卡住了",
    "怎么系统地学习{a}？",
)
SMALL_TALK = (
    ("good morning everyone", "thanks for sharing!", "see you at the meetup", "welcome aboard"),
    ("大家早上好", "谢谢分享！", "活动见", "欢迎新朋友"),
)


def message_text(topics: tuple[str, ...], lang: str, rng: np.random.Generator) -> tuple[str, str]:
    """(text, topic or ''): mostly the member's favourite topics, sometimes another topic or small talk."""
    zh = int(lang == "zh")
    roll = rng.random()
    if roll < 0.15:
        return str(rng.choice(SMALL_TALK[zh])), ""
    if roll < 0.75:
        topic = topics[int(rng.integers(0, 2))]
    elif roll < 0.9:
        topic = topics[2]
    else:
        topic = TOPICS[int(rng.integers(0, len(TOPICS)))]
    terms = TERMS[topic][zh]
    a, b = rng.choice(len(terms), size=2, replace=False)
    return str(rng.choice(ZH if zh else EN)).format(a=terms[a], b=terms[b]), topic
