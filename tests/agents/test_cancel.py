"""Cancelling a run: from another thread through the token, and from another session or
process through the piece's cancel flag. Partial output is kept and the run resumes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.agents.cancellation import request_cancel
from app.agents.events import Event, TextDelta
from app.agents.options import PipelineOptions
from app.agents.results import RunResult
from app.agents.runner import PipelineRunner
from app.db.engine import Database, open_database
from app.db.models import AgentStep, Piece, PlatformState
from app.domain.status import PieceStatus, PlatformStatus, StepStatus
from app.llm.cancel import CancelToken
from tests.agents.conftest import Studio
from tests.agents.helpers import calls_by_agent, responder_for
from tests.fakes.openrouter_server import TEST_KEY, default_responder, hang_after

PARTIAL = "Linen breathes. That is the whole trick of a hot summer, and"
ROOT = Path(__file__).resolve().parents[2]


class Run:
    """A pipeline run on a thread that can wait until the hanging writers have streamed
    their partial text in full."""

    def __init__(self, studio: Studio, piece_id: uuid.UUID, token: CancelToken | None) -> None:
        self.result: list[RunResult] = []
        self._streamed: dict[str, str] = {}
        self._changed = threading.Condition()

        def on_event(event: Event) -> None:
            if isinstance(event, TextDelta):
                with self._changed:
                    self._streamed[event.platform] = self._streamed.get(event.platform, "") + (
                        event.text
                    )
                    self._changed.notify_all()

        runner = PipelineRunner(
            studio.db,
            studio.llm,
            on_event=on_event,
            options=PipelineOptions(cancel_poll_seconds=0.05),
        )
        self.thread = threading.Thread(
            target=lambda: self.result.append(runner.run(piece_id, cancel=token))
        )
        self.thread.start()

    def wait_streamed(self, lanes: int = 1) -> bool:
        def done() -> bool:
            return sum(text == PARTIAL for text in self._streamed.values()) >= lanes

        with self._changed:
            return self._changed.wait_for(done, timeout=10)

    def finish(self) -> RunResult:
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "the run did not stop"
        return self.result[0]


def hang_writers(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for({"blog-writer": lambda n: hang_after(PARTIAL)}, default_responder)
    )


def assert_cancelled_with_partial_output(db: Database, piece_id: uuid.UUID) -> None:
    with db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and piece.status == PieceStatus.CANCELLED
        states = session.scalars(
            select(PlatformState).where(PlatformState.piece_id == piece_id)
        ).all()
        assert {s.status for s in states} == {PlatformStatus.CANCELLED.value}
        writers = session.scalars(
            select(AgentStep).where(
                AgentStep.piece_id == piece_id, AgentStep.agent_id == "blog-writer"
            )
        ).all()
        assert writers and all(s.status == StepStatus.CANCELLED for s in writers)
        assert all(s.output == PARTIAL and s.error_type == "cancelled" for s in writers)
        later = session.scalars(
            select(AgentStep).where(
                AgentStep.piece_id == piece_id,
                AgentStep.platform.is_not(None),
                AgentStep.agent_id != "blog-writer",
            )
        ).all()
        assert later and all(s.status == StepStatus.PENDING for s in later)


def test_cancel_token_stops_every_lane_and_the_run_resumes(studio: Studio) -> None:
    hang_writers(studio)
    piece_id = studio.start(platforms=["blog", "linkedin"])
    token = CancelToken()
    run = Run(studio, piece_id, token)
    assert run.wait_streamed(lanes=2)

    token.cancel()

    assert run.finish().status == PieceStatus.CANCELLED
    # Closing the streams is what stops the provider generating (and billing).
    assert studio.fake.wait_for_disconnect(5, count=2)
    assert_cancelled_with_partial_output(studio.db, piece_id)

    studio.fake.set_responder(None)
    resumed = studio.runner().run(piece_id)

    assert resumed.status == PieceStatus.AWAITING_REVIEW
    counts = calls_by_agent(studio.fake)
    for platform in ("blog", "linkedin"):
        assert counts[("blog-writer", platform)] == 2  # the cancelled call, then its redo
        assert counts[("blog-editor", platform)] == 1
        assert counts[("blog-reviewer", platform)] == 1


def test_request_cancel_from_another_session_stops_the_run(studio: Studio) -> None:
    hang_writers(studio)
    piece_id = studio.start()
    run = Run(studio, piece_id, None)
    assert run.wait_streamed()

    other = open_database(studio.db.url, migrate=False)
    try:
        request_cancel(other, piece_id)
    finally:
        other.dispose()

    assert run.finish().status == PieceStatus.CANCELLED
    assert studio.fake.wait_for_disconnect(5)
    assert_cancelled_with_partial_output(studio.db, piece_id)
    # The request is forgotten once acted on, so resuming is not cancelled again.
    studio.fake.set_responder(None)
    assert studio.runner().run(piece_id).status == PieceStatus.AWAITING_REVIEW


def test_copydesk_cancel_in_another_process_stops_the_run(studio: Studio) -> None:
    hang_writers(studio)
    piece_id = studio.start()
    run = Run(studio, piece_id, None)
    assert run.wait_streamed()

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli.main",
            "--database",
            studio.db.url,
            "cancel",
            str(piece_id)[:8],
        ],
        cwd=ROOT,
        env={**os.environ, "OPENROUTER_API_KEY": TEST_KEY},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Piece {piece_id} is cancelled."
    assert run.finish().status == PieceStatus.CANCELLED
    assert_cancelled_with_partial_output(studio.db, piece_id)


def test_cancelling_a_piece_nobody_runs_settles_it_at_once(studio: Studio) -> None:
    piece_id = studio.start(platforms=["blog", "x"])

    request_cancel(studio.db, piece_id)

    with studio.db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and piece.status == PieceStatus.CANCELLED
        states = session.scalars(
            select(PlatformState.status).where(PlatformState.piece_id == piece_id)
        ).all()
        assert set(states) == {PlatformStatus.CANCELLED.value}
    assert studio.fake.chat_requests == []
    assert studio.runner().run(piece_id).status == PieceStatus.AWAITING_REVIEW


@pytest.mark.parametrize("platforms", [["blog"]])
def test_a_token_cancelled_before_the_run_starts_no_step(
    studio: Studio, platforms: list[str]
) -> None:
    piece_id = studio.start(platforms=platforms)
    token = CancelToken()
    token.cancel()

    result = studio.runner().run(piece_id, cancel=token)

    assert result.status == PieceStatus.CANCELLED
    assert studio.fake.chat_requests == []
    with studio.db.session() as session:
        statuses = session.scalars(
            select(AgentStep.status).where(
                AgentStep.piece_id == piece_id, AgentStep.platform.is_not(None)
            )
        ).all()
    assert set(statuses) == {StepStatus.PENDING.value}
