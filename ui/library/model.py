"""The library table: pieces paged in from the database as the view scrolls.

``rowCount`` is what has been fetched; ``canFetchMore``/``fetchMore`` ask a worker for the next
page, so opening a library of 100 000 pieces reads one page and one count. Sorting, filters
and search re-run the query in the database. Results of a superseded query are dropped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from ui import formatting
from ui.tasks import TaskRunner
from ui.theme import tones

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.services.library import LibraryPage, LibraryRow

Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str | None  # an app.services.library.SortKey value; None: not sortable
    align_right: bool = False


COLUMNS = (
    Column("Title", "title"),
    Column("Project", "project"),
    Column("Skill", "skill"),
    Column("Platforms", None),
    Column("Status", "status"),
    Column("Best score", "best_score", align_right=True),
    Column("Cost", "cost", align_right=True),
    Column("Updated", "updated", align_right=True),
)
STATUS_COLUMN = 4


@dataclass(frozen=True)
class LibraryState:
    """What the editor asked to see (plain values, turned into a query on the worker)."""

    text: str = ""
    project_id: uuid.UUID | None = None
    status: str | None = None
    skill_id: uuid.UUID | None = None
    sort_key: str = "updated"
    descending: bool = True


def _query(state: LibraryState) -> Any:
    from app.services.library import LibraryFilter, LibraryQuery, SortKey

    return LibraryQuery(
        filter=LibraryFilter(
            text=state.text,
            project_id=state.project_id,
            status=state.status,
            skill_id=state.skill_id,
        ),
        sort=SortKey(state.sort_key),
        descending=state.descending,
    )


def load_first_page(db: Database, state: LibraryState, page_size: int) -> LibraryPage:
    from app.services.library import library_page

    with db.session() as session:
        return library_page(session, _query(state), offset=0, limit=page_size)


def load_page(db: Database, state: LibraryState, offset: int, page_size: int) -> tuple[Any, ...]:
    from app.services.library import fetch_pieces

    with db.session() as session:
        return fetch_pieces(session, _query(state), offset=offset, limit=page_size)


class PieceTableModel(QAbstractTableModel):
    loading_changed = Signal(bool)
    total_changed = Signal(int)

    def __init__(
        self, tasks: TaskRunner, *, page_size: int = 200, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._page_size = page_size
        self._db: Database | None = None
        self._state = LibraryState()
        self._rows: list[LibraryRow] = []
        self._ids: set[uuid.UUID] = set()
        self._total = 0
        self._generation = 0
        self._loading = False

    # -- configuration ---------------------------------------------------------------------

    @property
    def state(self) -> LibraryState:
        return self._state

    @property
    def total(self) -> int:
        """Pieces matching the current filter, fetched or not."""
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def page_size(self) -> int:
        return self._page_size

    def set_database(self, db: Database | None) -> None:
        self._db = db
        self.refresh()

    def set_state(self, state: LibraryState) -> None:
        if state != self._state:
            self._state = state
            self.refresh()

    def update_state(self, **changes: Any) -> None:
        self.set_state(replace(self._state, **changes))

    def refresh(self) -> None:
        """Run the current query again from the first page."""
        self._generation += 1
        generation = self._generation
        if self._db is None:
            self._apply_first_page(generation, None)
            return
        db, state, size = self._db, self._state, self._page_size
        self._set_loading(True)
        self._tasks.submit(
            lambda: load_first_page(db, state, size),
            on_result=lambda page: self._apply_first_page(generation, page),
            on_error=lambda exc: self._failed(generation, exc),
            owner=self,
            context="Loading the library",
        )

    def row_at(self, row: int) -> LibraryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, piece_id: uuid.UUID) -> int:
        for number, item in enumerate(self._rows):
            if item.id == piece_id:
                return number
        return -1

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return item.title
            if column == 1:
                return f"{item.client_name} / {item.project_name}"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[column].align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN:
            palette = tones()
            colour = {
                "completed": palette.ok,
                "awaiting_review": palette.ok,
                "failed": palette.failed,
                "generating": palette.running,
                "queued": palette.running,
                "cancelled": palette.muted,
                "archived": palette.muted,
            }.get(item.status)
            return QBrush(colour) if colour is not None else None
        if role == ROW_ROLE:
            return item
        return None

    @staticmethod
    def _display(item: LibraryRow, column: int) -> str:
        if column == 0:
            return item.title
        if column == 1:
            return item.project_name
        if column == 2:
            return item.skill_name or "—"
        if column == 3:
            return " · ".join(formatting.platform_label(p) for p in item.platforms)
        if column == STATUS_COLUMN:
            return formatting.status_label(item.status)
        if column == 5:
            return str(item.best_score) if item.best_score is not None else "—"
        if column == 6:
            return formatting.money(item.cost)
        return formatting.when(item.updated_at)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        self.update_state(sort_key=key, descending=order == Qt.SortOrder.DescendingOrder)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or self._loading or self._db is None:
            return
        if len(self._rows) >= self._total:
            return
        generation = self._generation
        db, state, size, offset = self._db, self._state, self._page_size, len(self._rows)
        self._set_loading(True)
        self._tasks.submit(
            lambda: load_page(db, state, offset, size),
            on_result=lambda rows: self._append(generation, rows),
            on_error=lambda exc: self._failed(generation, exc),
            owner=self,
            context="Loading more pieces",
        )

    # -- results ---------------------------------------------------------------------------

    def _apply_first_page(self, generation: int, page: LibraryPage | None) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = list(page.rows) if page is not None else []
        self._ids = {item.id for item in self._rows}
        self._total = page.total if page is not None else 0
        self.endResetModel()
        self._set_loading(False)
        self.total_changed.emit(self._total)

    def _append(self, generation: int, rows: tuple[LibraryRow, ...]) -> None:
        if generation != self._generation:
            return
        # A piece added meanwhile shifts the pages; never show one twice.
        fresh = [item for item in rows if item.id not in self._ids]
        if not rows:
            # The library shrank since it was counted: stop asking for more.
            self._total = len(self._rows)
            self.total_changed.emit(self._total)
        self._set_loading(False)
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._ids.update(item.id for item in fresh)
            self.endInsertRows()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._set_loading(False)
        self._tasks.report(exc, "Loading the library")

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def palette_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, STATUS_COLUMN), self.index(len(self._rows) - 1, STATUS_COLUMN)
            )
