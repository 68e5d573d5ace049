"""Reads for one run: every query aggregates in SQL (GROUP BY); the activity log is never loaded whole.

Members who opted out of analytics are joined away in every query, on both sides of an
interaction (a reply to, or a reaction from, an opted-out member is not counted either).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection

from analytics import load_log
from analytics.load_log import frame
from analytics.sql import Dialect, Window, eligible


@dataclass
class Inputs:
    """Everything the compute step needs, as small aggregated frames."""

    window: Window
    members: pd.DataFrame
    activity: pd.DataFrame
    hours: pd.DataFrame
    received: pd.DataFrame
    member_events: pd.DataFrame
    events: pd.DataFrame
    tags: pd.DataFrame
    rsvps: pd.DataFrame
    attendance: pd.DataFrame
    votes: pd.DataFrame
    member_topics: pd.DataFrame
    heatmap: pd.DataFrame
    weekly: pd.DataFrame
    topic_weeks: pd.DataFrame
    extra: dict[str, object] = field(default_factory=dict)


def load_members(conn: Connection, d: Dialect, p: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Members in scope, and their answers, check-ins and votes over the window."""
    window = "e.community_id = :cid AND e.starts_at >= :start AND e.starts_at < :end"
    members = frame(
        conn,
        f"""
        SELECT id AS member_id, user_id, display_name, is_member, {d.epoch("joined_at")} AS joined
        FROM members WHERE community_id = :cid AND analytics_opt_out = :no ORDER BY id""",
        p,
    )
    answers = frame(
        conn,
        f"""
        SELECT r.member_id,
               SUM(CASE WHEN r.status IN ('going', 'waitlist') THEN 1 ELSE 0 END) AS rsvps,
               SUM(CASE WHEN r.status IN ('going', 'waitlist') AND e.ends_at < :end AND t.id IS NULL
                   THEN 1 ELSE 0 END) AS no_shows,
               COUNT(t.id) AS attended_rsvp
        FROM rsvps r JOIN events e ON e.id = r.event_id {eligible("m", "r.member_id")}
        LEFT JOIN attendance t ON t.event_id = r.event_id AND t.member_id = r.member_id
        WHERE {window} AND e.status = 'scheduled' GROUP BY r.member_id""",
        p,
    )
    attended = frame(
        conn,
        f"""
        SELECT t.member_id, COUNT(*) AS attended FROM attendance t JOIN events e ON e.id = t.event_id
        {eligible("m", "t.member_id")} WHERE {window} GROUP BY t.member_id""",
        p,
    )
    votes = frame(
        conn,
        f"""
        SELECT v.member_id, COUNT(*) AS votes_given, AVG(v.score) AS satisfaction_given
        FROM poll_votes v JOIN polls q ON q.id = v.poll_id JOIN events e ON e.id = q.event_id
        {eligible("m", "v.member_id")} WHERE {window} GROUP BY v.member_id""",
        p,
    )
    # Taking part in the activity formats: challenge submissions, Q&A questions, write-ups, write-up votes.
    contributions = frame(
        conn,
        f"""
        SELECT x.member_id, COUNT(*) AS contributions FROM (
            SELECT member_id, event_id, submitted_at AS at FROM challenge_submissions
            UNION ALL SELECT member_id, event_id, asked_at FROM qa_questions
            UNION ALL SELECT member_id, event_id, submitted_at FROM writeups
            UNION ALL SELECT member_id, event_id, voted_at FROM writeup_votes
        ) x JOIN events e ON e.id = x.event_id {eligible("m", "x.member_id")}
        WHERE e.community_id = :cid AND x.at >= :start AND x.at < :end GROUP BY x.member_id""",
        p,
    )
    merged = answers
    for part in (attended, votes, contributions):
        merged = merged.merge(part, on="member_id", how="outer")
    return {"members": members, "member_events": merged}


def load_events(conn: Connection, d: Dialect, p: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Events in the window and the upcoming horizon, their answers, check-ins, votes and tags."""
    scope = "e.community_id = :cid AND e.status = 'scheduled' AND e.starts_at >= :start AND e.starts_at < :horizon"
    out: dict[str, pd.DataFrame] = {}
    out["events"] = frame(
        conn,
        f"""
        SELECT e.id AS event_id, e.title, e.kind, e.capacity, {d.epoch("e.starts_at")} AS starts,
               {d.epoch("e.ends_at")} AS ends, {d.epoch("e.created_at")} AS created,
               {d.hour_of_week("e.starts_at")} AS how,
               (SELECT COUNT(DISTINCT t.member_id) FROM attendance t {eligible("m", "t.member_id")}
                WHERE t.event_id = e.id
                  AND EXISTS (SELECT 1 FROM activity_log a WHERE a.member_id = t.member_id
                              AND a.kind IN ('message', 'reaction') AND a.occurred_at >= e.starts_at
                              AND a.occurred_at < {d.plus_day("e.ends_at")})) AS interacted
        FROM events e WHERE {scope} ORDER BY e.starts_at, e.id""",
        p,
    )
    out["tags"] = frame(
        conn,
        f"""
        SELECT g.event_id, g.tag FROM event_tags g JOIN events e ON e.id = g.event_id WHERE {scope}
        ORDER BY g.event_id, g.tag""",
        p,
    )
    out["rsvps"] = frame(
        conn,
        f"""
        SELECT r.member_id, r.event_id, r.status, {d.epoch("r.created_at")} AS created
        FROM rsvps r JOIN events e ON e.id = r.event_id {eligible("m", "r.member_id")}
        WHERE {scope} ORDER BY r.event_id, r.member_id""",
        p,
    )
    out["attendance"] = frame(
        conn,
        f"""
        SELECT t.member_id, t.event_id FROM attendance t JOIN events e ON e.id = t.event_id
        {eligible("m", "t.member_id")} WHERE {scope} AND e.starts_at < :end ORDER BY t.event_id, t.member_id""",
        p,
    )
    out["votes"] = frame(
        conn,
        f"""
        SELECT v.member_id, q.event_id, v.score, {d.epoch("v.voted_at")} AS voted, v.id AS vote_id
        FROM poll_votes v JOIN polls q ON q.id = v.poll_id JOIN events e ON e.id = q.event_id
        {eligible("m", "v.member_id")} WHERE {scope} AND v.voted_at < :end ORDER BY v.id""",
        p,
    )
    return out


def load_event_topics(conn: Connection, p: dict[str, object]) -> list[pd.DataFrame]:
    """Member x event-tag signals: attended, going answers, satisfaction points above 3."""
    window = (
        "e.community_id = :cid AND e.status = 'scheduled' AND e.starts_at >= :start AND e.starts_at < :end"
    )
    return [
        frame(
            conn,
            f"""
            SELECT t.member_id, g.tag AS topic, 'attended' AS source, COUNT(*) AS value
            FROM attendance t JOIN events e ON e.id = t.event_id JOIN event_tags g ON g.event_id = e.id
            {eligible("m", "t.member_id")} WHERE {window} GROUP BY t.member_id, g.tag""",
            p,
        ),
        frame(
            conn,
            f"""
            SELECT r.member_id, g.tag AS topic, 'going' AS source, COUNT(*) AS value
            FROM rsvps r JOIN events e ON e.id = r.event_id JOIN event_tags g ON g.event_id = e.id
            {eligible("m", "r.member_id")} WHERE {window} AND r.status IN ('going', 'waitlist')
            GROUP BY r.member_id, g.tag""",
            p,
        ),
        frame(
            conn,
            f"""
            SELECT v.member_id, g.tag AS topic, 'vote' AS source, SUM(v.score - 3) AS value
            FROM poll_votes v JOIN polls q ON q.id = v.poll_id JOIN events e ON e.id = q.event_id
            JOIN event_tags g ON g.event_id = e.id {eligible("m", "v.member_id")}
            WHERE {window} AND v.voted_at < :end GROUP BY v.member_id, g.tag""",
            p,
        ),
    ]


def load_inputs(conn: Connection, window: Window) -> Inputs:
    """All reads of one run, on one connection (one snapshot where the backend gives one)."""
    d = Dialect(conn.dialect.name)
    p = window.params()
    load_log.prepare(conn, d, p)
    try:
        log = load_log.activity(conn, d, p)
        topics = load_log.topics(conn, d, p)
    finally:
        load_log.drop(conn)
    member_topics = pd.concat(
        [*load_event_topics(conn, p), topics["messages"], topics["reactions"]], ignore_index=True
    )
    return Inputs(
        window=window,
        **load_members(conn, d, p),
        **load_events(conn, d, p),
        **log,
        member_topics=member_topics,
        topic_weeks=topics["topic_weeks"],
    )
