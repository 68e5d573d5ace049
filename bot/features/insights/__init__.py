"""Insights in the chat: analytics results read back by organizers (/segments, /suggest, /report) and
members (/foryou). Only the results tables are read; heavy analytics code loads only when needed."""

from __future__ import annotations

from bot.registry import Registry


def install(registry: Registry) -> None:
    from bot.features.insights import (
        foryou,
        pushes,  # noqa: F401  (the "recommended for you" renderer)
        report,
        report_files,  # noqa: F401  (its strings: the Markdown of `gatherbot report`)
        segments,
        suggest,
    )

    for module in (segments, foryou, suggest, report):
        for spec in module.specs():
            registry.add(spec)
