"""The main window: it shows at once and opens the database on a worker, says which database
and key are in use, asks for a key on first run, routes notices, and restores its layout."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from app.agents.generate import start_piece
from app.agents.runner import PipelineRunner
from app.db.engine import Database
from app.llm.errors import BadKey
from app.notifications import ErrorRouter
from app.services.clients import ensure_client
from app.services.projects import create_project
from tests.fakes.openrouter_server import FakeOpenRouter
from tests.fixtures.keyrings import MemoryKeyring
from tests.ui.conftest import Notices
from ui.backend import Backend
from ui.desktop import Desktop
from ui.key_dialog import KeyDialog
from ui.main_window import MainWindow
from ui.piece_view import PieceView
from ui.tasks import TaskRunner

TIMEOUT_MS = 30_000

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _window(qtbot: QtBot, desktop: Desktop) -> MainWindow:
    window = MainWindow(desktop)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def test_the_status_bar_names_the_database_without_its_password(
    qtbot: QtBot, desktop: Desktop
) -> None:
    desktop.config = dataclasses.replace(
        desktop.config, database_url="postgresql+psycopg://editor:s3cret@db.example.com/copydesk"
    )
    window = _window(qtbot, desktop)
    text = window.db_label.text()
    assert "db.example.com/copydesk" in text and "***" in text and "s3cret" not in text


def test_first_run_opens_the_database_on_a_worker_and_asks_for_the_key(
    qtbot: QtBot, desktop: Desktop, memory_keyring: MemoryKeyring
) -> None:
    window = _window(qtbot, desktop)
    assert window.backend is None
    assert window.library.empty_label.text() == "Opening the database…"
    assert not window.new_piece_action.isEnabled()

    window.start()
    qtbot.waitUntil(lambda: window.backend is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(
        lambda: isinstance(window._key_dialog, KeyDialog) and window._key_dialog.isVisible(),
        timeout=TIMEOUT_MS,
    )
    assert window.key_label.text() == "Key: not set"
    assert window.new_piece_action.isEnabled()
    qtbot.waitUntil(
        lambda: "No pieces yet" in window.library.empty_label.text(), timeout=TIMEOUT_MS
    )
    window._key_dialog.reject()


def test_a_refused_key_notice_offers_the_key_dialog(
    qtbot: QtBot, desktop: Desktop, router: ErrorRouter, memory_keyring: MemoryKeyring
) -> None:
    window = _window(qtbot, desktop)
    router.report(BadKey("User not found."), context="Running the blog lane")
    qtbot.waitUntil(lambda: bool(window.notices.notices), timeout=TIMEOUT_MS)

    card = window.notices._cards[0]
    assert "OpenRouter refused the API key" in card.title_label.text()
    assert card.action_button is not None and card.action_button.text() == "Enter key…"
    card.action_button.click()
    assert isinstance(window._key_dialog, KeyDialog) and window._key_dialog.isVisible()
    window._key_dialog.reject()


def test_menus_have_the_usual_shortcuts(qtbot: QtBot, desktop: Desktop) -> None:
    window = _window(qtbot, desktop)
    assert window.new_piece_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert not window.preferences_action.shortcut().isEmpty()

    with qtbot.waitActive(window):
        window.activateWindow()
    window.nav.setCurrentRow(2)
    window.find_action.trigger()
    assert window.pages.currentIndex() == 0
    assert QApplication.focusWidget() is window.library.search


def test_the_layout_comes_back_on_the_next_start(
    qtbot: QtBot, desktop: Desktop, isolated_home: Path
) -> None:
    first = _window(qtbot, desktop)
    first.resize(777, 666)  # the offscreen screen is 800 × 800
    first.nav.setCurrentRow(1)
    first.library_split.setSizes([150, 500])
    sizes = first.library_split.sizes()
    first.close()

    state_file = isolated_home / "config" / "Copydesk" / "window-state.ini"
    assert state_file.is_file()
    assert not desktop.config.paths.settings_file.exists()  # preferences untouched

    second = _window(qtbot, desktop)
    assert (second.width(), second.height()) == (777, 666)
    assert second.nav.currentRow() == 1
    restored = second.library_split.sizes()
    # The split is restored in proportion to the window's height.
    assert abs(restored[0] / sum(restored) - sizes[0] / sum(sizes)) < 0.02


def test_the_piece_view_shows_drafts_evaluation_seo_and_the_agent_log(
    qtbot: QtBot, tasks: TaskRunner, backend: Backend, db: Database, openrouter: FakeOpenRouter
) -> None:
    with db.session() as session:
        client = ensure_client(session, "Juniper Vale")
        project_id = create_project(session, client.id, "Store").id
    piece_id = start_piece(
        db,
        project_ref=str(project_id),
        skill_name="blog-post",
        platforms=["blog", "x"],
        template_inputs={"topic": "Linen"},
        goal="A post about linen",
        options={"max_iterations": 0},
    )
    with backend.make_llm() as llm:
        PipelineRunner(db, llm).run(piece_id)

    view = PieceView(tasks)
    qtbot.addWidget(view)
    view.set_database(db)
    view.resize(1200, 700)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT_MS):
        view.show_piece(piece_id)

    tabs = [view.tabs.tabText(n) for n in range(view.tabs.count())]
    assert tabs == ["Blog", "X", "SEO", "Agent log", "Brief"]
    blog = view._platform_panels["blog"]
    assert blog.versions.count() == 4  # writer, editor, SEO specialist, senior editor
    assert blog.versions.item(0).text().startswith("v4 · Senior editor")
    assert blog.browser.toPlainText().strip()
    assert blog.evaluation.score_label.text().isdigit()
    assert blog.evaluation.criteria_form.rowCount() == 5
    assert view.steps_model.rowCount() >= 10
    costs = {
        view.steps_model.data(view.steps_model.index(row, 7), Qt.ItemDataRole.DisplayRole)
        for row in range(view.steps_model.rowCount())
    }
    assert any(cost.startswith("$") for cost in costs)
    assert set(view.seo.fields) == {"title", "description", "keywords", "slug"}
    assert "characters" in view.seo.browser.toPlainText()
    assert "$" in view.stats.text()
    assert not view.resume_button.isVisible()


def test_a_piece_that_is_gone_is_reported_not_shown(
    qtbot: QtBot, tasks: TaskRunner, db: Database, notices: Notices
) -> None:
    view = PieceView(tasks)
    qtbot.addWidget(view)
    view.set_database(db)
    view.show_piece(uuid.uuid4())
    qtbot.waitUntil(lambda: bool(notices.items), timeout=TIMEOUT_MS)
    assert notices.titles == ["Opening the piece: Not found"]
    assert view.detail is None


def test_a_long_run_finishing_in_the_background_notifies(
    qtbot: QtBot, desktop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, desktop)
    notified: list[tuple[str, str]] = []
    monkeypatch.setattr(window, "notify_desktop", lambda *args: notified.append(args))
    monkeypatch.setattr(window, "isActiveWindow", lambda: False)
    piece_id = uuid.uuid4()

    window._run_finished(piece_id, "awaiting_review", "Summer linen", 3.0)
    assert notified == []  # a short run: the editor was still looking
    window._run_finished(piece_id, "awaiting_review", "Summer linen", 95.0)
    assert notified == [("Copydesk", "Run finished: “Summer linen” is awaiting review")]

    monkeypatch.undo()
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen: the status bar says it
    window.notify_desktop("Copydesk", "Run finished: “Summer linen” is awaiting review")
    assert "Summer linen" in window.statusBar().currentMessage()
