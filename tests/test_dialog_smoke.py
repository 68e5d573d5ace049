"""The whole life of an event as a transcript: create, RSVP, waitlist, remind, check in, rate."""

from __future__ import annotations

from bot.storage.models import Attendance, Event, PollVote, Rsvp


async def test_event_lifecycle(bot) -> None:
    assert await bot(
        "alice: /newevent Python night 2026-12-05 19:00 2h type=challenge #python capacity=1"
    ) == [
        "bot -> group: 📅 Python night (#1)",
        "🕖 Sat 5 Dec 2026 19:00–21:00 (Asia/Shanghai)",
        "🏷 code challenge · #python",
        "👥 Going 0/1 · Maybe 0 · Waitlist 0",
        "[Going] [Maybe] [Can't go]",
        "bot -> group: ✅ Created #1 Python night: Sat 5 Dec 2026 19:00. Announced in the group.",
    ]
    out = await bot("bob: [Going]", "carol: [Going]")
    assert "bot -> bob (only you): You're going to Python night. I'll remind you before it starts." in out
    assert (
        "bot -> carol (only you): Python night is full: you're #1 on the waitlist. I'll tell you if a spot opens."
        in out
    )
    out = await bot("bob: [Can't go]")
    assert (
        "bot -> group: @carol: 🎉 A spot opened up: you're now going to #1 Python night (Sat 5 Dec 2026 19:00)."
        in out
    )
    assert await bot.count(Rsvp, Rsvp.status == "going") == 1

    out = await bot(":advance 3d10h")  # to Dec 4 19:00: the 24h reminder
    assert "bot -> group: @carol: ⏰ #1 Python night starts in 1d (Sat 5 Dec 2026 19:00)." in out
    out = await bot(":advance 1d")  # to Dec 5 19:00: 1h reminder, then the check-in post
    assert "bot -> group: @carol: ⏰ #1 Python night starts in 1h (Sat 5 Dec 2026 19:00)." in out
    assert "[I'm here]" in out
    out = await bot("carol: [I'm here]")
    assert out == ["bot -> carol (only you): ✅ Checked in to Python night. Enjoy!"]
    assert await bot.count(Attendance) == 1

    out = await bot(":advance 2h10m")  # poll opens 10 min after the end
    assert "bot -> group: @carol: ⭐ How was #1 Python night? Rate it 1 (poor) to 5 (great)." in out
    await bot("carol: [4]")
    assert [v.score for v in await bot.rows(PollVote)] == [4]
    out = await bot(":advance 1d")  # alice never wrote privately: no scores in the group, just a pointer
    assert (
        "bot -> group: 📊 The feedback poll for #1 Python night is closed (responses 1). Organizers: /results 1"
        in out
    )
    out = await bot("alice: /results 1")
    assert "bot -> group: 📊 Feedback on #1 Python night: responses 1, attendees 1, mean 4.0." in out
    assert await bot("bob: /results 1") == [
        "bot -> group: Only organizers can use /results. Nothing was changed."
    ]
    assert (await bot.rows(Event))[0].status == "scheduled"
