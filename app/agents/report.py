"""A piece as plain data for display: platforms, draft lineage, scores, steps and cost."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db.models import AgentStep, Client, Evaluation, LlmCall, Piece, Project, Skill
from app.services.drafts import list_drafts
from app.services.errors import AmbiguousReference, InvalidInput, NotFound
from app.services.pieces import get_piece, list_platform_states

MIN_PREFIX = 4


@dataclass(frozen=True)
class DraftLine:
    id: uuid.UUID
    version: int
    agent_id: str | None
    source: str
    based_on_version: int | None
    title: str | None
    characters: int
    words: int
    score: int | None  # the latest evaluation of this draft
    criteria: dict[str, int]
    feedback: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class StepLine:
    id: uuid.UUID
    ordinal: int
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


@dataclass(frozen=True)
class PlatformLine:
    platform: str
    status: str
    iteration: int
    active_draft_id: uuid.UUID | None
    error_message: str | None
    drafts: tuple[DraftLine, ...]
    steps: tuple[StepLine, ...]

    @property
    def active_version(self) -> int | None:
        return next((d.version for d in self.drafts if d.id == self.active_draft_id), None)


@dataclass(frozen=True)
class PieceReport:
    id: uuid.UUID
    title: str | None
    status: str
    error_message: str | None
    project_ref: str
    skill_name: str | None
    tokens_input: int
    tokens_output: int
    calls: int
    failed_calls: int
    cost: Decimal
    calls_without_cost: int
    seo_metadata: dict[str, Any] | None
    platforms: tuple[PlatformLine, ...]
    created_at: dt.datetime
    updated_at: dt.datetime


def resolve_piece_id(session: Session, ref: str) -> uuid.UUID:
    """A piece id from its full form or a unique prefix (as ``pieces list`` shows it)."""
    text = ref.strip().lower()
    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    compact = text.replace("-", "")
    if len(compact) < MIN_PREFIX or any(ch not in "0123456789abcdef" for ch in compact):
        raise InvalidInput(
            f"{ref!r} is not a piece id: give the id, or at least its first {MIN_PREFIX} "
            "characters as `copydesk pieces list` shows them"
        )
    matches = [pid for pid in session.scalars(select(Piece.id)) if pid.hex.startswith(compact)]
    if not matches:
        raise NotFound(f"no piece id starts with {ref!r}")
    if len(matches) > 1:
        names = sorted(str(pid) for pid in matches)
        raise AmbiguousReference(
            f"{len(matches)} pieces start with {ref!r}; give more of the id", names
        )
    return matches[0]


def piece_report(session: Session, piece_id: uuid.UUID) -> PieceReport:
    piece = get_piece(session, piece_id)
    project = session.get(Project, piece.project_id)
    assert project is not None
    client = session.get(Client, project.client_id)
    skill = session.get(Skill, piece.skill_id) if piece.skill_id else None
    calls, failed, cost, without_cost = session.execute(
        select(
            func.count(LlmCall.id),
            func.coalesce(func.sum(case((LlmCall.success.is_(False), 1), else_=0)), 0),
            func.coalesce(func.sum(LlmCall.cost), 0),
            func.count(LlmCall.id) - func.count(LlmCall.cost),
        ).where(LlmCall.piece_id == piece_id)
    ).one()
    platforms = []
    for state in list_platform_states(session, piece_id):
        drafts = list_drafts(session, piece_id, state.platform)
        versions = {d.id: d.version for d in drafts}
        latest = _latest_evaluations(session, [d.id for d in drafts])
        draft_lines = []
        for draft in drafts:
            evaluation = latest.get(draft.id)
            draft_lines.append(
                DraftLine(
                    id=draft.id,
                    version=draft.version,
                    agent_id=draft.agent_id,
                    source=draft.source,
                    based_on_version=versions.get(draft.based_on_id) if draft.based_on_id else None,
                    title=draft.title,
                    characters=len(draft.content),
                    words=len(draft.content.split()),
                    score=evaluation.score if evaluation else None,
                    criteria=dict(evaluation.criteria_scores or {}) if evaluation else {},
                    feedback=evaluation.feedback if evaluation else None,
                    created_at=draft.created_at,
                )
            )
        steps = session.scalars(
            select(AgentStep)
            .where(AgentStep.piece_id == piece_id, AgentStep.platform == state.platform)
            .order_by(AgentStep.ordinal)
        )
        platforms.append(
            PlatformLine(
                platform=state.platform,
                status=state.status,
                iteration=state.iteration,
                active_draft_id=state.active_draft_id,
                error_message=state.error_message,
                drafts=tuple(draft_lines),
                steps=tuple(_step_line(step) for step in steps),
            )
        )
    return PieceReport(
        id=piece.id,
        title=piece.title,
        status=piece.status,
        error_message=piece.error_message,
        project_ref=f"{client.slug if client else '?'}/{project.slug}",
        skill_name=skill.name if skill else None,
        tokens_input=piece.tokens_input,
        tokens_output=piece.tokens_output,
        calls=int(calls),
        failed_calls=int(failed),
        cost=Decimal(str(cost)),
        calls_without_cost=int(without_cost),
        seo_metadata=dict(piece.seo_metadata) if piece.seo_metadata else None,
        platforms=tuple(platforms),
        created_at=piece.created_at,
        updated_at=piece.updated_at,
    )


def _latest_evaluations(
    session: Session, draft_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Evaluation]:
    if not draft_ids:
        return {}
    latest: dict[uuid.UUID, Evaluation] = {}
    rows = session.scalars(
        select(Evaluation)
        .where(Evaluation.draft_id.in_(draft_ids))
        .order_by(Evaluation.created_at, Evaluation.id)
    )
    for evaluation in rows:
        latest[evaluation.draft_id] = evaluation
    return latest


def _step_line(step: AgentStep) -> StepLine:
    return StepLine(
        id=step.id,
        ordinal=step.ordinal,
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
    )
