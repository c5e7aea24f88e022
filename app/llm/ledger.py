"""The usage ledger: one ``llm_calls`` row per attempt, written off the caller's thread.

``record()`` only enqueues, so a model call never waits for (or fails because of) the
database. A background thread writes rows in batches. A failed write is logged and retried
once; rows that still fail stay in memory and are retried by the next ``flush()``. A row the
database refuses for its links (the piece or step was deleted meanwhile) is written without
them rather than dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import queue
import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:
    from app.db.engine import Database

log = logging.getLogger(__name__)

CHAT_ENDPOINT = "/chat/completions"

# Column widths of llm_calls, so an overlong value is clipped rather than refused.
_WIDTHS = {
    "request_id": 64,
    "generation_id": 128,
    "agent_id": 100,
    "content_type": 20,
    "endpoint": 100,
    "model_requested": 255,
    "model_used": 255,
    "provider": 100,
    "error_type": 50,
    "key_hash": 64,
}
_MAX_ERROR_MESSAGE = 4000


@dataclass(frozen=True)
class CallRecord:
    """Every column of ``llm_calls`` but its id: one attempt of one model call."""

    request_id: str
    model_requested: str
    success: bool
    called_at: dt.datetime
    generation_id: str | None = None
    piece_id: uuid.UUID | None = None
    step_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    agent_id: str | None = None
    content_type: str | None = None
    endpoint: str = CHAT_ENDPOINT
    model_used: str | None = None
    provider: str | None = None
    streamed: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cost: Decimal | None = None
    cost_estimated: bool = False
    ttft_ms: int | None = None
    total_ms: int | None = None
    http_status: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    retry_number: int = 0
    cache_hit: bool = False
    key_hash: str | None = None

    def column_values(self) -> dict[str, Any]:
        """The row as column values that fit the table."""
        values = dataclasses.asdict(self)
        for name, width in _WIDTHS.items():
            text = values[name]
            if isinstance(text, str) and len(text) > width:
                values[name] = text[:width]
        message = values["error_message"]
        if isinstance(message, str) and len(message) > _MAX_ERROR_MESSAGE:
            values["error_message"] = message[: _MAX_ERROR_MESSAGE - 1] + "…"
        return values

    def without_links(self) -> CallRecord:
        return dataclasses.replace(self, piece_id=None, step_id=None, project_id=None)


class LedgerSink(Protocol):
    """Where the client reports attempts. ``record`` must return quickly and never raise."""

    def record(self, row: CallRecord) -> None: ...


class MemoryLedger:
    """Keeps rows in a list: for tests, and for callers that want to inspect their calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[CallRecord] = []

    def record(self, row: CallRecord) -> None:
        with self._lock:
            self._rows.append(row)

    @property
    def rows(self) -> list[CallRecord]:
        with self._lock:
            return list(self._rows)


class _Flush:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class DatabaseLedger:
    """Writes ledger rows to ``llm_calls`` on its own thread (see the module docstring)."""

    def __init__(self, db: Database, *, batch_size: int = 200) -> None:
        self._db = db
        self._batch_size = batch_size
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._held: list[CallRecord] = []
        self._held_lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="copydesk-ledger", daemon=True)
        self._thread.start()

    def record(self, row: CallRecord) -> None:
        if self._closed:
            # Too late for the writer thread; keep it where a final flush can still see it.
            with self._held_lock:
                self._held.append(row)
            return
        self._queue.put(row)

    @property
    def held_rows(self) -> int:
        """Rows the database refused so far, waiting for the next flush."""
        with self._held_lock:
            return len(self._held)

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything recorded so far, retrying held rows. True when nothing is left."""
        if not self._thread.is_alive():
            self._write(self._take_held())
            return self.held_rows == 0
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout) and self.held_rows == 0

    def close(self, timeout: float = 10.0) -> bool:
        """Flush and stop the writer thread. True when every row reached the database."""
        if self._closed:
            return self.flush(timeout)
        self._closed = True
        flushed = self.flush(timeout)
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self.held_rows:
            log.error("%d usage rows could not be written to the database", self.held_rows)
        return flushed and self.held_rows == 0

    def _take_held(self) -> list[CallRecord]:
        with self._held_lock:
            rows, self._held = self._held, []
        return rows

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch: list[CallRecord] = []
            markers: list[_Flush] = []
            stop = False
            while True:
                if isinstance(item, CallRecord):
                    batch.append(item)
                elif isinstance(item, _Flush):
                    markers.append(item)
                elif item is _STOP:
                    stop = True
                if len(batch) >= self._batch_size or stop:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if markers:
                batch = self._take_held() + batch
            try:
                self._write(batch)
            except Exception:
                # The writer thread must survive anything; the rows are kept for later.
                log.exception("The usage ledger failed unexpectedly")
                with self._held_lock:
                    self._held.extend(batch)
            for marker in markers:
                marker.done.set()
            if stop:
                return

    def _write(self, rows: list[CallRecord]) -> None:
        if not rows:
            return
        for attempt in (1, 2):
            try:
                self._insert(rows)
                return
            except IntegrityError:
                break
            except Exception as exc:
                log.warning(
                    "Could not write %d usage rows (attempt %d of 2): %s",
                    len(rows),
                    attempt,
                    type(exc).__name__,
                )
        else:
            with self._held_lock:
                self._held.extend(rows)
            return
        # A row broke a constraint: write rows one by one so the others still get in.
        for row in rows:
            self._write_one(row)

    def _write_one(self, row: CallRecord) -> None:
        try:
            self._insert([row])
            return
        except IntegrityError:
            pass
        except Exception as exc:
            log.warning("Could not write a usage row: %s", type(exc).__name__)
            with self._held_lock:
                self._held.append(row)
            return
        try:
            self._insert([row.without_links()])
            log.warning("Usage row %s written without its piece/step/project", row.request_id)
        except Exception as exc:
            log.error("The database refused a usage row: %s", exc)
            with self._held_lock:
                self._held.append(row)

    def _insert(self, rows: list[CallRecord]) -> None:
        from app.db.models import LlmCall

        with self._db.session() as session:
            session.execute(insert(LlmCall), [row.column_values() for row in rows])


def failure_row(
    base: CallRecord, error: BaseException, *, error_type: str | None = None
) -> CallRecord:
    """``base`` marked as failed with ``error``'s kind and message."""
    kind = error_type or getattr(error, "kind", None) or type(error).__name__
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return dataclasses.replace(base, success=False, error_type=kind, error_message=str(message))
