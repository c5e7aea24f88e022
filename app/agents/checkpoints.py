"""The agent_steps rows of a platform: the plan made up front, and each step's progress.

A step is pending, then running, then completed (with its output, usage and draft) or
failed/cancelled (with whatever text had arrived). A resumed run starts at the first step
that is not completed; a step left ``running`` by a process that died is simply re-run.
All functions work inside the caller's unit of work and never commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.agents.roles import FIRST_PASS, REVIEWER, REVISION, SHARED_CONTEXT_STEP, AgentRole
from app.db.models import AgentStep
from app.db.types import utcnow
from app.domain.status import StepStatus

FINISHED = frozenset({StepStatus.COMPLETED.value, StepStatus.SKIPPED.value})
MAX_SUMMARY = 500


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A step as plain data, for the thread that runs it."""

    id: uuid.UUID
    ordinal: int
    agent_id: str
    iteration: int
    status: str


def planned(step: AgentStep) -> PlannedStep:
    return PlannedStep(step.id, step.ordinal, step.agent_id, step.iteration, step.status)


def platform_steps(session: Session, piece_id: uuid.UUID, platform: str) -> list[AgentStep]:
    return list(
        session.scalars(
            select(AgentStep)
            .where(AgentStep.piece_id == piece_id, AgentStep.platform == platform)
            .order_by(AgentStep.ordinal)
        )
    )


def ensure_plan(session: Session, piece_id: uuid.UUID, platform: str) -> list[AgentStep]:
    """The platform's steps, creating the first pass as pending rows if there are none."""
    steps = platform_steps(session, piece_id, platform)
    if steps:
        return steps
    return _add_steps(session, piece_id, platform, FIRST_PASS, iteration=0, after=0)


def append_round(
    session: Session, piece_id: uuid.UUID, platform: str, iteration: int
) -> list[AgentStep]:
    """Add a revision round (senior editor, then reviewer) after the last step."""
    last = session.scalar(
        select(func.max(AgentStep.ordinal)).where(
            AgentStep.piece_id == piece_id, AgentStep.platform == platform
        )
    )
    return _add_steps(session, piece_id, platform, REVISION, iteration=iteration, after=last or 0)


def first_unfinished(steps: Iterable[AgentStep]) -> AgentStep | None:
    for step in steps:
        if step.status not in FINISHED:
            return step
    return None


def last_review(steps: Iterable[AgentStep]) -> AgentStep | None:
    reviews = [
        s
        for s in steps
        if s.agent_id == REVIEWER.agent_id and s.status == StepStatus.COMPLETED.value
    ]
    return reviews[-1] if reviews else None


def review_score(step: AgentStep) -> int | None:
    data = step.output_json
    score = data.get("score") if isinstance(data, dict) else None
    return score if isinstance(score, int) and not isinstance(score, bool) else None


def start(step: AgentStep, *, model: str, input_summary: str) -> None:
    """Mark running; whatever an earlier, interrupted attempt left is discarded."""
    step.status = StepStatus.RUNNING.value
    step.attempts += 1
    step.model = model[:255]
    step.input_summary = input_summary[:MAX_SUMMARY]
    step.started_at = utcnow()
    step.output = None
    step.output_json = None
    step.draft_id = None
    step.tokens_input = 0
    step.tokens_output = 0
    step.cost = None
    step.error_type = None
    step.error_message = None
    step.finished_at = None
    step.duration_ms = None


def complete(
    step: AgentStep,
    *,
    output: str,
    output_json: Any,
    model: str | None,
    input_tokens: int,
    output_tokens: int,
    cost: Decimal | None,
    draft_id: uuid.UUID | None,
) -> None:
    step.status = StepStatus.COMPLETED.value
    step.output = output
    step.output_json = output_json
    if model:
        step.model = model[:255]
    step.tokens_input = input_tokens
    step.tokens_output = output_tokens
    step.cost = cost
    step.draft_id = draft_id
    _finish(step)


def stop(
    step: AgentStep, *, status: StepStatus, error_type: str, message: str, partial: str
) -> None:
    """Failed or cancelled: the partial output stays on the step for a person to see."""
    step.status = status.value
    step.error_type = error_type[:50]
    step.error_message = message
    step.output = partial or None
    _finish(step)


def shared_context(session: Session, piece_id: uuid.UUID) -> AgentStep | None:
    """The piece-wide step holding the rendered shared context (the first one recorded)."""
    return session.scalar(
        select(AgentStep)
        .where(
            AgentStep.piece_id == piece_id,
            AgentStep.platform.is_(None),
            AgentStep.agent_id == SHARED_CONTEXT_STEP,
            AgentStep.status == StepStatus.COMPLETED.value,
        )
        .order_by(AgentStep.created_at, AgentStep.id)
        .limit(1)
    )


def record_shared_context(session: Session, piece_id: uuid.UUID, text: str) -> AgentStep:
    now = utcnow()
    step = AgentStep(
        piece_id=piece_id,
        platform=None,
        ordinal=0,
        agent_id=SHARED_CONTEXT_STEP,
        iteration=0,
        status=StepStatus.COMPLETED.value,
        input_summary="The brief, brand voice, vocabulary, products and samples of the piece.",
        output=text,
        attempts=1,
        started_at=now,
        finished_at=now,
        duration_ms=0,
    )
    session.add(step)
    session.flush()
    return step


def _add_steps(
    session: Session,
    piece_id: uuid.UUID,
    platform: str,
    roles: tuple[AgentRole, ...],
    *,
    iteration: int,
    after: int,
) -> list[AgentStep]:
    steps = [
        AgentStep(
            piece_id=piece_id,
            platform=platform,
            ordinal=after + offset,
            agent_id=role.agent_id,
            iteration=iteration,
            status=StepStatus.PENDING.value,
        )
        for offset, role in enumerate(roles, start=1)
    ]
    session.add_all(steps)
    session.flush()
    return steps


def _finish(step: AgentStep) -> None:
    now = utcnow()
    step.finished_at = now
    if step.started_at is not None:
        step.duration_ms = max(int((now - step.started_at) / dt.timedelta(milliseconds=1)), 0)
