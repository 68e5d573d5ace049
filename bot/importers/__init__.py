"""Importing existing chat history (Telegram Desktop and DiscordChatExporter JSON exports).

Each importer is a pure parser: a file in, platform-free domain events out (the same events the
live adapters produce), plus a summary of what was skipped and why. ``bot.importers.common.ingest``
then feeds the events to ``App.ingest_batch`` in batches: the same path as live events, so the
activity log's (platform, source_id) dedupe, the do-not-collect list and the community's
text-retention setting all apply to imported history too.
"""
