"""Recorded gateway dispatches -> domain events (pure functions, no client)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.discord.refs import GuildInfo, Lookups, snowflake_time, source
from adapters.discord.state import Knowledge
from adapters.discord.translate import translate
from bot.domain.events import (
    ButtonPressed,
    ChatRef,
    DomainEvent,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
    ReactionAdded,
    ReactionRemoved,
    VoiceJoined,
    VoiceLeft,
)
from tests.discord.fakes import (
    ALICE,
    BOB,
    BOT,
    CAROL,
    EVERYONE_PERMS,
    GENERAL,
    GUILD,
    M1,
    POLL_MSG,
    ROLE_MOD,
    ROLE_ORG,
    SCHED,
    STAGE,
    VOICE,
    fixture,
)

NOW = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
GROUP = ChatRef("discord", GUILD, False, "Rust Study Group")
SERVER = GuildInfo(
    name="Rust Study Group",
    owner_id=ALICE,
    roles={GUILD: EVERYONE_PERMS, ROLE_ORG: EVERYONE_PERMS | (1 << 33), ROLE_MOD: EVERYONE_PERMS | (1 << 5)},
)


def run(name: str, knowledge: Knowledge | None = None, **lookups: object) -> list[DomainEvent]:
    """Translate one recorded dispatch the way the adapter does (origin = '<run>.<sequence number>')."""
    payload = fixture(name)
    known = knowledge or Knowledge()
    found = Lookups(
        bot_user_id=BOT,
        guild=lambda g: SERVER if g == GUILD else None,
        voice_channel=known.voice_channel,
        event_id=known.our_event_id,
    )
    found = Lookups(**{**vars(found), **lookups})  # type: ignore[arg-type]
    events = translate(payload["t"], payload["d"], lookups=found, origin=f"r1.{payload['s']}", now=NOW)
    known.learn(payload["t"], payload["d"])
    return events


def test_a_server_message_names_the_server_the_channel_and_the_author() -> None:
    (event,) = run("message_create_guild")
    assert isinstance(event, MessageReceived)
    assert event.chat == GROUP
    assert event.source_id == f"msg:{GUILD}:{GENERAL}:{M1}"
    assert (event.user.user_id, event.user.display_name, event.user.username) == (
        CAROL,
        "Carol Li",
        "carol.li",
    )
    assert event.user.is_admin is False  # @everyone's permissions only
    assert (event.message_id, event.thread_id, event.text) == (
        M1,
        GENERAL,
        "Anyone up for a Rust study night? 🦀",
    )
    assert event.occurred_at == datetime(2026, 12, 1, 1, 5, tzinfo=UTC)


def test_without_the_message_content_intent_a_message_is_logged_without_text() -> None:
    (event,) = run("message_create_no_content")
    assert isinstance(event, MessageReceived)
    assert (event.text, event.attachments, event.user.display_name) == ("", 1, "bob")


def test_a_reply_keeps_what_it_answers_and_the_nickname_and_roles_count() -> None:
    (event,) = run("message_create_reply")
    assert isinstance(event, MessageReceived)
    assert event.reply_to_message_id == M1
    assert event.user.display_name == "Alice (host)"  # the server nickname wins
    assert event.user.is_admin is True  # owner, and Mods have Manage Server


def test_admin_rights_come_from_roles_and_are_unknown_without_the_cache() -> None:
    (event,) = run("message_create_reply", guild=lambda g: GuildInfo(roles=SERVER.roles))  # not the owner
    assert event.user.is_admin is True  # the Mods role: Manage Server
    (event,) = run("message_create_reply", guild=lambda g: None)
    assert event.user.is_admin is None  # the core keeps the member's role


def test_a_direct_message_is_a_private_chat_named_by_the_user() -> None:
    (event,) = run("message_create_dm")
    assert event.chat == ChatRef("discord", BOB, True, "bob")
    assert event.source_id.startswith("msg:@me:")


@pytest.mark.parametrize(
    "name",
    ["message_create_system_join", "message_create_webhook", "message_create_own", "message_update_embed"],
)
def test_system_messages_webhooks_our_own_posts_and_embed_updates_are_not_events(name: str) -> None:
    assert run(name) == []


def test_an_edit_is_a_message_of_its_own_keyed_by_its_edit_time() -> None:
    (event,) = run("message_update_edit")
    assert isinstance(event, MessageReceived)
    assert event.text.endswith("on Friday? 🦀")
    assert event.source_id == f"edit:{GUILD}:{GENERAL}:{M1}:1796087460000"
    assert event.occurred_at == datetime(2026, 12, 1, 1, 11, tzinfo=UTC)


def test_reactions_added_and_removed() -> None:
    (added,) = run("reaction_add")
    (custom,) = run("reaction_add_custom")
    (removed,) = run("reaction_remove")
    assert isinstance(added, ReactionAdded) and isinstance(removed, ReactionRemoved)
    assert isinstance(custom, ReactionAdded)
    assert (added.message_id, added.emoji, added.user.user_id, added.chat) == (M1, "🔥", BOB, GROUP)
    assert custom.emoji == "custom:826969109299331075"
    assert added.source_id == f"react:{M1}:{BOB}:🔥:add@r1.51"
    assert removed.source_id == f"react:{M1}:{BOB}:🔥:remove@r1.53"
    assert removed.user.display_name == ""  # a removal names nobody: the adapter fills it in
    assert added.occurred_at == NOW  # reactions carry no time


def test_a_reaction_replayed_on_resume_has_the_same_key_but_a_second_reaction_does_not() -> None:
    payload = fixture("reaction_add")
    replay = translate(payload["t"], payload["d"], origin="r1.51", now=NOW)
    again = translate(payload["t"], payload["d"], origin="r1.90", now=NOW)
    assert run("reaction_add")[0].source_id == replay[0].source_id != again[0].source_id


def test_members_joining_and_leaving() -> None:
    (joined,) = run("member_add")
    (left,) = run("member_remove")
    assert isinstance(joined, MemberJoined) and isinstance(left, MemberLeft)
    assert joined.source_id == f"join:{GUILD}:{CAROL}:1796088000000"  # joined_at: the same on a replay
    assert joined.occurred_at == datetime(2026, 12, 1, 1, 20, tzinfo=UTC)
    assert (left.user.user_id, left.chat, left.source_id) == (CAROL, GROUP, f"leave:{GUILD}:{CAROL}@r1.55")


def test_voice_join_mute_move_and_leave() -> None:
    knowledge = Knowledge()
    (joined,) = run("voice_join", knowledge)
    assert isinstance(joined, VoiceJoined) and (joined.channel_id, joined.user.user_id) == (VOICE, BOB)
    assert run("voice_mute", knowledge) == []  # same channel: not a join
    left, moved = run("voice_move", knowledge)
    assert isinstance(left, VoiceLeft) and isinstance(moved, VoiceJoined)
    assert (left.channel_id, moved.channel_id) == (VOICE, STAGE)
    (gone,) = run("voice_leave", knowledge)
    assert isinstance(gone, VoiceLeft) and gone.channel_id == STAGE
    assert joined.source_id == f"voice:{GUILD}:{BOB}:{VOICE}:join@r1.56"


def test_who_is_in_voice_at_start_up_comes_from_guild_create() -> None:
    knowledge = Knowledge()
    run("voice_join", knowledge)  # bob, before a reconnection
    assert run("guild_create", knowledge) == []  # a new session: the server's voice states as they are now
    assert knowledge.voice_channel(GUILD, CAROL) == VOICE
    assert knowledge.voice_channel(GUILD, BOB) is None  # he left while we were away


def test_native_poll_votes_count_answers_from_zero_and_a_removal_retracts() -> None:
    (vote,) = run("poll_vote_add")
    (retracted,) = run("poll_vote_remove")
    assert isinstance(vote, PollVoteCast) and isinstance(retracted, PollVoteCast)
    assert (vote.poll_id, vote.option_ids, vote.user.user_id, vote.chat) == (POLL_MSG, (3,), CAROL, GROUP)
    assert retracted.option_ids == ()
    assert vote.source_id != retracted.source_id


def test_interested_in_a_mirrored_scheduled_event_is_a_soft_rsvp() -> None:
    assert run("scheduled_event_user_add") == []  # not one of ours (yet)
    knowledge = Knowledge()
    run("guild_create", knowledge)  # its description says 'gatherbot #7'
    (event,) = run("scheduled_event_user_add", knowledge)
    assert isinstance(event, ButtonPressed)
    assert (event.data, event.user.user_id, event.chat, event.interaction_id) == (
        "rsvp:7:interested",
        CAROL,
        GROUP,
        None,
    )
    assert event.source_id == f"interested:{SCHED}:{CAROL}@r1.62"


def test_the_mapping_is_also_learned_from_scheduled_event_updates() -> None:
    knowledge = Knowledge()
    run("scheduled_event_update", knowledge)
    assert knowledge.our_event_id(SCHED) == 7
    assert [(e.event_id, e.title) for e in knowledge.known_events(GUILD)] == [(7, "Rust night")]


def test_the_bot_itself_is_never_an_actor() -> None:
    payload = fixture("reaction_add")
    payload["d"]["user_id"] = BOT
    payload["d"]["member"]["user"]["id"] = BOT
    assert translate(payload["t"], payload["d"], lookups=Lookups(bot_user_id=BOT)) == []


def test_unknown_dispatches_are_ignored() -> None:
    assert translate("TYPING_START", {"channel_id": GENERAL}) == []


def test_ids_times_and_bounded_keys() -> None:
    assert snowflake_time(M1) == datetime(2026, 12, 1, 1, 5, tzinfo=UTC)
    long = source("react:" + "x" * 200, "r1.5")
    assert len(long) == 128 and long != source("react:" + "x" * 199 + "y", "r1.5")
