"""Configuration, start-up, intents, the gateway tap, the slash-command menu and suggestions."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import discord
import pytest

from adapters.discord import DiscordAdapter, DiscordSettings, create
from adapters.discord.client import intents
from adapters.discord.commands import KnownEvent, command_payload, command_payloads, suggestions
from bot.bootstrap import StartupError, load_adapter
from bot.config import Config, from_dict
from bot.features import build_registry
from bot.ports import CommandSpecView
from tests.discord.conftest import make_config
from tests.discord.fakes import BOT, GUILD, TOKEN, FakeClient, fake_interaction, fixture


def settings(**table: Any) -> DiscordSettings:
    return DiscordSettings.from_table({"token": TOKEN, **table})


def test_the_token_is_required_with_a_clear_message() -> None:
    with pytest.raises(StartupError, match="GATHERBOT_DISCORD_TOKEN"):
        create(Config(discord={}))
    with pytest.raises(StartupError, match="does not look like a bot token") as info:
        create(Config(discord={"token": "not-a-token"}))
    assert "not-a-token" not in str(info.value)


def test_the_environment_token_is_used_and_never_shown() -> None:
    config = from_dict({"discord": {"token": ""}}, env={"GATHERBOT_DISCORD_TOKEN": TOKEN})
    adapter = load_adapter("discord", config, client=FakeClient())
    assert isinstance(adapter, DiscordAdapter) and adapter.settings.token == TOKEN
    assert TOKEN not in repr(adapter.settings) and TOKEN not in repr(config)
    assert adapter.redact(f"oops {TOKEN}") == "oops <token>"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"message_content_intent": "yes"}, "discord.message_content_intent"),
        ({"guild_ids": [123]}, "discord.guild_ids"),
        ({"guild_ids": "815735085465731073"}, "discord.guild_ids"),
        ({"channels": {"815735085465731073": "general"}}, "discord.channels"),
        ({"ready_timeout": 0}, "discord.ready_timeout"),
        ({"intents": ["all"]}, "discord.intents: unknown key"),
    ],
)
def test_bad_settings_name_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(StartupError, match=message):
        settings(**table)


def test_settings_defaults_and_values() -> None:
    s = settings()
    assert (s.message_content_intent, s.members_intent, s.guild_ids, s.shard, s.channels) == (
        False,
        False,
        (),
        False,
        {},
    )
    s = settings(
        guild_ids=[815735085465731073, "815735085465731074"], channels={GUILD: 815735085465731075}, shard=True
    )
    assert s.guild_ids == (815735085465731073, 815735085465731074) and s.channels == {
        GUILD: "815735085465731075"
    }
    poll = DiscordSettings.from_table({"token": TOKEN}, poll_duration=timedelta(hours=24))
    assert poll.poll_hours == 25  # open a little longer than the core's own close
    long = DiscordSettings.from_table({"token": TOKEN}, poll_duration=timedelta(days=60))
    assert long.poll_hours == 768  # Discord's limit


def test_intents_follow_the_settings() -> None:
    plain = intents(settings())
    assert plain.guilds and plain.guild_messages and plain.dm_messages and plain.guild_reactions
    assert plain.voice_states and plain.guild_scheduled_events and plain.guild_polls and plain.dm_polls
    assert not plain.members and not plain.message_content and not plain.presences
    full = intents(settings(members_intent=True, message_content_intent=True))
    assert full.members and full.message_content


async def test_start_waits_for_ready_and_says_what_works_without_privileged_intents(caplog) -> None:  # type: ignore[no-untyped-def]
    client = FakeClient()
    adapter = create(make_config("x.db"), client=client)
    client.on_start = adapter.mark_ready
    caplog.set_level(logging.INFO)

    async def sink(_: Any) -> None:
        return None

    await adapter.start(sink)
    assert client.tokens == [TOKEN]
    assert adapter.capabilities.dm_link == f"https://discord.com/users/{BOT}"
    assert adapter.capabilities.scheduled_events and adapter.capabilities.max_text == 2000
    assert "message content intent is off" in caplog.text and "members intent is off" in caplog.text
    assert TOKEN not in caplog.text
    await adapter.stop()
    assert client.is_closed()


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (discord.LoginFailure("Improper token has been passed."), "rejected the token"),
        (discord.PrivilegedIntentsRequired(None), "Privileged Gateway Intents"),  # type: ignore[arg-type]
        (OSError(f"cannot reach gateway with {TOKEN}"), "cannot connect to Discord: OSError"),
    ],
)
async def test_start_up_failures_are_startup_errors(error: BaseException, message: str) -> None:
    client = FakeClient()
    client.start_error = error
    adapter = create(make_config("x.db"), client=client)

    async def sink(_: Any) -> None:
        return None

    with pytest.raises(StartupError, match=message) as info:
        await adapter.start(sink)
    assert TOKEN not in str(info.value)
    assert client.is_closed()


async def test_a_slow_gateway_only_warns(caplog) -> None:  # type: ignore[no-untyped-def]
    client = FakeClient()  # never says READY
    adapter = create(make_config("x.db", ready_timeout=0.05), client=client)

    async def sink(_: Any) -> None:
        return None

    await adapter.start(sink)
    assert "still trying in the background" in caplog.text
    await adapter.stop()


async def test_the_tap_queues_only_dispatches_we_read_in_arrival_order() -> None:
    adapter = create(make_config("x.db"), client=FakeClient())
    seen: list[Any] = []

    async def sink(event: Any) -> None:
        seen.append(event)

    adapter._sink = sink
    consumer = asyncio.create_task(adapter._consume())
    adapter.tap(json.dumps({"op": 11, "d": None}))  # heartbeat ack
    adapter.tap(b'{"t": "TYPING_START", "s": 3, "op": 0, "d": {}}')
    adapter.tap("not json")
    adapter.tap(json.dumps(fixture("guild_create")))
    adapter.tap(json.dumps(fixture("voice_join")))
    adapter.tap(json.dumps(fixture("voice_leave")))
    await adapter._queue.join()
    consumer.cancel()
    assert [type(e).__name__ for e in seen] == ["VoiceJoined", "VoiceLeft"]
    assert seen[0].source_id.endswith(".56") and "@" in seen[0].source_id  # the run's origin + sequence


async def test_slash_commands_are_published_globally_or_to_the_dev_servers() -> None:
    views = build_registry().views()
    client = FakeClient()
    await create(make_config("x.db"), client=client).sync_commands(views)
    (call,) = client.http.bulk_upsert_global_commands.await_args_list
    assert call.args[0] == int(BOT) and {c["name"] for c in call.args[1]} == {v.name for v in views}
    dev = FakeClient()
    await create(make_config("x.db", guild_ids=[GUILD]), client=dev).sync_commands(views)
    dev.http.bulk_upsert_global_commands.assert_not_awaited()
    assert dev.http.bulk_upsert_guild_commands.await_args.args[:2] == (int(BOT), int(GUILD))


async def test_a_failed_publish_is_logged_not_fatal(caplog) -> None:  # type: ignore[no-untyped-def]
    from tests.discord.fakes import http_error

    client = FakeClient()
    client.http.bulk_upsert_global_commands.side_effect = http_error(400, 50035, "Invalid Form Body")
    await create(make_config("x.db"), client=client).sync_commands(build_registry().views())
    assert "publishing the slash commands failed" in caplog.text


def test_every_registry_command_is_a_valid_localized_slash_command() -> None:
    payloads = command_payloads(build_registry().views())
    names = [p["name"] for p in payloads]
    assert len(names) == len(set(names)) <= 100
    zh_names = [p["name_localizations"]["zh-CN"] for p in payloads if "name_localizations" in p]
    assert len(zh_names) == len(set(zh_names))
    for p in payloads:
        assert 1 <= len(p["description"]) <= 100 and 1 <= len(p["description_localizations"]["zh-CN"]) <= 100
        for option in p.get("options", []):
            assert option["name"].islower() and len(option["description"]) <= 100
            assert not (option.get("choices") and option.get("autocomplete"))


def test_organizer_commands_are_hidden_from_members_and_server_only() -> None:
    view = CommandSpecView(
        "cancelevent", "Cancel an event (organizers)", "取消活动（组织者）", True, "/cancelevent ID"
    )
    payload = command_payload(view)
    assert payload["default_member_permissions"] == str(1 << 33)  # Manage Events
    assert payload["contexts"] == [0] and payload["name_localizations"] == {"zh-CN": "取消活动"}
    (args,) = payload["options"]
    assert (args["name"], args["description"], args["autocomplete"], args["required"]) == (
        "args",
        "ID",
        True,
        False,
    )
    member = command_payload(CommandSpecView("events", "Upcoming events", "即将举行的活动", False, "/events"))
    assert (
        "default_member_permissions" not in member
        and member["contexts"] == [0, 1]
        and "options" not in member
    )
    remind = command_payload(CommandSpecView("remind", "x", "x", False, "/remind 30m | /remind off"))
    assert (
        remind["options"][0]["description"] == "30m | off" and remind["options"][0]["autocomplete"] is False
    )


def test_newevent_has_typed_options_with_the_five_kinds_as_choices() -> None:
    view = CommandSpecView(
        "newevent", "Create an event (organizers)", "创建活动（组织者）", True, "/newevent …"
    )
    options = {o["name"]: o for o in command_payload(view, max_title=80)["options"]}
    assert list(options) == [
        "title",
        "when",
        "duration",
        "type",
        "tags",
        "capacity",
        "place",
        "voice",
        "repeat",
        "count",
    ]
    assert not any(o["required"] for o in options.values())  # without a title and a time, a form opens
    assert [c["value"] for c in options["type"]["choices"]] == [
        "lecture",
        "salon",
        "sharing",
        "challenge",
        "discussion",
    ]
    assert options["type"]["choices"][2]["name_localizations"] == {"zh-CN": "技术分享"}
    assert options["title"]["max_length"] == 80 and options["title"]["name_localizations"] == {
        "zh-CN": "标题"
    }
    assert (options["capacity"]["type"], options["capacity"]["min_value"]) == (4, 1)
    assert options["voice"]["type"] == 7 and options["voice"]["channel_types"] == [2, 13]


def test_event_suggestions_match_ids_and_titles_soonest_first() -> None:
    from datetime import UTC, datetime

    events = [
        KnownEvent(3, "Rust night", datetime(2026, 12, 5, tzinfo=UTC)),
        KnownEvent(12, "Rust & Wasm", datetime(2026, 12, 3, tzinfo=UTC)),
        KnownEvent(1, "Python", datetime(2026, 12, 2, tzinfo=UTC)),
        KnownEvent(13, "Gone", None, cancelled=True),
    ]
    assert [c.value for c in suggestions(events, "ru")] == ["12", "3"]
    assert [c.value for c in suggestions(events, "1")] == ["1", "12"]
    assert [(c.name, c.value) for c in suggestions(events, "")][0] == ("#1 Python", "1")


async def test_autocomplete_answers_with_the_servers_mirrored_events() -> None:
    adapter = create(make_config("x.db"), client=FakeClient())
    adapter.knowledge.learn("GUILD_CREATE", fixture("guild_create")["d"])  # 'gatherbot #7' Rust night
    interaction = fake_interaction(fixture("interaction_autocomplete"))
    await adapter.handle_interaction(interaction)
    (choices,) = interaction.response.autocomplete.await_args.args
    assert [(c.name, c.value) for c in choices] == [("#7 Rust night", "7")]
    interaction.response.defer.assert_not_awaited()


async def test_an_interaction_acknowledged_too_late_is_dropped() -> None:
    from tests.discord.fakes import http_error

    adapter = create(make_config("x.db"), client=FakeClient())
    seen: list[Any] = []

    async def sink(event: Any) -> None:
        seen.append(event)

    adapter._sink = sink
    interaction = fake_interaction(fixture("interaction_newevent_options"))
    interaction.response.defer.side_effect = http_error(404, 10062, "Unknown interaction")
    await adapter.handle_interaction(interaction)
    assert seen == []  # the member saw "interaction failed"; running it anyway could create it twice


async def test_the_thinking_notice_goes_even_when_the_core_fails() -> None:
    adapter = create(make_config("x.db"), client=FakeClient())

    async def sink(_: Any) -> None:
        raise RuntimeError("database is gone")

    adapter._sink = sink
    interaction = fake_interaction(fixture("interaction_command_args"))
    with pytest.raises(RuntimeError):
        await adapter.handle_interaction(interaction)
    interaction.delete_original_response.assert_awaited_once()
