"""Cancelling a model call from another thread.

A worker thread blocked on a silent socket cannot be interrupted by setting a flag, so the
token also runs callbacks in the cancelling thread: the client registers one that shuts the
call's socket down, which wakes the blocked read at once and tells the server to stop
generating (and billing).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.llm.errors import Cancelled

log = logging.getLogger(__name__)


class CancelToken:
    """A one-way switch shared between the thread doing the work and those who may stop it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        """Cancel the work; safe from any thread, and more than once."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                # A failing callback must not stop the others from closing their resources.
                log.exception("A cancellation callback failed")

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True as soon as the token is cancelled."""
        return self._event.wait(max(seconds, 0.0))

    def raise_if_cancelled(self, partial_text: str = "") -> None:
        if self._event.is_set():
            raise Cancelled("The request was cancelled.", partial_text=partial_text)

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` when the token is cancelled (now, if it already is).

        Returns a function that unregisters the callback.
        """
        with self._lock:
            already = self._event.is_set()
            if not already:
                self._callbacks.append(callback)
        if already:
            callback()

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove
