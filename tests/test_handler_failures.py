"""A handler that changes state and then fails is undone, the member gets an answer, the bot goes on."""

from __future__ import annotations

from bot import i18n
from bot.context import Ctx, UsageError
from bot.registry import CommandSpec
from bot.storage.models import Activity, Community


async def _rename_then_fail(ctx: Ctx, args: str) -> None:
    assert ctx.community is not None and ctx.member is not None
    ctx.community.title = "changed"
    ctx.member.display_name = "changed"
    if args == "bad":
        raise UsageError("That is not right. Example: /boom ok")
    raise RuntimeError("a bug")


async def test_failures_roll_back_and_answer(bot) -> None:
    if "help.boom" not in i18n.catalog():
        i18n.register({"help.boom": {"en": "Test command", "zh": "测试命令"}})
    bot.app.registry.add(CommandSpec("boom", _rename_then_fail, "/boom", "/boom ok", needs_community=True))
    await bot("alice: hello")
    assert await bot("alice: /boom bad") == ["bot -> group: That is not right. Example: /boom ok"]
    assert await bot("alice: /boom") == [
        "bot -> group: Sorry, something went wrong on my side. Nothing was changed; please try again."
    ]
    assert [c.title for c in await bot.rows(Community)] == ["console"]
    assert await bot.count(Activity) == 3  # the failed commands are still logged
    assert await bot("alice: /events") == [
        "bot -> group: No upcoming events. Organizers can add one with /newevent."
    ]
