"""People's reviews of drafts (seed 001): 1–5 scores, what worked, issues, rule changes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Draft, Feedback, Piece, Skill
from app.domain.status import FEEDBACK_SEVERITIES
from app.services import _checks
from app.services.drafts import get_draft
from app.services.errors import InvalidInput

_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class FeedbackIssue:
    description: str
    severity: str  # high | medium | low
    suggested_fix: str | None = None


@dataclass(frozen=True)
class RuleChange:
    """A change a reviewer proposes to a skill's rules."""

    file: str  # which rules, e.g. "skills/blog-post/RULES.md" or a skill name
    suggested_change: str
    rationale: str
    current_rule: str | None = None


@dataclass(frozen=True)
class SkillFeedback:
    """Average review scores of one skill's drafts, rounded to two decimals."""

    skill_name: str
    feedback_count: int
    overall: Decimal
    accuracy: Decimal | None
    quality: Decimal | None
    usefulness: Decimal | None
    rule_compliance: Decimal | None


def add_feedback(
    session: Session,
    draft_id: uuid.UUID,
    *,
    overall_score: int,
    accuracy_score: int | None = None,
    quality_score: int | None = None,
    usefulness_score: int | None = None,
    rule_compliance_score: int | None = None,
    what_worked_well: str | None = None,
    issues: Sequence[FeedbackIssue | Mapping[str, Any]] = (),
    suggested_rule_changes: Sequence[RuleChange | Mapping[str, Any]] = (),
    source: str = "desktop",
    reviewer_id: uuid.UUID | None = None,
    reviewer_name: str | None = None,
) -> Feedback:
    """Record a review. Scores are whole numbers 1–5; only the overall score is required."""
    draft = get_draft(session, draft_id)
    entry = Feedback(
        draft_id=draft.id,
        overall_score=_checks.int_in_range("overall score", overall_score, 1, 5),
        accuracy_score=_optional_score("accuracy score", accuracy_score),
        quality_score=_optional_score("quality score", quality_score),
        usefulness_score=_optional_score("usefulness score", usefulness_score),
        rule_compliance_score=_optional_score("rule compliance score", rule_compliance_score),
        what_worked_well=_checks.optional_text("what worked well", what_worked_well),
        issues=[_clean(asdict(_issue(item, n))) for n, item in enumerate(issues, 1)],
        suggested_rule_changes=[
            _clean(asdict(_rule_change(item, n)))
            for n, item in enumerate(suggested_rule_changes, 1)
        ],
        source=_checks.required_text("source", source, max_length=50),
        reviewer_id=reviewer_id,
        reviewer_name=_checks.optional_text("reviewer name", reviewer_name, max_length=100),
    )
    session.add(entry)
    session.flush()
    return entry


def list_feedback(session: Session, draft_id: uuid.UUID) -> list[Feedback]:
    return list(
        session.scalars(
            select(Feedback)
            .where(Feedback.draft_id == draft_id)
            .order_by(Feedback.created_at, Feedback.id)
        )
    )


def issues_of(entry: Feedback) -> list[FeedbackIssue]:
    return [FeedbackIssue(**item) for item in entry.issues or []]


def rule_changes_of(entry: Feedback) -> list[RuleChange]:
    return [RuleChange(**item) for item in entry.suggested_rule_changes or []]


def average_feedback_per_skill(
    session: Session, since: dt.datetime | None = None
) -> list[SkillFeedback]:
    """Average scores per skill over feedback given since ``since``, aggregated in SQL."""
    query = (
        select(
            Skill.name,
            func.count(Feedback.id),
            func.avg(Feedback.overall_score),
            func.avg(Feedback.accuracy_score),
            func.avg(Feedback.quality_score),
            func.avg(Feedback.usefulness_score),
            func.avg(Feedback.rule_compliance_score),
        )
        .select_from(Feedback)
        .join(Draft, Feedback.draft_id == Draft.id)
        .join(Piece, Draft.piece_id == Piece.id)
        .join(Skill, Piece.skill_id == Skill.id)
        .group_by(Skill.name)
        .order_by(Skill.name)
    )
    if since is not None:
        query = query.where(Feedback.created_at >= _checks.aware("since", since))
    return [
        SkillFeedback(
            skill_name=name,
            feedback_count=count,
            overall=_average(overall) or Decimal(0),
            accuracy=_average(accuracy),
            quality=_average(quality),
            usefulness=_average(usefulness),
            rule_compliance=_average(rule_compliance),
        )
        for name, count, overall, accuracy, quality, usefulness, rule_compliance in session.execute(
            query
        )
    ]


def _average(value: object) -> Decimal | None:
    # PostgreSQL returns numeric (Decimal), SQLite a float.
    if value is None:
        return None
    return Decimal(str(value)).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def _optional_score(field: str, value: int | None) -> int | None:
    return None if value is None else _checks.int_in_range(field, value, 1, 5)


def _issue(item: FeedbackIssue | Mapping[str, Any], number: int) -> FeedbackIssue:
    field = f"issue {number}"
    data = asdict(item) if isinstance(item, FeedbackIssue) else _mapping(field, item)
    severity = data.get("severity")
    if not isinstance(severity, str) or severity.lower() not in FEEDBACK_SEVERITIES:
        raise InvalidInput(
            f"{field}: severity must be one of {', '.join(FEEDBACK_SEVERITIES)}, got {severity!r}"
        )
    return FeedbackIssue(
        description=_checks.required_text(f"{field} description", data.get("description")),
        severity=severity.lower(),
        suggested_fix=_checks.optional_text(
            f"{field} suggested fix", data.get("suggested_fix", data.get("suggestedFix"))
        ),
    )


def _rule_change(item: RuleChange | Mapping[str, Any], number: int) -> RuleChange:
    field = f"rule change {number}"
    data = asdict(item) if isinstance(item, RuleChange) else _mapping(field, item)
    return RuleChange(
        file=_checks.required_text(f"{field} file", data.get("file"), max_length=500),
        suggested_change=_checks.required_text(
            f"{field} suggested change", data.get("suggested_change", data.get("suggestedChange"))
        ),
        rationale=_checks.required_text(f"{field} rationale", data.get("rationale")),
        current_rule=_checks.optional_text(
            f"{field} current rule", data.get("current_rule", data.get("currentRule"))
        ),
    )


def _mapping(field: str, item: object) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise InvalidInput(f"{field} must be an object, got {type(item).__name__}")
    return dict(item)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop unset optional fields so the stored JSON matches seed 001's shape."""
    return {key: value for key, value in data.items() if value is not None}
