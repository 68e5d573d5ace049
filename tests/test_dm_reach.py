"""Writing to the bot privately, in any way, moves a member's reminders to the private chat."""

from __future__ import annotations

from bot.storage.models import Delivery


async def test_a_private_message_moves_planned_reminders_to_the_private_chat(bot) -> None:
    await bot("alice: /newevent Talk 2026-12-03 20:00", "bob: [Going]")
    kinds = {d.kind for d in await bot.rows(Delivery, Delivery.status == "pending")}
    assert "group_reminder" in kinds and "reminder" not in kinds
    await bot("bob@dm: hello there")  # not /start: any private message opens the private chat
    pending = await bot.rows(Delivery, Delivery.status == "pending")
    assert {d.kind for d in pending if d.kind.endswith("reminder")} == {"reminder"}
    out = await bot(":advance 2d11h")
    assert "bot -> bob@dm: ⏰ Reminder: #1 Talk starts in 1d (Thu 3 Dec 2026 20:00)." in out
    assert "bot -> bob@dm: ⏰ Reminder: #1 Talk starts in 1h (Thu 3 Dec 2026 20:00)." in out
    assert not any(line.startswith("bot -> group: @bob") for line in out)
