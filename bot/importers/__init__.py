"""Importing existing chat history: Telegram Desktop exports (JSON or HTML), DiscordChatExporter JSON,
and CSV records.

Each importer is a parser: an export in, platform-free domain events out (the same events the live
adapters produce), plus a summary of what was skipped and why. Exports are read as streams, twice
(``bot.importers.common.Source``: check everything, then yield the events), so memory stays bounded.
``bot.importers.common.ingest`` feeds the events to ``App.ingest_batch`` in batches: the same path as
live events, so the activity log's (platform, source_id) dedupe, the do-not-collect list and the
community's text-retention setting all apply to imported history too.
"""
