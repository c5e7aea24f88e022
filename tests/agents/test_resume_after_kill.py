"""A generation killed with SIGKILL in the middle of a stream resumes at its first
unfinished step, and nothing that finished is requested (or paid for) again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.db.models import AgentStep, Draft, LlmCall, Piece
from app.domain.status import PieceStatus, StepStatus
from tests.agents.conftest import PROJECT_REF, Studio
from tests.agents.helpers import calls_by_agent
from tests.fakes.openrouter_server import TEST_KEY, Scenario, default_responder, hang_after

ROOT = Path(__file__).resolve().parents[2]


def test_a_killed_generation_resumes_without_repeating_finished_steps(studio: Studio) -> None:
    seen = Counter[str]()

    def third_call_hangs(body: dict[str, Any]) -> Scenario:
        seen["chat"] += 1
        if seen["chat"] == 3:
            return hang_after('{"content": "## Linen, ')
        return default_responder(body)

    studio.fake.set_responder(third_call_hangs)
    env = {
        **os.environ,
        "OPENROUTER_BASE_URL": studio.fake.base_url,
        "OPENROUTER_API_KEY": TEST_KEY,
    }
    command = [
        sys.executable, "-m", "app.cli.main", "--database", studio.db.url,
        "generate", "--project", PROJECT_REF, "--skill", "blog-post", "--platform", "blog",
        "--input", "topic=Linen for a hot summer", "--input", "target_word_count=900",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert studio.fake.wait_for_requests(3, timeout=60), "the third call never came"
        process.send_signal(signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    piece_id = _only_piece(studio)
    assert stdout.strip() == str(piece_id), stderr

    with studio.db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and piece.status == PieceStatus.GENERATING
        steps = _steps(session, piece_id)
        assert [(s.agent_id, s.status) for s in steps] == [
            ("blog-writer", StepStatus.COMPLETED),
            ("blog-editor", StepStatus.COMPLETED),
            ("seo-specialist", StepStatus.RUNNING),  # left behind by the dead process
            ("senior-editor", StepStatus.PENDING),
            ("blog-reviewer", StepStatus.PENDING),
        ]
        before = Counter(
            session.scalars(select(LlmCall.agent_id).where(LlmCall.piece_id == piece_id))
        )
    # Each finished step's usage reached the ledger before the next call began.
    assert before == {"blog-writer": 1, "blog-editor": 1}

    studio.fake.set_responder(None)
    result = studio.runner().run(piece_id)

    assert result.status == PieceStatus.AWAITING_REVIEW
    counts = calls_by_agent(studio.fake)
    assert counts == {
        ("blog-writer", "blog"): 1,
        ("blog-editor", "blog"): 1,
        ("seo-specialist", "blog"): 2,  # the killed call, and its redo
        ("senior-editor", "blog"): 1,
        ("blog-reviewer", "blog"): 1,
    }
    studio.ledger.flush()
    with studio.db.session() as session:
        steps = _steps(session, piece_id)
        assert all(s.status == StepStatus.COMPLETED for s in steps)
        assert [s.attempts for s in steps] == [1, 1, 2, 1, 1]
        # The half-streamed text of the killed attempt was discarded, not kept as output.
        assert steps[2].output is not None and not steps[2].output.startswith('{"content": "## Lin')
        versions = session.scalars(
            select(Draft.version).where(Draft.piece_id == piece_id).order_by(Draft.version)
        ).all()
        assert versions == [1, 2, 3, 4]
        after = Counter(
            session.scalars(select(LlmCall.agent_id).where(LlmCall.piece_id == piece_id))
        )
    assert after == {
        "blog-writer": 1,
        "blog-editor": 1,
        "seo-specialist": 1,
        "senior-editor": 1,
        "blog-reviewer": 1,
    }


def _only_piece(studio: Studio) -> Any:
    with studio.db.session() as session:
        ids = session.scalars(select(Piece.id)).all()
    assert len(ids) == 1
    return ids[0]


def _steps(session: Any, piece_id: Any) -> list[AgentStep]:
    return list(
        session.scalars(
            select(AgentStep)
            .where(AgentStep.piece_id == piece_id, AgentStep.platform == "blog")
            .order_by(AgentStep.ordinal)
        )
    )
