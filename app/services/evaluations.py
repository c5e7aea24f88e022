"""The reviewer agent's scores of drafts (seed 002): 0–100 overall and per criterion."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Draft, Evaluation
from app.domain.status import PLATFORMS
from app.services import _checks
from app.services.drafts import get_draft
from app.services.errors import InvalidInput

CRITERIA = (
    "platform_appropriateness",
    "style_consistency",
    "clarity",
    "engagement",
    "grammar",
)


@dataclass(frozen=True)
class BestScore:
    """The best-scored draft of a piece on one platform."""

    platform: str
    draft_id: uuid.UUID
    draft_version: int
    score: int


def add_evaluation(
    session: Session,
    draft_id: uuid.UUID,
    score: int,
    *,
    criteria_scores: Mapping[str, int] | None = None,
    feedback: str | None = None,
    model: str | None = None,
    step_id: uuid.UUID | None = None,
) -> Evaluation:
    draft = get_draft(session, draft_id)
    evaluation = Evaluation(
        draft_id=draft.id,
        step_id=step_id,
        score=_checks.int_in_range("score", score, 0, 100),
        criteria_scores=_criteria(criteria_scores),
        feedback=_checks.optional_text("feedback", feedback),
        model=_checks.optional_text("model", model, max_length=255),
    )
    session.add(evaluation)
    session.flush()
    return evaluation


def list_evaluations(session: Session, draft_id: uuid.UUID) -> list[Evaluation]:
    return list(
        session.scalars(
            select(Evaluation)
            .where(Evaluation.draft_id == draft_id)
            .order_by(Evaluation.created_at, Evaluation.id)
        )
    )


def latest_evaluation(session: Session, draft_id: uuid.UUID) -> Evaluation | None:
    return session.scalar(
        select(Evaluation)
        .where(Evaluation.draft_id == draft_id)
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
        .limit(1)
    )


def latest_evaluations(
    session: Session, draft_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Evaluation]:
    """Each draft's latest evaluation, for those of ``draft_ids`` that have one."""
    if not draft_ids:
        return {}
    latest: dict[uuid.UUID, Evaluation] = {}
    for evaluation in session.scalars(
        select(Evaluation)
        .where(Evaluation.draft_id.in_(draft_ids))
        .order_by(Evaluation.created_at, Evaluation.id)
    ):
        latest[evaluation.draft_id] = evaluation
    return latest


def best_score(session: Session, piece_id: uuid.UUID) -> int | None:
    """The highest evaluation score of any draft of the piece, or None if none was scored."""
    return session.scalar(
        select(func.max(Evaluation.score))
        .join(Draft, Evaluation.draft_id == Draft.id)
        .where(Draft.piece_id == piece_id)
    )


def best_scores_by_platform(session: Session, piece_id: uuid.UUID) -> list[BestScore]:
    """Per platform, the draft with the highest score (the newer version wins a tie)."""
    best = (
        select(Draft.platform, func.max(Evaluation.score).label("score"))
        .join(Evaluation, Evaluation.draft_id == Draft.id)
        .where(Draft.piece_id == piece_id)
        .group_by(Draft.platform)
        .subquery()
    )
    rows = session.execute(
        select(Draft.platform, Draft.id, Draft.version, Evaluation.score)
        .join(Evaluation, Evaluation.draft_id == Draft.id)
        .join(best, (best.c.platform == Draft.platform) & (best.c.score == Evaluation.score))
        .where(Draft.piece_id == piece_id)
        .order_by(Draft.platform, Draft.version.desc())
    )
    chosen: dict[str, BestScore] = {}
    for platform, draft_id, version, score in rows:
        chosen.setdefault(platform, BestScore(platform, draft_id, version, score))
    order = {name: index for index, name in enumerate(PLATFORMS)}
    return sorted(chosen.values(), key=lambda item: order.get(item.platform, len(order)))


def _criteria(scores: Mapping[str, int] | None) -> dict[str, int] | None:
    if scores is None:
        return None
    if not isinstance(scores, Mapping):
        raise InvalidInput("criteria scores must be a mapping of criterion to score")
    unknown = sorted(set(scores) - set(CRITERIA))
    if unknown:
        raise InvalidInput(
            f"unknown evaluation criteria: {', '.join(unknown)}; "
            f"the criteria are: {', '.join(CRITERIA)}"
        )
    return {
        name: _checks.int_in_range(f"{name} score", scores[name], 0, 100)
        for name in CRITERIA
        if name in scores
    }
