"""Parse English/Chinese start times and durations (standard library only).

Week semantics: an English bare weekday or "this <weekday>" is the next date with
that weekday, today included if the wall time is still ahead; "next <weekday>" is
that weekday in the next Monday-started calendar week.  Chinese 周X/这周X/本周X is
that weekday in the current calendar week (possibly past), 下周X the next week and
下下周X the week after.  A month-day without a year is this year unless that moment
has passed, else next year; a bare day (5号) is this month, else next month.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["TimeParseError", "format_duration", "parse_duration", "parse_offsets", "parse_when"]

_MAX_LEN = 120
_CAP = timedelta(days=400)
_FW = str.maketrans("：０１２３４５６７８９", ":0123456789")
_Spec = tuple[str, int, int, int]
_Time = tuple[int, int, int, int]


class TimeParseError(ValueError):
    """Raised when text is not a time/duration we understand."""

    def __init__(self, code: str, text: str) -> None:
        """Keep the machine-readable code and the text that failed."""
        super().__init__(code, text)
        self.code = code
        self.text = text

    def __str__(self) -> str:
        """Show only the code so that logged errors never carry user text."""
        return self.code


class _NoMatch(Exception):
    """Internal signal: this grammar alternative does not match."""


_CN = dict(zip("零〇一二两兩三四五六七八九", (0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_NUM = r"[0-9]{1,2}|[零〇一二两兩三四五六七八九十]{1,3}"
_PER = r"凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜晚|晚间|晚"
_PM = frozenset({"下午", "傍晚", "晚上", "夜里", "夜晚", "晚间", "晚", "pm", "eve"})
_NIGHT = frozenset({"晚上", "夜里", "夜晚", "晚间", "晚", "eve"})
_WORDS = {"noon": (12, 0), "midnight": (0, 0), "中午": (12, 0), "午夜": (0, 0)}
_DAYS = {
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "明天": 1,
    "明日": 1,
    "明晚": 1,
    "后天": 2,
    "後天": 2,
    "大后天": 3,
    "大後天": 3,
}
_EVE = frozenset({"tonight", "今晚", "明晚"})
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_YEAR = r"(?:,?\s?(?P<y>[0-9]{4})(?![0-9]))?"

_T_AMPM = re.compile(r"(?P<h>[0-9]{1,2})(?:[:.](?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?\s?(?P<ap>[ap])\.?m\.?")
_T_COLON = re.compile(rf"(?:(?P<per>{_PER})\s?)?(?P<h>[0-9]{{1,2}}):(?P<m>[0-9]{{2}})(?::(?P<s>[0-9]{{2}}))?")
_T_ZH = re.compile(
    rf"(?:(?P<per>{_PER})\s?)?(?P<h>{_NUM})\s?[点點时時]"
    rf"(?:\s?(?:(?P<half>半)|(?P<q>[一三])刻|(?P<m>{_NUM})\s?分?|整))?[钟鐘]?"
)
_T_BARE = re.compile(r"(?P<h>[0-9]{1,2})")
_DATES: list[tuple[str, re.Pattern[str]]] = [
    (
        "ymd",
        re.compile(r"(?P<y>[0-9]{4})([-/.])(?P<mo>[0-9]{1,2})\2(?P<d>[0-9]{1,2})(?![0-9])(?:t(?=[0-9]))?"),
    ),
    ("ymd", re.compile(r"(?P<mo>[0-9]{1,2})[-/](?P<d>[0-9]{1,2})(?![0-9])")),
    ("ymd", re.compile(rf"(?:(?P<y>[0-9]{{4}})\s?年\s?)?(?P<mo>{_NUM})\s?月\s?(?P<d>{_NUM})\s?[日号號]")),
    ("dom", re.compile(rf"(?P<d>{_NUM})\s?[日号號]")),
    ("ymd", re.compile(rf"{_MON}\s?(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?(?![0-9a-z]){_YEAR}")),
    ("ymd", re.compile(rf"(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s?(?:of\s)?{_MON}{_YEAR}")),
    ("rel", re.compile("(?P<w>" + "|".join(sorted(_DAYS, key=len, reverse=True)) + ")(?![a-z])")),
    (
        "wd",
        re.compile(
            r"(?:(?P<pre>this|next)\s)?(?P<wd>mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?"
            r"|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)(?![a-z])"
        ),
    ),
    (
        "cnwd",
        re.compile(
            r"(?:(?P<pre>下下|下|这|這|本)[个個]?)?\s?(?:周|週|星期|礼拜|禮拜)(?P<wd>[一二三四五六日天1-7])"
        ),
    ),
]
_ZONE = re.compile(
    r"(?:(?:^|(?<=[\s0-9]))(?:(?P<utc>utc|gmt)(?:\s?(?P<sg>[+-])(?P<oh>[0-9]{1,2})(?::?(?P<om>[0-9]{2}))?)?"
    r"|(?P<sg2>[+-])(?P<oh2>[0-9]{2}):?(?P<om2>[0-9]{2})|(?<=[0-9])z)"
    r"|(?:^|(?<=\s))(?P<iana>[a-z_][a-z_-]{0,29}(?:/[a-z_][a-z_-]{0,29}){1,2})"
    r"|\s?(?P<bj>北京时间))$",
    re.I,
)
_DUR = re.compile(
    rf"(?P<sep>\s?and\s|\s)?(?P<n>[0-9]{{1,4}}(?:\.[0-9]{{1,3}})?|{_NUM}|(?:half an?|an?|one)(?=\s))?"
    r"\s?[个個]?(?P<half>半)?[个個]?\s?(?P<u>weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m"
    r"|小时|小時|钟头|鐘頭|分钟|分鐘|分|天|日|周|週|星期|礼拜|禮拜)(?![a-z])"
)
_UNITS = ((4, 604800, "w周週星礼禮"), (3, 86400, "d天日"), (2, 3600, "h小钟鐘"), (1, 60, "m分"))
_AGO = re.compile(r"(.+?)\s?(?:以后|之后|以後|之後|后|後)")
_CLOCK_UNITS = re.compile(r"h|m|小|钟|鐘|分")


def _norm(text: str) -> str:
    """Collapse whitespace and map full-width digits and colons to ASCII."""
    return " ".join(str(text).split()).translate(_FW)


def _n(s: str) -> int:
    """Convert ASCII or Chinese numerals below 100 to int; raise _NoMatch if malformed."""
    if s.isascii() and s.isdigit():
        return int(s)
    tens, ten, ones = s.partition("十")
    if not ten:
        if s in _CN:
            return _CN[s]
        raise _NoMatch
    if len(tens) > 1 or len(ones) > 1 or not all(c in _CN for c in tens + ones):
        raise _NoMatch
    return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)


def _apply(h: int, per: str | None) -> tuple[int, int]:
    """Apply a period word (am, pm, 下午, ...) to an hour; return (hour, extra days)."""
    if (per in _PM and 1 <= h <= 11) or (per == "中午" and 1 <= h <= 2):
        return h + 12, 0
    if per in _NIGHT and h == 12:
        return 0, 1
    if per in ("am", "凌晨") and h == 12:
        return 0, 0
    return h, 0


def _time(s: str, bare: bool, eve: bool) -> _Time:
    """Parse a time of day into (hour, extra days, minute, second); raise _NoMatch."""
    s = s.strip(" ,")
    s = s[3:] if s.startswith("at ") else s
    if s in _WORDS:
        return _WORDS[s][0], 0, _WORDS[s][1], 0
    per = "eve" if eve else None
    m = _T_AMPM.fullmatch(s)
    if m:
        per = m["ap"] + "m"
        if not 1 <= int(m["h"]) <= 12:
            raise _NoMatch
    elif m := _T_COLON.fullmatch(s) or _T_ZH.fullmatch(s):
        per = m["per"] or per
    elif not (bare and (m := _T_BARE.fullmatch(s))):
        raise _NoMatch
    g = m.groupdict()
    h = _n(g["h"])
    mi = 30 if g.get("half") else (15 if g.get("q") == "一" else 45) if g.get("q") else 0
    mi = _n(g["m"]) if g.get("m") else mi
    sec = int(g["s"]) if g.get("s") else 0
    if h > 23 or mi > 59 or sec > 59:
        raise _NoMatch
    return *_apply(h, per), mi, sec


def _date(kind: str, m: re.Match[str]) -> tuple[_Spec, bool]:
    """Turn a date match into (spec, implies-evening)."""
    g = m.groupdict()
    if kind == "rel":
        return ("rel", _DAYS[g["w"]], 0, 0), g["w"] in _EVE
    if kind == "dom":
        return ("dom", 0, 0, _n(g["d"])), False
    if kind == "wd":
        wd = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(g["wd"][:3])
        return (("week", wd, 1, 0) if g["pre"] == "next" else ("next", wd, 0, 0)), False
    if kind == "cnwd":
        c = g["wd"]
        wd = int(c) - 1 if c.isdigit() else "一二三四五六日".index(c) if c != "天" else 6
        return ("week", wd, {"下": 1, "下下": 2}.get(g["pre"] or "", 0), 0), False
    mo = _MONTHS.index(g["mon"][:3]) + 1 if g.get("mon") else _n(g["mo"])
    return ("ymd", int(g["y"]) if g.get("y") else -1, mo, _n(g["d"])), False


def _with_date(kind: str, m: re.Match[str], rest: str, bare: bool = True) -> tuple[_Spec, _Time]:
    """Combine a date match with the (possibly empty) time text beside it."""
    spec, eve = _date(kind, m)
    if rest.strip(" ,"):
        return spec, _time(rest, bare and rest.startswith(" "), eve)
    if eve:
        return spec, (20, 0, 0, 0)
    raise _NoMatch


def _match(r: str) -> tuple[_Spec | None, _Time]:
    """Split lowercase text into an optional date spec and a time; raise _NoMatch."""
    for kind, rx in _DATES:
        m = rx.match(r)
        if m:
            try:
                return _with_date(kind, m, r[m.end() :])
            except _NoMatch:
                pass
    try:
        return None, _time(r, False, False)
    except _NoMatch:
        pass
    for i, ch in enumerate(r):  # time first: "7pm tomorrow", "8pm on friday"
        right = r[i + 1 :].removeprefix("on ")
        for kind, rx in _DATES if ch == " " else ():
            m = rx.fullmatch(right)
            if m:
                try:
                    return _with_date(kind, m, r[:i], bare=False)
                except _NoMatch:
                    pass
    raise _NoMatch


def _relative(r: str) -> timedelta | None:
    """Return the offset of 'in 2 hours' / '2小时后' forms, None if r is not relative."""
    m = _AGO.fullmatch(r)
    if not r.startswith("in ") and not m:
        return None
    td = parse_duration(r[3:] if r.startswith("in ") else m[1] if m else "")
    if td is None:
        raise _NoMatch
    return td


def _split_zone(s: str) -> tuple[str, tzinfo | None, bool]:
    """Strip an explicit zone; return (rest, zone or None, zone-was-unknown)."""
    if s.startswith("北京时间"):
        return s[4:].strip(), ZoneInfo("Asia/Shanghai"), False
    m = _ZONE.search(s)
    if not m:
        return s, None, False
    rest = s[: m.start()].strip()
    try:
        if m["iana"]:
            return rest, ZoneInfo(m["iana"]), False
        if m["bj"]:
            return rest, ZoneInfo("Asia/Shanghai"), False
        sign, hh, mm = (m["sg"], m["oh"], m["om"]) if m["utc"] else (m["sg2"], m["oh2"], m["om2"])
        if not sign:
            return rest, UTC, False
        off = timedelta(hours=int(hh), minutes=int(mm or 0))
        if off > timedelta(hours=14) or int(mm or 0) > 59:
            return rest, None, True
        return rest, timezone(off if sign == "+" else -off), False
    except Exception:  # noqa: BLE001 - ZoneInfo raises assorted OSError/ValueError subclasses
        return rest, None, True


def _resolve(spec: _Spec | None, t: _Time, now: datetime, zone: tzinfo) -> datetime:
    """Compute the aware local datetime for a date spec and time; ValueError if invalid."""
    today = now.astimezone(zone).date()
    h, add, mi, sec = t

    def at(d: date) -> datetime:
        """Wall-clock datetime on day d in the zone (fold=0)."""
        return datetime.combine(d + timedelta(days=add), time(h, mi, sec)).replace(tzinfo=zone)

    def ahead(x: datetime) -> bool:
        """True if x is strictly after now."""
        return x.astimezone(UTC) > now.astimezone(UTC)

    kind, a, b, c = spec or ("next", -1, 0, 0)
    if kind == "next":
        first = today + timedelta(days=(a - today.weekday()) % 7 if a >= 0 else 0)
        return at(first) if ahead(at(first)) else at(first + timedelta(days=7 if a >= 0 else 1))
    if kind == "rel":
        return at(today + timedelta(days=a))
    if kind == "week":
        return at(today + timedelta(days=7 * b + a - today.weekday()))
    if kind == "ymd" and a >= 0:
        return at(date(a, b, c))
    if kind == "ymd":
        cands = [(today.year, b), (today.year + 1, b)]
    else:
        cands = [(today.year, today.month), (today.year + today.month // 12, today.month % 12 + 1)]
    for i, (y, mo) in enumerate(cands):
        try:
            x = at(date(y, mo, c))
        except ValueError:
            continue
        if i or ahead(x):
            return x
    raise ValueError("no valid date")


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Parse a start time in English or Chinese; return an aware UTC datetime."""
    s = _norm(text)
    if not s:
        raise TimeParseError("empty", text)
    if len(s) > _MAX_LEN:
        raise TimeParseError("unparseable", text)
    rest, zone, bad_zone = _split_zone(s)
    r = rest.lower()
    try:
        rel = _relative(r)
        spec, t = (None, (0, 0, 0, 0)) if rel is not None else _match(r)
    except _NoMatch:
        raise TimeParseError("unparseable", text) from None
    if bad_zone:
        raise TimeParseError("bad_zone", text)
    zone = zone or tz
    try:
        if rel is None:
            x = _resolve(spec, t, now, zone)
        elif rel % timedelta(days=1) or _CLOCK_UNITS.search(r):
            x = now.astimezone(UTC) + rel
        else:  # whole days/weeks keep the wall-clock time of day across DST
            x = now.astimezone(zone) + rel
        return x.astimezone(UTC)
    except (ValueError, OverflowError):
        raise TimeParseError("bad_date", text) from None


def _amount(n: str | None, half: bool) -> float:
    """Return the number in a duration part, with 半 adding one half."""
    if n is None and not half:
        raise _NoMatch
    base = (
        0.0
        if n is None
        else 0.5
        if n.startswith("half")
        else 1.0
        if n in ("a", "an", "one")
        else float(n)
        if n.isascii()
        else float(_n(n))
    )
    return base + 0.5 * half


def parse_duration(text: str) -> timedelta | None:
    """Return the duration written in text, or None if text is not a duration."""
    s = _norm(text).lower()
    if not s or len(s) > 60:
        return None
    pos, total, last = 0, 0.0, 9
    try:
        while pos < len(s):
            m = _DUR.match(s, pos)
            if not m or (pos == 0 and m["sep"]):
                return None
            rank, secs = next((rk, sc) for rk, sc, first in _UNITS if m["u"][0] in first)
            if rank >= last:
                return None
            last, pos = rank, m.end()
            total += _amount(m["n"], bool(m["half"])) * secs
    except _NoMatch:
        return None
    td = timedelta(seconds=round(total))
    return td if timedelta(0) < td < _CAP else None


def parse_offsets(text: str) -> list[timedelta]:
    """Parse a comma-separated list of durations like '24h,1h' (also '，' and spaces); raise TimeParseError if any part is bad or list empty."""
    out: set[timedelta] = set()
    for part in re.split(r"[,，、;；]", str(text)):
        whole = parse_duration(part)
        subs = [whole] if whole is not None else [parse_duration(p) for p in part.split()]
        if any(td is None for td in subs):
            raise TimeParseError("unparseable", part.strip())
        out.update(td for td in subs if td is not None)
    if not out:
        raise TimeParseError("empty", text)
    return sorted(out, reverse=True)


def format_duration(td: timedelta, lang: str) -> str:
    """Compact human form: en '1h 30m', '2d', '45m'; zh '1小时30分钟', '2天', '45分钟'."""
    secs = td.total_seconds()
    d, rem = divmod(round(abs(secs) / 60), 1440)
    h, mi = divmod(rem, 60)
    zh = str(lang).lower().startswith("zh")
    units = ("天", "小时", "分钟") if zh else ("d", "h", "m")
    parts = [f"{v}{u}" for v, u in zip((d, h, mi), units, strict=True) if v] or [f"0{units[2]}"]
    return ("-" if secs < 0 and (d or h or mi) else "") + ("" if zh else " ").join(parts)
