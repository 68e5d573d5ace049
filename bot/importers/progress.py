"""Progress of a long import on stderr: a bar on a terminal, a line per 10,000 messages otherwise.

Progress is measured in bytes of the export read so far (every reader counts what it reads), so
the bar moves the same way for JSON and HTML, in both passes (checking, then importing).
"""

from __future__ import annotations

import time
from typing import BinaryIO, TextIO

EVERY = 10_000  # messages between two lines when stderr is not a terminal
REDRAW = 0.2  # seconds between two redraws of the bar
WIDTH = 24


class Progress:
    """Counts bytes read and messages imported; draws a bar (terminal) or writes lines (log)."""

    def __init__(self, out: TextIO | None, total_bytes: int, *, tty: bool | None = None) -> None:
        self.out = out
        self.total = max(total_bytes, 1)
        self.tty = bool(out is not None and (out.isatty() if tty is None else tty))
        self.phase = ""
        self.done = 0  # bytes read in this phase
        self.messages = self.events = self.added = 0
        self._next_line = EVERY
        self._drawn = 0.0
        self._began = time.monotonic()

    def start(self, phase: str) -> None:
        """A new pass over the files ("checking", "importing"): the bar starts again."""
        self.finish_line()
        self.phase, self.done, self._began = phase, 0, time.monotonic()
        self._draw(force=True)

    def read(self, n: int) -> None:
        """n more bytes were read."""
        self.done += n
        if self.tty and self.phase == "checking":  # while importing, the bar is drawn after each batch
            self._draw()

    def batch(self, messages: int, events: int, added: int) -> None:
        """A batch was written: totals so far."""
        self.messages, self.events, self.added = messages, events, added
        if self.tty:
            self._draw()
        elif self.out is not None and messages >= self._next_line:
            self.out.write(f"... {messages} messages, {events} events read, {added} rows added\n")
            self.out.flush()
            while self._next_line <= messages:
                self._next_line += EVERY

    def finish_line(self) -> None:
        """End the bar's line (before other output)."""
        if self.tty and self.out is not None and self.phase:
            self._draw(force=True)
            self.out.write("\n")
            self.out.flush()
            self.phase = ""

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.tty or self.out is None or not self.phase or (not force and now - self._drawn < REDRAW):
            return
        self._drawn = now
        share = min(self.done / self.total, 1.0)
        filled = int(share * WIDTH)
        elapsed = now - self._began
        eta = f"{int(elapsed / share - elapsed)}s left" if 0.02 < share < 1 and elapsed > 1 else ""
        counts = f"{self.messages:,} messages, {self.added:,} rows added" if self.phase == "importing" else ""
        line = f"{self.phase:>9} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  {counts}  {eta}"
        self.out.write("\r" + line.rstrip().ljust(79))
        self.out.flush()


class CountingReader:
    """A binary file that reports every read to a Progress (and drops a UTF-8 byte-order mark)."""

    def __init__(self, raw: BinaryIO, progress: Progress | None) -> None:
        self.raw = raw
        self.progress = progress
        self.consumed = 0
        self.lines = 0  # newlines in everything read so far
        self.chunk_start = 0  # byte and line where the last chunk read began: a parse error
        self.chunk_line = 1  # is in that chunk
        self._first = True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        if self._first:
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                self.consumed += 3
                data = data[3:]
        self.chunk_start, self.chunk_line = self.consumed, self.lines + 1
        self.consumed += len(data)
        self.lines += data.count(b"\n")
        if self.progress is not None:
            self.progress.read(len(data))
        return data
