"""An incremental decoder of server-sent events over raw byte chunks.

Network reads split a stream anywhere: inside a JSON payload, between a CR and its LF, even
inside a multi-byte UTF-8 character. The decoder therefore keeps undecoded bytes until a line
is complete and only decodes whole lines, which also makes it independent of chunk sizes.
Comment lines (``: OPENROUTER PROCESSING``) are keep-alives and are counted, not returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

DONE = "[DONE]"


class SSEEvent(NamedTuple):
    """One dispatched event: its data lines joined with newlines.

    A NamedTuple rather than a frozen dataclass: one is built per token, and this is cheaper.
    """

    data: str
    event: str | None = None
    id: str | None = None

    @property
    def is_done(self) -> bool:
        """True for the ``data: [DONE]`` sentinel that ends an OpenAI-style stream."""
        return self.data == DONE


class SSEDecoder:
    """Feed byte chunks in, get complete events out (see the module docstring)."""

    __slots__ = ("_buffer", "_data", "_event", "_id", "_skip_lf", "keepalives")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        # A chunk ended with CR: an LF at the start of the next chunk belongs to that CR.
        self._skip_lf = False
        self.keepalives = 0

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Consume one chunk; return the events it completed (possibly none)."""
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        has_cr = b"\r" in chunk
        if not has_cr and b"\n" not in chunk:
            # No line ends here: nothing to decode yet (the common case for small reads).
            self._buffer += chunk
            return []
        buffer = self._buffer + chunk if self._buffer else chunk
        if has_cr:
            # The kept remainder never holds a CR, so looking at this chunk is enough.
            self._skip_lf = buffer.endswith(b"\r")
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        end = buffer.rfind(b"\n")
        self._buffer = buffer[end + 1 :]
        # Whole lines only, so a multi-byte character is never cut in two here.
        lines = buffer[:end].decode("utf-8", errors="replace").split("\n")
        return self._process(lines)

    def finish(self) -> list[SSEEvent]:
        """The stream ended: dispatch an event whose closing blank line never came.

        An unterminated last line may be a truncated payload, so it is dropped.
        """
        self._buffer = b""
        self._skip_lf = False
        if not self._data:
            return []
        return [self._dispatch()]

    def _process(self, lines: list[str]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for line in lines:
            if line.startswith("data:"):  # the common case first
                self._data.append(line[6:] if line[5:6] == " " else line[5:])
                continue
            if not line:
                if self._data:
                    events.append(self._dispatch())
                else:
                    self._event = None
                continue
            if line[0] == ":":
                self.keepalives += 1
                continue
            name, sep, value = line.partition(":")
            if sep and value[:1] == " ":
                value = value[1:]
            if name == "data":
                self._data.append(value)
            elif name == "event":
                self._event = value
            elif name == "id" and "\0" not in value:
                self._id = value
            # "retry" and unknown fields are ignored, as the SSE specification asks.
        return events

    def _dispatch(self) -> SSEEvent:
        event = SSEEvent("\n".join(self._data), self._event, self._id)
        self._data = []
        self._event = None
        return event


def iter_events(chunks: Iterable[bytes]) -> Iterator[SSEEvent]:
    """Decode an iterable of byte chunks into events, including a final unterminated one."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.finish()
