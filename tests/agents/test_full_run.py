"""A whole piece on three platforms against the fake OpenRouter: drafts, scores, statuses,
usage rows and the shared prompt context."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.agents.events import (
    DraftCreated,
    EvaluationReady,
    PlatformFinished,
    RunFinished,
    StepFinished,
    StepStarted,
    TextDelta,
)
from app.agents.roles import FIRST_PASS, SHARED_CONTEXT_STEP
from app.db.models import AgentStep, Draft, Evaluation, LlmCall, Piece, PlatformState
from app.domain.status import PieceStatus, PlatformStatus, StepStatus
from app.sources.cache import ProductCache
from tests.agents.conftest import BRAND_VOICE, STYLE_SAMPLE, Studio
from tests.agents.helpers import agent_of, calls_by_agent, shared_part
from tests.fakes.store_server import FakeStore

PLATFORMS = ["blog", "linkedin", "x"]


def test_a_piece_runs_on_three_platforms(studio: Studio, store: FakeStore) -> None:
    products = ProductCache(studio.db).import_store(store.url)
    picked = [products[3].external_id, products[8].external_id]
    piece_id = studio.start(platforms=PLATFORMS, product_ids=picked, instructions="Mention Porto.")

    result = studio.runner().run(piece_id)

    assert result.status == PieceStatus.AWAITING_REVIEW
    assert {p: r.status for p, r in result.platforms.items()} == dict.fromkeys(
        PLATFORMS, PlatformStatus.AWAITING_REVIEW.value
    )
    studio.ledger.flush()
    with studio.db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None
        assert piece.status == PieceStatus.AWAITING_REVIEW
        assert piece.started_at is not None and piece.completed_at is None
        assert piece.seo_metadata is not None and len(piece.seo_metadata["title"]) <= 60
        assert piece.tokens_input > 0 and piece.tokens_output > 0

        for platform in PLATFORMS:
            drafts = session.scalars(
                select(Draft)
                .where(Draft.piece_id == piece_id, Draft.platform == platform)
                .order_by(Draft.version)
            ).all()
            # writer, editor, SEO specialist, senior editor: one version each, in lineage.
            assert [d.version for d in drafts] == [1, 2, 3, 4]
            assert [d.agent_id for d in drafts] == [r.agent_id for r in FIRST_PASS[:4]]
            assert drafts[0].based_on_id is None
            assert [d.based_on_id for d in drafts[1:]] == [d.id for d in drafts[:-1]]
            assert all(d.source == "ai" and d.step_id is not None for d in drafts)
            state = session.scalar(
                select(PlatformState).where(
                    PlatformState.piece_id == piece_id, PlatformState.platform == platform
                )
            )
            assert state is not None and state.active_draft_id == drafts[-1].id
            assert state.iteration == 1
            evaluations = session.scalars(
                select(Evaluation).where(Evaluation.draft_id == drafts[-1].id)
            ).all()
            assert len(evaluations) == 1
            assert 0 <= evaluations[0].score <= 100
            assert set(evaluations[0].criteria_scores or {}) == {
                "platform_appropriateness",
                "style_consistency",
                "clarity",
                "engagement",
                "grammar",
            }
            steps = session.scalars(
                select(AgentStep)
                .where(AgentStep.piece_id == piece_id, AgentStep.platform == platform)
                .order_by(AgentStep.ordinal)
            ).all()
            assert [s.agent_id for s in steps] == [r.agent_id for r in FIRST_PASS]
            assert all(s.status == StepStatus.COMPLETED for s in steps)
            assert all(s.tokens_output > 0 and s.attempts == 1 for s in steps)
            assert [s.draft_id for s in steps[:4]] == [d.id for d in drafts]
            assert evaluations[0].step_id == steps[4].id

        calls = session.scalars(select(LlmCall).where(LlmCall.piece_id == piece_id)).all()
        step_agents = {s.id: s.agent_id for s in session.scalars(select(AgentStep))}
    # Every request is on the ledger, filed under its piece, step, agent and platform.
    assert len(calls) == len(studio.fake.chat_requests)
    assert all(c.success and c.project_id == studio.project_id for c in calls)
    assert all(c.step_id is not None and step_agents[c.step_id] == c.agent_id for c in calls)
    assert Counter(c.content_type for c in calls).keys() == set(PLATFORMS)
    counts = calls_by_agent(studio.fake)
    for platform in PLATFORMS:
        for role in FIRST_PASS:
            assert counts[(role.agent_id, platform)] >= 1
    assert sum(counts.values()) == len(calls)


def test_every_agent_gets_the_same_shared_context_first(studio: Studio, store: FakeStore) -> None:
    products = ProductCache(studio.db).import_store(store.url)
    piece_id = studio.start(platforms=PLATFORMS, product_ids=[products[0].external_id])

    studio.runner().run(piece_id)

    requests = studio.fake.chat_requests
    shared = {shared_part(request) for request in requests}
    assert len(shared) == 1, "the shared block differs between agents"
    block = shared.pop()
    assert block.startswith("SHARED CONTEXT")
    for fact in (BRAND_VOICE["tone"], "deadstock linen", "fast fashion", STYLE_SAMPLE):
        assert fact in block
    assert products[0].name in block and "Linen for a hot summer" in block
    assert "Linen clothes for slow summers" in block  # project metadata
    for request in requests:
        # Anthropic models get the cache breakpoint on the shared part only.
        parts = request.json["messages"][0]["content"]
        assert parts[0]["cache_control"] == {"type": "ephemeral"}
        assert "cache_control" not in parts[1]
        assert request.json["model"] == "anthropic/claude-sonnet-4.5"
    with studio.db.session() as session:
        recorded = session.scalars(
            select(AgentStep).where(
                AgentStep.piece_id == piece_id, AgentStep.agent_id == SHARED_CONTEXT_STEP
            )
        ).all()
    assert len(recorded) == 1 and recorded[0].output == block


def test_events_tell_the_story_of_the_run(studio: Studio) -> None:
    piece_id = studio.start(platforms=["blog", "linkedin"])

    studio.runner().run(piece_id)

    events = studio.events
    kinds = Counter(type(e) for e in events)
    assert kinds[StepStarted] == kinds[StepFinished] == 10
    assert kinds[DraftCreated] == 8 and kinds[EvaluationReady] == 2
    assert kinds[PlatformFinished] == 2 and kinds[TextDelta] > 0
    assert isinstance(events[-1], RunFinished) and events[-1].status == "awaiting_review"
    for platform in ("blog", "linkedin"):
        lane = [e for e in events if getattr(e, "platform", None) == platform]
        started = [e.agent_id for e in lane if isinstance(e, StepStarted)]
        assert started == [r.agent_id for r in FIRST_PASS]
        assert [e.version for e in lane if isinstance(e, DraftCreated)] == [1, 2, 3, 4]
        assert isinstance(lane[-1], PlatformFinished)
    # Each streamed delta belongs to the step that was running on its platform.
    current: dict[str, object] = {}
    for event in events:
        if isinstance(event, StepStarted):
            current[event.platform] = event.step_id
        elif isinstance(event, TextDelta):
            assert current[event.platform] == event.step_id


def test_requests_carry_each_agents_model_settings(studio: Studio) -> None:
    piece_id = studio.start()

    studio.runner().run(piece_id)

    settings = {
        "blog-writer": 0.8,
        "blog-editor": 0.5,
        "seo-specialist": 0.4,
        "senior-editor": 0.5,
        "blog-reviewer": 0.3,
    }
    for request in studio.fake.chat_requests:
        agent, _ = agent_of(request.json)
        assert request.json["temperature"] == settings[agent]
        assert request.json["max_tokens"] == 4096
        assert request.json["stream"] is True
        if agent in ("seo-specialist", "blog-reviewer"):
            assert request.json["response_format"]["type"] == "json_schema"
