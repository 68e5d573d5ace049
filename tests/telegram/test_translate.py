"""Recorded Bot API updates (fixtures/*.json) -> domain events, by the pure translation functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from adapters.telegram.translate import ALLOWED_UPDATES, bot_membership, translate, translate_payload
from bot.domain.events import (
    BotRoleChanged,
    ButtonPressed,
    ChatMigrated,
    ChatRef,
    CommandInvoked,
    MemberJoined,
    MemberLeft,
    MessageReceived,
    PollVoteCast,
    ReactionAdded,
    ReactionRemoved,
    UserRef,
)

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 12, 1, 1, 2, 3, tzinfo=UTC)
T = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
GROUP = ChatRef("telegram", "-1001234567890", False, "Rust Study Group")
FORUM = ChatRef("telegram", "-1009876543210", False, "Study Forum")
ALICE = UserRef("1001", "Alice Wang", "alice_w", None, "en")
BOB = UserRef("1002", "Bob", "bob", None, "en")
CAROL = UserRef("1003", "Carol Li", None, None, "zh-hans")
CAROL_DM = ChatRef("telegram", "1003", True, "Carol Li")


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def events(name: str, bot_username: str | None = "gatherbot_test_bot") -> list[Any]:
    return translate_payload(load(name), bot_username=bot_username, now=NOW)


def test_group_message_with_a_reply() -> None:
    assert events("group_message") == [
        MessageReceived(
            source_id="u500100", chat=GROUP, user=BOB, occurred_at=T, message_id="311",
            text="Anyone up for pairing on the borrow checker exercise?", reply_to_message_id="309",
        )
    ]  # fmt: skip


def test_private_message() -> None:
    (event,) = events("private_message")
    assert event == MessageReceived(
        source_id="u500101", chat=CAROL_DM, user=CAROL, occurred_at=datetime(2026, 12, 1, 1, 0, 5, tzinfo=UTC),
        message_id="12", text="你好，我想参加周六的活动",
    )  # fmt: skip
    assert event.occurred_at.tzinfo is not None and event.occurred_at.utcoffset().total_seconds() == 0


def test_command_with_our_bot_name_and_arguments() -> None:
    (event,) = events("command_group")
    assert event == CommandInvoked(
        source_id="u500102", chat=GROUP, user=ALICE, occurred_at=datetime(2026, 12, 1, 1, 0, 10, tzinfo=UTC),
        name="newevent", args="Rust night 2026-12-05 19:00 2h", message_id="312",
    )  # fmt: skip


def test_bot_name_match_ignores_case_and_unknown_name_accepts_any() -> None:
    assert events("command_group", "GatherBot_Test_Bot")[0].name == "newevent"
    assert events("command_group", None)[0].name == "newevent"


def test_command_addressed_to_another_bot_is_ignored() -> None:
    assert events("command_other_bot") == []


def test_private_command_name_is_lowercased() -> None:
    (event,) = events("command_private")
    assert (event.name, event.args, event.chat) == ("remind", "2h,15m", CAROL_DM)


def test_edit_is_a_message_with_its_own_source_id_and_the_edit_time() -> None:
    (event,) = events("edited_message")
    assert isinstance(event, MessageReceived)
    assert event.source_id == "u500105:edit" != "u500100"
    assert (event.message_id, event.text) == ("311", "Anyone up for pairing on the lifetimes exercise?")
    assert event.occurred_at == datetime(2026, 12, 1, 1, 1, tzinfo=UTC)


def test_photo_with_caption_counts_one_attachment() -> None:
    (event,) = events("photo_caption")
    assert (event.text, event.attachments, event.reply_to_message_id) == (
        "whiteboard from last week",
        1,
        None,
    )


def test_forum_topic_message_has_the_thread_but_no_reply() -> None:
    (event,) = events("forum_topic_message")
    assert (event.chat, event.thread_id, event.reply_to_message_id) == (FORUM, "41", None)


def test_reply_inside_a_forum_topic() -> None:
    (event,) = events("forum_topic_reply")
    assert (event.thread_id, event.reply_to_message_id, event.user) == ("41", "58", CAROL)


def test_callback_query_is_a_button_press_on_the_message() -> None:
    assert events("callback_query") == [
        ButtonPressed(
            source_id="u500109", chat=GROUP, user=BOB, occurred_at=NOW, data="rsvp:1:going",
            message_id="320", interaction_id="4382bfdwdsb323b2d9",
        )
    ]  # fmt: skip


def test_poll_answer_comes_from_the_voters_private_chat() -> None:
    assert events("poll_answer") == [
        PollVoteCast(
            source_id="u500110", chat=CAROL_DM, user=CAROL, occurred_at=NOW,
            poll_id="5436208375842096371", option_ids=(3,),
        )
    ]  # fmt: skip
    assert events("poll_answer_retracted")[0].option_ids == ()


def test_reaction_change_is_diffed_into_removed_and_added_with_suffixed_ids() -> None:
    when = datetime(2026, 12, 1, 1, 0, 50, tzinfo=UTC)
    common = {"chat": GROUP, "user": CAROL, "occurred_at": when, "message_id": "311"}
    assert events("message_reaction") == [
        ReactionRemoved(source_id="u500112:1", emoji="👍", **common),
        ReactionAdded(source_id="u500112:2", emoji="❤", **common),
        ReactionAdded(source_id="u500112:3", emoji="custom:5368324170671202286", **common),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "message_reaction_anonymous",  # reacted as the group: nobody to credit
        "message_reaction_count",  # anonymous totals
        "chat_member_promoted",  # no membership change (the adapter refreshes admins)
        "service_new_members",  # the service message; chat_member is the source of joins
        "anonymous_admin",  # GroupAnonymousBot
        "channel_forward",  # linked channel post
    ],
)
def test_updates_without_a_member_event(name: str) -> None:
    assert events(name) == []


def test_chat_member_join_and_leave() -> None:
    (joined,) = events("chat_member_joined")
    assert joined == MemberJoined(
        source_id="u500115", chat=GROUP, user=UserRef("1003", "Carol Li", None, False, "zh-hans"),
        occurred_at=datetime(2026, 12, 1, 1, 1, 10, tzinfo=UTC),
    )  # fmt: skip
    (left,) = events("chat_member_left")
    assert isinstance(left, MemberLeft) and left.user.user_id == "1002" and left.user.is_admin is False


def test_restricted_member_who_is_in_the_chat_has_joined() -> None:
    (event,) = events("chat_member_restricted_join")
    assert isinstance(event, MemberJoined) and event.user.user_id == "1002"


def test_the_bot_added_as_admin_is_a_bot_role_change() -> None:
    (event,) = events("my_chat_member_added")
    assert isinstance(event, BotRoleChanged) and event.present and event.is_admin
    assert event.chat == GROUP and event.source_id == "u500119"


def test_bot_membership_change_is_reported() -> None:
    update = Update.de_json(load("my_chat_member_added"), None)
    assert bot_membership(update) == ("-1001234567890", "Rust Study Group", "left", "administrator")
    assert bot_membership(Update.de_json(load("group_message"), None)) is None


def test_every_fixture_is_a_valid_update_and_translate_never_raises() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        update = Update.de_json(json.loads(path.read_text(encoding="utf-8")), None)
        for event in translate(update, bot_username="gatherbot_test_bot", now=NOW):
            assert event.chat.platform == "telegram"
            # keyed by update id, except a group's move, keyed by the move (it is said in both chats)
            assert event.source_id.startswith("migrate:" if isinstance(event, ChatMigrated) else "u")
            assert event.occurred_at.tzinfo is not None


def test_allowed_updates_cover_every_type_translated() -> None:
    assert set(ALLOWED_UPDATES) == {
        "message", "edited_message", "callback_query", "poll_answer", "message_reaction",
        "chat_member", "my_chat_member",
    }  # fmt: skip


@pytest.mark.parametrize("name", ["migrate_to_supergroup", "migrate_from_group"])
def test_a_group_upgraded_to_a_supergroup_is_one_move_said_twice(name: str) -> None:
    (moved,) = events(name)
    assert moved == ChatMigrated(
        source_id="migrate:-4051234567:-1001234567890",  # the same from both chats: handled once
        chat=ChatRef("telegram", "-4051234567", False, "Rust Study Group"),
        user=UserRef("1001", "Alice Wang", "alice_w", None, "en"),
        occurred_at=datetime.fromtimestamp(1796086900, UTC),
        new_chat_id="-1001234567890",
    )
