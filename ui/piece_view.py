"""One piece in full: per platform its latest draft, the versions, the evaluation; the SEO
metadata; and the agent log with each step's tokens, cost and time."""

from __future__ import annotations

import html
import json
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from ui.markdown_view import SafeTextBrowser
from ui.tasks import TaskRunner
from ui.theme import tones

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.services.piece_detail import (
        DraftVersion,
        EvaluationView,
        PieceDetail,
        PlatformView,
        StepView,
    )

Index = QModelIndex | QPersistentModelIndex

RESUMABLE_STATUSES = frozenset({"failed", "cancelled", "generating", "queued"})


def load_detail(db: Database, piece_id: uuid.UUID) -> PieceDetail:
    from app.services.piece_detail import piece_detail

    with db.session() as session:
        return piece_detail(session, piece_id)


def _heading(text: str, scale: float = 1.0) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def muted(text: str = "") -> QLabel:
    """Secondary text, in the palette's placeholder colour so it follows the scheme."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


# -- evaluation ------------------------------------------------------------------------------


class EvaluationPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score_label = _heading("—", 2.2)
        self.caption = muted("No evaluation yet")
        self.criteria_form = QFormLayout()
        self.criteria_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(muted("Reviewer score"))
        layout.addWidget(self.score_label)
        layout.addWidget(self.caption)
        layout.addLayout(self.criteria_form)
        layout.addSpacing(8)
        layout.addWidget(self.feedback)
        layout.addStretch(1)

    def show_evaluation(self, evaluation: EvaluationView | None) -> None:
        while self.criteria_form.rowCount():
            self.criteria_form.removeRow(0)
        if evaluation is None:
            self.score_label.setText("—")
            self.caption.setText("No evaluation yet")
            self.feedback.clear()
            return
        self.score_label.setText(f"{evaluation.score}")
        self.caption.setText(f"out of 100, for version {evaluation.draft_version}")
        self.caption.setToolTip(f"Scored by {evaluation.model}" if evaluation.model else "")
        for name, value in evaluation.criteria:
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(int(value))
            bar.setFormat("%v")
            bar.setAccessibleName(formatting.CRITERIA_LABELS.get(name, name))
            self.criteria_form.addRow(formatting.CRITERIA_LABELS.get(name, name), bar)
        self.feedback.setText(evaluation.feedback or "")


# -- one platform ----------------------------------------------------------------------------


class PlatformPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view: PlatformView | None = None
        self.versions = QListWidget()
        self.versions.setAccessibleName("Versions")
        self.versions.currentRowChanged.connect(self._show_version)
        self.version_caption = muted()
        self.browser = SafeTextBrowser()
        self.browser.setAccessibleName("Draft")
        self.evaluation = EvaluationPanel()

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.version_caption)
        middle_layout.addWidget(self.browser, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(muted("Versions"))
        left_layout.addWidget(self.versions, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.evaluation)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 640, 260])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    def show_platform(self, view: PlatformView) -> None:
        self._view = view
        self.versions.blockSignals(True)
        self.versions.clear()
        for version in reversed(view.versions):  # newest first
            score = f" · {version.score}" if version.score is not None else ""
            who = formatting.agent_label(version.agent_id) if version.agent_id else "Editor"
            item = QListWidgetItem(f"v{version.version} · {who}{score}")
            item.setData(Qt.ItemDataRole.UserRole, version.version)
            if version.version == view.active_version:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setToolTip("The current version")
            self.versions.addItem(item)
        self.versions.blockSignals(False)
        self.evaluation.show_evaluation(view.evaluation)
        if view.versions:
            self.versions.setCurrentRow(0)
            self._show_version(0)
        else:
            self.version_caption.setText(formatting.status_label(view.status))
            message = view.error_message or "No draft yet."
            self.browser.setPlainText(message)

    def _show_version(self, row: int) -> None:
        if self._view is None or row < 0:
            return
        version: DraftVersion = list(reversed(self._view.versions))[row]
        parts = [f"Version {version.version}"]
        if version.agent_id:
            parts.append(f"by {formatting.agent_label(version.agent_id)}")
        elif version.source == "human":
            parts.append("edited by hand")
        if version.based_on_version:
            parts.append(f"based on v{version.based_on_version}")
        parts.append(formatting.when(version.created_at))
        parts.append(f"platform {formatting.status_label(self._view.status).lower()}")
        self.version_caption.setText(" · ".join(parts))
        self.browser.show_markdown(version.content, version.format)


# -- agent log -------------------------------------------------------------------------------


class StepsModel(QAbstractTableModel):
    HEADERS = ("Platform", "#", "Agent", "Round", "Status", "Model", "Tokens", "Cost", "Time")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps: tuple[StepView, ...] = ()

    def set_steps(self, steps: tuple[StepView, ...]) -> None:
        self.beginResetModel()
        self._steps = steps
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._steps)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        step = self._steps[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                formatting.platform_label(step.platform) if step.platform else "Piece",
                str(step.ordinal),
                formatting.agent_label(step.agent_id),
                str(step.iteration),
                formatting.status_label(step.status),
                step.model or "—",
                formatting.tokens(step.tokens_input, step.tokens_output),
                formatting.money(step.cost),
                formatting.duration(step.duration_ms),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and step.error_message:
            return step.error_message
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            palette = tones()
            colour = {
                "completed": palette.ok,
                "failed": palette.failed,
                "running": palette.running,
                "cancelled": palette.muted,
                "skipped": palette.muted,
            }.get(step.status)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 3, 6, 7, 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# -- SEO ---------------------------------------------------------------------------------------


class SeoPanel(QWidget):
    """The SEO metadata as a search result would show it, then every field in full."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = SafeTextBrowser()
        self.browser.setAccessibleName("SEO metadata")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.fields: dict[str, str] = {}

    def show_metadata(self, metadata: dict[str, Any]) -> None:
        self.fields = {key: _seo_text(value) for key, value in metadata.items()}
        if not metadata:
            self.browser.setHtml("<p><i>The SEO specialist has not produced metadata yet.</i></p>")
            return
        colours = tones(self.palette())
        title = html.escape(str(metadata.get("title") or metadata.get("meta_title") or ""))
        description = html.escape(
            str(metadata.get("description") or metadata.get("meta_description") or "")
        )
        slug = html.escape(str(metadata.get("slug") or ""))
        parts = ["<p><small>How a search result could show it</small></p>"]
        if title:
            parts.append(
                f"<p style='font-size:large; color:{colours.running.name()}; margin:0'>{title}</p>"
            )
        if slug:
            parts.append(f"<p style='color:{colours.ok.name()}; margin:0'>…/{slug}</p>")
        if description:
            parts.append(f"<p style='margin-top:2px'>{description}</p>")
        rows = []
        for key, value in metadata.items():
            name = key.replace("_", " ").capitalize()
            if isinstance(value, str) and key in ("title", "description", "meta_title"):
                name += f" <small>({len(value)} characters)</small>"
            rows.append(
                f"<tr><td style='padding:4px 16px 4px 0'><b>{name}</b></td>"
                f"<td style='padding:4px 0'>{html.escape(_seo_text(value))}</td></tr>"
            )
        parts.append(f"<hr><table>{''.join(rows)}</table>")
        self.browser.setHtml("".join(parts))


def _seo_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


# -- the whole piece ---------------------------------------------------------------------------


class PieceView(QWidget):
    resume_requested = Signal(object)  # uuid.UUID
    monitor_requested = Signal(object)  # uuid.UUID
    loaded = Signal(object)  # PieceDetail

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._db: Database | None = None
        self._detail: PieceDetail | None = None
        self._request = 0
        self.running = False

        self.title = _heading("", 1.35)
        self.meta = muted()
        self.stats = QLabel()
        self.stats.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.resume_button = QPushButton("Resume run")
        self.resume_button.setToolTip(
            "Continue at the first unfinished step; finished steps are not paid for again"
        )
        self.resume_button.clicked.connect(self._resume)
        self.monitor_button = QPushButton("Show live run")
        self.monitor_button.clicked.connect(self._monitor)
        header_text = QVBoxLayout()
        header_text.addWidget(self.title)
        header_text.addWidget(self.meta)
        header = QHBoxLayout()
        header.addLayout(header_text, 1)
        header.addWidget(self.stats)
        header.addWidget(self.monitor_button)
        header.addWidget(self.resume_button)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.seo = SeoPanel()
        self.steps_model = StepsModel(self)
        self.steps_table = QTableView()
        self.steps_table.setModel(self.steps_model)
        self.steps_table.verticalHeader().setVisible(False)
        self.steps_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps_table.setAlternatingRowColors(True)
        self.steps_table.setShowGrid(False)
        self.steps_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.steps_table.horizontalHeader().setStretchLastSection(True)
        self.steps_table.setAccessibleName("Agent log")
        self.steps_total = muted()
        log_page = QWidget()
        log_layout = QVBoxLayout(log_page)
        log_layout.addWidget(self.steps_table, 1)
        log_layout.addWidget(self.steps_total)
        self.brief = QLabel()
        self.brief.setWordWrap(True)
        self.brief.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.brief.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.brief.setMargin(12)
        self._platform_panels: dict[str, PlatformPanel] = {}
        # Platform tabs go in front of these when a piece is shown.
        self.tabs.addTab(self.seo, "SEO")
        self.tabs.addTab(log_page, "Agent log")
        self.tabs.addTab(self.brief, "Brief")

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(12, 10, 12, 8)
        content_layout.addLayout(header)
        content_layout.addWidget(self.tabs, 1)

        self.placeholder = QLabel("Select a piece to see its drafts, evaluation and agent log.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    @property
    def detail(self) -> PieceDetail | None:
        return self._detail

    @property
    def piece_id(self) -> uuid.UUID | None:
        return self._detail.id if self._detail is not None else None

    def set_database(self, db: Database | None) -> None:
        self._db = db

    def clear(self) -> None:
        self._request += 1
        self._detail = None
        self.stack.setCurrentIndex(0)

    def show_piece(self, piece_id: uuid.UUID) -> None:
        db = self._db
        if db is None:
            return
        self._request += 1
        request = self._request
        self._tasks.submit(
            lambda: load_detail(db, piece_id),
            on_result=lambda detail: self._apply(request, detail),
            owner=self,
            context="Opening the piece",
        )

    def reload(self) -> None:
        if self._detail is not None:
            self.show_piece(self._detail.id)

    def set_running(self, running: bool) -> None:
        self.running = running
        self._update_buttons()

    def _apply(self, request: int, detail: PieceDetail) -> None:
        if request != self._request:
            return
        previous_tab = self.tabs.tabText(self.tabs.currentIndex()) if self._detail else ""
        same_piece = self._detail is not None and self._detail.id == detail.id
        self._detail = detail
        self.title.setText(detail.display_title)
        skill = f" · {detail.skill_label}" if detail.skill_label else ""
        mode = " · manual" if detail.mode == "manual" else ""
        self.meta.setText(
            f"{detail.client_name} / {detail.project_name}{skill}{mode} · "
            f"{formatting.status_label(detail.status)} · "
            f"updated {formatting.when(detail.updated_at)}"
        )
        self.stats.setText(
            f"{formatting.tokens(detail.tokens_input, detail.tokens_output)} tokens · "
            f"<b>{formatting.money(detail.cost)}</b>"
        )
        self.stats.setToolTip("What the piece has cost so far, retries and failed calls included")
        self._rebuild_tabs(detail)
        if same_piece and previous_tab:
            for index in range(self.tabs.count()):
                if self.tabs.tabText(index) == previous_tab:
                    self.tabs.setCurrentIndex(index)
        self._update_buttons()
        self.stack.setCurrentIndex(1)
        self.loaded.emit(detail)

    def _rebuild_tabs(self, detail: PieceDetail) -> None:
        wanted = [view.platform for view in detail.platforms]
        if list(self._platform_panels) != wanted:
            for panel in self._platform_panels.values():
                self.tabs.removeTab(self.tabs.indexOf(panel))
                panel.deleteLater()
            self._platform_panels = {}
            for position, view in enumerate(detail.platforms):
                panel = PlatformPanel()
                self._platform_panels[view.platform] = panel
                self.tabs.insertTab(position, panel, formatting.platform_label(view.platform))
            self.tabs.setCurrentIndex(0)
        for view in detail.platforms:
            self._platform_panels[view.platform].show_platform(view)
        self.seo.show_metadata(dict(detail.seo_metadata))
        self.steps_model.set_steps(detail.steps)
        total = sum((step.cost for step in detail.steps if step.cost is not None), Decimal(0))
        tokens_in = sum(step.tokens_input for step in detail.steps)
        tokens_out = sum(step.tokens_output for step in detail.steps)
        self.steps_total.setText(
            f"{len(detail.steps)} steps · {formatting.tokens(tokens_in, tokens_out)} tokens · "
            f"{formatting.money(total)} in steps"
        )
        parts = []
        if detail.goal:
            parts.append(f"<b>Goal</b><br>{_html(detail.goal)}")
        if detail.instructions:
            parts.append(f"<b>Instructions</b><br>{_html(detail.instructions)}")
        if detail.error_message:
            parts.append(f"<b>Last error</b><br>{_html(detail.error_message)}")
        self.brief.setText("<br><br>".join(parts) or "No brief recorded.")

    def _update_buttons(self) -> None:
        detail = self._detail
        # "generating" with no run of ours means a run was interrupted (a crash, a quit).
        resumable = detail is not None and not self.running and detail.status in RESUMABLE_STATUSES
        self.resume_button.setVisible(bool(resumable))
        self.monitor_button.setVisible(self.running)

    def _resume(self) -> None:
        if self._detail is not None:
            self.resume_requested.emit(self._detail.id)

    def _monitor(self) -> None:
        if self._detail is not None:
            self.monitor_requested.emit(self._detail.id)


def _html(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")
