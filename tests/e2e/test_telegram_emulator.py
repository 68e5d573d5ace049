"""End to end over HTTP: gatherbot's service with the Telegram adapter against telegram-test-api.

The emulator (npm telegram-test-api 4.2.1, patched by telegram-emulator.js) runs on 127.0.0.1 only.
Needs node and `npm ci --prefix tests/e2e`; without them the test is skipped, except under CI=true,
where it fails. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.telegram import create
from bot.bootstrap import build_app
from bot.config import Config
from bot.runner import Service

HERE = Path(__file__).parent
LAUNCHER = HERE / "telegram-emulator.js"
TOKEN = "987654321:E2eTokenOnlyForTheLocalEmulator_xyz"
GROUP = {"id": -1005550001, "type": "supergroup", "title": "e2e group"}
BOT = {"id": 666, "is_bot": True, "first_name": "gatherbot", "username": "gatherbot_e2e_bot"}
ALICE = {"id": 2001, "is_bot": False, "first_name": "Alice", "username": "alice_e2e"}
BOB = {"id": 2002, "is_bot": False, "first_name": "Bob", "username": "bob_e2e"}
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _node_or_skip() -> str:
    node = shutil.which("node")
    missing = []
    if node is None:
        missing.append("node is not installed")
    if not (HERE / "node_modules" / "telegram-test-api").is_dir():
        missing.append("tests/e2e/node_modules is missing (run `npm ci --prefix tests/e2e`)")
    if missing:
        reason = "Telegram emulator test: " + "; ".join(missing)
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " (CI must install them)")
        pytest.skip(reason)
    assert node is not None
    return node


@pytest.fixture
async def emulator(monkeypatch) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The patched emulator on a free 127.0.0.1 port; yields its base URL."""
    node = _node_or_skip()
    for var in PROXY_VARS:  # never send localhost traffic through a proxy
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    proc = await asyncio.create_subprocess_exec(
        node, str(LAUNCHER), "--admins", str(ALICE["id"]), "--bot-username", BOT["username"],
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 20)  # type: ignore[union-attr]
        if not line:
            err = await asyncio.wait_for(proc.stderr.read(), 5)  # type: ignore[union-attr]
            pytest.fail(f"the emulator did not start: {err.decode(errors='replace')[-2000:]}")
        yield f"http://127.0.0.1:{json.loads(line)['port']}"
    finally:
        if proc.returncode is None:
            proc.stdin.close()  # type: ignore[union-attr]  # the launcher exits when stdin closes
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def wait_for(what: str, probe: Callable[[], Any], seconds: float = 15.0) -> Any:
    """Poll an async probe until it returns something truthy, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = await probe()
        if result:
            return result
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out after {seconds}s waiting for {what}")


async def test_newevent_announcement_and_rsvp_over_the_emulator(emulator: str, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="aiosqlite")
    config = Config(
        database_url=str(tmp_path / "e2e.db"),
        timezone="UTC",
        tick_seconds=0.2,
        telegram={
            "token": TOKEN, "base_url": f"{emulator}/bot", "base_file_url": f"{emulator}/file/bot",
            "poll_interval": 0.05, "poll_timeout": 0,
        },
    )  # fmt: skip
    service = Service(await build_app(config, adapters={"telegram": create(config)}))
    day = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%d")
    async with httpx.AsyncClient(base_url=emulator, trust_env=False, timeout=5) as client:

        async def bot_messages() -> list[dict[str, Any]]:
            response = await client.post("/getUpdatesHistory", json={"token": TOKEN})
            return [u for u in response.json()["result"] if "chat_id" in u.get("message", {})]

        async def announcement() -> dict[str, Any] | None:
            return next((u for u in await bot_messages() if u["message"].get("reply_markup")), None)

        async with asyncio.timeout(60):
            await service.start()
            try:
                text = f"/newevent Rust night {day} 19:00"
                await client.post("/sendCommand", json={
                    "botToken": TOKEN, "from": ALICE, "chat": GROUP, "date": int(time.time()), "text": text,
                    "entities": [{"offset": 0, "length": 9, "type": "bot_command"}],
                })  # fmt: skip
                posted = await wait_for("the announcement", announcement)
                assert posted["message"]["text"].startswith("📅 Rust night (#1)")
                buttons = posted["message"]["reply_markup"]["inline_keyboard"][0]
                assert [b["callback_data"] for b in buttons] == ["rsvp:1:going", "rsvp:1:maybe", "rsvp:1:no"]
                assert str(posted["message"]["chat_id"]) == str(GROUP["id"])

                message = {"message_id": posted["messageId"], "from": BOT, "chat": GROUP, "date": int(time.time()),
                           "text": posted["message"]["text"]}  # fmt: skip
                await client.post("/sendCallback", json={
                    "botToken": TOKEN, "from": BOB, "message": message, "data": buttons[0]["callback_data"],
                    "chat_instance": "e2e",
                })  # fmt: skip

                async def updated() -> bool:
                    found = await announcement()
                    return bool(found and "Going 1 " in found["message"]["text"])

                await wait_for("the live count edit", updated)
                calls = (await client.get("/_calls")).json()["result"]
            finally:
                await service.stop()

    methods = [c["method"] for c in calls]
    answers = [c["body"] for c in calls if c["method"] == "answerCallbackQuery"]
    assert answers and answers[0]["text"].startswith("You're going to Rust night.")
    assert methods.count("setMyCommands") == 4 and "getChatAdministrators" in methods
    assert all(c["body"].get("parse_mode") is None for c in calls)
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert TOKEN.split(":")[1] not in logged
