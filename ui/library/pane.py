"""The library page: search and filters above the table of pieces."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.status import PIECE_STATUSES
from ui import formatting
from ui.library.model import COLUMNS, PieceTableModel
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.services.library import FilterChoices

SEARCH_DEBOUNCE_MS = 250


def load_choices(db: Database) -> FilterChoices:
    from app.services.library import filter_choices

    with db.session() as session:
        return filter_choices(session)


class LibraryPane(QWidget):
    piece_activated = Signal(object)  # uuid.UUID
    piece_selected = Signal(object)  # uuid.UUID | None

    def __init__(
        self, tasks: TaskRunner, *, page_size: int = 200, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._db: Database | None = None
        self.model = PieceTableModel(tasks, page_size=page_size, parent=self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, goals and projects")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search pieces")
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)

        self.project_box = QComboBox()
        self.project_box.setAccessibleName("Filter by project")
        self.project_box.setMinimumContentsLength(16)
        self.skill_box = QComboBox()
        self.skill_box.setAccessibleName("Filter by skill")
        self.skill_box.setMinimumContentsLength(12)
        self.status_box = QComboBox()
        self.status_box.setAccessibleName("Filter by status")
        self.status_box.addItem("Any status", None)
        for status in PIECE_STATUSES:
            self.status_box.addItem(formatting.status_label(status), status)
        self._reset_choice_boxes()
        self.project_box.currentIndexChanged.connect(self._apply_filters)
        self.skill_box.currentIndexChanged.connect(self._apply_filters)
        self.status_box.currentIndexChanged.connect(self._apply_filters)

        self.count_label = QLabel()
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.project_box, 2)
        bar.addWidget(self.skill_box, 1)
        bar.addWidget(self.status_box, 1)
        bar.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(len(COLUMNS) - 1, Qt.SortOrder.DescendingOrder)
        self._size_columns()
        self.table.setAccessibleName("Pieces")
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)

        self.model.total_changed.connect(self._update_count)
        self.model.loading_changed.connect(lambda _loading: self._update_count())
        self.model.rowsInserted.connect(lambda *_args: self._update_count())
        self._update_count()

    # -- public ----------------------------------------------------------------------------

    def set_database(self, db: Database | None) -> None:
        self._db = db
        self.model.set_database(db)
        self._update_count()
        self.reload_choices()

    def reload_choices(self) -> None:
        db = self._db
        if db is None:
            return
        self._tasks.submit(
            lambda: load_choices(db),
            on_result=self._apply_choices,
            owner=self,
            context="Loading the filters",
        )

    def refresh(self) -> None:
        self.model.refresh()
        self.reload_choices()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def select_piece(self, piece_id: uuid.UUID) -> bool:
        row = self.model.row_of(piece_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def header_state(self) -> Any:
        return self.table.horizontalHeader().saveState()

    def restore_header_state(self, state: Any) -> None:
        header = self.table.horizontalHeader()
        if header.restoreState(state):
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    # -- internals -------------------------------------------------------------------------

    def _size_columns(self) -> None:
        metrics = self.table.fontMetrics()
        widths = {1: 18, 2: 16, 3: 18, 4: 17, 5: 10, 6: 9, 7: 13}
        for column, chars in widths.items():
            self.table.setColumnWidth(column, metrics.averageCharWidth() * chars + 16)

    def _reset_choice_boxes(self) -> None:
        for box, label in ((self.project_box, "All projects"), (self.skill_box, "All skills")):
            box.blockSignals(True)
            box.clear()
            box.addItem(label, None)
            box.blockSignals(False)

    def _apply_choices(self, choices: FilterChoices) -> None:
        for box, items in ((self.project_box, choices.projects), (self.skill_box, choices.skills)):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for choice in items:
                box.addItem(choice.label, choice.id)
            found = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
        self._apply_filters()

    def _apply_search(self) -> None:
        self._debounce.stop()
        self.model.update_state(text=self.search.text().strip())

    def _apply_filters(self) -> None:
        self.model.update_state(
            project_id=self.project_box.currentData(),
            skill_id=self.skill_box.currentData(),
            status=self.status_box.currentData(),
        )

    def _update_count(self, *_args: object) -> None:
        total, shown = self.model.total, self.model.rowCount()
        if self.model.loading and shown == 0:
            text = "Loading…"
        elif total == shown:
            text = f"{formatting.count(total)} pieces" if total != 1 else "1 piece"
        else:
            text = f"{formatting.count(shown)} of {formatting.count(total)} pieces"
        self.count_label.setText(text)
        empty = total == 0 and not self.model.loading
        filtered = self.model.state.text or any(
            v is not None
            for v in (
                self.model.state.project_id,
                self.model.state.skill_id,
                self.model.state.status,
            )
        )
        if self._db is None:
            empty = True
            self.count_label.setText("")
            self.empty_label.setText("Opening the database…")
        elif empty:
            self.empty_label.setText(
                "No piece matches these filters."
                if filtered
                else "No pieces yet.\nStart one with File → New piece… (Ctrl+N)."
            )
        self.empty_label.setVisible(empty)
        self.table.setVisible(not empty)

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.row_at(index.row())
        if item is not None:
            self.piece_activated.emit(item.id)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.row_at(current.row()) if current.isValid() else None
        self.piece_selected.emit(item.id if item is not None else None)
