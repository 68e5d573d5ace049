"""Report charts: valid PNGs of a fixed size drawn headless, Chinese labels only with a CJK font (never
missing glyphs), and small groups left out of what is drawn."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import warnings
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.features.insights import charts
from bot.features.insights.effect import EventFigures
from bot.features.insights.overview import Overview, Segment, Week

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
END = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and the chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16:29]
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(b"IHDR" + body)
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    width, height = struct.unpack(">II", body[:8])
    return width, height


def figures(
    event_id: int, going: int, came: int, *, votes: tuple[int, ...] | None = None, **kw: object
) -> EventFigures:
    small = came < 5
    values: dict[str, object] = dict(
        id=event_id, title=f"Event {event_id}", starts_at=END - timedelta(days=40 - 3 * event_id), rating="good",
        going=going, attended=came, active_members=40, participation_rate=None if small else came / going,
        active_rate=None if small else came / 40, interaction_rate=None if small else 0.5,
        satisfaction_mean=None if small else 4.2, response_rate=None if small else 0.5, few_votes=False,
        predicted=going * 0.7, low=going * 0.4, high=going * 0.95, lift=None if small else 1.0, distribution=votes,
    )  # fmt: skip
    values.update(kw)
    return EventFigures(**values)  # type: ignore[arg-type]


def overview(**kw: object) -> Overview:
    weeks = (Week(END - timedelta(days=30), END - timedelta(days=27), 12, 140),
             Week(END - timedelta(days=27), END - timedelta(days=20), 3, None),  # 3 active: hidden
             Week(END - timedelta(days=20), END - timedelta(days=13), 0, 0),
             Week(END - timedelta(days=13), END - timedelta(days=6), 25, 410),
             Week(END - timedelta(days=6), END, 9, 80))  # fmt: skip
    values: dict[str, object] = dict(
        community_id=1, run_id=1, run_end=END, start=END - timedelta(days=30), end=END, active=31, new=None,
        left=0, messages=630, events_held=3, participation=0.8, satisfaction=4.2,
        segments=(Segment(0, "event-goers", 20, {}), Segment(1, "quiet readers", 9, {})), segments_hidden=1,
        topics=("rust",), weeks=weeks,
        events=(figures(1, 20, 16), figures(2, 6, 4), figures(3, 12, 9, votes=(0, 1, 1, 4, 3))), hidden=True,
    )  # fmt: skip
    values.update(kw)
    return Overview(**values)  # type: ignore[arg-type]


@pytest.fixture
def no_cjk(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine as it is: no font with Chinese glyphs."""
    monkeypatch.setattr(charts, "cjk_font", lambda font_file="": None)


def texts(fig: object) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]  # type: ignore[attr-defined]


# --- what is drawn --------------------------------------------------------------------------------


def test_small_weeks_events_and_segments_are_not_in_the_chart_data() -> None:
    chart = charts.overview_chart(overview(), TZ)
    assert chart.weeks == ((date(2026, 11, 1), 140, 12), (date(2026, 11, 11), 0, 0),
                           (date(2026, 11, 18), 410, 25), (date(2026, 11, 25), 80, 9))  # fmt: skip
    assert [e[0] for e in chart.events] == [1, 3]  # #2: 4 came
    assert chart.events[0] == (1, date(2026, 10, 25), 20, 16)
    assert chart.segments == (("event-goers", 20), ("quiet readers", 9))
    assert chart.hidden == 3  # one week, one event, one segment
    table = charts.overview_table(chart, "en")
    assert table.splitlines() == [
        "Per week (from · messages · active members):",
        "11-01 · 140 · 12", "11-11 · 0 · 0", "11-18 · 410 · 25", "11-25 · 80 · 9",
        "Events held (going / came):", "#1 10-25 · 20 / 16", "#3 10-31 · 12 / 9",
        "Segments: event-goers 20, quiet readers 9",
        "Weeks, events and segments with fewer than 5 members are not shown.",
    ]  # fmt: skip
    assert "#2" not in table and " 3 " not in table


def test_an_event_fewer_than_five_came_to_gets_no_chart() -> None:
    assert charts.event_chart(figures(2, 6, 4)) is None
    chart = charts.event_chart(figures(3, 12, 9, votes=(0, 1, 1, 4, 3)))
    assert chart is not None and (chart.going, chart.came, chart.ratings) == (12, 9, (0, 1, 1, 4, 3))
    upcoming = charts.event_chart(figures(4, 3, 0, rating="upcoming"))
    assert upcoming is not None and upcoming.came is None  # not held yet: going so far and the forecast
    assert charts.event_table(upcoming, "zh") == "目前报名 3 · 预测 2.1（1–3）"
    assert charts.event_table(chart, "en") == (
        "Going 12 · came 9 · predicted 8.4 (5–11)\nRatings 1–5: 1★ 0 · 2★ 1 · 3★ 1 · 4★ 4 · 5★ 3"
    )


def test_a_chart_with_nothing_to_draw_is_empty() -> None:
    weeks = (Week(END - timedelta(days=30), END, 2, None),)
    chart = charts.overview_chart(overview(weeks=weeks, events=(figures(2, 6, 4),), segments=()), TZ)
    assert chart.empty and chart.hidden == 3


# --- the PNG --------------------------------------------------------------------------------------


def test_charts_are_valid_pngs_of_a_fixed_size_and_the_same_bytes_each_time(no_cjk: None) -> None:
    data = charts.overview_chart(overview(), TZ)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no missing glyph, no backend warning
        first = charts.overview_png(data, "en")
        again = charts.overview_png(data, "en")
        event = charts.event_png(charts.event_chart(figures(3, 12, 9, votes=(0, 1, 1, 4, 3))), "en")  # type: ignore[arg-type]
    assert png_size(first) == (1100, 750) and len(first) > 5000
    assert first == again
    assert png_size(event) == (1100, 450) and len(event) > 5000
    import matplotlib

    assert matplotlib.get_backend().lower() == "agg"


def test_charts_draw_without_a_display(tmp_path: Path) -> None:
    """A server has no display: Agg is used even when the environment asks for a GUI backend."""
    code = (
        "import sys; from tests.test_insights_charts import charts, overview, TZ; "
        "data = charts.overview_png(charts.overview_chart(overview(), TZ), 'en'); "
        "sys.stdout.buffer.write(data)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(MPLBACKEND="TkAgg", PYTHONPATH=str(ROOT), MPLCONFIGDIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=120,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert png_size(result.stdout) == (1100, 750)
    assert b"Glyph" not in result.stderr


# --- fonts ----------------------------------------------------------------------------------------


def test_without_a_cjk_font_chinese_charts_are_labelled_in_english(no_cjk: None) -> None:
    ov = overview(events=(figures(1, 20, 16, title="Python 读书会 🐍"),))
    fig = charts.event_chart(ov.events[0])
    assert fig is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        with charts.chart_style("zh") as style:
            assert style.lang == "en"
            drawn = texts(charts.draw_overview(charts.overview_chart(ov, TZ), style))
            event = texts(charts.draw_event(fig, style))
            charts.to_png(charts.draw_event(fig, style))
        png = charts.event_png(fig, "zh")
    assert "Activity per week" in drawn and "Member segments" in drawn and "event-goers" in drawn
    assert "#1" in event and not any(
        t.startswith("#1 ") for t in event
    )  # the title has glyphs no font here has: only the number is shown
    assert not any("读" in t or "活跃" in t for t in drawn + event)
    assert png_size(png) == (1100, 450)


def test_with_a_cjk_font_chinese_charts_get_chinese_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager, rcParams

    found = charts.FontChoice("Noto Sans CJK SC", font_manager.findfont("DejaVu Sans"))
    monkeypatch.setattr(charts, "cjk_font", lambda font_file="": found)
    monkeypatch.setattr(charts, "covers", lambda paths, text: True)  # as a real CJK font would
    ov = overview(events=(figures(1, 20, 16, title="Python 读书会"),))
    fig = charts.event_chart(ov.events[0])
    assert fig is not None
    with charts.chart_style("zh") as style:
        assert style.lang == "zh"
        assert rcParams["font.family"] == [
            "DejaVu Sans",
            "Noto Sans CJK SC",
        ]  # Latin first, Chinese falls back
        drawn = texts(charts.draw_overview(charts.overview_chart(ov, TZ), style))
        event = texts(charts.draw_event(fig, style))
    assert "每周活跃情况" in drawn and "成员群体" in drawn and "活动常客" in drawn
    assert "最近 30 天（2026-11-01 – 2026-12-01）" in drawn
    assert "#1 Python 读书会" in event and "满意度评分 · 平均 4.2/5" in event
    with charts.chart_style("en") as style:  # English charts keep English labels
        assert style.lang == "en" and "Activity per week" in texts(
            charts.draw_overview(charts.overview_chart(ov, TZ), style)
        )
    assert rcParams["font.family"] != ["DejaVu Sans", "Noto Sans CJK SC"]  # the style does not leak


def test_a_font_missing_some_chinese_glyphs_gives_english_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    claimed = charts.FontChoice("Not Really CJK", font_manager.findfont("DejaVu Sans"))
    monkeypatch.setattr(charts, "cjk_font", lambda font_file="": claimed)
    with charts.chart_style("zh") as style:
        assert style.lang == "en"


def test_font_detection_needs_chinese_glyphs(caplog: pytest.LogCaptureFixture) -> None:
    from matplotlib import font_manager

    latin = font_manager.findfont("DejaVu Sans")
    assert charts.covers((latin,), "Active members 12") and not charts.covers((latin,), "活跃成员")
    charts.cjk_font.cache_clear()
    try:
        chosen = charts.cjk_font(latin)  # a configured font without Chinese glyphs is not used
    finally:
        charts.cjk_font.cache_clear()
    assert chosen is None or chosen.path != latin
    assert "has no Chinese glyphs" in caplog.text


def test_the_bot_loads_matplotlib_only_to_draw() -> None:
    """Starting the bot (features, registry) imports no plotting or analytics library, and `gatherbot --help`
    (which lists `report`) does not import matplotlib."""
    code = (
        "import sys; from click.testing import CliRunner; import bot.features, bot.bootstrap, bot.runner; "
        "from bot.cli import main; bot.features.build_registry(); "
        "print(','.join(m for m in ('matplotlib', 'pandas', 'sklearn') if m in sys.modules)); "
        "assert 'report' in CliRunner().invoke(main, ['--help']).output; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["", "False"]
