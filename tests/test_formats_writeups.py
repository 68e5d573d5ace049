"""A discussion with write-ups, as transcripts: links after the event until the deadline, then a vote (one
each, never for one's own), and the winner announced when it closes; with buttons and with native polls."""

from __future__ import annotations

import pytest

from bot.domain.events import ButtonPressed, PollVoteCast
from bot.ports import Capabilities
from bot.storage.formats import EventFormat, Writeup, WriteupVote
from bot.storage.models import Delivery, Member, Poll
from tests.harness import Harness

SETUP = [  # the clock starts Tue 1 Dec 2026 09:00 (Asia/Shanghai)
    "alice: /newevent Reading group 2026-12-02 20:00 2h",  # a discussion, the default type
]


async def votes(bot: Harness) -> list[tuple[int, int]]:
    return sorted((v.member_id, v.writeup_id) for v in await bot.rows(WriteupVote))


async def test_a_discussion_with_write_ups_and_a_vote(bot) -> None:
    await bot(*SETUP)
    assert await bot("bob: /writeup 1 https://bob.example/notes") == [
        "bot -> group: Write-ups of #1 open when it ends (Wed 2 Dec 2026 22:00)."
    ]
    assert await bot("alice: /writeups 1 until 2026-12-04 22:00", "alice: /prize 1 1 A book") == [
        "bot -> group: 📝 After #1 Reading group ends (Wed 2 Dec 2026 22:00), write it up! Send the link with "
        "/writeup 1 link until Fri 4 Dec 2026 22:00; then everyone votes for the best one.",
        "bot -> group: 🎁 #1, place 1 wins: A book.",
    ]
    await bot(":advance 1d13h")  # Wed 22:00: the discussion is over
    assert await bot("bob: /writeup 1 https://bob.example/notes") == [
        "bot -> group: 📝 Thanks! Your write-up of #1 is in. The vote for the best one opens Fri 4 Dec 2026 22:00."
    ]
    assert (
        await bot("carol: /writeup 1 https://carol.example/post", "dave: /writeup 1 https://dave.example/x")
        == [
            "bot -> group: 📝 Thanks! Your write-up of #1 is in. The vote for the best one opens Fri 4 Dec 2026 22:00.",
        ]
        * 2
    )
    assert await bot("carol: /writeup 1 https://carol.example/post-v2") == [
        "bot -> group: 📝 Updated the link of your write-up of #1. The vote opens Fri 4 Dec 2026 22:00."
    ]
    out = await bot(":advance 2d")  # Fri 22:00: the deadline; the vote opens
    assert out == [
        "-- 2026-12-04 22:00 --",
        "bot -> group: 🗳 Vote for the best write-up of #1 Reading group: one vote each, not for your own, until Sun 6 Dec 2026 22:00.",
        "1. bob — https://bob.example/notes",
        "2. carol — https://carol.example/post-v2",
        "3. dave — https://dave.example/x",
        "[bob]",
        "[carol]",
        "[dave]",
    ]
    assert await bot("erin: /writeup 1 https://erin.example/late") == [
        "bot -> group: Write-ups of #1 closed at Fri 4 Dec 2026 22:00: this one was not saved."
    ]
    assert await bot("erin: [bob]") == ["bot -> erin (only you): 🗳 Thanks! You voted for bob's write-up."]
    assert await bot("bob: [bob]") == [  # a vote for oneself is refused
        "bot -> bob (only you): You can't vote for your own write-up: vote for someone else's."
    ]
    assert await bot("erin: [carol]") == [  # a second vote is refused; the first stands
        "bot -> erin (only you): You already voted (for bob's write-up): one vote each."
    ]
    await bot("carol: [bob]", "bob: [carol]", "frank: [bob]")
    assert await votes(bot) == [(2, 2), (3, 1), (5, 1), (6, 1)]
    out = await bot(":advance 2d")  # Sun 22:00: the vote closes
    assert out == [
        "-- 2026-12-06 22:00 --",
        "bot -> group: 🏆 The best write-up of #1 Reading group, with 3 of 4 vote(s):",
        "@bob's write-up: https://bob.example/notes",
        "🎁 The best write-up wins: A book",
        "bot -> group (edited): 🗳 Vote for the best write-up of #1 Reading group: one vote each, not for your own, until Sun 6 Dec 2026 22:00.",
        "1. bob — https://bob.example/notes",
        "2. carol — https://carol.example/post-v2",
        "3. dave — https://dave.example/x",
        "(the vote is closed)",
    ]
    assert bot.adapter.records[-1].message.buttons == ()
    # A press that arrives after the close (e.g. from an old client) is refused.
    base = bot.session.chat._base("gina", False)
    await bot.app.handle(ButtonPressed(**base, data="wvote:1:1", interaction_id="gina#late"))
    bot.session.flush()
    assert bot.adapter.answers[-1] == ("gina#late", "This vote is closed.")
    assert len(await votes(bot)) == 4
    assert await bot("bob: /points") == [
        "bot -> group: 🏅 bob, you have 30 points: #1 of 3 on the leaderboard.",
        "• write-ups: 1 × 10 = 10",
        "• best write-ups: 1 × 20 = 20",
    ]
    assert await bot.count(Delivery, Delivery.kind == "fmt_vote_close", Delivery.status == "sent") == 1


async def test_native_poll_on_platforms_that_have_one(tmp_path) -> None:
    bot = await Harness.create(
        str(tmp_path / "n.db"), capabilities=Capabilities(native_polls=True, idempotent_send=True), lang="zh"
    )
    try:
        await bot(*SETUP, "bob: hi", "bob@dm: /start", ":advance 1d13h")
        await bot("bob: /writeup 1 https://bob.example/notes", "carol: /writeup 1 https://carol.example/post")
        out = await bot(":advance 3d")  # the default window: three days after the end
        assert out == [
            "-- 2026-12-05 22:00 --",
            "bot -> group: 🗳 为 #1 Reading group 的最佳总结投票：每人一票，不能投给自己，截止 2026年12月7日 周一 22:00。",
            "1. bob — https://bob.example/notes",
            "2. carol — https://carol.example/post",
            "[poll] #1 Reading group 的最佳总结是？: (bob) (carol)",
        ]
        [poll] = await bot.rows(Poll, Poll.kind == "writeup")
        assert poll.platform_poll_id is not None and (await bot.rows(EventFormat))[0].vote_writeups == [1, 2]
        # bob votes for himself: not counted, and he is told privately (a native poll has no private answer).
        assert await bot("bob: [bob]") == ["bot -> bob@dm: 不能投给自己的总结，请投给别人。"]
        await bot("bob: [carol]", "dave: [carol]", "erin: [bob]")
        assert (
            await bot("erin: [carol]") == []
        )  # a second vote is not counted (erin can't get private messages)
        assert await votes(bot) == [(2, 2), (4, 2), (5, 1)]
        # A retracted vote is withdrawn; the member may vote again.
        retract = PollVoteCast(
            **bot.session.chat._base("erin", False), poll_id=poll.platform_poll_id, option_ids=()
        )
        await bot.app.handle(retract)
        assert await votes(bot) == [(2, 2), (4, 2)]
        out = await bot(":advance 2d")
        assert out == [
            "-- 2026-12-07 22:00 --",
            "bot -> group: 🏆 #1 Reading group 的最佳总结（2 票中得 2 票）：",
            "@carol 的总结：https://carol.example/post",
            "bot -> group (poll closed): #1 Reading group 的最佳总结是？",
        ]
        assert (await bot.rows(Poll, Poll.kind == "writeup"))[0].status == "closed"
        assert await bot("frank: [bob]") == ["console: no button [bob] on any message"]
    finally:
        await bot.close()


async def test_a_tie_names_every_winner(bot) -> None:
    await bot(*SETUP, "alice: /writeups 1", ":advance 1d13h")
    await bot(
        "bob: /writeup 1 https://bob.example/a", "carol: /writeup 1 https://carol.example/b", ":advance 3d"
    )
    await bot("bob: [carol]", "carol: [bob]")
    out = await bot(":advance 2d")
    assert out[1:4] == [
        "bot -> group: 🏆 A tie for the best write-up of #1 Reading group, 1 of 2 vote(s) each:",
        "@bob's write-up: https://bob.example/a",
        "@carol's write-up: https://carol.example/b",
    ]
    assert "best write-ups: 1 × 20 = 20" in await bot.text("carol: /points")


async def test_no_votes_no_winner_and_a_single_write_up_needs_no_vote(bot) -> None:
    await bot(
        *SETUP,
        ":advance 1d13h",
        "bob: /writeup 1 https://bob.example/a",
        "carol: /writeup 1 https://c.example/b",
    )
    await bot(":advance 3d")
    assert (await bot(":advance 2d"))[1] == (
        "bot -> group: 🗳 The vote on the write-ups of #1 Reading group is closed: nobody voted, so there is no winner."
    )
    await bot("alice: /newevent Second round 2026-12-08 20:00 1h", ":advance 1d")
    await bot("bob: /writeup 2 https://bob.example/again")
    assert (await bot(":advance 3d"))[1] == (
        "bot -> group: 📝 One write-up of #2 Second round came in, by @bob: https://bob.example/again. Thank you!"
    )
    assert await bot.count(Poll, Poll.kind == "writeup") == 1  # no vote for a single write-up
    assert await bot(":advance 2d") == []


async def test_a_discussion_nobody_writes_up_stays_quiet(bot) -> None:
    await bot(*SETUP)
    assert "🗳" not in await bot.text(":advance 10d")
    assert {d.status for d in await bot.rows(Delivery, Delivery.kind.like("fmt_vote%"))} == {"skipped"}


async def test_the_organizer_can_call_after_the_end_and_move_the_deadline(bot) -> None:
    await bot(*SETUP, ":advance 1d13h")
    assert await bot("alice@dm: /writeups 1 until 2026-12-03 12:00") == [
        "bot -> group: 📝 Write up #1 Reading group! Send the link with /writeup 1 link until Thu 3 Dec 2026 12:00; "
        "then everyone votes for the best one.",
        "bot -> alice@dm: ✅ Asked the group for write-ups of #1 until Thu 3 Dec 2026 12:00.",
    ]
    rows = {
        d.dedupe_key: d.due_at.isoformat() for d in await bot.rows(Delivery, Delivery.kind.like("fmt_vote%"))
    }
    assert rows == {"fmtwu:vote:1": "2026-12-03T04:00:00+00:00", "fmtwu:close:1": "2026-12-05T04:00:00+00:00"}
    await bot(":advance 14h")
    assert "/writeups" not in await bot.text("alice: /writeups 1")
    assert await bot("alice: /writeups 1") == [
        "bot -> group: Write-ups of #1 are closed and its vote has started."
    ]


BAD = [
    ("bob: /writeup 1 notalink", "“notalink” is not a link (it starts with http:// or https://)."),
    ("bob: /writeup 1", "Add the link to your write-up."),
    ("bob: /writeup 1 ftp://x.example/a", "“ftp://x.example/a” is not a link"),
    ("bob: /writeup 2 https://x.example/a", "#2 is a code challenge, not a discussion."),
    ("bob: /writeup x https://x.example/a", "“x” is not an event number."),
    ("alice: /writeups 1 until banana", "I can't read “banana” as a time."),
    ("alice: /writeups 1 until 2026-12-02 21:00", "The deadline must be after Wed 2 Dec 2026 22:00."),
    ("alice: /writeups 2", "#2 is a code challenge, not a discussion."),
    ("alice: /prize 1 2 A pen", "“2” is not a place here: use a number from 1 to 1."),
]


@pytest.mark.parametrize(("line", "problem"), BAD, ids=[b[0][:30] for b in BAD])
async def test_bad_input_is_explained_and_changes_nothing(bot, line: str, problem: str) -> None:
    await bot(*SETUP, "alice: /newevent Sprint 2026-12-03 19:00 type=challenge", ":advance 1d13h")
    await bot("carol: /writeup 1 https://carol.example/post")

    async def state() -> tuple:
        rows = await bot.rows(Writeup)
        formats = [(f.event_id, f.writeup_deadline) for f in await bot.rows(EventFormat)]
        deliveries = sorted(
            (d.dedupe_key, d.due_at) for d in await bot.rows(Delivery, Delivery.kind != "message")
        )
        return [(w.member_id, w.link) for w in rows], formats, deliveries

    before = await state()
    out = await bot.text(line)
    assert problem in out and "Sorry" not in out
    if "Usage:" in out:
        assert "\nExample: /" in out
    assert await state() == before


async def test_deleting_a_voter_keeps_the_vote_deleting_an_author_removes_the_write_up(bot) -> None:
    await bot(*SETUP, ":advance 1d13h")
    await bot(
        "bob: /writeup 1 https://bob.example/a", "carol: /writeup 1 https://carol.example/b", ":advance 3d"
    )
    await bot("erin: [bob]", "dave: [carol]", "carol: [bob]")
    [erin] = await bot.rows(Member, Member.user_id == "u-erin")
    await bot("erin@dm: /privacy delete confirm")
    assert len(await votes(bot)) == 3  # erin's vote stays, re-pointed to an anonymous placeholder
    assert erin.id not in {v.member_id for v in await bot.rows(WriteupVote)}
    await bot("carol@dm: /privacy delete confirm")  # her write-up and the votes for it go; her vote stays
    assert [(w.member_id, w.link) for w in await bot.rows(Writeup)] == [(2, "https://bob.example/a")]
    assert len(await votes(bot)) == 2
    out = await bot(":advance 2d")
    assert out[1:3] == [
        "bot -> group: 🏆 The best write-up of #1 Reading group, with 2 of 2 vote(s):",
        "@bob's write-up: https://bob.example/a",
    ]
