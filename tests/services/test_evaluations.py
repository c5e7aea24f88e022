"""AI evaluations: checked scores and criteria, the latest per draft, the best per piece."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from app.services import drafts, evaluations
from app.services.errors import InvalidInput, NotFound
from tests.services.builders import make_piece

ALL_CRITERIA = {
    "platform_appropriateness": 85,
    "style_consistency": 90,
    "clarity": 88,
    "engagement": 92,
    "grammar": 95,
}


def test_an_evaluation_keeps_its_criteria(session: Session) -> None:
    piece = make_piece(session, platforms=["blog"])
    draft = drafts.add_draft(session, piece.id, "blog", "text", source="ai")

    stored = evaluations.add_evaluation(
        session, draft.id, 90, criteria_scores=ALL_CRITERIA, feedback="Tighter intro.", model="m"
    )

    session.expire_all()
    again = evaluations.latest_evaluation(session, draft.id)
    assert again is not None and again.id == stored.id
    assert again.criteria_scores == ALL_CRITERIA
    assert (again.score, again.feedback, again.model) == (90, "Tighter intro.", "m")


BAD_EVALUATIONS: list[tuple[object, dict[str, object] | None, str]] = [
    (101, None, "score must be from 0 to 100, got 101"),
    (-1, None, "score must be from 0 to 100"),
    (True, None, "whole number"),
    (80.5, None, "whole number"),
    (80, {"clarity": 120}, "clarity score must be from 0 to 100"),
    (80, {"clarity": "high"}, "clarity score must be a whole number"),
    (80, {"humour": 50}, "unknown evaluation criteria: humour"),
]


def test_bad_evaluations_are_refused(session: Session) -> None:
    piece = make_piece(session, platforms=["blog"])
    draft = drafts.add_draft(session, piece.id, "blog", "text", source="ai")

    for score, criteria, message in BAD_EVALUATIONS:
        with pytest.raises(InvalidInput, match=message):
            evaluations.add_evaluation(session, draft.id, score, criteria_scores=criteria)  # type: ignore[arg-type]
    assert evaluations.latest_evaluation(session, draft.id) is None


def test_latest_and_best(session: Session) -> None:
    piece = make_piece(session, platforms=["blog", "x"])
    v1 = drafts.add_draft(session, piece.id, "blog", "one", source="ai")
    v2 = drafts.add_draft(session, piece.id, "blog", "two", source="ai")
    x1 = drafts.add_draft(session, piece.id, "x", "post", source="ai")
    early = evaluations.add_evaluation(session, v1.id, 70)
    early.created_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    evaluations.add_evaluation(session, v1.id, 82)
    evaluations.add_evaluation(session, v2.id, 82)
    evaluations.add_evaluation(session, x1.id, 64)
    session.flush()

    latest = evaluations.latest_evaluation(session, v1.id)
    assert latest is not None and latest.score == 82
    assert [e.score for e in evaluations.list_evaluations(session, v1.id)] == [70, 82]
    assert evaluations.best_score(session, piece.id) == 82
    # The tie at 82 goes to the newer version.
    assert [
        (b.platform, b.draft_version, b.score)
        for b in evaluations.best_scores_by_platform(session, piece.id)
    ] == [("blog", 2, 82), ("x", 1, 64)]
    assert evaluations.best_score(session, make_piece(session, piece.project).id) is None


def test_evaluating_a_missing_draft(session: Session) -> None:
    with pytest.raises(NotFound, match="no draft"):
        evaluations.add_evaluation(session, uuid.uuid4(), 50)
