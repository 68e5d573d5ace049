"""Bot text in English and Simplified Chinese.

Feature modules register their own strings with ``register``; a key registered twice
fails at import time, and a test checks every key has both languages with the same
placeholders.
"""

from __future__ import annotations

import string
from typing import Any

LANGS = ("en", "zh")
_CATALOG: dict[str, dict[str, str]] = {}


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add strings; each value maps language -> template (str.format syntax)."""
    for key, texts in messages.items():
        if key in _CATALOG:
            raise ValueError(f"i18n key registered twice: {key}")
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            raise ValueError(f"i18n key {key} lacks {missing}")
        _CATALOG[key] = dict(texts)


def t(lang: str, key: str, /, **params: Any) -> str:
    """The text for key in lang (English when lang is unknown)."""
    texts = _CATALOG[key]
    template = texts.get(lang) or texts["en"]
    return template.format(**params) if params else template


def placeholders(template: str) -> set[str]:
    """Names used as {name} in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def catalog() -> dict[str, dict[str, str]]:
    """A copy of every registered string (for tests)."""
    return {k: dict(v) for k, v in _CATALOG.items()}


def normalize_lang(code: str | None) -> str | None:
    """Map platform language codes (zh-hans, zh-CN, en-US) to ours, or None."""
    if not code:
        return None
    code = code.lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return None


register(
    {
        "error.internal": {
            "en": "Sorry, something went wrong on my side. Nothing was changed; please try again.",
            "zh": "抱歉，我这边出了点问题。没有做任何更改，请再试一次。",
        },
        "error.unknown_command": {
            "en": "I don't know /{name}. Send /help to see what I can do.",
            "zh": "我不认识 /{name} 这个命令。发送 /help 查看可用命令。",
        },
        "error.organizers_only": {
            "en": "Only organizers can use /{name}. Nothing was changed.",
            "zh": "只有组织者可以使用 /{name}。没有做任何更改。",
        },
        "error.admins_only": {
            "en": "Only group admins can use /{name}. Nothing was changed.",
            "zh": "只有群管理员可以使用 /{name}。没有做任何更改。",
        },
        "error.needs_group": {
            "en": "Use this in your community's group first, then I'll know which community you mean.",
            "zh": "请先在社群的群聊里使用，这样我才知道你指的是哪个社群。",
        },
        "error.group_only": {
            "en": "/{name} works in the group chat, not in private.",
            "zh": "/{name} 需要在群聊中使用，不能在私聊中使用。",
        },
        "error.usage": {
            "en": "{problem}\nUsage: {usage}\nExample: {example}",
            "zh": "{problem}\n用法：{usage}\n示例：{example}",
        },
    }
)
