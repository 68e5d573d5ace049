"""Aggregates of the activity log over the window, all GROUP BY queries.

The window's rows of members in scope are first copied, once, into a narrow temporary table
(member, kind, epoch seconds, reply target, message id, topics), leaving out members who opted
out of analytics: every aggregate then scans that
instead of re-parsing timestamps and JSON in the log, and replies and reactions join their
message through an index (the log has none on message_id). It is dropped after the read.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, text

from analytics.sql import ACTIVE_KINDS, Dialect, query

LOG, MSGS = "ga_log", "ga_messages"


def frame(conn: Connection, sql: str, params: dict[str, object]) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame (columns named as selected)."""
    result = conn.execute(query(sql), params)
    columns = list(result.keys())
    # from plain tuples: building a DataFrame from Row objects is ~10x slower at a million rows
    return pd.DataFrame.from_records([tuple(row) for row in result.fetchall()], columns=columns)


def prepare(conn: Connection, d: Dialect, p: dict[str, object]) -> None:
    """Create the temporary tables for this window."""
    drop(conn)
    conn.execute(
        query(f"""
        CREATE TEMPORARY TABLE {LOG} AS
        SELECT a.member_id AS member_id, a.kind AS kind, {d.epoch("a.occurred_at")} AS e,
               CASE WHEN a.kind = 'message' AND a.reply_to IS NOT NULL THEN 1 ELSE 0 END AS reply,
               CASE WHEN a.kind = 'reaction' THEN a.message_id WHEN a.kind = 'message' THEN a.reply_to END AS target,
               CASE WHEN a.kind = 'message' THEN a.message_id END AS message_id,
               CASE WHEN a.kind = 'message' THEN {d.topics("a")} END AS topics
        FROM activity_log a
        WHERE a.community_id = :cid AND a.occurred_at >= :start AND a.occurred_at < :end
              AND a.kind IN {ACTIVE_KINDS} AND a.member_id IS NOT NULL
              AND a.member_id NOT IN (SELECT id FROM members WHERE community_id = :cid AND analytics_opt_out = :yes)"""),
        p,
    )
    conn.execute(
        text(
            f"CREATE TEMPORARY TABLE {MSGS} AS SELECT message_id, member_id, e, topics FROM {LOG} WHERE kind = 'message'"
        )
    )
    conn.execute(text(f"CREATE INDEX ix_{MSGS}_id ON {MSGS} (message_id)"))
    if d.name == "postgresql":  # autovacuum never analyzes temporary tables
        conn.execute(text(f"ANALYZE {LOG}"))
        conn.execute(text(f"ANALYZE {MSGS}"))


def drop(conn: Connection) -> None:
    """Drop the temporary tables (they live as long as the connection otherwise)."""
    conn.execute(text(f"DROP TABLE IF EXISTS {MSGS}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {LOG}"))


def activity(conn: Connection, d: Dialect, p: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Per member: counts, first/last seen, active days; time-of-week bins; replies/reactions received."""
    how = d.how("e")
    out = {}
    out["activity"] = frame(
        conn,
        f"""
        SELECT member_id,
               SUM(CASE WHEN kind = 'message' THEN 1 ELSE 0 END) AS messages,
               SUM(reply) AS replies_given,
               SUM(CASE WHEN kind = 'reaction' THEN 1 ELSE 0 END) AS reactions_given,
               COUNT(*) AS actions,
               SUM(CASE WHEN e >= :recent_epoch THEN 1 ELSE 0 END) AS recent_actions,
               MIN(e) AS first_seen, MAX(e) AS last_seen, COUNT(DISTINCT {d.day("e")}) AS active_days
        FROM {LOG} GROUP BY member_id""",
        p,
    )
    bin48 = f"(CASE WHEN {how} >= 120 THEN 24 ELSE 0 END) + {how} % 24"
    out["hours"] = frame(
        conn,
        f"""
        SELECT member_id, {bin48} AS bin, COUNT(*) AS n FROM {LOG} WHERE kind IN ('message', 'reaction')
        GROUP BY member_id, {bin48}""",
        p,
    )
    out["heatmap"] = frame(
        conn,
        f"""
        SELECT {how} AS how, COUNT(*) AS n FROM {LOG} WHERE kind IN ('message', 'reaction') GROUP BY {how}""",
        p,
    )
    out["weekly"] = frame(
        conn,
        f"""
        SELECT member_id, {d.week("e")} AS week, COUNT(*) AS n FROM {LOG} WHERE kind IN ('message', 'reaction')
        GROUP BY member_id, {d.week("e")}""",
        p,
    )
    out["received"] = frame(
        conn,
        f"""
        SELECT b.member_id,
               SUM(CASE WHEN a.kind = 'message' THEN 1 ELSE 0 END) AS replies_received,
               SUM(CASE WHEN a.kind = 'reaction' THEN 1 ELSE 0 END) AS reactions_received
        FROM {LOG} a JOIN {MSGS} b ON b.message_id = a.target
        WHERE a.target IS NOT NULL AND a.member_id <> b.member_id GROUP BY b.member_id""",
        p,
    )
    return out


def topics(conn: Connection, d: Dialect, p: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Topics of members' messages and of the messages they reacted to, and messages per topic and week."""
    out = {}
    out["messages"] = frame(
        conn,
        f"""
        SELECT b.member_id, j.value AS topic, 'message' AS source, COUNT(*) AS value
        FROM {MSGS} b {d.each("b.topics")} WHERE b.topics IS NOT NULL GROUP BY b.member_id, j.value""",
        p,
    )
    out["reactions"] = frame(
        conn,
        f"""
        SELECT a.member_id, j.value AS topic, 'reaction' AS source, COUNT(*) AS value
        FROM {LOG} a JOIN {MSGS} b ON b.message_id = a.target {d.each("b.topics")}
        WHERE a.kind = 'reaction' AND b.topics IS NOT NULL GROUP BY a.member_id, j.value""",
        p,
    )
    out["topic_weeks"] = frame(
        conn,
        f"""
        SELECT j.value AS topic, {d.week("b.e")} AS week, COUNT(*) AS messages
        FROM {MSGS} b {d.each("b.topics")} WHERE b.topics IS NOT NULL GROUP BY j.value, {d.week("b.e")}""",
        p,
    )
    return out
