"""Short background jobs (queries, key checks, page fetches) on a small thread pool.

A job is a plain function; its result or exception comes back to the GUI thread through one
queued signal and is handed to ``on_result`` / ``on_error``. Callbacks whose owner widget was
deleted meanwhile are dropped. Errors without an ``on_error`` go to the error router, so no
failure is silent. ``wait_for_done`` lets shutdown wait for what is still running.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any], object]
ErrorCallback = Callable[[BaseException], object]


@dataclass
class _Callbacks:
    on_result: ResultCallback | None
    on_error: ErrorCallback | None
    owner: QObject | None
    context: str | None


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, task_id: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._runner = runner
        self._task_id = task_id
        self._fn = fn

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:
            self._runner._finished.emit(self._task_id, None, exc)
        else:
            self._runner._finished.emit(self._task_id, result, None)


class TaskRunner(QObject):
    """Runs functions on its own pool and reports back on the GUI thread."""

    _finished = Signal(int, object, object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        report_error: Callable[[BaseException, str | None], object],
        *,
        max_threads: int = 4,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._report_error = report_error
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Callbacks] = {}
        self._finished.connect(self._deliver)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        owner: QObject | None = None,
        context: str | None = None,
    ) -> int:
        """Run ``fn()`` on the pool; ``context`` names the work in error notices."""
        task_id = next(self._ids)
        self._pending[task_id] = _Callbacks(on_result, on_error, owner, context)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Job(self, task_id, fn))
        return task_id

    def report(self, exc: BaseException, context: str | None = None) -> None:
        """Send a failure to the error router (for callers handling errors themselves)."""
        self._report_error(exc, context)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every job has returned (their callbacks are then dropped)."""
        done = self._pool.waitForDone(msecs)
        if done:
            self._pending.clear()
        return done

    @Slot(int, object, object)
    def _deliver(self, task_id: int, result: Any, error: BaseException | None) -> None:
        callbacks = self._pending.pop(task_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if callbacks is None:
            return
        if callbacks.owner is not None and not shiboken6.isValid(callbacks.owner):
            return
        if error is None:
            if callbacks.on_result is not None:
                callbacks.on_result(result)
        elif callbacks.on_error is not None:
            callbacks.on_error(error)
        else:
            self._report_error(error, callbacks.context)
