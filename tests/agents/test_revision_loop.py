"""Below the score threshold the senior editor revises with the reviewer's feedback and the
reviewer scores again, up to the configured number of rounds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db.models import AgentStep, Draft, Evaluation, PlatformState
from app.domain.status import PieceStatus, PlatformStatus, StepStatus
from tests.agents.conftest import Studio
from tests.agents.helpers import agent_of, calls_by_agent, responder_for
from tests.fakes.openrouter_server import default_responder, reply


def evaluation(score: int, feedback: str) -> dict[str, Any]:
    criteria = dict.fromkeys(
        ("platform_appropriateness", "style_consistency", "clarity", "engagement", "grammar"),
        score,
    )
    return {"score": score, "criteria": criteria, "feedback": feedback}


def test_a_low_score_sends_the_draft_back_until_it_passes(studio: Studio) -> None:
    scores = {1: evaluation(55, "The opening buries the point."), 2: evaluation(91, "Good.")}
    studio.fake.set_responder(
        responder_for(
            {"blog-reviewer": lambda n: reply(json_content=scores[n])},
            default_responder,
        )
    )
    piece_id = studio.start()

    result = studio.runner().run(piece_id)

    assert result.status == PieceStatus.AWAITING_REVIEW
    assert result.platforms["blog"].score == 91
    with studio.db.session() as session:
        steps = session.scalars(
            select(AgentStep)
            .where(AgentStep.piece_id == piece_id, AgentStep.platform == "blog")
            .order_by(AgentStep.ordinal)
        ).all()
        assert [(s.ordinal, s.agent_id, s.iteration) for s in steps] == [
            (1, "blog-writer", 0),
            (2, "blog-editor", 0),
            (3, "seo-specialist", 0),
            (4, "senior-editor", 0),
            (5, "blog-reviewer", 0),
            (6, "senior-editor", 1),
            (7, "blog-reviewer", 1),
        ]
        assert all(s.status == StepStatus.COMPLETED for s in steps)
        drafts = session.scalars(
            select(Draft).where(Draft.piece_id == piece_id).order_by(Draft.version)
        ).all()
        assert [d.version for d in drafts] == [1, 2, 3, 4, 5]
        assert drafts[4].agent_id == "senior-editor" and drafts[4].based_on_id == drafts[3].id
        scored = {e.draft_id: e.score for e in session.scalars(select(Evaluation)).all()}
        assert scored == {drafts[3].id: 55, drafts[4].id: 91}
        state = session.scalar(select(PlatformState).where(PlatformState.piece_id == piece_id))
        assert state is not None
        assert state.iteration == 2 and state.active_draft_id == drafts[4].id
        assert state.status == PlatformStatus.AWAITING_REVIEW
    # The revising senior editor was shown the reviewer's score and feedback.
    revision = [r for r in studio.fake.chat_requests if agent_of(r.json)[0] == "senior-editor"][1]
    task = revision.json["messages"][-1]["content"]
    assert "The opening buries the point." in task and "55/100" in task


def test_revisions_stop_after_the_configured_rounds(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for(
            {"blog-reviewer": lambda n: reply(json_content=evaluation(40 + n, f"Round {n}."))},
            default_responder,
        )
    )
    piece_id = studio.start(options={"max_iterations": 1, "score_threshold": 75})

    result = studio.runner().run(piece_id)

    # One revision round only; the best the reviewer gave is left for a person to judge.
    assert result.status == PieceStatus.AWAITING_REVIEW
    assert result.platforms["blog"].score == 42
    counts = calls_by_agent(studio.fake)
    assert counts[("blog-reviewer", "blog")] == 2
    assert counts[("senior-editor", "blog")] == 2


def test_runner_options_apply_when_the_piece_sets_none(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for(
            {"blog-reviewer": lambda n: reply(json_content=evaluation(70, "Tighten it."))},
            default_responder,
        )
    )
    piece_id = studio.start()

    studio.runner(score_threshold=60).run(piece_id)

    assert calls_by_agent(studio.fake)[("blog-reviewer", "blog")] == 1
