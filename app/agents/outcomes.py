"""Storing a finished step: its draft or evaluation, the SEO metadata, the step's usage and
the piece's token totals, all in the caller's one unit of work."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.agents.agent_call import StepInputs, StepOutcome
from app.agents.checkpoints import PlannedStep, complete
from app.agents.errors import AgentOutputInvalid
from app.agents.events import DraftCreated, EvaluationReady, Event
from app.agents.roles import SEO_SPECIALIST, WRITER, AgentRole
from app.db.models import AgentStep
from app.domain.status import DraftSource, Platform, StepStatus
from app.services.drafts import add_draft
from app.services.errors import NotFound
from app.services.evaluations import add_evaluation
from app.services.pieces import add_piece_tokens, get_piece, set_seo_metadata


def record_outcome(
    session: Session,
    *,
    piece_id: uuid.UUID,
    platform: str,
    step: PlannedStep,
    role: AgentRole,
    inputs: StepInputs,
    outcome: StepOutcome,
) -> list[Event]:
    """Store what the step produced and mark it completed; the events to announce it."""
    events: list[Event] = []
    row = step_row(session, step.id)
    if row.status != StepStatus.RUNNING:
        # Another run finished or reset this step meanwhile: keep its result, not ours.
        raise AgentOutputInvalid(
            f"The step was changed by another run (it is now {row.status}); "
            "this result was discarded."
        )
    draft_id = None
    output_json: dict[str, Any] | None = dict(outcome.notes) or None
    if outcome.content is not None:
        draft = add_draft(
            session,
            piece_id,
            platform,
            outcome.content,
            source=DraftSource.AI.value,
            agent_id=role.agent_id,
            title=outcome.title[:500] if outcome.title else None,
            based_on_id=inputs.draft.id if inputs.draft else None,
            step_id=step.id,
        )
        draft_id = draft.id
        events.append(DraftCreated(piece_id, platform, draft.id, draft.version, role.agent_id))
        if role in (WRITER, SEO_SPECIALIST) and outcome.title:
            # An untitled piece takes the first title an agent gives it.
            piece = get_piece(session, piece_id)
            if not piece.title:
                piece.title = outcome.title[:255]
    if outcome.seo is not None:
        output_json = {**(output_json or {}), "seo": outcome.seo.metadata()}
        if platform == Platform.BLOG:
            set_seo_metadata(session, piece_id, outcome.seo.metadata())
    if outcome.evaluation is not None:
        if inputs.draft is None:
            raise AgentOutputInvalid("The reviewer scored a draft that does not exist.")
        result = outcome.evaluation
        add_evaluation(
            session,
            inputs.draft.id,
            result.score,
            criteria_scores=result.criteria,
            feedback=result.feedback,
            model=outcome.model,
            step_id=step.id,
        )
        output_json = {
            "score": result.score,
            "criteria": result.criteria,
            "feedback": result.feedback,
        }
        events.append(
            EvaluationReady(
                piece_id,
                platform,
                inputs.draft.id,
                result.score,
                dict(result.criteria),
                result.feedback,
            )
        )
    complete(
        row,
        output=outcome.text,
        output_json=output_json,
        model=outcome.model,
        input_tokens=outcome.input_tokens,
        output_tokens=outcome.output_tokens,
        cost=outcome.cost,
        draft_id=draft_id,
    )
    add_piece_tokens(
        session, piece_id, input_tokens=outcome.input_tokens, output_tokens=outcome.output_tokens
    )
    return events


def step_row(session: Session, step_id: uuid.UUID) -> AgentStep:
    row = session.get(AgentStep, step_id)
    if row is None:
        raise NotFound(f"the step {step_id} no longer exists (was the piece deleted?)")
    return row
