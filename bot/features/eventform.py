"""Parsing the /newevent and /editevent forms: 'TITLE WHEN [DURATION] [key=value…] [#tag…]'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import i18n
from bot.config import Config
from bot.features.common import EVENT_KINDS, KIND_ALIASES
from bot.timeparse import TimeParseError, parse_duration, parse_when

TOKEN = re.compile(r'\S+?=(?:"[^"]*"|“[^”]*”)|"[^"]*"|“[^”]*”|\S+')
TAG = re.compile(r"^[#＃]([\w+\-.]{1,32})$")
# A word that looks like a date: if it sits right before the time we found, it was a bad date.
DATEISH = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2}|(?:\d{4}年)?\d{1,2}月\d{1,2}[日号]?")
OPTION_KEYS = {
    "type": "type", "kind": "type", "类型": "type",
    "capacity": "capacity", "cap": "capacity", "人数": "capacity", "容量": "capacity",
    "place": "place", "where": "place", "link": "place", "地点": "place", "链接": "place",
    "duration": "duration", "时长": "duration",
    "end": "end", "ends": "end", "结束": "end",
    "tz": "tz", "timezone": "tz", "时区": "tz",
    "repeat": "repeat", "重复": "repeat",
    "count": "count", "times": "count", "次数": "count",
    "until": "until", "截止": "until",
    "title": "title", "标题": "title",
    "when": "when", "time": "when", "时间": "when",
    "tags": "tags", "标签": "tags",
}  # fmt: skip
REPEATS = {
    "weekly": 1, "每周": 1, "biweekly": 2, "每两周": 2, "双周": 2, "monthly": 0, "每月": 0,
}  # fmt: skip
MAX_CAPACITY = 100_000
MAX_PLACE = 500
MAX_DURATION = timedelta(days=14)
MAX_AHEAD_YEARS = 5
USAGE = "/newevent TITLE WHEN [DURATION] [type=…] [#tag…] [capacity=N] [place=…] [repeat=weekly count=N]"
EXAMPLE = "/newevent Python爬虫挑战赛 2026-12-05 19:00 2h type=challenge #python capacity=30 place=https://meet.example/x"
EDIT_USAGE = "/editevent ID field=value…  (title, when, duration, type, capacity, place, tags)"
EDIT_EXAMPLE = '/editevent 3 when="2026-12-06 19:00" capacity=40'

i18n.register(
    {
        "form.no_time": {
            "en": "I couldn't find a start time in “{text}”. Put the title first, then the time.",
            "zh": "没能在 “{text}” 中找到开始时间。请先写标题，再写时间。",
        },
        "form.no_title": {
            "en": "The event needs a title before the time.",
            "zh": "活动需要一个标题（写在时间前面）。",
        },
        "form.title_too_long": {
            "en": "The title is too long ({length} characters; at most {max}).",
            "zh": "标题太长了（{length} 个字符，最多 {max} 个）。",
        },
        "form.past": {
            "en": "That start time ({when}) is in the past.",
            "zh": "开始时间（{when}）已经过去了。",
        },
        "form.too_far": {
            "en": "That start time ({when}) is more than {years} years away.",
            "zh": "开始时间（{when}）在 {years} 年之后，太远了。",
        },
        "form.bad_time": {"en": "I can't read “{text}” as a time.", "zh": "无法把 “{text}” 识别为时间。"},
        "form.bad_zone": {"en": "Unknown timezone “{text}”.", "zh": "未知的时区 “{text}”。"},
        "form.bad_duration": {
            "en": "“{text}” is not a duration between 1 minute and 14 days (try 90m, 2h).",
            "zh": "“{text}” 不是 1 分钟到 14 天之间的时长（例如 90m、2h、2小时）。",
        },
        "form.end_before_start": {
            "en": "The end ({end}) is not after the start ({start}).",
            "zh": "结束时间（{end}）不晚于开始时间（{start}）。",
        },
        "form.bad_type": {
            "en": "Unknown event type “{text}”; choose one of: {kinds}.",
            "zh": "未知的活动类型 “{text}”；可选：{kinds}。",
        },
        "form.bad_capacity": {
            "en": "Capacity must be a whole number from 1 to {max}, not “{text}”.",
            "zh": "人数上限必须是 1 到 {max} 之间的整数，而不是 “{text}”。",
        },
        "form.place_too_long": {
            "en": "The place is too long (at most {max} characters).",
            "zh": "地点太长了（最多 {max} 个字符）。",
        },
        "form.bad_option": {
            "en": "Unknown option “{text}”; known options: {keys}.",
            "zh": "未知的选项 “{text}”；可用选项：{keys}。",
        },
        "form.bad_repeat": {
            "en": "Unknown repeat “{text}”; use weekly, biweekly, monthly or every-N-weeks (e.g. 3w).",
            "zh": "无法识别的重复方式 “{text}”；可用 weekly、biweekly、monthly 或 每N周（如 3w）。",
        },
        "form.repeat_needs_end": {
            "en": "A repeating event needs count=N (2–{max}) or until=YYYY-MM-DD.",
            "zh": "重复活动需要 count=N（2–{max}）或 until=YYYY-MM-DD。",
        },
        "form.bad_count": {
            "en": "count must be a whole number from 2 to {max}, not “{text}”.",
            "zh": "count 必须是 2 到 {max} 之间的整数，而不是 “{text}”。",
        },
        "form.bad_until": {
            "en": "until must be a date after the start, like 2027-01-31, not “{text}”.",
            "zh": "until 必须是开始之后的日期，例如 2027-01-31，而不是 “{text}”。",
        },
        "form.bad_tag": {
            "en": "“{text}” is not a tag (letters, digits, _ - + . up to 32 characters).",
            "zh": "“{text}” 不是有效的标签（字母、数字、_ - + .，最多 32 个字符）。",
        },
        "form.too_many_tags": {"en": "At most 10 tags.", "zh": "最多 10 个标签。"},
    }
)


class FormError(ValueError):
    """A problem with the form: an i18n key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def text(self, lang: str) -> str:
        return i18n.t(lang, self.key, **self.params)


@dataclass
class EventForm:
    """A validated /newevent form."""

    title: str
    starts_at: datetime
    duration: timedelta
    kind: str = "discussion"
    tags: list[str] = field(default_factory=list)
    capacity: int | None = None
    place: str | None = None
    interval_weeks: int | None = None  # 0 = monthly
    count: int = 1
    until: date | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.duration


def tokenize(text: str) -> list[str]:
    """Split on whitespace, keeping "quoted strings" and key="quoted values" whole."""
    return TOKEN.findall(text)


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] in '"“' and value[-1] in '"”':
        return value[1:-1].strip()
    return value


def split_options(tokens: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """Separate plain words, key=value options (keys normalized) and #tags."""
    words, options, tags = [], {}, []
    for token in tokens:
        tag = TAG.match(token)
        if tag:
            tags.append(tag.group(1).lower())
        elif token[:1] in "#＃":
            raise FormError("form.bad_tag", text=token[:40])
        elif "=" in token and not token.startswith(("http://", "https://")):
            key, _, value = token.partition("=")
            norm = OPTION_KEYS.get(key.lower())
            if norm is None:
                raise FormError(
                    "form.bad_option", text=key[:40], keys=", ".join(sorted(set(OPTION_KEYS.values())))
                )
            options[norm] = unquote(value)
        else:
            words.append(token)
    return words, options, tags


def split_title_time(words: list[str], now: datetime, tz: ZoneInfo) -> tuple[str, datetime, timedelta | None]:
    """Find 'TITLE WHEN [DURATION]' in words: the shortest title whose rest reads as a time."""
    if words and words[0][:1] in '"“':
        title, rest = unquote(words[0]), words[1:]
        candidates = [(rest, None)]
        if rest and parse_duration(rest[-1]):
            candidates.insert(0, (rest[:-1], parse_duration(rest[-1])))
        for time_words, duration in candidates:
            if time_words:
                try:
                    return title, parse_when(" ".join(time_words), now=now, tz=tz), duration
                except TimeParseError:
                    continue
        raise FormError("form.no_time", text=" ".join(words)[:80])
    tries: list[tuple[list[str], timedelta | None]] = []
    if len(words) > 2 and parse_duration(words[-1]):
        tries.append((words[:-1], parse_duration(words[-1])))
    tries.append((words, None))
    for candidate, duration in tries:
        for i in range(1, len(candidate)):
            try:
                when = parse_when(" ".join(candidate[i:]), now=now, tz=tz)
            except TimeParseError:
                continue
            # "Talk 2026-13-45 19:00" has a bad date; it is not "Talk 2026-13-45" at 19:00 today.
            if DATEISH.fullmatch(candidate[i - 1]):
                raise FormError("form.bad_time", text=" ".join(candidate[i - 1 :])[:80])
            return " ".join(candidate[:i]), when, duration
    if len(words) == 1:
        raise FormError("form.no_time", text=words[0][:80])
    raise FormError("form.no_time", text=" ".join(words)[:80])


def parse_kind(text: str) -> str:
    kind = KIND_ALIASES.get(text.lower(), text.lower())
    if kind not in EVENT_KINDS:
        raise FormError("form.bad_type", text=text[:40], kinds=", ".join(EVENT_KINDS))
    return kind


def parse_capacity(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text[:7]) <= MAX_CAPACITY:
        raise FormError("form.bad_capacity", text=text[:20], max=MAX_CAPACITY)
    return int(text)


def parse_place(text: str) -> str:
    if len(text) > MAX_PLACE:
        raise FormError("form.place_too_long", max=MAX_PLACE)
    return text


def parse_event_duration(text: str) -> timedelta:
    duration = parse_duration(text)
    if duration is None or duration > MAX_DURATION:
        raise FormError("form.bad_duration", text=text[:40])
    return duration


def parse_tags(values: list[str]) -> list[str]:
    tags: list[str] = []
    for value in values:
        for part in re.split(r"[,\s，]+", value.strip()):
            if not part:
                continue
            match = TAG.match(part if part[0] in "#＃" else "#" + part)
            if not match:
                raise FormError("form.bad_tag", text=part[:40])
            if match.group(1).lower() not in tags:
                tags.append(match.group(1).lower())
    if len(tags) > 10:
        raise FormError("form.too_many_tags")
    return tags


def parse_zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise FormError("form.bad_zone", text=text[:64]) from None


def parse_time_text(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    try:
        return parse_when(text, now=now, tz=tz)
    except TimeParseError as exc:
        if exc.code == "bad_zone":
            raise FormError("form.bad_zone", text=text[:64]) from None
        raise FormError("form.bad_time", text=text[:80]) from None


def check_start(start: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """The start time if it is in the future but not absurdly far (FormError otherwise)."""
    if start > now + timedelta(days=366 * MAX_AHEAD_YEARS):
        try:
            shown = start.astimezone(tz)
        except OverflowError:  # past year 9999 in that zone
            shown = start
        raise FormError("form.too_far", when=f"{shown:%Y-%m-%d}", years=MAX_AHEAD_YEARS)
    if start <= now:
        raise FormError("form.past", when=f"{start.astimezone(tz):%Y-%m-%d %H:%M} {tz.key}")
    return start


def parse_end(text: str, start: datetime, tz: ZoneInfo) -> timedelta:
    """end=HH:MM (same day as the start) or a full time; returns the duration."""
    local = start.astimezone(tz)
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text.strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        end = local.replace(hour=int(match.group(1)), minute=int(match.group(2))).astimezone(start.tzinfo)
    else:
        end = parse_time_text(text, start, tz)
    if end <= start:
        raise FormError("form.end_before_start", end=text[:40], start=f"{local:%Y-%m-%d %H:%M}")
    if end - start > MAX_DURATION:
        raise FormError("form.bad_duration", text=text[:40])
    return end - start


def parse_repeat(
    options: dict[str, str], starts_at: datetime, max_count: int
) -> tuple[int | None, int, date | None]:
    """(interval in weeks or 0 for monthly, count, until) from repeat/count/until options."""
    repeat = options.get("repeat")
    if repeat is None:
        return None, 1, None
    key = repeat.lower()
    interval = REPEATS.get(key)
    week_match = re.fullmatch(r"(?:every-?)?(\d{1,2})(?:w|weeks?|周)", key)
    if interval is None and week_match and 1 <= int(week_match.group(1)) <= 12:
        interval = int(week_match.group(1))
    if interval is None:
        raise FormError("form.bad_repeat", text=repeat[:40])
    count, until = max_count, None
    if "count" in options:
        text = options["count"]
        if not text.isdigit() or not 2 <= int(text[:6]) <= max_count:
            raise FormError("form.bad_count", text=text[:20], max=max_count)
        count = int(text)
    elif "until" in options:
        try:
            until = date.fromisoformat(options["until"])
        except ValueError:
            raise FormError("form.bad_until", text=options["until"][:40]) from None
        if until <= starts_at.date():
            raise FormError("form.bad_until", text=options["until"][:40])
    else:
        raise FormError("form.repeat_needs_end", max=max_count)
    return interval, count, until


def parse_form(args: str, *, now: datetime, tz: ZoneInfo, config: Config) -> EventForm:
    """Parse and validate the one-line /newevent form; raise FormError naming the first problem."""
    words, options, tags = split_options(tokenize(args))
    if "tz" in options:
        tz = parse_zone(options["tz"])
    if "title" in options or "when" in options:
        title = options.get("title", " ".join(words))
        if "when" not in options:
            raise FormError("form.no_time", text=args[:80])
        starts_at, duration = parse_time_text(options["when"], now, tz), None
    else:
        if not words:
            raise FormError("form.no_title")
        title, starts_at, duration = split_title_time(words, now, tz)
    title = unquote(title).strip()
    if not title:
        raise FormError("form.no_title")
    if len(title) > config.max_title:
        raise FormError("form.title_too_long", length=len(title), max=config.max_title)
    check_start(starts_at, now, tz)
    if "duration" in options:
        duration = parse_event_duration(options["duration"])
    if "end" in options:
        duration = parse_end(options["end"], starts_at, tz)
    if duration is not None and duration > MAX_DURATION:
        raise FormError("form.bad_duration", text=str(duration))
    form = EventForm(title=title, starts_at=starts_at, duration=duration or config.default_duration)
    form.kind = parse_kind(options["type"]) if "type" in options else "discussion"
    form.tags = parse_tags([*("#" + t for t in tags), *([options["tags"]] if "tags" in options else [])])
    form.capacity = parse_capacity(options["capacity"]) if "capacity" in options else None
    form.place = parse_place(options["place"]) if "place" in options else None
    form.interval_weeks, form.count, form.until = parse_repeat(options, starts_at, config.max_occurrences)
    return form


def occurrences(form: EventForm, tz: ZoneInfo, max_count: int) -> list[datetime]:
    """Start times of every occurrence, keeping the local wall-clock time across DST."""
    local = form.starts_at.astimezone(tz).replace(tzinfo=None)
    starts = []
    for n in range(max_count if form.interval_weeks is not None else 1):
        if form.interval_weeks == 0:
            month = local.month - 1 + n
            year, month = local.year + month // 12, month % 12 + 1
            try:
                wall = local.replace(year=year, month=month)
            except ValueError:  # the 31st in a shorter month: skip that month
                continue
        else:
            wall = local + timedelta(weeks=n * (form.interval_weeks or 0))
        start = wall.replace(tzinfo=tz).astimezone(form.starts_at.tzinfo)
        if form.until is not None and wall.date() > form.until:
            break
        starts.append(start)
        if len(starts) >= form.count:
            break
    return starts
