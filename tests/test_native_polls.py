"""Platforms with native polls get one (votes arrive as PollVoteCast); it is stopped when the poll closes."""

from __future__ import annotations

import pytest

from bot.ports import Capabilities
from bot.storage.models import Poll, PollVote
from tests.harness import Harness


@pytest.fixture
async def native(tmp_path):  # type: ignore[no-untyped-def]
    h = await Harness.create(
        str(tmp_path / "n.db"), capabilities=Capabilities(native_polls=True, idempotent_send=True)
    )
    yield h
    await h.close()


async def test_native_poll_votes_are_stored_per_member_and_the_poll_is_stopped(native) -> None:
    await native("alice: /newevent Rust night 2026-12-01 20:00", "bob: [Going]", "carol: [Going]")
    await native(":advance 11h")
    await native("bob: [I'm here]", "carol: [I'm here]")
    out = await native(":advance 1h20m")
    assert "bot -> group: @bob @carol:" in out
    assert "[poll] How was #1 Rust night? Rate it 1 (poor) to 5 (great).: (1) (2) (3) (4) (5)" in out
    poll = (await native.rows(Poll))[0]
    assert poll.platform_poll_id is not None and poll.message_id is not None
    await native("bob: [5]", "carol: [2]", "carol: [3]")  # carol changes her mind: one vote each
    assert sorted((v.member_id, v.score) for v in await native.rows(PollVote)) == [(2, 5), (3, 3)]
    out = await native(":advance 1d")
    assert (
        "bot -> group: 📊 The feedback poll for #1 Rust night is closed (responses 2). Organizers: /results 1"
        in out
    )
    assert "bot -> group (poll closed): How was #1 Rust night? Rate it 1 (poor) to 5 (great)." in out
    assert (await native.rows(Poll))[0].status == "closed"


async def test_a_vote_from_someone_who_was_not_there_is_refused(native) -> None:
    await native("alice: /newevent Rust night 2026-12-01 20:00", "bob: [Going]")
    await native(":advance 11h", "bob: [I'm here]", ":advance 1h20m")
    out = await native("mallory: [1]")
    assert await native.count(PollVote) == 0
    assert out == []  # native polls have no private answer; the vote is simply not counted
