"""Recorded interactions -> domain events, and slash-command options -> the form line the core parses."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.interactions import (
    MODAL,
    SUGGEST,
    THINK,
    UPDATE,
    first_response,
    interaction_events,
    interaction_payload,
    modal_prefill,
    modal_values,
    newevent_args,
    options_of,
    quote,
)
from bot.config import Config
from bot.domain.events import ButtonPressed, ChatRef, CommandInvoked
from bot.features.eventform import parse_form, tokenize, unquote
from tests.discord.fakes import ALICE, BOB, GENERAL, GUILD, VOICE, fake_interaction, fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


def events(name: str) -> list:  # type: ignore[type-arg]
    return interaction_events(fixture(name)["d"])


def test_newevent_with_typed_options_becomes_the_one_line_form() -> None:
    (event,) = events("interaction_newevent_options")
    assert isinstance(event, CommandInvoked)
    assert event.name == "newevent"
    assert event.args == (
        'title="Python爬虫挑战赛" when="2026-12-05 19:00" duration=2h type=challenge #python capacity=30 '
        'place="https://meet.example/x"'
    )
    assert event.chat == ChatRef("discord", GUILD, False, "")
    assert event.source_id == f"int:{GUILD}:{GENERAL}:{event.interaction_id}"
    assert (event.user.user_id, event.user.is_admin, event.user.language_code) == (ALICE, True, "en-US")
    assert event.occurred_at == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # the interaction id's time


def test_the_core_parses_what_the_options_render_to() -> None:
    (event,) = events("interaction_newevent_options")
    form = parse_form(event.args, now=NOW, tz=SHANGHAI, config=Config())
    assert (form.title, form.starts_at, form.duration) == (
        "Python爬虫挑战赛",
        datetime(2026, 12, 5, 19, 0, tzinfo=SHANGHAI),
        timedelta(hours=2),
    )
    assert (form.kind, form.tags, form.capacity, form.place) == (
        "challenge",
        ["python"],
        30,
        "https://meet.example/x",
    )


def test_newevent_without_a_title_or_a_time_opens_a_form_and_its_submission_is_the_command() -> None:
    partial = fixture("interaction_newevent_partial")["d"]
    assert first_response(partial) == MODAL and interaction_events(partial) == []
    assert modal_prefill(options_of(partial["data"])) == {
        "title": "Rust night",
        "place": f"<#{VOICE}>",
        "extra": "type=discussion",
    }
    submitted = fixture("interaction_modal_submit")["d"]
    assert first_response(submitted) == THINK
    (event,) = interaction_events(submitted)
    assert isinstance(event, CommandInvoked) and event.name == "newevent"
    assert (
        event.args
        == f'title="Rust night" when="2026-12-05 19:00" place="<#{VOICE}>" type=discussion #rust capacity=12'
    )
    form = parse_form(event.args, now=NOW, tz=SHANGHAI, config=Config())
    assert (form.place, form.capacity, form.tags) == (f"<#{VOICE}>", 12, ["rust"])


def test_modal_values_are_read_from_action_rows_and_labels() -> None:
    components = fixture("interaction_modal_submit")["d"]["data"]["components"]
    assert modal_values(components) == {
        "title": "Rust night",
        "when": "2026-12-05 19:00",
        "duration": "",
        "place": f"<#{VOICE}>",
        "extra": "type=discussion #rust capacity=12",
    }


def test_other_commands_pass_their_args_option() -> None:
    (event,) = events("interaction_command_args")
    assert isinstance(event, CommandInvoked) and (event.name, event.args, event.user.is_admin) == (
        "event",
        "#1",
        False,
    )


def test_a_command_in_a_private_chat_with_the_bot() -> None:
    (event,) = events("interaction_command_dm")
    assert isinstance(event, CommandInvoked)
    assert (event.name, event.chat, event.user.is_admin) == (
        "start",
        ChatRef("discord", BOB, True, "bob"),
        None,
    )
    assert event.source_id.startswith("int:@me:")


def test_buttons_and_select_menus_are_button_presses_with_the_custom_id() -> None:
    (button,) = events("interaction_button")
    (select,) = events("interaction_select")
    assert isinstance(button, ButtonPressed) and isinstance(select, ButtonPressed)
    assert (button.data, button.user.user_id, button.interaction_id) == (
        "rsvp:1:going",
        BOB,
        "1577135898624131139",
    )
    assert button.message_id == fixture("interaction_button")["d"]["message"]["id"]
    assert select.data == "rsvp:1:maybe"  # custom_id 'rsvp:1' + the chosen value
    assert first_response(fixture("interaction_button")["d"]) == UPDATE


def test_autocomplete_is_answered_by_the_adapter_and_is_no_event() -> None:
    payload = fixture("interaction_autocomplete")["d"]
    assert first_response(payload) == SUGGEST and interaction_events(payload) == []


@pytest.mark.parametrize(
    "name",
    [
        "interaction_newevent_options",
        "interaction_command_dm",
        "interaction_button",
        "interaction_modal_submit",
    ],
)
def test_a_live_interaction_translates_like_its_recorded_payload(name: str) -> None:
    recorded = fixture(name)["d"]
    assert interaction_events(interaction_payload(fake_interaction(recorded))) == interaction_events(recorded)


@pytest.mark.parametrize(
    ("title", "when", "expected"),
    [
        ("a=b night", "2026-12-05 19:00", "a=b night"),
        ('The "best" talk', "2026-12-05 19:00", 'The "best" talk'),
        ('“Quoted” and "quoted"', "next friday 8pm", "“Quoted” and 'quoted'"),
        ("C# #tips", "12月5日 19:30", "C# #tips"),
        ("Meetup 2026", "2026-12-05 19:00", "Meetup 2026"),
        ("https://example.org", "2026-12-05 19:00", "https://example.org"),
    ],
)
def test_awkward_titles_survive_the_round_trip(title: str, when: str, expected: str) -> None:
    form = parse_form(newevent_args({"title": title, "when": when}), now=NOW, tz=SHANGHAI, config=Config())
    assert form.title == expected and form.starts_at > NOW


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60))
def test_quoted_values_are_one_token_and_unquote_to_the_value(value: str) -> None:
    value = " ".join(value.split())
    quoted = quote(value)
    assert tokenize(f"title={quoted}") == [f"title={quoted}"]
    both = '"' in value and ("“" in value or "”" in value)
    assert unquote(quoted) == (value.replace('"', "'") if both else value)


async def test_real_discord_py_objects_translate_like_the_recorded_payloads() -> None:
    """The client the adapter builds routes raw dispatches to it, and discord.py's own Interaction
    objects (parsed from the recorded payloads) give the same events as the payloads themselves."""
    from adapters.discord import create
    from adapters.discord.client import GatherbotClient, build
    from tests.discord.fakes import TOKEN

    adapter = create(Config(discord={"token": TOKEN}))
    client = build(adapter.settings, adapter)
    assert isinstance(client, GatherbotClient) and client.gatherbot is adapter
    await client._async_setup_hook()  # what login() does first (no network)
    try:
        client.dispatch("socket_raw_receive", json.dumps(fixture("reaction_add")))
        await asyncio.sleep(0)
        assert adapter._queue.qsize() == 1
        state = client._connection
        state.user = discord.ClientUser(state=state, data=fixture("guild_create")["d"]["members"][1]["user"])
        for name in ("interaction_newevent_options", "interaction_button", "interaction_command_dm",
                     "interaction_modal_submit", "interaction_select", "interaction_newevent_partial"):  # fmt: skip
            recorded = fixture(name)["d"]
            live = discord.Interaction(data=recorded, state=state)  # type: ignore[arg-type]
            assert interaction_events(interaction_payload(live)) == interaction_events(recorded), name
            assert first_response(interaction_payload(live)) == first_response(recorded)
    finally:
        await client.close()


def test_tags_are_suggested_from_the_servers_events() -> None:
    from adapters.discord.commands import KnownEvent, tag_suggestions, tags_in

    assert tags_in("code challenge · #python #ai · gatherbot #12") == ("python", "ai")
    events = [
        KnownEvent(1, "A", tags=("python", "ai")),
        KnownEvent(2, "B", tags=("python",)),
        KnownEvent(3, "C", tags=("rust",)),
    ]
    assert [c.value for c in tag_suggestions(events, "")] == ["#python", "#ai", "#rust"]
    assert [c.value for c in tag_suggestions(events, "#ai #py")] == ["#ai #python"]
    assert tag_suggestions(events, "#zzz") == []
