"""Analytics: reads the store with SQL aggregates, models it, writes results tables that commands read.

Layout: ``load``/``load_log`` (SQL reads) -> ``pipeline.compute`` (features, ``segments``, ``effects``,
``turnout``, ``lift``, ``recommend``, ``replay``, ``trends``, ``planning``; pure, runs in a worker
process) -> ``store`` (results tables). ``jobs`` runs it (nightly), ``evaluate`` scores every model
against a baseline on a time-based holdout, ``topics`` extracts topic tags at ingest time, and
``demo``/``demo_world``/``demo_run`` play a synthetic community through the bot's ingestion path.
"""
