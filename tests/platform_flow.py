"""What the platform flow tests share: delivering the outbox while simulated time passes."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.clock import SimulatedClock
from bot.domain.events import DomainEvent


class DeliveringClock:
    """Mixin for a platform test flow with ``app`` (on a simulated clock) and ``seen`` events."""

    app: App
    seen: list[DomainEvent]

    @property
    def clock(self) -> SimulatedClock:
        assert isinstance(self.app.clock, SimulatedClock)
        return self.app.clock

    async def sink(self, event: DomainEvent) -> None:
        """The adapter's sink: remember the event, then let the core handle it."""
        self.seen.append(event)
        await self.app.handle(event)

    async def deliver(self, steps: int = 30) -> None:
        """Send everything due now, letting simulated seconds pass for the rate limits."""
        for _ in range(steps):
            await self.app.relay.drain()
            due = await self.app.relay.next_due_at()
            if due is None or due > self.clock.now() + timedelta(seconds=30):
                return
            self.clock.advance(timedelta(seconds=3))
        raise AssertionError("outbox still has messages due after many rate-limit windows")

    async def advance(self, delta: timedelta) -> None:
        """Let time pass in 5-minute steps, delivering whatever falls due."""
        end = self.clock.now() + delta
        while self.clock.now() < end:
            self.clock.advance(min(timedelta(minutes=5), end - self.clock.now()))
            await self.deliver()
