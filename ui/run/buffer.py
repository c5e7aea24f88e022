"""Pipeline events collected from worker threads and handed to the GUI in batches.

Agents stream many small text deltas; painting each one would flood the event loop. Workers
only append to this buffer; the GUI drains it on a timer, with each step's consecutive
deltas joined into one (events of a platform keep their order).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from app.agents.events import TextDelta


class EventBuffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[Any] = []

    def push(self, event: Any) -> None:
        """Called on worker threads."""
        with self._lock:
            self._events.append(event)

    def drain(self) -> list[Any]:
        """Everything pushed since the last drain, coalesced (GUI thread)."""
        with self._lock:
            events, self._events = self._events, []
        return coalesce(events)

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)


def coalesce(events: Iterable[Any]) -> list[Any]:
    """Join each platform's consecutive text deltas of the same step."""
    out: list[Any] = []
    parts: dict[int, list[str]] = {}  # index in out -> texts of a delta being joined
    last_of_platform: dict[str, int] = {}
    for event in events:
        platform = getattr(event, "platform", None)
        if isinstance(event, TextDelta) and platform is not None:
            index = last_of_platform.get(platform)
            previous = out[index] if index is not None else None
            if (
                index is not None
                and isinstance(previous, TextDelta)
                and previous.step_id == event.step_id
            ):
                parts.setdefault(index, [previous.text]).append(event.text)
                continue
        if platform is not None:
            last_of_platform[platform] = len(out)
        out.append(event)
    for index, texts in parts.items():
        first = out[index]
        out[index] = TextDelta(first.piece_id, first.platform, first.step_id, "".join(texts))
    return out
