"""SQL fragments that differ between SQLite and PostgreSQL, and the run window.

Times are read as epoch seconds (floats) so both backends give the same numbers. Hours of the
week are computed in the community's UTC offset at the end of the window (a DST change shifts
them by at most an hour for part of the window); hour-of-week 0 is Monday 00:00 local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import TextClause, bindparam, text

from bot.storage.types import UTCDateTime

ACTIVE_KINDS = "('message','reaction','command','button','poll_vote','voice_join')"
EPOCH_THURSDAY_HOURS = 72  # 1970-01-01 was a Thursday: shift so that hour 0 is a Monday
TIME_PARAMS = ("start", "end", "recent", "horizon", "cutoff")


@dataclass(frozen=True)
class Window:
    """What one read covers: a community, [start, end), the upcoming horizon and the local offset."""

    community_id: int
    start: datetime
    end: datetime
    horizon: datetime
    recent: datetime
    offset_s: int
    tz: str

    @staticmethod
    def make(
        community_id: int, tz: str, end: datetime, days: int, recent_days: int, horizon_days: int
    ) -> Window:
        offset = ZoneInfo(tz).utcoffset(end.replace(tzinfo=None)) or timedelta(0)
        return Window(
            community_id,
            end - timedelta(days=days),
            end,
            end + timedelta(days=horizon_days),
            end - timedelta(days=recent_days),
            int(offset.total_seconds()),
            tz,
        )

    def params(self) -> dict[str, object]:
        """Bind parameters shared by every query."""
        return {
            "cid": self.community_id,
            "start": self.start,
            "end": self.end,
            "horizon": self.horizon,
            "recent": self.recent,
            "off": self.offset_s,
            "no": False,
            "yes": True,
            "start_epoch": self.start.timestamp(),
            "end_epoch": self.end.timestamp(),
            "recent_epoch": self.recent.timestamp(),
        }


@dataclass(frozen=True)
class Dialect:
    """Per-backend expressions, each taking a column expression."""

    name: str

    def epoch(self, col: str) -> str:
        if self.name == "postgresql":
            return f"EXTRACT(EPOCH FROM {col})"
        # julianday is a double: round to whole seconds so 12:00:00 never reads as 11:59:59.999
        return f"ROUND((julianday({col}) - 2440587.5) * 86400.0, 3)"

    def floor_int(self, expr: str) -> str:
        if self.name == "postgresql":
            return f"CAST(FLOOR({expr}) AS BIGINT)"
        return f"CAST({expr} AS INTEGER)"  # arguments are positive, so truncation is floor

    def hour_of_week(self, col: str) -> str:
        return self.how(self.epoch(col))

    def how(self, e: str) -> str:
        """Local hour of the week (0 = Monday 00:00) of an epoch-seconds expression."""
        return f"(({self.floor_int(f'({e} + :off) / 3600.0')} + {EPOCH_THURSDAY_HOURS}) % 168)"

    def day(self, e: str) -> str:
        """Local day number of an epoch-seconds expression."""
        return self.floor_int(f"({e} + :off) / 86400.0")

    def week(self, e: str) -> str:
        """Whole weeks since the window start (7-day bins aligned to the start)."""
        return self.floor_int(f"({e} - :start_epoch) / 604800.0")

    def topics(self, alias: str) -> str:
        """The JSON array of {alias}.data['topics'] (NULL when absent), as stored in a temp table."""
        if self.name == "postgresql":
            return f"CASE WHEN json_typeof({alias}.data->'topics') = 'array' THEN {alias}.data->'topics' END"
        return (
            f"CASE WHEN instr({alias}.data, '\"topics\"') > 0 THEN json_extract({alias}.data, '$.topics') END"
        )

    def each(self, col: str) -> str:
        """FROM-clause item giving one row (column value) per element of a JSON array column."""
        if self.name == "postgresql":
            return f"CROSS JOIN LATERAL json_array_elements_text({col}) AS j(value)"
        return f", json_each({col}) AS j"

    def plus_day(self, col: str) -> str:
        if self.name == "postgresql":
            return f"({col} + INTERVAL '1 day')"
        return f"strftime('%Y-%m-%d %H:%M:%f', {col}, '+1 day')"


def query(sql: str) -> TextClause:
    """A text query whose datetime parameters are stored the way the models store them."""
    stmt = text(sql)
    names = sorted(set(re.findall(r"(?<![:\w]):(\w+)", sql)) & set(TIME_PARAMS))
    return stmt.bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))


def eligible(alias: str, member_col: str) -> str:
    """JOIN members who did not opt out of analytics (excluded everywhere)."""
    return (
        f"JOIN members {alias} ON {alias}.id = {member_col} AND {alias}.community_id = :cid"
        f" AND {alias}.analytics_opt_out = :no"
    )
