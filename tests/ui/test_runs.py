"""Live runs against the fake OpenRouter: lanes on worker threads, streaming into the monitor,
cancelled mid-stream, closed mid-run, and resumed without paying twice."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.agents.generate import start_piece
from app.db.engine import Database
from app.db.models import AgentStep, Draft, Piece
from app.llm.requests import ChatRequest, user_message
from app.notifications import retrying_notice
from app.services.clients import ensure_client
from app.services.projects import create_project
from tests.fakes.openrouter_server import (
    FakeOpenRouter,
    bad_key,
    hang_after,
    rate_limited,
    reply,
)
from tests.ui.conftest import Notices
from ui.backend import Backend
from ui.desktop import Desktop
from ui.main_window import MainWindow
from ui.run.manager import RunManager
from ui.run.monitor import RunMonitor, RunsPage

RUN_TIMEOUT_MS = 60_000
PARTIAL = "The linen arrives in spring, " * 4


def _piece(db: Database, platforms: list[str]) -> uuid.UUID:
    with db.session() as session:
        client = ensure_client(session, "Juniper Vale")
        project = create_project(session, client.id, "Store")
        project_id = project.id
    return start_piece(
        db,
        project_ref=str(project_id),
        skill_name="blog-post",
        platforms=platforms,
        template_inputs={"topic": "Our summer linen collection"},
        goal="A post about the summer linen collection",
        options={"max_iterations": 0, "score_threshold": 0},
    )


def _status(db: Database, piece_id: uuid.UUID) -> str:
    with db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None
        return piece.status


def _steps(db: Database, piece_id: uuid.UUID, platform: str) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = session.scalars(
            select(AgentStep)
            .where(AgentStep.piece_id == piece_id, AgentStep.platform == platform)
            .order_by(AgentStep.ordinal)
        )
        return [(row.agent_id, row.status) for row in rows]


@pytest.fixture
def runs(qtbot: QtBot, desktop: Desktop, backend: Backend) -> tuple[RunManager, RunsPage]:
    manager = RunManager(desktop)
    manager.set_backend(backend)
    page = RunsPage(manager)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return manager, page


def _monitor(page: RunsPage, piece_id: uuid.UUID) -> RunMonitor:
    monitor = page.monitor_of(piece_id)
    assert monitor is not None
    return monitor


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_run_streams_into_one_lane_per_platform(
    qtbot: QtBot, runs: tuple[RunManager, RunsPage], db: Database, openrouter: FakeOpenRouter
) -> None:
    manager, page = runs
    piece_id = _piece(db, ["blog", "linkedin"])

    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        manager.start(piece_id)
    assert finished.args[1] == "awaiting_review"

    monitor = _monitor(page, piece_id)
    assert set(monitor.lanes) == {"blog", "linkedin"}
    for lane in monitor.lanes.values():
        assert [row.status for row in lane.steps.rows] == ["completed"] * 5
        assert lane.status == "awaiting_review"
        assert lane.score_label.isVisible() and "Score" in lane.score_label.text()
        assert lane.live.toPlainText()  # the last step's text streamed in
    assert "$" in monitor.totals.text()
    assert not monitor.cancel_button.isVisible()
    with db.session() as session:
        drafts = session.scalars(select(Draft).where(Draft.piece_id == piece_id)).all()
    assert {draft.platform for draft in drafts} == {"blog", "linkedin"}
    assert not manager.is_running(piece_id)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_cancel_during_streaming_keeps_the_partial_text_and_resumes(
    qtbot: QtBot, runs: tuple[RunManager, RunsPage], db: Database, openrouter: FakeOpenRouter
) -> None:
    manager, page = runs
    piece_id = _piece(db, ["blog"])
    openrouter.enqueue(reply("A first draft about linen."), hang_after(PARTIAL))

    manager.start(piece_id)
    monitor = _monitor(page, piece_id)
    qtbot.waitUntil(lambda: "blog" in monitor.lanes, timeout=RUN_TIMEOUT_MS)
    lane = monitor.lanes["blog"]
    qtbot.waitUntil(lambda: PARTIAL.strip() in lane.live.toPlainText(), timeout=RUN_TIMEOUT_MS)
    assert lane.steps.rows[1].status == "running"

    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        monitor.cancel_button.click()
    assert finished.args[1] == "cancelled"
    assert openrouter.wait_for_disconnect(5)
    assert _status(db, piece_id) == "cancelled"
    assert _steps(db, piece_id, "blog")[:2] == [
        ("blog-writer", "completed"),
        ("blog-editor", "cancelled"),
    ]
    assert [row.status for row in lane.steps.rows][:2] == ["completed", "cancelled"]
    assert monitor.resume_button.isVisible()
    writer_calls = len(openrouter.chat_requests)

    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as resumed:
        monitor.resume_button.click()
    assert resumed.args[1] == "awaiting_review"
    assert [status for _agent, status in _steps(db, piece_id, "blog")] == ["completed"] * 5
    # The writer finished before the cancel and is not paid for again: 4 more calls.
    assert len(openrouter.chat_requests) == writer_calls + 4


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_closing_the_window_mid_run_asks_stops_the_workers_and_leaves_it_resumable(
    qtbot: QtBot,
    desktop: Desktop,
    backend: Backend,
    db: Database,
    openrouter: FakeOpenRouter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def answer_yes(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[1]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    window = MainWindow(desktop)
    qtbot.addWidget(window)
    window.show()
    window.use_backend(backend)
    piece_id = _piece(db, ["blog", "linkedin"])
    openrouter.enqueue(hang_after(PARTIAL), hang_after(PARTIAL))

    run = window.runs.start(piece_id)
    assert run is not None
    monitor = _monitor(window.runs_page, piece_id)
    qtbot.waitUntil(
        lambda: (
            len(monitor.lanes) == 2
            and all(PARTIAL.strip() in lane.live.toPlainText() for lane in monitor.lanes.values())
        ),
        timeout=RUN_TIMEOUT_MS,
    )
    workers = list(run.workers.values())
    assert all(worker.isRunning() for worker in workers)

    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_TIMEOUT_MS)

    assert asked == ["Stop the running agents?"]
    assert all(worker.isFinished() for worker in workers)
    assert _status(db, piece_id) == "cancelled"
    for platform in ("blog", "linkedin"):
        assert _steps(db, piece_id, platform)[0] == ("blog-writer", "cancelled")

    manager = RunManager(desktop)
    manager.set_backend(backend)
    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as resumed:
        manager.start(piece_id)
    assert resumed.args[1] == "awaiting_review"


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_failed_step_says_why_and_can_be_retried(
    qtbot: QtBot,
    runs: tuple[RunManager, RunsPage],
    db: Database,
    openrouter: FakeOpenRouter,
    notices: Notices,
) -> None:
    manager, page = runs
    piece_id = _piece(db, ["blog"])
    openrouter.enqueue(reply("A first draft about linen."), bad_key())

    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        manager.start(piece_id)
    assert finished.args[1] == "failed"
    lane = _monitor(page, piece_id).lanes["blog"]
    assert lane.status == "failed"
    assert lane.retry_button.isVisible()
    assert "User not found" in lane.error_label.text()
    assert [row.status for row in lane.steps.rows][:2] == ["completed", "failed"]
    assert any("OpenRouter refused the API key" in title for title in notices.titles)

    with qtbot.waitSignal(manager.run_finished, timeout=RUN_TIMEOUT_MS) as retried:
        lane.retry_button.click()
    assert retried.args[1] == "awaiting_review"
    assert [status for _agent, status in _steps(db, piece_id, "blog")] == ["completed"] * 5
    # The finished lane shows its final draft, rendered.
    qtbot.waitUntil(lambda: bool(lane.final.toPlainText().strip()), timeout=RUN_TIMEOUT_MS)
    assert lane.text_stack.currentWidget() is lane.final


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_a_server_asking_to_wait_is_announced_with_the_retry_time(
    backend: Backend, openrouter: FakeOpenRouter
) -> None:
    waits: list[dt.datetime] = []
    backend.on_server_wait = waits.append
    openrouter.enqueue(rate_limited(retry_after_ms=50), reply("Fine."))
    before = dt.datetime.now(dt.UTC)

    with backend.make_llm() as llm:
        answer = llm.complete(
            ChatRequest(model="openai/gpt-4o-mini", messages=[user_message("Hi")])
        )

    assert answer.text == "Fine."
    assert len(waits) == 1 and waits[0] >= before
    notice = retrying_notice(waits[0])
    assert notice.next_step.startswith("Retrying at ")
