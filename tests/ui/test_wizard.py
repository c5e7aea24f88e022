"""The new-piece wizard end to end, against the fake OpenRouter and the fake store: a new
project, its brand voice analysed and confirmed, products picked from the imported catalog,
the skill's own inputs, the estimate, Launch, and the run to a finished piece."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.db.engine import Database
from app.db.models import Piece, Project
from app.services.pieces import list_platform_states
from tests.fakes.openrouter_server import FakeOpenRouter
from tests.fakes.store_server import FakeStore
from ui.backend import Backend
from ui.desktop import Desktop
from ui.run.manager import RunManager
from ui.wizard.wizard import NewPieceWizard

TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _wizard(qtbot: QtBot, desktop: Desktop, backend: Backend) -> NewPieceWizard:
    wizard = NewPieceWizard(desktop, backend)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.project_page.skills.rowCount() > 0, timeout=TIMEOUT_MS)
    return wizard


def _next(qtbot: QtBot, wizard: NewPieceWizard) -> None:
    current = wizard.currentPage()
    qtbot.waitUntil(lambda: current.isComplete(), timeout=TIMEOUT_MS)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is not current, timeout=TIMEOUT_MS)


def test_the_wizard_takes_a_goal_to_a_finished_piece(
    qtbot: QtBot,
    desktop: Desktop,
    backend: Backend,
    db: Database,
    openrouter: FakeOpenRouter,
    store: FakeStore,
) -> None:
    wizard = _wizard(qtbot, desktop, backend)

    # 1. goal, a new project, and the suggested skill
    page1 = wizard.project_page
    page1.goal.setPlainText("A blog post about our summer linen dresses")
    qtbot.waitUntil(
        lambda: wizard.request.skill is not None and wizard.request.skill.name == "blog-post",
        timeout=TIMEOUT_MS,
    )
    first = page1.skills.skills[0]
    assert first.name == "blog-post" and first.suggested
    page1.new.setChecked(True)
    page1.client_box.setEditText("Juniper Vale")
    page1.project_name.setText("Linen store")
    page1.store_url.setText(store.url)
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.voice_page
    assert wizard.request.project is not None and wizard.request.project.name == "Linen store"

    # 2. brand voice: analysed (one model call), edited, confirmed
    page2 = wizard.voice_page
    assert page2.url.text() == store.url
    qtbot.waitUntil(lambda: "No analysis" in page2.status.text(), timeout=TIMEOUT_MS)
    page2.analyse_button.click()
    qtbot.waitUntil(lambda: page2.confirm.isChecked(), timeout=TIMEOUT_MS)
    assert "Analysed" in page2.status.text() and "kept for 7 days" in page2.status.text()
    page2.editor.tone.setText("Warm, plain and unhurried")
    _next(qtbot, wizard)

    # 3. the catalog, fetched from the store, searched and ticked
    page3 = wizard.sources_page
    qtbot.waitUntil(lambda: page3.products.rowCount() == 600, timeout=TIMEOUT_MS)
    page3.search.setText("linen dress")
    assert 0 < page3.filter.rowCount() < 600
    chosen = []
    for row in range(2):
        source = page3.filter.mapToSource(page3.filter.index(row, 0))
        page3.products.setData(source, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
        chosen.append(page3.products.products[source.row()].external_id)
    assert page3.selected_label.text() == "2 selected"
    _next(qtbot, wizard)

    # 4. platforms and the skill's inputs (a form generated from its JSON Schema)
    page4 = wizard.platforms_page
    assert page4.platform_boxes["blog"].isChecked()  # the skill's default
    page4.platform_boxes["linkedin"].setChecked(True)
    page4.instructions.setPlainText("Mention the Porto studio.")
    topic = page4.form.field_widget("topic")
    assert isinstance(topic, QLineEdit)
    wizard.next()  # the required topic is missing: the page says so and stays
    assert wizard.currentPage() is page4
    assert "Topic: required" in page4.error.text()
    topic.setText("Summer linen dresses")
    _next(qtbot, wizard)

    # 5. the summary with its estimate, then Launch
    page5 = wizard.summary_page
    qtbot.waitUntil(lambda: "Estimated cost" in page5.total.text(), timeout=TIMEOUT_MS)
    assert page5.steps.rowCount() == 10  # five agents on each of two platforms
    assert "Linen store" in page5.summary.text()
    with qtbot.waitSignal(wizard.launched, timeout=TIMEOUT_MS) as launched:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    piece_id: uuid.UUID = launched.args[0]
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=TIMEOUT_MS)

    with db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None
        assert piece.status == "queued"
        assert piece.selected_product_ids == chosen
        assert piece.template_inputs == {"topic": "Summer linen dresses", "target_word_count": 1200}
        assert piece.instructions == "Mention the Porto studio."
        assert piece.brand_voice and piece.brand_voice["tone"] == "Warm, plain and unhurried"
        project = session.get(Project, piece.project_id)
        assert project is not None and project.brand_voice_confirmed_at is not None
        platforms = [state.platform for state in list_platform_states(session, piece_id)]
    assert platforms == ["blog", "linkedin"]

    manager = RunManager(desktop)
    manager.set_backend(backend)
    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        manager.start(piece_id)
    assert finished.args[1] == "awaiting_review"


def test_back_and_forth_keeps_entries_and_cancelling_asks_first(
    qtbot: QtBot, desktop: Desktop, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard = _wizard(qtbot, desktop, backend)
    page1 = wizard.project_page
    page1.goal.setPlainText("A LinkedIn post for the autumn scarves")
    page1.new.setChecked(True)
    page1.client_box.setEditText("Acme")
    page1.project_name.setText("Scarves")
    qtbot.waitUntil(lambda: page1.isComplete(), timeout=TIMEOUT_MS)
    _next(qtbot, wizard)
    wizard.voice_page.editor.tone.setText("Crisp")
    wizard.back()
    assert page1.goal.toPlainText() == "A LinkedIn post for the autumn scarves"
    _next(qtbot, wizard)
    assert wizard.voice_page.editor.tone.text() == "Crisp"

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def answer(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[1]))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    wizard.reject()
    assert wizard.isVisible()  # "Cancel" kept the work
    wizard.reject()
    assert not wizard.isVisible()
    assert asked == ["Discard this piece?", "Discard this piece?"]
