"""Tests for bot.timeparse: table-driven cases plus hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.timeparse import TimeParseError, format_duration, parse_duration, parse_offsets, parse_when

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 21, 30, tzinfo=SH)  # a Friday; 13:30Z
NOW_NY = datetime(2027, 3, 13, 12, 0, tzinfo=NY)  # Saturday before the 2027-03-14 DST switch; 17:00Z


def z(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """Shorthand for an aware UTC datetime."""
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


SHANGHAI_CASES = [
    # the brief's anchor examples
    ("下周一晚上7点", z(2026, 11, 30, 11)),
    ("明天晚上8点", z(2026, 11, 28, 12)),
    ("周六下午3点", z(2026, 11, 28, 7)),
    ("12月5日 19:30", z(2026, 12, 5, 11, 30)),
    ("下下周三19点半", z(2026, 12, 9, 11, 30)),
    ("next monday 7pm", z(2026, 11, 30, 11)),
    ("tomorrow 20:00", z(2026, 11, 28, 12)),
    ("2026-12-05 19:00", z(2026, 12, 5, 11)),
    # ISO-like
    ("2026-12-05T19:00", z(2026, 12, 5, 11)),
    ("2026/12/05 19:00", z(2026, 12, 5, 11)),
    ("2026-12-05 7pm", z(2026, 12, 5, 11)),
    ("2026-12-05 19:00:00", z(2026, 12, 5, 11)),
    ("12-05 19:00", z(2026, 12, 5, 11)),
    ("12/05 19:00", z(2026, 12, 5, 11)),
    ("01-03 09:00", z(2027, 1, 3, 1)),  # month-day already past this year -> next year
    ("  2026-12-05   19:00  ", z(2026, 12, 5, 11)),
    # English relative days and times
    ("today 23:00", z(2026, 11, 27, 15)),
    ("tonight", z(2026, 11, 27, 12)),  # 20:00, already past: the caller rejects it
    ("tonight 11", z(2026, 11, 27, 15)),
    ("tonight 8", z(2026, 11, 27, 12)),
    ("tonight at 9", z(2026, 11, 27, 13)),
    ("tonight 10:30", z(2026, 11, 27, 14, 30)),
    ("day after tomorrow 10am", z(2026, 11, 29, 2)),
    ("Tomorrow at 7:30PM", z(2026, 11, 28, 11, 30)),
    ("tomorrow 8", z(2026, 11, 28, 0)),
    ("tomorrow noon", z(2026, 11, 28, 4)),
    ("7pm", z(2026, 11, 28, 11)),
    ("7 pm", z(2026, 11, 28, 11)),
    ("7:30pm", z(2026, 11, 28, 11, 30)),
    ("7.30pm", z(2026, 11, 28, 11, 30)),
    ("at 10pm", z(2026, 11, 27, 14)),
    ("19:00:00", z(2026, 11, 28, 11)),
    ("21:45", z(2026, 11, 27, 13, 45)),
    ("noon", z(2026, 11, 28, 4)),
    ("midnight", z(2026, 11, 27, 16)),
    ("12am", z(2026, 11, 27, 16)),
    ("12pm", z(2026, 11, 28, 4)),
    ("7pm tomorrow", z(2026, 11, 28, 11)),
    ("8pm on friday", z(2026, 12, 4, 12)),
    # English weekdays: bare / this = next occurrence counting today; next = next calendar week
    ("friday 10pm", z(2026, 11, 27, 14)),
    ("friday 9pm", z(2026, 12, 4, 13)),
    ("this friday 9pm", z(2026, 12, 4, 13)),
    ("fri 22:00", z(2026, 11, 27, 14)),
    ("mon 9am", z(2026, 11, 30, 1)),
    ("monday 9am", z(2026, 11, 30, 1)),
    ("tue 9am", z(2026, 12, 1, 1)),
    ("tues 9am", z(2026, 12, 1, 1)),
    ("wed 9am", z(2026, 12, 2, 1)),
    ("thu 9am", z(2026, 12, 3, 1)),
    ("thur 9am", z(2026, 12, 3, 1)),
    ("thurs 9am", z(2026, 12, 3, 1)),
    ("sat 9am", z(2026, 11, 28, 1)),
    ("sun 9am", z(2026, 11, 29, 1)),
    ("next friday 9pm", z(2026, 12, 4, 13)),
    ("next sunday 10:00", z(2026, 12, 6, 2)),
    ("next saturday at 3pm", z(2026, 12, 5, 7)),
    # English month names
    ("dec 5 7pm", z(2026, 12, 5, 11)),
    ("December 5th, 2026 at 7:30pm", z(2026, 12, 5, 11, 30)),
    ("5 dec 2026 19:00", z(2026, 12, 5, 11)),
    ("dec 5th 7.30pm", z(2026, 12, 5, 11, 30)),
    ("5th of december 8am", z(2026, 12, 5, 0)),
    ("jan 3 9am", z(2027, 1, 3, 1)),
    ("Nov 27 10pm", z(2026, 11, 27, 14)),
    # English relative durations
    ("in 30 minutes", z(2026, 11, 27, 14)),
    ("in 2 hours", z(2026, 11, 27, 15, 30)),
    ("in 3 days", z(2026, 11, 30, 13, 30)),
    ("in 1 week", z(2026, 12, 4, 13, 30)),
    ("in 2h", z(2026, 11, 27, 15, 30)),
    ("in 90m", z(2026, 11, 27, 15)),
    ("in an hour", z(2026, 11, 27, 14, 30)),
    # Chinese day words and periods
    ("今天23点", z(2026, 11, 27, 15)),
    ("今晚", z(2026, 11, 27, 12)),
    ("今晚8点", z(2026, 11, 27, 12)),
    ("今晚10点", z(2026, 11, 27, 14)),
    ("今晚12点", z(2026, 11, 27, 16)),  # midnight at the end of today
    ("晚上12点", z(2026, 11, 27, 16)),
    ("明晚", z(2026, 11, 28, 12)),
    ("明晚9点半", z(2026, 11, 28, 13, 30)),
    ("后天上午10点", z(2026, 11, 29, 2)),
    ("大后天早上8点", z(2026, 11, 30, 0)),
    ("明天 20:00", z(2026, 11, 28, 12)),
    ("明天20:00", z(2026, 11, 28, 12)),
    ("明天19：30", z(2026, 11, 28, 11, 30)),
    ("明天7点30分", z(2026, 11, 27, 23, 30)),
    ("明天7点30", z(2026, 11, 27, 23, 30)),
    ("明天7点半", z(2026, 11, 27, 23, 30)),
    ("明天7点一刻", z(2026, 11, 27, 23, 15)),
    ("明天七点三十分", z(2026, 11, 27, 23, 30)),
    ("明天凌晨1点", z(2026, 11, 27, 17)),
    ("明天早晨7点", z(2026, 11, 27, 23)),
    ("明天中午", z(2026, 11, 28, 4)),
    ("明天中午12点", z(2026, 11, 28, 4)),
    ("明天中午1点", z(2026, 11, 28, 5)),
    ("明天下午3点", z(2026, 11, 28, 7)),
    ("明天傍晚6点", z(2026, 11, 28, 10)),
    ("明天夜里11点", z(2026, 11, 28, 15)),
    ("明天 晚上 8点", z(2026, 11, 28, 12)),
    ("七点", z(2026, 11, 27, 23)),
    ("十九点半", z(2026, 11, 28, 11, 30)),
    ("二十点", z(2026, 11, 28, 12)),
    ("两点", z(2026, 11, 27, 18)),
    ("晚上8点", z(2026, 11, 28, 12)),
    ("19点半", z(2026, 11, 28, 11, 30)),
    # Chinese weeks: 周X is the current calendar week (may be past), 下 = next, 下下 = the one after
    ("周一9点", z(2026, 11, 23, 1)),
    ("星期天下午2点", z(2026, 11, 29, 6)),
    ("星期日下午2点", z(2026, 11, 29, 6)),
    ("礼拜天 10:00", z(2026, 11, 29, 2)),
    ("本周五晚上8点", z(2026, 11, 27, 12)),
    ("这周六 10:00", z(2026, 11, 28, 2)),
    ("这个周日中午12点", z(2026, 11, 29, 4)),
    ("下个星期二 19:00", z(2026, 12, 1, 11)),
    ("下周日晚上8点", z(2026, 12, 6, 12)),
    ("下下个礼拜一上午9点", z(2026, 12, 7, 1)),
    # Chinese dates
    ("十二月五日晚上七点", z(2026, 12, 5, 11)),
    ("2026年12月5日 19:30", z(2026, 12, 5, 11, 30)),
    ("12月5号 19:30", z(2026, 12, 5, 11, 30)),
    ("12月5日19:30", z(2026, 12, 5, 11, 30)),
    ("1月3日 9:00", z(2027, 1, 3, 1)),
    ("5号晚上8点", z(2026, 12, 5, 12)),
    ("30号 10:00", z(2026, 11, 30, 2)),
    # Chinese relative
    ("30分钟后", z(2026, 11, 27, 14)),
    ("2小时后", z(2026, 11, 27, 15, 30)),
    ("3天后", z(2026, 11, 30, 13, 30)),
    ("半小时后", z(2026, 11, 27, 14)),
    ("两个小时以后", z(2026, 11, 27, 15, 30)),
    # explicit zones
    ("tomorrow 20:00 UTC", z(2026, 11, 28, 20)),
    ("2026-12-05 19:00 UTC+8", z(2026, 12, 5, 11)),
    ("2026-12-05 19:00 UTC+08:00", z(2026, 12, 5, 11)),
    ("2026-12-05 19:00 utc+5:30", z(2026, 12, 5, 13, 30)),
    ("2026-12-05 19:00 GMT-5", z(2026, 12, 6, 0)),
    ("2026-12-05 19:00 GMT", z(2026, 12, 5, 19)),
    ("2026-12-05 19:00 +08:00", z(2026, 12, 5, 11)),
    ("2026-12-05 19:00 -0500", z(2026, 12, 6, 0)),
    ("2026-12-05T19:00+01:00", z(2026, 12, 5, 18)),
    ("2026-12-05T19:00Z", z(2026, 12, 5, 19)),
    ("2026-12-05 19:00 Europe/Berlin", z(2026, 12, 5, 18)),
    ("2026-12-05 19:00 Asia/Shanghai", z(2026, 12, 5, 11)),
    ("2026-12-05 19:00 America/Argentina/Buenos_Aires", z(2026, 12, 5, 22)),
    ("明天20:00 北京时间", z(2026, 11, 28, 12)),
    ("北京时间 明天20:00", z(2026, 11, 28, 12)),
    # day words are computed in the named zone: it is still 11-27 05:30 in Los Angeles
    ("tomorrow 20:00 America/Los_Angeles", z(2026, 11, 29, 4)),
    # ... and already 11-28 03:30 on Kiritimati (+14)
    ("tomorrow 9am Pacific/Kiritimati", z(2026, 11, 28, 19)),
]

NEW_YORK_CASES = [
    ("tomorrow 9am", z(2027, 3, 14, 13)),  # EDT after the switch
    ("today 9pm", z(2027, 3, 14, 2)),  # EST before it
    ("tomorrow 2:30am", z(2027, 3, 14, 7, 30)),  # nonexistent wall time, fold=0 -> EST offset
    ("2027-03-14 01:30", z(2027, 3, 14, 6, 30)),
    ("2027-03-14 03:30", z(2027, 3, 14, 7, 30)),
    ("in 1 day", z(2027, 3, 14, 16)),  # keeps 12:00 wall time: only 23 real hours
    ("in 24 hours", z(2027, 3, 14, 17)),  # hours are absolute
    ("in 2 hours", z(2027, 3, 13, 19)),
    ("2027-11-07 01:30", z(2027, 11, 7, 5, 30)),  # ambiguous fall-back, fold=0 -> EDT
    ("sun 10am", z(2027, 3, 14, 14)),
    ("3/20 6pm", z(2027, 3, 20, 22)),
    ("2027-03-20 18:00 Asia/Shanghai", z(2027, 3, 20, 10)),
]

FAILURES = [
    ("", "empty"),
    ("   ", "empty"),
    ("\n\t", "empty"),
    ("on AI tomorrow 20:00", "unparseable"),
    ("AI tomorrow 20:00", "unparseable"),
    ("tomorrow 20:00 extra", "unparseable"),
    ("tomorrow", "unparseable"),
    ("friday", "unparseable"),
    ("下周一", "unparseable"),
    ("12月5日", "unparseable"),
    ("2026-12-05", "unparseable"),
    ("hello", "unparseable"),
    ("10", "unparseable"),
    ("2.10", "unparseable"),
    ("5 tomorrow", "unparseable"),
    ("25:00", "unparseable"),
    ("25点", "unparseable"),
    ("19:60", "unparseable"),
    ("13pm", "unparseable"),
    ("0am", "unparseable"),
    ("tomorrow 24:00", "unparseable"),
    ("in 500 days", "unparseable"),
    ("in soon", "unparseable"),
    ("99999999-99-99 99:99", "unparseable"),
    ("UTC", "unparseable"),
    ("Mars/Olympus", "unparseable"),
    ("2026-02-30 19:00", "bad_date"),
    ("2026-13-01 19:00", "bad_date"),
    ("2026-12-32 19:00", "bad_date"),
    ("13月5日 19:00", "bad_date"),
    ("2月30日 19:00", "bad_date"),
    ("32号 19:00", "bad_date"),
    ("13-05 19:00", "bad_date"),
    ("0000-01-01 10:00", "bad_date"),
    ("9999-12-31 23:00 America/New_York", "bad_date"),
    ("tomorrow 20:00 Mars/Olympus", "bad_zone"),
    ("2026-12-05 19:00 UTC+99", "bad_zone"),
    ("2026-12-05 19:00 Asia/Atlantis", "bad_zone"),
]


@pytest.mark.parametrize(("text", "expected"), SHANGHAI_CASES)
def test_parse_when_shanghai(text: str, expected: datetime) -> None:
    got = parse_when(text, now=NOW, tz=SH)
    assert got == expected
    assert got.tzinfo is UTC


@pytest.mark.parametrize(("text", "expected"), NEW_YORK_CASES)
def test_parse_when_new_york(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW_NY, tz=NY) == expected


def test_now_in_any_zone_gives_same_answer() -> None:
    for text, expected in SHANGHAI_CASES[:20]:
        assert parse_when(text, now=NOW.astimezone(UTC), tz=SH) == expected


@pytest.mark.parametrize(("text", "code"), FAILURES)
def test_parse_when_failures(text: str, code: str) -> None:
    with pytest.raises(TimeParseError) as info:
        parse_when(text, now=NOW, tz=SH)
    assert info.value.code == code
    assert info.value.text == text
    assert text.strip() == "" or text not in str(info.value)  # str() never leaks user text


def test_caller_suffix_split_finds_the_time() -> None:
    words = "Intro to AI tomorrow 20:00".split()
    hits = []
    for i in range(1, len(words)):
        try:
            hits.append((i, parse_when(" ".join(words[i:]), now=NOW, tz=SH)))
        except TimeParseError:
            pass
    assert hits[0] == (3, z(2026, 11, 28, 12))  # the longest parseable suffix is the time


DURATIONS = [
    ("2h", timedelta(hours=2)),
    ("2 h", timedelta(hours=2)),
    ("2 hours", timedelta(hours=2)),
    ("1 hour", timedelta(hours=1)),
    ("90m", timedelta(minutes=90)),
    ("90 min", timedelta(minutes=90)),
    ("90 minutes", timedelta(minutes=90)),
    ("1h30m", timedelta(minutes=90)),
    ("1h 30m", timedelta(minutes=90)),
    ("1 hour and 30 minutes", timedelta(minutes=90)),
    ("1.5h", timedelta(minutes=90)),
    ("2d", timedelta(days=2)),
    ("1 day", timedelta(days=1)),
    ("1w", timedelta(weeks=1)),
    ("2 weeks", timedelta(weeks=2)),
    ("2H", timedelta(hours=2)),
    ("an hour", timedelta(hours=1)),
    ("half an hour", timedelta(minutes=30)),
    ("2小时", timedelta(hours=2)),
    ("两小时", timedelta(hours=2)),
    ("1个半小时", timedelta(minutes=90)),
    ("半小时", timedelta(minutes=30)),
    ("90分钟", timedelta(minutes=90)),
    ("九十分钟", timedelta(minutes=90)),
    ("3天", timedelta(days=3)),
    ("1周", timedelta(weeks=1)),
    ("一个小时", timedelta(hours=1)),
    ("1小时30分钟", timedelta(minutes=90)),
    ("399d", timedelta(days=399)),
]

NOT_DURATIONS = [
    "",
    " ",
    "h",
    "hours",
    "0h",
    "0m",
    "-2h",
    "400d",
    "58w",
    "9999w",
    "2 months",
    "ad",
    "tomorrow",
    "1h 2h",
    "30m 1h",
    "2 hourss",
    "1.5",
    "abc",
    "and 2h",
    "十十分钟",
    "半",
]


@pytest.mark.parametrize(("text", "expected"), DURATIONS)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", NOT_DURATIONS)
def test_parse_duration_rejects(text: str) -> None:
    assert parse_duration(text) is None


def test_parse_offsets() -> None:
    h = timedelta(hours=1)
    assert parse_offsets("24h,1h") == [24 * h, h]
    assert parse_offsets("1h, 24h，1h") == [24 * h, h]
    assert parse_offsets("24h 1h 15m") == [24 * h, h, timedelta(minutes=15)]
    assert parse_offsets("1h 30m, 10m") == [timedelta(minutes=90), timedelta(minutes=10)]
    assert parse_offsets("1天，2小时") == [24 * h, 2 * h]
    assert parse_offsets("24h,") == [24 * h]


@pytest.mark.parametrize(
    ("text", "code", "part"),
    [
        ("", "empty", ""),
        (" , ", "empty", " , "),
        ("24h,soon", "unparseable", "soon"),
        ("24h, 1h x", "unparseable", "1h x"),
        ("0h", "unparseable", "0h"),
    ],
)
def test_parse_offsets_errors(text: str, code: str, part: str) -> None:
    with pytest.raises(TimeParseError) as info:
        parse_offsets(text)
    assert (info.value.code, info.value.text) == (code, part)


@pytest.mark.parametrize(
    ("td", "en", "zh"),
    [
        (timedelta(hours=1, minutes=30), "1h 30m", "1小时30分钟"),
        (timedelta(days=2), "2d", "2天"),
        (timedelta(minutes=45), "45m", "45分钟"),
        (timedelta(days=1, hours=2, minutes=3), "1d 2h 3m", "1天2小时3分钟"),
        (timedelta(0), "0m", "0分钟"),
        (timedelta(minutes=-45), "-45m", "-45分钟"),
    ],
)
def test_format_duration(td: timedelta, en: str, zh: str) -> None:
    assert format_duration(td, "en") == en
    assert format_duration(td, "zh") == zh


# ---- properties -------------------------------------------------------------------------------

TOKENS = [
    "tomorrow",
    "today",
    "tonight",
    "next",
    "this",
    "monday",
    "fri",
    "at",
    "in",
    "2",
    "hours",
    "7pm",
    "12am",
    "19:00",
    "99:99",
    "dec",
    "5th",
    "2026-12-05",
    "12/05",
    "T",
    "UTC+8",
    "GMT-99",
    "+08:00",
    "Asia/Shanghai",
    "Foo/Bar",
    "北京时间",
    "明天",
    "今晚",
    "下下周三",
    "周日",
    "晚上",
    "中午",
    "七点",
    "十九点半",
    "25点",
    "32号",
    "12月5日",
    "13月40日",
    "半",
    "小时",
    "后",
    "：",
    "99999999-99-99",
    "9999-12-31",
    "0001-01-01",
    "00:00",
    "h",
    "m",
    "1.5",
    "-",
    "/",
    " ",
]
ZONES = [SH, NY, ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("UTC")]
texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(TOKENS), max_size=6).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=6).map("".join),
)
nows = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from(ZONES)
)


@settings(max_examples=300, deadline=None)
@given(text=texts, now=nows, tz=st.sampled_from(ZONES))
def test_parse_when_total(text: str, now: datetime, tz: ZoneInfo) -> None:
    try:
        got = parse_when(text, now=now, tz=tz)
    except TimeParseError as exc:
        assert exc.code in {"empty", "unparseable", "bad_zone", "bad_date"}
        return
    assert got.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_parse_duration_total(text: str) -> None:
    got = parse_duration(text)
    assert got is None or timedelta(0) < got < timedelta(days=400)


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(1000, 1, 1), max_value=date(9998, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    tz=st.sampled_from(ZONES),
)
def test_iso_round_trip(day: date, hour: int, minute: int, tz: ZoneInfo) -> None:
    text = f"{day.year:04}-{day.month:02}-{day.day:02} {hour:02}:{minute:02}"
    expected = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)
    assert parse_when(text, now=NOW, tz=tz) == expected


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(2026, 11, 28), max_value=date(2027, 11, 26)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    unit=st.sampled_from("日号"),
)
def test_chinese_month_day_round_trip(day: date, hour: int, minute: int, unit: str) -> None:
    text = f"{day.month}月{day.day}{unit} {hour}:{minute:02}"
    expected = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH).astimezone(UTC)
    assert parse_when(text, now=NOW, tz=SH) == expected


def cn_number(n: int) -> str:
    """Write 0..99 in Chinese numerals."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


@settings(max_examples=100, deadline=None)
@given(hour=st.integers(0, 23), minute=st.integers(1, 59))
def test_chinese_numeral_times(hour: int, minute: int) -> None:
    expected = datetime(2026, 11, 28, hour, minute, tzinfo=SH).astimezone(UTC)
    assert parse_when(f"明天{cn_number(hour)}点{cn_number(minute)}分", now=NOW, tz=SH) == expected


@settings(max_examples=200, deadline=None)
@given(minutes=st.integers(1, 399 * 1440 - 1), lang=st.sampled_from(["en", "zh"]))
def test_format_then_parse_duration(minutes: int, lang: str) -> None:
    td = timedelta(minutes=minutes)
    assert parse_duration(format_duration(td, lang)) == td
