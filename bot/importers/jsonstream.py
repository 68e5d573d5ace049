"""Reading JSON exports of any size in bounded memory (ijson, the yajl C parser).

An export is one object whose big arrays (the messages) are read one element at a time:

- ``skeleton(path, big)`` builds the document without its big arrays (each is replaced by a
  ``BigArray`` that counts its elements), so the small parts (chat names, types, ids; a
  DiscordChatExporter file's guild and channel) can be checked with ordinary dict code. It stops
  early once ``enough(prefix, document)`` says, at the start of a big array, the parts needed are there (they come first in real exports).
- ``items(path, prefix)`` then yields the elements of the arrays at ``prefix`` (all of them, in
  document order), each an ordinary dict.

A syntax error anywhere raises ImportFormatError with the position: line and column for files small
enough to read twice, else the line the parser had reached and what it had read until then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson

from bot.importers.common import ImportFormatError, json_error
from bot.importers.progress import CountingReader, Progress

EXACT_BELOW = 32 * 1024 * 1024  # bytes: a file this small is re-read with json to name line and column


@dataclass
class BigArray:
    """An array left out of the skeleton: where it is and how many elements it has (None: not counted)."""

    prefix: str
    count: int | None = 0


class _Stop(Exception):
    pass


def skeleton(
    path: str | Path,
    big: Callable[[str], bool],
    enough: Callable[[str, dict[str, Any]], bool] | None = None,
    progress: Progress | None = None,
) -> Any:
    """The document without its big arrays; raises ImportFormatError on bad JSON."""
    root: list[Any] = []
    stack: list[Any] = []  # open containers
    keys: list[str | None] = []  # the pending key of each open object
    skipping: BigArray | None = None
    depth = 0

    def put(value: Any) -> None:
        if not stack:
            root.append(value)
        elif isinstance(stack[-1], list):
            stack[-1].append(value)
        else:
            stack[-1][keys[-1]] = value

    with open(path, "rb") as raw:
        reader = CountingReader(raw, progress)
        try:
            for prefix, event, value in ijson.parse(reader, use_float=True):
                if skipping is not None:
                    if depth == 1 and event not in ("end_array", "map_key"):
                        skipping.count = (skipping.count or 0) + 1
                    if event in ("start_map", "start_array"):
                        depth += 1
                    elif event in ("end_map", "end_array"):
                        depth -= 1
                        if depth == 0:
                            skipping = None
                    continue
                if event == "map_key":
                    keys[-1] = value
                elif event == "start_map":
                    obj: dict[str, Any] = {}
                    put(obj)
                    stack.append(obj)
                    keys.append(None)
                elif event == "start_array":
                    if big(prefix):
                        if (
                            enough is not None
                            and root
                            and isinstance(root[0], dict)
                            and enough(prefix, root[0])
                        ):
                            put(BigArray(prefix, None))
                            raise _Stop
                        skipping = BigArray(prefix)
                        put(skipping)
                        depth = 1
                        continue
                    array: list[Any] = []
                    put(array)
                    stack.append(array)
                    keys.append(None)
                elif event in ("end_map", "end_array"):
                    stack.pop()
                    keys.pop()
                else:
                    put(value)
        except _Stop:
            pass
        except ijson.JSONError as exc:
            raise _position(path, exc, reader, "") from None
    return root[0] if root else None


def items(path: str | Path, prefix: str, progress: Progress | None = None) -> Iterator[Any]:
    """Every element of the arrays at prefix (e.g. "messages"), one at a time."""
    n = 0
    with open(path, "rb") as raw:
        reader = CountingReader(raw, progress)
        try:
            for item in ijson.items(reader, f"{prefix}.item", use_float=True):
                n += 1
                yield item
        except ijson.JSONError as exc:
            raise _position(path, exc, reader, f"after {n} complete elements of {prefix!r}") from None


def _position(path: str | Path, exc: Exception, reader: CountingReader, context: str) -> ImportFormatError:
    size = Path(path).stat().st_size
    if size <= EXACT_BELOW:
        exact = json_error(path)
        if exact is not None:
            return exact
    reason = str(exc).strip().splitlines()[0].strip("b'\" ") if str(exc).strip() else type(exc).__name__
    context = f", {context}" if context else ""
    if "premature EOF" in reason:
        return ImportFormatError(
            f"{path}: not valid JSON: the file ends early at byte {size:,} (line {reader.lines + 1}){context}"
            " (truncated?)"
        )
    return ImportFormatError(
        f"{path}: not valid JSON between line {reader.chunk_line} and line {reader.lines + 1}"
        f" (bytes {reader.chunk_start:,} to {reader.consumed:,}){context}: {reason}"
    )
