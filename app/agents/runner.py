"""Runs the agent pipeline of a piece: every platform in parallel, each step checkpointed.

    runner = PipelineRunner(db, llm, on_event=print)
    result = runner.run(piece_id)                 # all platforms, bounded parallel threads

The GUI runs one lane per QThread instead::

    platforms = runner.begin_run(piece_id)        # optional: marks a fresh start
    runner.run_platform(piece_id, "blog")         # in each worker
    runner.finish_run(piece_id)                   # once every lane has returned

``on_event`` is called from the worker threads, with plain frozen dataclasses
(app.agents.events); it must be thread-safe (a Qt signal emit is). A run resumes at the
first unfinished step of each platform: nothing completed is ever requested again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session

from app.agents.cancellation import CancelWatcher, clear_cancel_request, request_cancel
from app.agents.errors import PieceNotRunnable, PipelineError
from app.agents.events import Event, RunFinished
from app.agents.lane import PlatformLane
from app.agents.options import PipelineOptions
from app.agents.results import PlatformResult, RunResult
from app.agents.shared_context import shared_context_for
from app.db.engine import Database
from app.domain.status import PieceStatus, PlatformStatus
from app.llm.cancel import CancelToken
from app.llm.client import OpenRouterClient
from app.services.pieces import get_piece, list_platform_states, set_piece_status
from app.services.transitions import PIECE_TRANSITIONS

log = logging.getLogger(__name__)

__all__ = ["PipelineOptions", "PipelineRunner", "request_cancel"]

_UNFINISHED = frozenset(
    {PlatformStatus.PENDING, PlatformStatus.GENERATING, PlatformStatus.EVALUATING}
)
_HANDED_OVER = frozenset({PlatformStatus.ACCEPTED, PlatformStatus.PUBLISHED})


def _ignore(event: Event) -> None:
    del event


class PipelineRunner:
    def __init__(
        self,
        db: Database,
        llm: OpenRouterClient,
        *,
        on_event: Callable[[Event], None] = _ignore,
        max_parallel: int = 3,
        options: PipelineOptions | None = None,
    ) -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        self.db = db
        self.llm = llm
        self.on_event = on_event
        self.max_parallel = max_parallel
        self.options = options or PipelineOptions()

    # whole runs ----------------------------------------------------------------------------

    def run(self, piece_id: uuid.UUID, *, cancel: CancelToken | None = None) -> RunResult:
        """Run (or resume) every platform of the piece and settle its status."""
        token = cancel or CancelToken()
        platforms = self.begin_run(piece_id)
        shared = self._shared_context(piece_id)
        results: dict[str, PlatformResult] = {}
        with CancelWatcher(self.db, piece_id, token, interval=self.options.cancel_poll_seconds):
            workers = max(1, min(self.max_parallel, len(platforms)))
            with ThreadPoolExecutor(workers, thread_name_prefix="copydesk-lane") as pool:
                futures = {
                    platform: pool.submit(self._lane(piece_id, platform, token, shared).run)
                    for platform in platforms
                }
                for platform, future in futures.items():
                    results[platform] = future.result()
        status = self.finish_run(piece_id)
        return RunResult(piece_id, status, results)

    def begin_run(self, piece_id: uuid.UUID) -> list[str]:
        """Mark a fresh start: the piece goes to generating and an old cancel request is
        forgotten. Returns the piece's platforms. ``run`` calls it; lanes started one by one
        (``run_platform``) should be preceded by one call."""
        with self.db.session() as session:
            piece = get_piece(session, piece_id)
            _check_runnable(piece.status)
            clear_cancel_request(piece)
            _enter_generating(session, piece_id, piece.status)
            return [state.platform for state in list_platform_states(session, piece_id)]

    def run_platform(
        self, piece_id: uuid.UUID, platform: str, *, cancel: CancelToken | None = None
    ) -> PlatformResult:
        """Run (or resume) one platform of the piece; the piece's status is settled by
        ``finish_run`` once every lane has returned."""
        token = cancel or CancelToken()
        with self.db.session() as session:
            piece = get_piece(session, piece_id)
            _check_runnable(piece.status)
            if piece.status not in (PieceStatus.QUEUED, PieceStatus.GENERATING):
                clear_cancel_request(piece)
            _enter_generating(session, piece_id, piece.status)
        with CancelWatcher(self.db, piece_id, token, interval=self.options.cancel_poll_seconds):
            return self._lane(piece_id, platform, token, None).run()

    def finish_run(self, piece_id: uuid.UUID) -> str:
        """Settle the piece's status from its platforms: failed if one failed, cancelled if
        one was cancelled or left unfinished, completed if all were accepted, else
        awaiting_review. Returns the PieceStatus value."""
        with self.db.session() as session:
            piece = get_piece(session, piece_id)
            states = list_platform_states(session, piece_id)
            statuses = {PlatformStatus(state.status) for state in states}
            error = None
            if PlatformStatus.FAILED in statuses:
                target = PieceStatus.FAILED
                error = "; ".join(
                    f"{state.platform}: {state.error_message or 'failed'}"
                    for state in states
                    if state.status == PlatformStatus.FAILED
                )
            elif PlatformStatus.CANCELLED in statuses or statuses & _UNFINISHED:
                target = PieceStatus.CANCELLED
            elif statuses and statuses <= _HANDED_OVER:
                target = PieceStatus.COMPLETED
            else:
                target = PieceStatus.AWAITING_REVIEW
            current = PieceStatus(piece.status)
            if current != target:
                if target not in PIECE_TRANSITIONS[current]:
                    set_piece_status(session, piece_id, PieceStatus.GENERATING.value)
                set_piece_status(session, piece_id, target.value, error_message=error)
            elif error:
                piece.error_message = error
            clear_cancel_request(piece)
        self._send(RunFinished(piece_id, target.value))
        return target.value

    # helpers -------------------------------------------------------------------------------

    def _lane(
        self, piece_id: uuid.UUID, platform: str, token: CancelToken, shared: str | None
    ) -> PlatformLane:
        return PlatformLane(
            db=self.db,
            llm=self.llm,
            emit=self._send,
            piece_id=piece_id,
            platform=platform,
            token=token,
            options=self.options,
            shared_context=shared,
        )

    def _shared_context(self, piece_id: uuid.UUID) -> str | None:
        """Built once here so every lane sends the same bytes; a failure is left for each
        lane to meet (and report) on its own."""
        try:
            return shared_context_for(self.db, piece_id)
        except PipelineError:
            return None

    def _send(self, event: Event) -> None:
        try:
            self.on_event(event)
        except Exception:
            log.exception("An event listener failed on %s", type(event).__name__)


def _check_runnable(status: str) -> None:
    if status == PieceStatus.ARCHIVED:
        raise PieceNotRunnable("The piece is archived; restore it before generating.")


def _enter_generating(session: Session, piece_id: uuid.UUID, status: str) -> None:
    """draft/failed/cancelled/awaiting_review → queued → generating (as the table allows)."""
    current = PieceStatus(status)
    if current == PieceStatus.GENERATING:
        return
    if PieceStatus.QUEUED in PIECE_TRANSITIONS[current] and current != PieceStatus.QUEUED:
        set_piece_status(session, piece_id, PieceStatus.QUEUED.value)
    set_piece_status(session, piece_id, PieceStatus.GENERATING.value)
