"""The live run monitor: one lane per platform with its agent steps (waiting, running, done,
failed), the running step's text as it streams, tokens and cost so far, and the evaluation.

It only ever sees the pipeline's plain events, already batched by the run (see buffer.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QFont, QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.agents.events import (
    EvaluationReady,
    PlatformFinished,
    RunFinished,
    StepFailed,
    StepFinished,
    StepStarted,
    TextDelta,
)
from app.agents.roles import FIRST_PASS
from ui import formatting
from ui.markdown_view import SafeTextBrowser, draft_to_html
from ui.theme import tones

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.services.piece_detail import DraftVersion, PieceDetail, StepView
    from ui.run.manager import PieceRun, RunManager, RunPlan

GLYPHS = {
    "pending": "○",
    "running": "●",
    "completed": "✓",
    "failed": "✗",
    "cancelled": "⊘",
    "skipped": "–",
}
LANE_DONE = {"awaiting_review", "accepted", "rejected", "published"}
CHARS_PER_TOKEN = 4


@dataclass
class StepRow:
    ordinal: int
    agent_id: str
    iteration: int = 0
    status: str = "pending"
    step_id: uuid.UUID | None = None
    model: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal | None = None
    duration_ms: int | None = None
    error: str | None = None
    streamed_chars: int = 0

    @property
    def text(self) -> str:
        parts = [f"{GLYPHS.get(self.status, '?')}  {formatting.agent_label(self.agent_id)}"]
        if self.iteration:
            parts[0] += f" (round {self.iteration + 1})"
        if self.status == "running":
            parts.append(f"≈{self.streamed_chars // CHARS_PER_TOKEN:,} tokens")
        elif self.status == "completed":
            parts.append(f"{self.tokens_in + self.tokens_out:,} tokens")
            parts.append(formatting.money(self.cost))
            parts.append(formatting.duration(self.duration_ms))
        elif self.status in ("failed", "cancelled"):
            parts.append(formatting.status_label(self.status))
        return " · ".join(parts)


class StepList:
    """A lane's steps, shown through a QStandardItemModel.

    The items hold their text and colour in C++, so repainting the list while agents stream
    never calls back into Python (each such call would wait for the interpreter lock that the
    streaming workers keep busy).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        self.model = QStandardItemModel(parent)
        self.rows: list[StepRow] = []

    def set_rows(self, rows: list[StepRow]) -> None:
        self.rows = sorted(rows, key=lambda row: row.ordinal)
        self.model.clear()
        for row in self.rows:
            item = QStandardItem()
            item.setEditable(False)
            self.model.appendRow(item)
            self._paint(row, item)

    def row_for(self, ordinal: int, agent_id: str, iteration: int) -> StepRow:
        for row in self.rows:
            if row.ordinal == ordinal:
                return row
        new = StepRow(ordinal, agent_id, iteration)
        position = sum(1 for row in self.rows if row.ordinal < ordinal)
        self.rows.insert(position, new)
        item = QStandardItem()
        item.setEditable(False)
        self.model.insertRow(position, item)
        self._paint(new, item)
        return new

    def by_step(self, step_id: uuid.UUID) -> StepRow | None:
        return next((row for row in self.rows if row.step_id == step_id), None)

    def changed(self, row: StepRow) -> None:
        item = self.model.item(self.rows.index(row))
        if item is not None:
            self._paint(row, item)

    def repaint_all(self) -> None:
        """After a change of colour scheme."""
        for number, row in enumerate(self.rows):
            item = self.model.item(number)
            if item is not None:
                self._paint(row, item)

    def _paint(self, row: StepRow, item: QStandardItem) -> None:
        text = row.text
        if item.text() != text:
            item.setText(text)
        details = [f"Model: {row.model}"] if row.model else []
        if row.error:
            details.append(row.error)
        tip = "\n".join(details)
        if item.toolTip() != tip:
            item.setToolTip(tip)
        palette = tones()
        colour = {
            "completed": palette.ok,
            "failed": palette.failed,
            "running": palette.running,
        }.get(row.status, palette.muted)
        if item.foreground().color() != colour:
            item.setForeground(QBrush(colour))


def _rows_from(steps: tuple[StepView, ...], platform: str) -> list[StepRow]:
    mine = [step for step in steps if step.platform == platform]
    if not mine:
        return [StepRow(ordinal, role.agent_id) for ordinal, role in enumerate(FIRST_PASS, start=1)]
    return [
        StepRow(
            ordinal=step.ordinal,
            agent_id=step.agent_id,
            iteration=step.iteration,
            # A step left running by an interrupted run starts again from scratch.
            status="pending" if step.status == "running" else step.status,
            step_id=step.id,
            model=step.model,
            tokens_in=step.tokens_input,
            tokens_out=step.tokens_output,
            cost=step.cost,
            duration_ms=step.duration_ms,
            error=step.error_message,
        )
        for step in mine
    ]


@dataclass(frozen=True)
class FinalDraft:
    """A lane's latest draft with its HTML, rendered on a worker: the Markdown render (and
    markdown-it's first import) would otherwise stall the GUI thread as a run ends."""

    draft: DraftVersion
    html: str


def load_finals(db: Database, piece_id: uuid.UUID) -> dict[str, FinalDraft]:
    """Each platform's latest draft, rendered (worker thread: reads the database)."""
    from ui.piece_view import load_detail

    detail = load_detail(db, piece_id)
    return {
        view.platform: FinalDraft(
            view.latest, draft_to_html(view.latest.content, view.latest.format)
        )
        for view in detail.platforms
        if view.latest is not None
    }


class LaneWidget(QFrame):
    retry_requested = Signal(str)

    def __init__(self, platform: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.platform = platform
        self.status = "pending"
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"lane-{platform}")
        title = QLabel(formatting.platform_label(platform))
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        self.status_label = QLabel("Waiting")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.status_label)

        self.steps = StepList(self)
        self.step_view = QListView()
        self.step_view.setModel(self.steps.model)
        self.step_view.setAccessibleName(f"{formatting.platform_label(platform)} steps")
        self.step_view.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.step_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.live_caption = QLabel("Waiting for the first agent")
        self.live = QPlainTextEdit()
        self.live.setReadOnly(True)
        self.live.setAccessibleName(f"{formatting.platform_label(platform)} live text")
        self.live.setPlaceholderText("The running agent's text appears here as it is written.")
        self.live.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        # When the lane is done, its final draft replaces the raw stream, rendered.
        self.final = SafeTextBrowser()
        self.final.setAccessibleName(f"{formatting.platform_label(platform)} final draft")
        self.text_stack = QStackedWidget()
        self.text_stack.addWidget(self.live)
        self.text_stack.addWidget(self.final)

        self.score_label = QLabel()
        self.score_label.setWordWrap(True)
        self.score_label.setVisible(False)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setVisible(False)
        self.retry_button = QPushButton("Retry failed step")
        self.retry_button.setToolTip("Run this platform again from the step that failed")
        self.retry_button.setVisible(False)
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self.platform))

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.step_view)
        layout.addWidget(self.live_caption)
        layout.addWidget(self.text_stack, 1)
        layout.addWidget(self.score_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignRight)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self.steps.repaint_all()
            self.set_status(self.status)
        super().changeEvent(event)

    def _fit_steps(self) -> None:
        rows = min(max(len(self.steps.rows), 5), 9)
        row_height = self.step_view.sizeHintForRow(0) if self.steps.rows else 0
        row_height = row_height or self.step_view.fontMetrics().height() + 2
        frame = self.step_view.frameWidth() * 2
        self.step_view.setFixedHeight(rows * row_height + frame + 4)

    def show_final(self, final: FinalDraft) -> None:
        """The lane's current draft, already rendered, once it has stopped working."""
        draft = final.draft
        who = formatting.agent_label(draft.agent_id) if draft.agent_id else "an editor"
        self.live_caption.setText(f"Draft v{draft.version} by {who} — open the piece to review")
        self.final.setHtml(final.html)
        self.text_stack.setCurrentWidget(self.final)

    # -- totals ----------------------------------------------------------------------------

    def tokens(self) -> tuple[int, int, int]:
        """Tokens in, out, and ≈ out of the step still streaming."""
        rows = self.steps.rows
        streaming = sum(r.streamed_chars for r in rows if r.status == "running")
        return (
            sum(r.tokens_in for r in rows),
            sum(r.tokens_out for r in rows),
            streaming // CHARS_PER_TOKEN,
        )

    def cost(self) -> Decimal:
        return sum((r.cost for r in self.steps.rows if r.cost is not None), Decimal(0))

    # -- events ----------------------------------------------------------------------------

    def load(self, steps: tuple[StepView, ...], status: str) -> None:
        self.steps.set_rows(_rows_from(steps, self.platform))
        self._fit_steps()
        self.set_status(status)

    def set_status(self, status: str) -> None:
        self.status = status
        colours = tones(self.palette())
        colour = {
            "failed": colours.failed,
            "cancelled": colours.muted,
            "generating": colours.running,
            "evaluating": colours.running,
        }.get(status, colours.ok if status in LANE_DONE else colours.muted)
        label = {
            "pending": "Waiting",
            "generating": "Writing…",
            "evaluating": "Reviewing…",
            "awaiting_review": "Ready for review",
        }.get(status, formatting.status_label(status))
        self.status_label.setText(f"<span style='color:{colour.name()}'>{label}</span>")
        failed = status == "failed"
        self.retry_button.setVisible(failed)
        self.error_label.setVisible(failed and bool(self.error_label.text()))

    def step_started(self, event: StepStarted) -> None:
        for row in self.steps.rows:
            if row.status == "running":  # an earlier step's stream ended without a result
                row.status = "pending"
        row = self.steps.row_for(event.ordinal, event.agent_id, event.iteration)
        self._fit_steps()
        self.text_stack.setCurrentWidget(self.live)
        row.status = "running"
        row.step_id = event.step_id
        row.model = event.model
        row.streamed_chars = 0
        row.error = None
        self.steps.changed(row)
        self.error_label.clear()
        self.error_label.setVisible(False)
        self.live.clear()
        self.live_caption.setText(
            f"{formatting.agent_label(event.agent_id)} is working · {event.model}"
        )
        self.set_status("evaluating" if event.agent_id == "blog-reviewer" else "generating")

    def text_arrived(self, event: TextDelta) -> None:
        bar = self.live.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.live.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(event.text)
        if at_end:
            bar.setValue(bar.maximum())
        row = self.steps.by_step(event.step_id)
        if row is not None:
            row.streamed_chars += len(event.text)
            self.steps.changed(row)

    def step_finished(self, event: StepFinished) -> None:
        row = self.steps.by_step(event.step_id)
        if row is None:
            return
        row.status = "completed"
        row.tokens_in = event.input_tokens
        row.tokens_out = event.output_tokens
        row.cost = event.cost
        row.duration_ms = event.duration_ms
        row.streamed_chars = 0
        self.steps.changed(row)
        self.live_caption.setText(f"{formatting.agent_label(event.agent_id)} finished")

    def step_failed(self, event: StepFailed) -> None:
        row = self.steps.by_step(event.step_id)
        cancelled = event.error_type == "cancelled"
        if row is not None:
            row.status = "cancelled" if cancelled else "failed"
            row.error = event.message
            row.streamed_chars = 0
            self.steps.changed(row)
        if not cancelled:
            self.error_label.setText(f"{formatting.agent_label(event.agent_id)}: {event.message}")
        self.live_caption.setText(
            f"{formatting.agent_label(event.agent_id)} "
            f"{'was cancelled' if cancelled else 'failed'}; its partial text is kept"
        )

    def evaluation_ready(self, event: EvaluationReady) -> None:
        criteria = " · ".join(
            f"{formatting.CRITERIA_LABELS.get(name, name)} {value}"
            for name, value in event.criteria.items()
        )
        self.score_label.setText(f"<b>Score {event.score}/100</b><br><small>{criteria}</small>")
        self.score_label.setToolTip(event.feedback)
        self.score_label.setVisible(True)


class RunMonitor(QWidget):
    """The monitor of one run."""

    def __init__(self, manager: RunManager, run: PieceRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.run = run
        self.piece_id = run.piece_id
        self.lanes: dict[str, LaneWidget] = {}

        self.title = QLabel("Preparing the run…")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.status_label = QLabel()
        self.totals = QLabel()
        self.totals.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.totals.setToolTip(
            "Tokens and cost of the finished steps, plus an estimate of the step still writing"
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel run")
        self.cancel_button.setToolTip(
            "Stop every agent now; finished steps are kept and the run can be resumed"
        )
        self.cancel_button.clicked.connect(self._cancel)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setVisible(False)
        self.resume_button.clicked.connect(self._resume)
        header_text = QVBoxLayout()
        header_text.addWidget(self.title)
        header_text.addWidget(self.status_label)
        header = QHBoxLayout()
        header.addLayout(header_text, 1)
        header.addWidget(self.progress)
        header.addWidget(self.totals)
        header.addWidget(self.resume_button)
        header.addWidget(self.cancel_button)

        self.lanes_split = QSplitter(Qt.Orientation.Horizontal)
        self.lanes_split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(header)
        layout.addWidget(self.lanes_split, 1)

        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._update_header)
        self._clock.start()

        run.prepared.connect(self._prepared)
        run.events.connect(self.apply_events)
        run.lanes_changed.connect(self._update_header)
        run.finished.connect(self._finished)
        if run.plan is not None:
            self._prepared(run.plan)
        self._update_header()

    # -- building --------------------------------------------------------------------------

    def _prepared(self, plan: RunPlan) -> None:
        detail: PieceDetail = plan.detail
        self.title.setText(detail.display_title)
        states = {view.platform: view.status for view in detail.platforms}
        for platform in plan.platforms:
            lane = self.lanes.get(platform)
            if lane is None:
                lane = LaneWidget(platform)
                lane.retry_requested.connect(self._retry)
                self.lanes[platform] = lane
                self.lanes_split.addWidget(lane)
            lane.load(detail.steps, states.get(platform, "pending"))
        self._update_header()

    def attach(self, run: PieceRun) -> None:
        """Follow a new run of the same piece (a resume or a retry)."""
        self.run = run
        run.prepared.connect(self._prepared)
        run.events.connect(self.apply_events)
        run.lanes_changed.connect(self._update_header)
        run.finished.connect(self._finished)
        self._clock.start()
        self._update_header()

    # -- events ----------------------------------------------------------------------------

    def apply_events(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, RunFinished):
                continue
            lane = self.lanes.get(getattr(event, "platform", ""))
            if lane is None:
                continue
            if isinstance(event, TextDelta):
                lane.text_arrived(event)
            elif isinstance(event, StepStarted):
                lane.step_started(event)
            elif isinstance(event, StepFinished):
                lane.step_finished(event)
            elif isinstance(event, StepFailed):
                lane.step_failed(event)
                self._report_failure(event)
            elif isinstance(event, EvaluationReady):
                lane.evaluation_ready(event)
            elif isinstance(event, PlatformFinished):
                lane.set_status(event.status)
        self._update_totals()

    def _report_failure(self, event: StepFailed) -> None:
        if event.error_type == "cancelled":
            return
        from app.notifications import describe_failure

        self.manager.desktop.router.publish(
            describe_failure(
                event.error_type,
                event.message,
                context=f"{formatting.platform_label(event.platform)}, "
                f"{formatting.agent_label(event.agent_id).lower()}",
            )
        )

    def _update_totals(self) -> None:
        tokens_in = tokens_out = streaming = 0
        cost = Decimal(0)
        for lane in self.lanes.values():
            lane_in, lane_out, lane_streaming = lane.tokens()
            tokens_in += lane_in
            tokens_out += lane_out
            streaming += lane_streaming
            cost += lane.cost()
        live = f" + ≈{streaming:,} writing" if streaming else ""
        self.totals.setText(
            f"{tokens_in + tokens_out:,} tokens{live}<br><b>{formatting.money(cost)}</b> so far"
        )

    def _update_header(self) -> None:
        run = self.run
        elapsed = formatting.elapsed(run.elapsed)
        if run.active:
            working = ", ".join(formatting.platform_label(p) for p in run.running_platforms)
            state = {
                "preparing": "Preparing",
                "cancelling": "Cancelling",
            }.get(run.status, "Running")
            detail = f" · {working}" if working else ""
            self.status_label.setText(f"{state} · {elapsed}{detail}")
        else:
            self.status_label.setText(f"{formatting.status_label(run.status)} after {elapsed}")
        self.progress.setVisible(run.active)
        self.cancel_button.setVisible(run.active)
        self.cancel_button.setEnabled(run.active and run.status != "cancelling")
        self.resume_button.setVisible(not run.active and run.status in ("cancelled", "failed"))
        self._update_totals()

    def _finished(self, _status: str) -> None:
        self._clock.stop()
        self._update_header()
        backend = self.manager.backend
        if backend is None:
            return
        db, piece_id = backend.db, self.piece_id
        self.manager.desktop.tasks.submit(
            lambda: load_finals(db, piece_id), on_result=self._show_finals, owner=self
        )

    def _show_finals(self, finals: dict[str, FinalDraft]) -> None:
        for platform, final in finals.items():
            lane = self.lanes.get(platform)
            if lane is not None and lane.status != "failed":
                lane.show_final(final)

    # -- actions ---------------------------------------------------------------------------

    def _cancel(self) -> None:
        self.manager.cancel(self.piece_id)
        self._update_header()

    def _resume(self) -> None:
        run = self.manager.start(self.piece_id, resume=True)
        if run is not None and run is not self.run:
            self.attach(run)

    def _retry(self, platform: str) -> None:
        run = self.manager.retry(self.piece_id, platform)
        if run is not None and run is not self.run:
            self.attach(run)
        self.lanes[platform].retry_button.setVisible(False)


class RunsPage(QWidget):
    """Every run of this session, one tab each; the newest in front."""

    def __init__(self, manager: RunManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.empty = QLabel(
            "No run in this session yet.\nStart a piece with File → New piece… (Ctrl+N)."
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        manager.run_started.connect(self._run_started)
        manager.run_finished.connect(self._run_finished)

    def monitor_of(self, piece_id: uuid.UUID) -> RunMonitor | None:
        for index in range(self.tabs.count()):
            widget = self.tabs.widget(index)
            if isinstance(widget, RunMonitor) and widget.piece_id == piece_id:
                return widget
        return None

    def current_piece_id(self) -> uuid.UUID | None:
        widget = self.tabs.currentWidget()
        return widget.piece_id if isinstance(widget, RunMonitor) else None

    def show_run(self, piece_id: uuid.UUID) -> None:
        monitor = self.monitor_of(piece_id)
        if monitor is not None:
            self.tabs.setCurrentWidget(monitor)

    def _run_started(self, piece_id: uuid.UUID) -> None:
        run = self.manager.run_of(piece_id)
        if run is None:
            return
        monitor = self.monitor_of(piece_id)
        if monitor is None:
            monitor = RunMonitor(self.manager, run)
            self.tabs.insertTab(0, monitor, "Run")
            run.prepared.connect(
                lambda plan, m=monitor: self._retitle(m, plan.detail.display_title)
            )
        elif monitor.run is not run:
            monitor.attach(run)
            run.prepared.connect(
                lambda plan, m=monitor: self._retitle(m, plan.detail.display_title)
            )
        self.tabs.setCurrentWidget(monitor)
        self.stack.setCurrentIndex(1)
        self._closable(monitor, False)

    def _closable(self, monitor: RunMonitor, closable: bool) -> None:
        """A run's tab can be closed once the run is over (cancel it first otherwise)."""
        index = self.tabs.indexOf(monitor)
        button = self.tabs.tabBar().tabButton(index, QTabBar.ButtonPosition.RightSide)
        if button is None:
            button = self.tabs.tabBar().tabButton(index, QTabBar.ButtonPosition.LeftSide)
        if button is not None:
            button.setVisible(closable)

    def _retitle(self, monitor: RunMonitor, title: str) -> None:
        index = self.tabs.indexOf(monitor)
        if index >= 0:
            short = title if len(title) <= 28 else title[:27] + "…"
            self.tabs.setTabText(index, short)
            self.tabs.setTabToolTip(index, title)

    def _run_finished(self, piece_id: uuid.UUID, *_rest: object) -> None:
        monitor = self.monitor_of(piece_id)
        if monitor is not None:
            self._closable(monitor, True)

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, RunMonitor) and widget.run.active:
            self.tabs.setCurrentIndex(index)
            return  # a running run keeps its monitor; cancel it first
        self.tabs.removeTab(index)
        if widget is not None:
            widget.deleteLater()
        if self.tabs.count() == 0:
            self.stack.setCurrentIndex(0)
