"""The library on a large database: pages fetched lazily, and filters, sorting and search
answered by the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db.engine import Database, open_database
from app.db.seed import seed_defaults
from app.services.library import (
    LibraryFilter,
    LibraryQuery,
    LibraryRow,
    SortKey,
    count_pieces,
    fetch_pieces,
)
from tests.fixtures.databases import BACKENDS
from tests.ui.library_data import LibraryFacts, fill_library
from ui.library.model import COLUMNS, PieceTableModel
from ui.library.pane import LibraryPane
from ui.tasks import TaskRunner

PAGE = 200
LOAD_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module", params=BACKENDS)
def big(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, LibraryFacts]]:
    """A large library per backend, shared by these (read-only) tests: 20 000 pieces on
    SQLite; 5 000 on PostgreSQL, where bulk inserts cost more of the suite's time."""
    count = 20_000
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('library') / 'library.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
        count = 5_000
    database = open_database(url)
    try:
        seed_defaults(database)
        yield database, fill_library(database, count)
    finally:
        database.dispose()


@pytest.fixture
def db(big: tuple[Database, LibraryFacts]) -> Database:
    return big[0]


@pytest.fixture
def library(big: tuple[Database, LibraryFacts]) -> LibraryFacts:
    return big[1]


def _loaded_model(qtbot: QtBot, tasks: TaskRunner, db: Database) -> PieceTableModel:
    model = PieceTableModel(tasks, page_size=PAGE)
    with qtbot.waitSignal(model.total_changed, timeout=LOAD_TIMEOUT_MS):
        model.set_database(db)
    return model


def _reload(qtbot: QtBot, model: PieceTableModel, **changes: object) -> None:
    with qtbot.waitSignal(model.total_changed, timeout=LOAD_TIMEOUT_MS):
        model.update_state(**changes)


def _sort(qtbot: QtBot, model: PieceTableModel, key: str, order: Qt.SortOrder) -> None:
    column = next(n for n, c in enumerate(COLUMNS) if c.sort_key == key)
    with qtbot.waitSignal(model.total_changed, timeout=LOAD_TIMEOUT_MS):
        model.sort(column, order)


def _rows(model: PieceTableModel) -> list[LibraryRow]:
    return [row for n in range(model.rowCount()) if (row := model.row_at(n)) is not None]


def test_rows_arrive_page_by_page(
    qtbot: QtBot, tasks: TaskRunner, db: Database, library: LibraryFacts
) -> None:
    model = _loaded_model(qtbot, tasks, db)
    visible = sum(1 for pid in library.titles if library.visible(pid))

    assert model.total == visible > 3_000
    assert model.rowCount() == PAGE
    assert model.canFetchMore()
    for pages in (2, 3):
        with qtbot.waitSignal(model.rowsInserted, timeout=LOAD_TIMEOUT_MS):
            model.fetchMore()
        assert model.rowCount() == pages * PAGE
    rows = _rows(model)
    assert len({row.id for row in rows}) == 3 * PAGE  # no piece twice
    updated = [row.updated_at for row in rows]
    assert updated == sorted(updated, reverse=True)  # newest first by default
    assert all(row.platforms for row in rows)


def test_scrolling_the_view_fetches_more(
    qtbot: QtBot, tasks: TaskRunner, db: Database, library: LibraryFacts
) -> None:
    pane = LibraryPane(tasks, page_size=PAGE)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    with qtbot.waitSignal(pane.model.total_changed, timeout=LOAD_TIMEOUT_MS):
        pane.set_database(db)
    assert pane.model.rowCount() == PAGE

    pane.table.scrollToBottom()
    qtbot.waitUntil(lambda: pane.model.rowCount() >= 2 * PAGE, timeout=LOAD_TIMEOUT_MS)
    assert f"{pane.model.rowCount():,} of {pane.model.total:,} pieces" in pane.count_label.text()


def test_filters_and_search_are_counted_by_the_database(
    qtbot: QtBot, tasks: TaskRunner, db: Database, library: LibraryFacts
) -> None:
    model = _loaded_model(qtbot, tasks, db)
    project = library.project_ids[1]
    skill = library.skill_ids[2]

    _reload(qtbot, model, project_id=project)
    expected = sum(
        1 for pid in library.titles if library.visible(pid) and library.project_of[pid] == project
    )
    assert model.total == expected > 0
    assert {row.project_name for row in _rows(model)} == {"Journal 2"}

    _reload(qtbot, model, project_id=None, status="failed")
    assert model.total == library.by_status["failed"]
    assert {row.status for row in _rows(model)} == {"failed"}

    _reload(qtbot, model, status="archived", skill_id=skill)
    assert model.total == sum(
        1
        for pid, status in library.status_of.items()
        if status == "archived" and library.skill_of[pid] == skill
    )

    _reload(qtbot, model, status=None, skill_id=None, text="WEDDING")
    assert model.total == sum(
        1 for pid, title in library.titles.items() if library.visible(pid) and "wedding" in title
    )
    assert all("wedding" in row.title for row in _rows(model))

    _reload(qtbot, model, text="wedding porto")
    assert 0 < model.total < sum(1 for t in library.titles.values() if "wedding" in t)
    assert all("wedding" in r.title and "porto" in r.title for r in _rows(model))


def test_archived_pieces_are_hidden_unless_asked_for(db: Database, library: LibraryFacts) -> None:
    with db.session() as session:
        visible = count_pieces(session, LibraryFilter())
        archived = count_pieces(session, LibraryFilter(status="archived"))
        everything = count_pieces(session, LibraryFilter(include_archived=True))
    assert archived == library.by_status["archived"] > 0
    assert visible == library.total - archived
    assert everything == library.total


def test_sorting_by_score_and_cost_puts_pieces_without_one_last(
    qtbot: QtBot, tasks: TaskRunner, db: Database, library: LibraryFacts
) -> None:
    model = _loaded_model(qtbot, tasks, db)
    scores = {pid: s for pid, s in library.scored.items() if library.visible(pid)}
    costs = {pid: c for pid, c in library.costs.items() if library.visible(pid)}

    _sort(qtbot, model, "best_score", Qt.SortOrder.DescendingOrder)
    rows = _rows(model)
    assert rows[0].best_score == max(scores.values())
    known = [row.best_score for row in rows if row.best_score is not None]
    assert known == sorted(known, reverse=True)
    assert len(known) == min(len(scores), PAGE)

    _sort(qtbot, model, "best_score", Qt.SortOrder.AscendingOrder)
    assert _rows(model)[0].best_score == min(scores.values())

    _sort(qtbot, model, "cost", Qt.SortOrder.DescendingOrder)
    rows = _rows(model)
    assert rows[0].cost == max(costs.values())
    assert rows[0].id in costs


def test_sorting_by_title_pages_consistently(db: Database, library: LibraryFacts) -> None:
    query = LibraryQuery(LibraryFilter(include_archived=True), SortKey.TITLE, descending=False)
    with db.session() as session:
        first = fetch_pieces(session, query, offset=0, limit=500)
        second = fetch_pieces(session, query, offset=500, limit=500)
    titles = [row.title for row in (*first, *second)]
    assert titles == sorted(titles, key=str.lower)
    assert titles[0] == min(library.titles.values())
    assert len({row.id for row in (*first, *second)}) == 1000
