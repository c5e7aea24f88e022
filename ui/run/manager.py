"""Running pieces: one QThread per platform lane, each calling PipelineRunner.run_platform.

Only plain data crosses threads: the pipeline's frozen events (batched through an
EventBuffer), the lane's PlatformResult, and exceptions. Cancelling trips each lane's
CancelToken, which closes its connection at once; the run then settles the piece's status
(``finish_run``) so a cancelled or interrupted run can be resumed later.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from ui.run.buffer import EventBuffer

if TYPE_CHECKING:
    from app.agents.results import PlatformResult
    from app.agents.runner import PipelineRunner
    from app.llm.cancel import CancelToken
    from app.llm.client import OpenRouterClient
    from app.services.piece_detail import PieceDetail
    from ui.backend import Backend
    from ui.desktop import Desktop

log = logging.getLogger(__name__)

DRAIN_INTERVAL_MS = 40


@dataclass(frozen=True)
class RunPlan:
    """Prepared on a worker: the runner (with its client) and the piece as it stands."""

    runner: PipelineRunner
    llm: OpenRouterClient
    platforms: tuple[str, ...]
    detail: PieceDetail


def prepare_run(
    backend: Backend,
    piece_id: uuid.UUID,
    buffer: EventBuffer,
    *,
    max_parallel: int,
    score_threshold: int,
    max_iterations: int,
) -> RunPlan:
    """Build the runner and mark the run's start (worker thread: reads the keyring, the
    database)."""
    from app.agents.options import PipelineOptions
    from app.agents.runner import PipelineRunner
    from app.services.piece_detail import piece_detail

    llm = backend.make_llm()
    try:
        runner = PipelineRunner(
            backend.db,
            llm,
            on_event=buffer.push,
            max_parallel=max_parallel,
            options=PipelineOptions(score_threshold=score_threshold, max_iterations=max_iterations),
        )
        platforms = tuple(runner.begin_run(piece_id))
        with backend.db.session() as session:
            detail = piece_detail(session, piece_id)
    except BaseException:
        llm.close()
        raise
    return RunPlan(runner, llm, platforms, detail)


class PlatformWorker(QThread):
    """Runs one platform lane; the result or the exception is read after ``finished``."""

    def __init__(
        self, runner: PipelineRunner, piece_id: uuid.UUID, platform: str, token: CancelToken
    ) -> None:
        super().__init__()
        self.runner = runner
        self.piece_id = piece_id
        self.platform = platform
        self.token = token
        self.result: PlatformResult | None = None
        self.error: BaseException | None = None
        self.setObjectName(f"lane-{platform}")

    def run(self) -> None:
        try:
            self.result = self.runner.run_platform(self.piece_id, self.platform, cancel=self.token)
        except BaseException as exc:
            self.error = exc


class PieceRun(QObject):
    """One run of one piece, from preparation to the settled status."""

    prepared = Signal(object)  # RunPlan
    events = Signal(list)  # coalesced pipeline events, GUI thread
    lanes_changed = Signal()
    finished = Signal(str)  # the piece's status

    def __init__(
        self,
        desktop: Desktop,
        backend: Backend,
        piece_id: uuid.UUID,
        *,
        only: tuple[str, ...] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desktop = desktop
        self.backend = backend
        self.piece_id = piece_id
        self.only = only
        self.title = ""
        self.status = "preparing"
        self.started_at = time.monotonic()
        self.ended_at: float | None = None
        self.buffer = EventBuffer()
        self.plan: RunPlan | None = None
        self.workers: dict[str, PlatformWorker] = {}
        self.results: dict[str, PlatformResult] = {}
        self._queue: list[str] = []
        self._cancel_requested = False
        self._finishing = False
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self.drain)

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def elapsed(self) -> float:
        return (self.ended_at or time.monotonic()) - self.started_at

    @property
    def running_platforms(self) -> list[str]:
        return [p for p, worker in self.workers.items() if worker.isRunning()]

    def start(self) -> None:
        prefs = self.desktop.prefs
        backend, piece_id, buffer = self.backend, self.piece_id, self.buffer
        self._timer.start()
        self.desktop.tasks.submit(
            lambda: prepare_run(
                backend,
                piece_id,
                buffer,
                max_parallel=prefs.max_parallel,
                score_threshold=prefs.score_threshold,
                max_iterations=prefs.max_iterations,
            ),
            on_result=self._prepared,
            on_error=self._prepare_failed,
        )

    def _prepared(self, plan: RunPlan) -> None:
        self.plan = plan
        self.title = plan.detail.display_title
        self.status = "generating"
        self.prepared.emit(plan)
        wanted = [p for p in plan.platforms if self.only is None or p in self.only]
        if self._cancel_requested:
            self._settle()
            return
        self._queue = list(wanted)
        self._start_queued()

    def _prepare_failed(self, exc: BaseException) -> None:
        self.desktop.router.report(exc, context="Starting the run")
        self.status = "failed to start"
        self._end()

    def _start_queued(self) -> None:
        assert self.plan is not None
        limit = max(1, self.desktop.prefs.max_parallel)
        while self._queue and len(self.running_platforms) < limit and not self._cancel_requested:
            platform = self._queue.pop(0)
            self._start_worker(platform)
        self.lanes_changed.emit()
        if not self._queue and not self.running_platforms:
            self._settle()

    def _start_worker(self, platform: str) -> None:
        from app.llm.cancel import CancelToken

        assert self.plan is not None
        worker = PlatformWorker(self.plan.runner, self.piece_id, platform, CancelToken())
        worker.finished.connect(lambda w=worker: self._worker_done(w))
        old = self.workers.get(platform)
        if old is not None:
            old.deleteLater()
        self.workers[platform] = worker
        worker.start()

    def _worker_done(self, worker: PlatformWorker) -> None:
        if worker.error is not None:
            self.desktop.router.report(worker.error, context=f"Running the {worker.platform} lane")
        elif worker.result is not None:
            self.results[worker.platform] = worker.result
        self.drain()
        self._start_queued()

    def retry(self, platform: str) -> bool:
        """Run a lane again (it resumes at its failed step) while the run is still open."""
        if self.plan is None or self._finishing or not self.active:
            return False
        worker = self.workers.get(platform)
        if worker is not None and worker.isRunning():
            return False
        self._start_worker(platform)
        self.lanes_changed.emit()
        return True

    def cancel(self) -> None:
        """Stop every lane now; the run settles as soon as they have returned."""
        if not self.active:
            return
        self._cancel_requested = True
        self._queue.clear()
        for worker in self.workers.values():
            worker.token.cancel()
        self.status = "cancelling"
        self.lanes_changed.emit()

    def _settle(self) -> None:
        if self._finishing or self.plan is None:
            return
        self._finishing = True
        runner = self.plan.runner
        piece_id = self.piece_id
        self.desktop.tasks.submit(
            lambda: runner.finish_run(piece_id),
            on_result=self._settled,
            on_error=self._settle_failed,
        )

    def _settled(self, status: str) -> None:
        self.status = status
        self._end()

    def _settle_failed(self, exc: BaseException) -> None:
        self.desktop.router.report(exc, context="Finishing the run")
        self.status = "failed"
        self._end()

    def _end(self) -> None:
        self.drain()
        self._timer.stop()
        if self.plan is not None:
            self.plan.llm.close()
        self.ended_at = time.monotonic()
        self.finished.emit(self.status)

    def drain(self) -> None:
        events = self.buffer.drain()
        if events:
            self.events.emit(events)

    def stop_and_wait(self, timeout_ms: int = 30000) -> None:
        """For shutdown after the event loop: cancel, join the threads, settle the status."""
        for worker in self.workers.values():
            worker.token.cancel()
        for worker in self.workers.values():
            if not worker.wait(timeout_ms):
                log.error("The %s lane did not stop in time", worker.platform)
        if self.active and self.plan is not None and not self._finishing:
            self._finishing = True
            try:
                self.status = self.plan.runner.finish_run(self.piece_id)
            except Exception:
                log.exception("Could not settle the run of %s", self.piece_id)
        if self.active:
            self._timer.stop()
            if self.plan is not None:
                self.plan.llm.close()
            self.ended_at = time.monotonic()


class RunManager(QObject):
    """Every run of this session, keyed by piece."""

    run_started = Signal(object)  # uuid.UUID
    run_finished = Signal(object, str, str, float)  # piece id, status, title, seconds
    active_changed = Signal(int)
    all_stopped = Signal()

    def __init__(self, desktop: Desktop, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desktop = desktop
        self.backend: Backend | None = None
        self.runs: dict[uuid.UUID, PieceRun] = {}

    def set_backend(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def active_count(self) -> int:
        return sum(1 for run in self.runs.values() if run.active)

    def is_running(self, piece_id: uuid.UUID) -> bool:
        run = self.runs.get(piece_id)
        return run is not None and run.active

    def run_of(self, piece_id: uuid.UUID) -> PieceRun | None:
        return self.runs.get(piece_id)

    def start(
        self, piece_id: uuid.UUID, *, resume: bool = False, only: tuple[str, ...] | None = None
    ) -> PieceRun | None:
        """Start (or resume) a piece's run; the existing one when it is still going."""
        del resume  # a run always resumes at the first unfinished step
        if self.backend is None:
            return None
        current = self.runs.get(piece_id)
        if current is not None and current.active:
            return current
        run = PieceRun(self.desktop, self.backend, piece_id, only=only, parent=self)
        if current is not None:
            current.deleteLater()
        self.runs[piece_id] = run
        run.finished.connect(lambda status, r=run: self._finished(r, status))
        run.start()
        self.run_started.emit(piece_id)
        self.active_changed.emit(self.active_count)
        return run

    def retry(self, piece_id: uuid.UUID, platform: str) -> PieceRun | None:
        run = self.runs.get(piece_id)
        if run is not None and run.active and run.retry(platform):
            return run
        return self.start(piece_id, only=(platform,))

    def cancel(self, piece_id: uuid.UUID) -> None:
        run = self.runs.get(piece_id)
        if run is not None:
            run.cancel()

    def cancel_all(self) -> None:
        for run in self.runs.values():
            run.cancel()
        if not self.active_count:
            self.all_stopped.emit()

    def _finished(self, run: PieceRun, status: str) -> None:
        self.run_finished.emit(run.piece_id, status, run.title or "Piece", run.elapsed)
        count = self.active_count
        self.active_changed.emit(count)
        if count == 0:
            self.all_stopped.emit()

    def stop_all_and_wait(self) -> None:
        for run in self.runs.values():
            run.stop_and_wait()


def event_summary(event: Any) -> str:
    """A one-line description of a pipeline event, for logs."""
    return f"{type(event).__name__}({getattr(event, 'platform', '')})"
