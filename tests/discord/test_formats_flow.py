"""The activity formats through the Discord adapter: slash commands with arguments, posts in the server's
channel, the write-up vote as a native poll answered with MESSAGE_POLL_VOTE_ADD."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.storage.formats import Submission, WriteupVote
from tests.discord.conftest import Flow
from tests.discord.fakes import BOB, CAROL
from tests.discord.test_flow import _alice_member, new_event

CAROL_MEMBER = {
    "user": {"id": CAROL, "username": "carol.li", "global_name": "Carol Li"}, "roles": [], "nick": None,
    "permissions": "3072",
}  # fmt: skip


async def command(flow: Flow, name: str, args: str, member: dict[str, Any] | None = None) -> str:
    """A slash command with its one 'args' option; returns what the bot answered."""
    data = {"name": name, "options": [{"name": "args", "type": 3, "value": args}]}
    interaction = await flow.interact(
        "interaction_command_args", data=data, **({"member": member} if member else {})
    )
    await flow.deliver()
    return interaction.followup.send.await_args.kwargs["content"]


async def test_a_challenge_with_slash_commands(flow: Flow) -> None:
    await new_event(flow, title="Sprint", when="2026-12-01 10:00", duration="1h", type="challenge")
    assert await command(flow, "task", "add 1 Parse logs | Count the errors", _alice_member()) == (
        "✅ Task 1 of #1: Parse logs."
    )
    await flow.advance(timedelta(hours=1))
    assert flow.client.guild.announce.sent[-1]["content"].startswith(
        "🏁 The code challenge #1 Sprint has started!"
    )
    assert await command(flow, "submit", "1 1 https://git.example/bob") == (
        "✅ Got your solution to task 1 (Parse logs) of #1. Good luck!"
    )
    async with flow.app.sessions() as s:
        assert [x.content for x in await s.scalars(select(Submission))] == ["https://git.example/bob"]
    assert await command(flow, "score", f"1 <@{BOB}> 90", _alice_member()) == "✅ bob: 90 points in #1."


async def test_the_write_up_vote_is_a_native_poll(flow: Flow) -> None:
    await new_event(flow, title="Reading group", when="2026-12-01 10:00", duration="1h")
    await flow.advance(timedelta(hours=2))
    await command(flow, "writeup", "1 https://bob.example/notes")
    await command(flow, "writeup", "1 https://carol.example/post", CAROL_MEMBER)
    await flow.advance(timedelta(days=3))
    sent = flow.client.guild.announce.sent[-1]
    assert sent["content"].startswith("🗳 Vote for the best write-up of #1 Reading group")
    assert [a.text for a in sent["poll"].answers] == ["bob", "Carol Li"]
    await flow.gateway("poll_vote_add", message_id=str(sent["id"]), answer_id=1)  # carol votes for bob
    await flow.gateway("poll_vote_add", message_id=str(sent["id"]), answer_id=2)  # and for herself: refused
    async with flow.app.sessions() as s:
        assert len(list(await s.scalars(select(WriteupVote)))) == 1
    await flow.advance(timedelta(days=2))
    results = [s["content"] for s in flow.client.guild.announce.sent if s["content"].startswith("🏆")]
    assert results == [
        f"🏆 The best write-up of #1 Reading group, with 1 of 1 vote(s):\n<@{BOB}>'s write-up: https://bob.example/notes"
    ]
    assert flow.client.guild.announce.ended == [sent["id"]]
