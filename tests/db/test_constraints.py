"""The schema refuses bad values and keeps references consistent, on both backends."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db.engine import Database
from app.db.models import (
    AgentModelConfig,
    AgentStep,
    Client,
    Draft,
    Evaluation,
    Feedback,
    LlmCall,
    Piece,
    PlatformState,
    Project,
    User,
)
from app.domain import status
from app.domain.status import DraftSource, Platform


def _piece(session: Session) -> Piece:
    client = Client(name="Acme", slug=f"acme-{uuid.uuid4().hex[:8]}")
    piece = Piece(project=Project(client=client, name="Shop", slug="shop"), title="Spring")
    session.add(piece)
    session.flush()
    return piece


def _draft(session: Session, **fields: object) -> Draft:
    values: dict[str, object] = {
        "piece": _piece(session),
        "platform": Platform.BLOG,
        "version": 1,
        "content": "Hello",
        "source": DraftSource.AI,
    }
    values.update(fields)
    draft = Draft(**values)
    session.add(draft)
    session.flush()
    return draft


def _call(**fields: object) -> LlmCall:
    values: dict[str, object] = {
        "request_id": "req-1",
        "model_requested": "openai/gpt-4o",
        "success": True,
        "called_at": dt.datetime.now(dt.UTC),
    }
    values.update(fields)
    return LlmCall(**values)


BAD_ROWS: dict[str, Callable[[Session], object]] = {
    "evaluation score 101": lambda s: Evaluation(draft=_draft(s), score=101),
    "evaluation score -1": lambda s: Evaluation(draft=_draft(s), score=-1),
    "feedback overall 6": lambda s: Feedback(draft=_draft(s), overall_score=6),
    "feedback overall 0": lambda s: Feedback(draft=_draft(s), overall_score=0),
    "feedback accuracy 9": lambda s: Feedback(draft=_draft(s), overall_score=3, accuracy_score=9),
    "negative input tokens": lambda s: _call(input_tokens=-1),
    "negative reasoning tokens": lambda s: _call(reasoning_tokens=-5),
    "http status 42": lambda s: _call(http_status=42),
    "negative retry number": lambda s: _call(retry_number=-1),
    "unknown piece status": lambda s: Piece(project=_piece(s).project, status="done"),
    "unknown platform": lambda s: _draft(s, platform="myspace"),
    "draft version 0": lambda s: _draft(s, version=0),
    "unknown draft source": lambda s: _draft(s, source="robot"),
    "unknown user role": lambda s: User(username="eve", role="owner"),
    "temperature 2.5": lambda s: AgentModelConfig(
        agent_id="a", agent_label="A", model_id="m", temperature=Decimal("2.5"), max_tokens=10
    ),
    "max tokens 0": lambda s: AgentModelConfig(
        agent_id="a", agent_label="A", model_id="m", temperature=Decimal("1"), max_tokens=0
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_check_constraints_refuse_bad_values(db: Database, case: str) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(BAD_ROWS[case](session))
        session.flush()


def test_good_values_at_the_bounds_are_accepted(db: Database) -> None:
    with db.session() as session:
        draft = _draft(session)
        session.add(Evaluation(draft=draft, score=100))
        session.add(Evaluation(draft=draft, score=0))
        session.add(Feedback(draft=draft, overall_score=5, accuracy_score=1))
        session.add(_call(input_tokens=0, http_status=599))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Evaluation)) == 2


def test_deleting_a_client_removes_its_work_and_keeps_the_usage_ledger(db: Database) -> None:
    with db.session() as session:
        draft = _draft(session)
        piece = draft.piece
        step = AgentStep(piece=piece, platform="blog", ordinal=1, agent_id="blog-writer")
        session.add(step)
        session.flush()
        draft.step_id = step.id
        step.draft_id = draft.id
        session.add(PlatformState(piece=piece, platform="blog", active_draft=draft))
        session.add(Evaluation(draft=draft, score=80, step_id=step.id))
        session.add(_call(piece_id=piece.id, step_id=step.id, project_id=piece.project_id))
        client_id = piece.project.client_id
    with db.session() as session:
        session.delete(session.get_one(Client, client_id))
    with db.session() as session:
        for model in (Project, Piece, Draft, AgentStep, PlatformState, Evaluation):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
        call = session.scalars(select(LlmCall)).one()
        assert (call.piece_id, call.step_id, call.project_id) == (None, None, None)


def test_deleting_a_draft_clears_references_to_it(db: Database) -> None:
    with db.session() as session:
        first = _draft(session)
        second = Draft(
            piece=first.piece,
            platform="blog",
            version=2,
            content="v2",
            source="human",
            based_on=first,
        )
        state = PlatformState(piece=first.piece, platform="blog", active_draft=first)
        session.add_all([second, state])
        session.flush()
        ids = first.id, second.id, state.id
    with db.session() as session:
        session.delete(session.get_one(Draft, ids[0]))
    with db.session() as session:
        assert session.get_one(Draft, ids[1]).based_on_id is None
        assert session.get_one(PlatformState, ids[2]).active_draft_id is None


def test_draft_versions_are_unique_per_piece_and_platform(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        first = _draft(session)
        session.add(
            Draft(piece=first.piece, platform="blog", version=1, content="again", source="ai")
        )
        session.flush()


def test_agent_config_edits_from_a_stale_copy_fail(db: Database) -> None:
    with db.session() as session:
        config = AgentModelConfig(
            agent_id="blog-writer",
            agent_label="Blog writer",
            model_id="anthropic/claude-sonnet-4.5",
            temperature=Decimal("0.7"),
            max_tokens=4000,
        )
        session.add(config)
    with db.session() as first, db.session() as second:
        mine = first.get_one(AgentModelConfig, config.id)
        theirs = second.get_one(AgentModelConfig, config.id)
        mine.max_tokens = 8000
        first.flush()
        first.commit()
        theirs.max_tokens = 2000
        with pytest.raises(StaleDataError):
            second.flush()
        second.rollback()
    with db.session() as session:
        stored = session.get_one(AgentModelConfig, config.id)
        assert (stored.max_tokens, stored.version) == (8000, 2)


ALLOWED_VALUES = {
    ("users", "role"): status.ROLES,
    ("projects", "status"): status.PROJECT_STATUSES,
    ("vocabulary", "usage"): status.VOCABULARY_USAGES,
    ("resources", "type"): status.RESOURCE_TYPES,
    ("skills", "type"): status.SKILL_TYPES,
    ("skills", "output_format"): status.OUTPUT_FORMATS,
    ("pieces", "mode"): status.PIECE_MODES,
    ("pieces", "status"): status.PIECE_STATUSES,
    ("platform_states", "platform"): status.PLATFORMS,
    ("platform_states", "status"): status.PLATFORM_STATUSES,
    ("drafts", "platform"): status.PLATFORMS,
    ("drafts", "format"): status.OUTPUT_FORMATS,
    ("drafts", "source"): status.DRAFT_SOURCES,
    ("agent_steps", "platform"): status.PLATFORMS,
    ("agent_steps", "status"): status.STEP_STATUSES,
    ("publishing_jobs", "status"): status.PUBLISHING_STATUSES,
}


def test_migrated_check_constraints_allow_exactly_the_domain_values(db: Database) -> None:
    # Autogenerate does not compare CHECK constraints, so the migration's copies of the
    # value lists are compared with app.domain.status here.
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        for (table, column), expected in ALLOWED_VALUES.items():
            checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            sqltext = checks[f"ck_{table}_{column}"]
            assert set(re.findall(r"'([a-z_]+)'", sqltext)) == set(expected), (table, column)
