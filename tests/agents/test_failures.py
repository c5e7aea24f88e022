"""What the pipeline does when a model misbehaves or is misconfigured: the step fails with
a clear message, statuses stay consistent, and the piece can be resumed."""

from __future__ import annotations

from sqlalchemy import select

from app.db.models import AgentStep, Piece, PlatformState
from app.domain.status import PieceStatus, PlatformStatus, StepStatus
from app.services.agent_configs import get_agent_config, update_agent_config
from tests.agents.conftest import Studio
from tests.agents.helpers import calls_by_agent, responder_for
from tests.fakes.openrouter_server import (
    default_responder,
    midstream_error,
    model_not_found,
    reply,
)


def _steps(studio: Studio, piece_id: object) -> list[AgentStep]:
    with studio.db.session() as session:
        return list(
            session.scalars(
                select(AgentStep)
                .where(AgentStep.piece_id == piece_id, AgentStep.platform.is_not(None))
                .order_by(AgentStep.platform, AgentStep.ordinal)
            )
        )


def test_broken_json_twice_fails_the_step_and_the_piece_resumes(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for(
            {"blog-reviewer": lambda n: reply('{"score": 90, "criteria": ') if n <= 2 else None},
            default_responder,
        )
    )
    piece_id = studio.start()

    result = studio.runner().run(piece_id)

    assert result.status == PieceStatus.FAILED
    blog = result.platforms["blog"]
    assert blog.status == PlatformStatus.FAILED
    assert blog.error_type == "structured_output_invalid"
    reviewer = _steps(studio, piece_id)[-1]
    assert reviewer.agent_id == "blog-reviewer" and reviewer.status == StepStatus.FAILED
    assert reviewer.error_type == "structured_output_invalid"
    assert reviewer.error_message is not None
    assert "did not match the 'evaluation' schema" in reviewer.error_message
    assert reviewer.output == '{"score": 90, "criteria": '
    with studio.db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and piece.status == PieceStatus.FAILED
        assert piece.error_message is not None and "blog-reviewer" in piece.error_message
    # Two requests: the answer and the one repair attempt.
    assert calls_by_agent(studio.fake)[("blog-reviewer", "blog")] == 2

    resumed = studio.runner().run(piece_id)

    assert resumed.status == PieceStatus.AWAITING_REVIEW
    counts = calls_by_agent(studio.fake)
    assert counts[("blog-writer", "blog")] == 1 and counts[("senior-editor", "blog")] == 1
    assert counts[("blog-reviewer", "blog")] == 3
    with studio.db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and piece.error_message is None


def test_a_model_that_does_not_exist_is_named_in_the_error(studio: Studio) -> None:
    with studio.db.session() as session:
        config = get_agent_config(session, "blog-editor")
        update_agent_config(
            session, "blog-editor", expected_version=config.version, model_id="acme/no-such-model"
        )
    studio.fake.set_responder(
        responder_for(
            {"blog-editor": lambda n: model_not_found("acme/no-such-model")}, default_responder
        )
    )
    piece_id = studio.start(platforms=["blog", "linkedin"])

    result = studio.runner().run(piece_id)

    assert result.status == PieceStatus.FAILED
    for platform in ("blog", "linkedin"):
        lane = result.platforms[platform]
        assert lane.status == PlatformStatus.FAILED and lane.error_type == "model_not_found"
        assert lane.error_message is not None and "acme/no-such-model" in lane.error_message
    editors = [s for s in _steps(studio, piece_id) if s.agent_id == "blog-editor"]
    assert all(s.status == StepStatus.FAILED for s in editors)
    assert all(s.model == "acme/no-such-model" for s in editors)
    with studio.db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and "acme/no-such-model" in (piece.error_message or "")
        states = session.scalars(
            select(PlatformState).where(PlatformState.piece_id == piece_id)
        ).all()
        assert all("acme/no-such-model" in (s.error_message or "") for s in states)
    for request in studio.fake.chat_requests:
        if "Agent: blog-editor" in str(request.json["messages"][-1]["content"]):
            assert request.json["model"] == "acme/no-such-model"


def test_a_provider_error_mid_stream_keeps_the_partial_text(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for(
            {("blog-writer", "blog"): lambda n: midstream_error("## Half a draft")},
            default_responder,
        )
    )
    piece_id = studio.start(platforms=["blog", "linkedin"])

    result = studio.runner().run(piece_id)

    # One lane failing does not stop the other.
    assert result.status == PieceStatus.FAILED
    assert result.platforms["blog"].status == PlatformStatus.FAILED
    assert result.platforms["linkedin"].status == PlatformStatus.AWAITING_REVIEW
    writer = next(s for s in _steps(studio, piece_id) if s.platform == "blog" and s.ordinal == 1)
    assert writer.status == StepStatus.FAILED and writer.error_type == "provider_error"
    assert writer.output == "## Half a draft"


def test_an_agent_answering_nothing_fails_its_step(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for({"blog-writer": lambda n: reply("   ")}, default_responder)
    )
    piece_id = studio.start()

    result = studio.runner().run(piece_id)

    assert result.platforms["blog"].error_type == "output_invalid"
    assert "answered with no text" in (result.platforms["blog"].error_message or "")
    assert len(studio.fake.chat_requests) == 1
