"""One piece in full, as plain data: drafts and scores per platform, agent steps and cost.

The piece view, the run monitor and ``copydesk show`` all read this model. It is frozen, so a
worker thread can build it and hand it to the interface.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db.models import (
    AgentStep,
    Client,
    Draft,
    Evaluation,
    LlmCall,
    Piece,
    PlatformState,
    Project,
    Skill,
)
from app.domain.status import PLATFORMS
from app.services.errors import NotFound
from app.services.evaluations import latest_evaluations
from app.services.library import piece_cost

_PLATFORM_ORDER = {name: index for index, name in enumerate(PLATFORMS)}


@dataclass(frozen=True)
class EvaluationView:
    score: int
    criteria: tuple[tuple[str, int], ...]
    feedback: str | None
    model: str | None
    draft_version: int


@dataclass(frozen=True)
class DraftVersion:
    id: uuid.UUID
    version: int
    title: str | None
    content: str
    format: str
    source: str
    agent_id: str | None
    based_on_version: int | None
    created_at: dt.datetime
    evaluation: EvaluationView | None  # this draft's latest

    @property
    def score(self) -> int | None:
        return self.evaluation.score if self.evaluation else None

    @property
    def characters(self) -> int:
        return len(self.content)

    @property
    def words(self) -> int:
        return len(self.content.split())


@dataclass(frozen=True)
class PlatformView:
    platform: str
    status: str
    iteration: int
    error_message: str | None
    active_draft_id: uuid.UUID | None
    versions: tuple[DraftVersion, ...]  # oldest first

    @property
    def latest(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def active_version(self) -> int | None:
        return next((v.version for v in self.versions if v.id == self.active_draft_id), None)

    @property
    def evaluation(self) -> EvaluationView | None:
        """The latest evaluation of the newest version that has one."""
        return next((v.evaluation for v in reversed(self.versions) if v.evaluation), None)


@dataclass(frozen=True)
class StepView:
    id: uuid.UUID
    ordinal: int
    platform: str | None
    agent_id: str
    iteration: int
    status: str
    model: str | None
    tokens_input: int
    tokens_output: int
    cost: Decimal | None
    duration_ms: int | None
    attempts: int
    error_type: str | None
    error_message: str | None
    started_at: dt.datetime | None


@dataclass(frozen=True)
class CallTally:
    """The usage ledger's calls for a piece: every attempt, failed ones and retries included."""

    calls: int
    failed: int
    unpriced: int
    cost: Decimal  # of the priced calls; zero when none has a price


@dataclass(frozen=True)
class PieceDetail:
    id: uuid.UUID
    title: str | None
    goal: str | None
    status: str
    mode: str
    project_id: uuid.UUID
    project_name: str
    project_slug: str
    client_name: str
    client_slug: str
    skill_name: str | None
    skill_label: str | None  # the label, or the name when the skill has none
    instructions: str | None
    error_message: str | None
    seo_metadata: Mapping[str, Any]
    platforms: tuple[PlatformView, ...]
    steps: tuple[StepView, ...]  # by platform, then ordinal
    tokens_input: int
    tokens_output: int
    calls: CallTally
    cost: Decimal | None  # the ledger's, or else the steps' (runs made without a ledger)
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def display_title(self) -> str:
        return self.title or self.goal or "(untitled)"

    @property
    def project_ref(self) -> str:
        return f"{self.client_slug}/{self.project_slug}"

    def steps_on(self, platform: str) -> tuple[StepView, ...]:
        return tuple(step for step in self.steps if step.platform == platform)


def piece_detail(session: Session, piece_id: uuid.UUID) -> PieceDetail:
    """Everything there is to show of one piece, read in a handful of queries."""
    found = session.execute(
        select(Piece, Project, Client, Skill)
        .join(Project, Piece.project_id == Project.id)
        .join(Client, Project.client_id == Client.id)
        .outerjoin(Skill, Piece.skill_id == Skill.id)
        .where(Piece.id == piece_id)
    ).first()
    if found is None:
        raise NotFound(f"no piece with id {piece_id}")
    piece, project, client, skill = found
    drafts = list(
        session.scalars(
            select(Draft).where(Draft.piece_id == piece_id).order_by(Draft.platform, Draft.version)
        )
    )
    evaluations = latest_evaluations(session, [draft.id for draft in drafts])
    states = session.scalars(select(PlatformState).where(PlatformState.piece_id == piece_id))
    platforms = sorted(
        (_platform_view(state, drafts, evaluations) for state in states),
        key=lambda view: _PLATFORM_ORDER.get(view.platform, len(PLATFORMS)),
    )
    steps = session.scalars(
        select(AgentStep)
        .where(AgentStep.piece_id == piece_id)
        .order_by(AgentStep.platform, AgentStep.ordinal)
    )
    calls = call_tally(session, piece_id)
    total = session.scalar(select(piece_cost()).where(Piece.id == piece_id))
    cost = Decimal(total) if total is not None else None
    return PieceDetail(
        id=piece.id,
        title=piece.title,
        goal=piece.goal,
        status=piece.status,
        mode=piece.mode,
        project_id=piece.project_id,
        project_name=project.name,
        project_slug=project.slug,
        client_name=client.name,
        client_slug=client.slug,
        skill_name=skill.name if skill else None,
        skill_label=(skill.label or skill.name) if skill else None,
        instructions=piece.instructions,
        error_message=piece.error_message,
        seo_metadata=dict(piece.seo_metadata or {}),
        platforms=tuple(platforms),
        steps=tuple(step_view(step) for step in steps),
        tokens_input=piece.tokens_input,
        tokens_output=piece.tokens_output,
        calls=calls,
        cost=cost,
        created_at=piece.created_at,
        updated_at=piece.updated_at,
    )


def call_tally(session: Session, piece_id: uuid.UUID) -> CallTally:
    calls, failed, cost, unpriced = session.execute(
        select(
            func.count(LlmCall.id),
            func.coalesce(func.sum(case((LlmCall.success.is_(False), 1), else_=0)), 0),
            func.coalesce(func.sum(LlmCall.cost), 0),
            func.count(LlmCall.id) - func.count(LlmCall.cost),
        ).where(LlmCall.piece_id == piece_id)
    ).one()
    return CallTally(
        calls=int(calls), failed=int(failed), unpriced=int(unpriced), cost=Decimal(str(cost))
    )


def step_view(step: AgentStep) -> StepView:
    return StepView(
        id=step.id,
        ordinal=step.ordinal,
        platform=step.platform,
        agent_id=step.agent_id,
        iteration=step.iteration,
        status=step.status,
        model=step.model,
        tokens_input=step.tokens_input,
        tokens_output=step.tokens_output,
        cost=step.cost,
        duration_ms=step.duration_ms,
        attempts=step.attempts,
        error_type=step.error_type,
        error_message=step.error_message,
        started_at=step.started_at,
    )


def _platform_view(
    state: PlatformState, drafts: list[Draft], evaluations: Mapping[uuid.UUID, Evaluation]
) -> PlatformView:
    mine = [draft for draft in drafts if draft.platform == state.platform]
    version_of = {draft.id: draft.version for draft in mine}
    return PlatformView(
        platform=state.platform,
        status=state.status,
        iteration=state.iteration,
        error_message=state.error_message,
        active_draft_id=state.active_draft_id,
        versions=tuple(
            DraftVersion(
                id=draft.id,
                version=draft.version,
                title=draft.title,
                content=draft.content,
                format=draft.format,
                source=draft.source,
                agent_id=draft.agent_id,
                based_on_version=version_of.get(draft.based_on_id) if draft.based_on_id else None,
                created_at=draft.created_at,
                evaluation=_evaluation_view(evaluations.get(draft.id), draft.version),
            )
            for draft in mine
        ),
    )


def _evaluation_view(evaluation: Evaluation | None, draft_version: int) -> EvaluationView | None:
    if evaluation is None:
        return None
    return EvaluationView(
        score=evaluation.score,
        criteria=tuple((evaluation.criteria_scores or {}).items()),
        feedback=evaluation.feedback,
        model=evaluation.model,
        draft_version=draft_version,
    )
