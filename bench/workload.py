"""What the ingestion benchmarks feed in: chat texts of a technical study group, and a generated
Telegram Desktop JSON export (written as a stream, so it can be as large as wanted).

The text mix, in both: 60% everyday chatter with no technical term (English, some Chinese), 25%
English about technical topics, 15% Chinese, a third of that about technical topics. Topic
extraction is cheap for the first kind and costs a jieba segmentation for the Chinese ones.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

CHATTER = (
    "good morning everyone", "see you all tomorrow at the cafe", "thanks, that helps a lot", "lol",
    "who is coming on saturday?", "I'll be ten minutes late", "nice!", "ok", "+1", "where do we meet?",
    "happy new year 🎉", "can someone share the slides from last time?", "sorry, I missed the call",
)  # fmt: skip
TECH = (
    "anyone using asyncio task groups in python?", "the borrow checker ate my weekend again",
    "kubernetes or just docker compose for a side project?", "pandas vs polars for 10GB of csv",
    "my llm prompt keeps leaking the system message, any rag tips?", "leetcode dp problems tonight?",
    "postgres index on a jsonb column: gin or btree?", "just merged my first pull request on github #opensource",
    "our ci pipeline takes 40 minutes, how do you cache pip?", "typescript generics are melting my brain",
)  # fmt: skip
CHINESE = (
    "大家周末愉快", "今天的活动几点开始？", "我晚点到", "谢谢分享", "明天见",
    "有人用过pandas吗", "我们下周用Rust写一个命令行工具", "这个机器学习模型训练太慢了",
    "数据库索引怎么设计比较好", "周末一起刷题吗？算法太难了",
)  # fmt: skip


def chat_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.60:
        return rng.choice(CHATTER)
    if roll < 0.85:
        return rng.choice(TECH)
    return rng.choice(CHINESE)


def telegram_export(path: Path, messages: int, *, members: int = 1000, seed: int = 7) -> dict[str, int]:
    """A supergroup's result.json as Telegram Desktop writes it; returns what it holds, by kind.

    Every message has text and text_entities (as the real export), 20% are replies, 10% have one to
    three reactions with their recent reactors, 1% are photos, 2% are joins (service messages).
    """
    rng = random.Random(seed)
    start = 1_700_000_000
    counts = {"messages": 0, "reactions": 0, "joins": 0}
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "Generated study group",\n "type": "private_supergroup",\n "id": 4242424242,\n')
        fh.write(' "messages": [\n')
        for i in range(1, messages + 1):
            when = start + i * 30
            date = {"date": "2023-11-14T22:13:20", "date_unixtime": str(when)}
            if rng.random() < 0.02:
                joiner = 10_000_000 + i
                msg: dict[str, object] = {"id": i, "type": "service", **date, "actor": f"Newcomer {i}",
                                          "actor_id": f"user{joiner}", "action": "join_group_by_link",
                                          "inviter": "Admin", "text": "", "text_entities": []}  # fmt: skip
                counts["joins"] += 1
            else:
                user = rng.randrange(members) + 1
                text = chat_text(rng)
                msg = {"id": i, "type": "message", **date, "from": f"Member {user}", "from_id": f"user{user}",
                       "text": text, "text_entities": [{"type": "plain", "text": text}]}  # fmt: skip
                if rng.random() < 0.2 and i > 1:
                    msg["reply_to_message_id"] = i - rng.randrange(1, min(i, 50))
                if rng.random() < 0.01:
                    msg.update(photo="(File not included. Change data exporting settings to download.)",
                               width=1280, height=720)  # fmt: skip
                if rng.random() < 0.1:
                    reactions = []
                    for emoji in rng.sample(["👍", "❤", "🔥", "😂"], rng.randint(1, 3)):
                        recent = [
                            {"from": f"Member {u}", "from_id": f"user{u}", "date": "2023-11-14T22:14:00"}
                            for u in rng.sample(range(1, members + 1), rng.randint(1, 3))
                        ]
                        reactions.append(
                            {"type": "emoji", "count": len(recent), "emoji": emoji, "recent": recent}
                        )
                        counts["reactions"] += len(recent)
                    msg["reactions"] = reactions
                counts["messages"] += 1
            fh.write(("," if i > 1 else "") + json.dumps(msg, ensure_ascii=False) + "\n")
        fh.write(" ]\n}\n")
    return counts
