"""The console adapter: chat with gatherbot from a terminal or a piped script, no token needed.

Lines:  ``alice: TEXT`` (alice says TEXT in the group; the first speaker is the admin),
``alice@dm: TEXT`` (privately to the bot), ``alice: [Going]`` (press that button on the newest
message that has it, or vote in a poll), ``:advance 2h30m`` / ``:advance 1d`` (move the simulated
clock; whatever falls due is delivered in order), ``:now``, ``:help``. Lines starting with # are comments.
"""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from adapters.memory import MemoryAdapter, ScriptedChat
from bot.app import App
from bot.clock import SimulatedClock
from bot.config import Config
from bot.ports import Capabilities
from bot.timeparse import parse_duration

LINE = re.compile(r"^(?P<name>[\w.\-]{1,32})(?P<dm>@dm)?\s*[:：]\s*(?P<text>.*)$")
BUTTON = re.compile(r"^\[(?P<label>[^\]]+)\]$")
HELP = __doc__.split("\n\n", 1)[1].strip()


def create(config: Config, **_: object) -> ConsoleAdapter:
    """Entry point used by the composition root."""
    return ConsoleAdapter()


class ConsoleAdapter(MemoryAdapter):
    """A MemoryAdapter whose platform is 'console'; ConsoleSession prints what it records."""

    def __init__(self) -> None:
        super().__init__(
            platform="console", capabilities=Capabilities(native_polls=False, idempotent_send=True)
        )


class ConsoleSession:
    """Feeds console lines to the app and prints the bot's output in order."""

    def __init__(self, app: App, adapter: MemoryAdapter, out: TextIO, tz: ZoneInfo) -> None:
        self.app, self.adapter, self.out, self.tz = app, adapter, out, tz
        self.chat = ScriptedChat(adapter, app.clock, chat_id="console-group", title="console")
        self._printed = 0

    @property
    def simulated(self) -> bool:
        return isinstance(self.app.clock, SimulatedClock)

    def flush(self) -> None:
        """Print what the bot said since the last flush."""
        for line in self.adapter.log[self._printed :]:
            print(line, file=self.out)
        self._printed = len(self.adapter.log)
        self.out.flush()

    def say(self, text: str) -> None:
        print(text, file=self.out)

    async def feed(self, raw: str) -> None:
        """Handle one input line."""
        line = raw.strip()
        if not line or line.startswith("#"):
            return
        if line.startswith(":"):
            await self._directive(line[1:].strip())
            return
        match = LINE.match(line)
        if match is None:
            self.say("console: write `name: text`, `name@dm: text`, `name: [Button]` or :help")
            return
        name, text = match["name"], match["text"].strip()
        button = BUTTON.match(text)
        try:
            if button:
                event = self.chat.press(name, button["label"])
            else:
                event = self.chat.say(name, text, private=bool(match["dm"]))
        except LookupError as exc:
            self.say(f"console: {exc}")
            return
        await self.app.handle(event)
        await self.app.relay.drain()
        self.flush()

    async def _directive(self, text: str) -> None:
        word, _, arg = text.partition(" ")
        if word == "now":
            self.say(f"now: {self.app.clock.now().astimezone(self.tz):%Y-%m-%d %H:%M} {self.tz.key}")
        elif word == "advance":
            delta = parse_duration(arg.replace(" ", ""))
            if not self.simulated:
                self.say("console: :advance needs --simulated-clock")
            elif delta is None:
                self.say("console: :advance takes a duration, e.g. :advance 2h30m or :advance 1d")
            else:
                await self.advance(delta)
        elif word == "help":
            self.say(HELP)
        else:
            self.say(f"console: unknown directive :{word} (try :help)")

    async def advance(self, delta: timedelta) -> None:
        """Move the simulated clock, delivering everything due on the way, in order."""
        clock = self.app.clock
        assert isinstance(clock, SimulatedClock)
        target = clock.now() + delta
        for _ in range(100_000):
            due = await self.app.relay.next_due_at()
            if due is None or due > target:
                break
            if due > clock.now():
                clock.set(due)
            before = len(self.adapter.log)
            sent = await self.app.relay.drain()
            if len(self.adapter.log) > before:
                self.say(f"-- {clock.now().astimezone(self.tz):%Y-%m-%d %H:%M} --")
                self.flush()
            if sent == 0 and clock.now() < target:  # due but held back (rate limit, retry): let time pass
                clock.set(min(target, clock.now() + timedelta(seconds=1)))
            elif sent == 0:
                break
        clock.set(target)
        await self.app.relay.drain()
        self.flush()


async def run_console(app: App, adapter: MemoryAdapter, source: TextIO, out: TextIO, tz: ZoneInfo) -> None:
    """Read lines until EOF; with a real clock, also deliver what falls due while waiting."""
    session = ConsoleSession(app, adapter, out, tz)
    ticker = None
    if not session.simulated:

        async def tick_forever() -> None:
            while True:
                await asyncio.sleep(app.config.tick_seconds)
                await app.relay.tick()
                session.flush()

        ticker = asyncio.create_task(tick_forever())
    try:
        loop = asyncio.get_running_loop()
        interactive = source is sys.stdin and source.isatty()
        while True:
            if interactive:
                print("> ", end="", file=out, flush=True)
            line = await loop.run_in_executor(None, source.readline) if interactive else source.readline()
            if not line:
                break
            await session.feed(line)
    finally:
        if ticker is not None:
            ticker.cancel()
