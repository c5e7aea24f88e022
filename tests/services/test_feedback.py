"""People's feedback: validation of scores, issues and rule changes; averages per skill."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.db.models import Draft
from app.services import drafts, feedback
from app.services.errors import InvalidInput
from app.services.feedback import FeedbackIssue, RuleChange
from tests.services.builders import make_piece, make_project, make_skill


def _draft(session: Session, skill_name: str | None = None, platform: str = "blog") -> Draft:
    project = make_project(session, f"Shop for {skill_name}", client="Acme")
    skill = make_skill(session, skill_name, [skill_name]) if skill_name else None
    piece = make_piece(session, project, skill=skill, platforms=[platform])
    return drafts.add_draft(session, piece.id, platform, "text", source="ai")


def test_feedback_is_stored_in_seed_001s_shape(session: Session) -> None:
    draft = _draft(session)

    entry = feedback.add_feedback(
        session,
        draft.id,
        overall_score=4,
        accuracy_score=5,
        quality_score=4,
        usefulness_score=3,
        rule_compliance_score=4,
        what_worked_well="Clear structure.",
        issues=[
            FeedbackIssue("Intro too long", "medium", "Cut to two sentences"),
            {"description": "Wrong price", "severity": "HIGH"},
            {"description": "Typo", "severity": "low", "suggestedFix": "gown"},
        ],
        suggested_rule_changes=[
            {
                "file": "skills/blog-post/RULES.md",
                "suggestedChange": "Cap intros at 50 words",
                "rationale": "Readers skim",
            },
            RuleChange("skills/x-thread", "Number posts", "Orientation", current_rule="None"),
        ],
        reviewer_name="Maria",
    )

    session.expire_all()
    [stored] = feedback.list_feedback(session, draft.id)
    assert stored.id == entry.id
    assert stored.source == "desktop"
    assert stored.issues == [
        {
            "description": "Intro too long",
            "severity": "medium",
            "suggested_fix": "Cut to two sentences",
        },
        {"description": "Wrong price", "severity": "high"},
        {"description": "Typo", "severity": "low", "suggested_fix": "gown"},
    ]
    assert stored.suggested_rule_changes[0] == {
        "file": "skills/blog-post/RULES.md",
        "suggested_change": "Cap intros at 50 words",
        "rationale": "Readers skim",
    }
    assert feedback.rule_changes_of(stored)[1].current_rule == "None"
    assert feedback.issues_of(stored)[1] == FeedbackIssue("Wrong price", "high")


BAD_FEEDBACK: list[tuple[dict[str, object], str]] = [
    ({"overall_score": 0}, "overall score must be from 1 to 5, got 0"),
    ({"overall_score": 6}, "overall score must be from 1 to 5"),
    ({"overall_score": "5"}, "overall score must be a whole number"),
    ({"overall_score": 3, "quality_score": 9}, "quality score must be from 1 to 5"),
    ({"overall_score": 3, "accuracy_score": 0}, "accuracy score"),
    (
        {"overall_score": 3, "issues": [{"description": "x", "severity": "urgent"}]},
        "issue 1: severity must be one of high, medium, low, got 'urgent'",
    ),
    (
        {"overall_score": 3, "issues": [{"severity": "low"}]},
        "issue 1 description must not be empty",
    ),
    ({"overall_score": 3, "issues": ["bad"]}, "issue 1 must be an object"),
    (
        {
            "overall_score": 3,
            "suggested_rule_changes": [{"file": "f", "suggested_change": "c"}],
        },
        "rule change 1 rationale must not be empty",
    ),
]


def test_bad_feedback_is_refused(session: Session) -> None:
    draft = _draft(session)

    for arguments, message in BAD_FEEDBACK:
        with pytest.raises(InvalidInput, match=message):
            feedback.add_feedback(session, draft.id, **arguments)  # type: ignore[arg-type]
    assert feedback.list_feedback(session, draft.id) == []


def test_average_feedback_per_skill(session: Session) -> None:
    blog = _draft(session, "blog-post")
    thread = _draft(session, "x-thread", platform="x")
    # A piece without a skill: the averages leave it out.
    no_skill = _draft(session)

    feedback.add_feedback(session, blog.id, overall_score=4, accuracy_score=5, quality_score=3)
    feedback.add_feedback(session, blog.id, overall_score=5, accuracy_score=4)
    feedback.add_feedback(session, blog.id, overall_score=4)
    old = feedback.add_feedback(session, thread.id, overall_score=1, usefulness_score=1)
    old.created_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    feedback.add_feedback(session, thread.id, overall_score=3, usefulness_score=2)
    feedback.add_feedback(session, no_skill.id, overall_score=1)
    session.flush()

    averages = feedback.average_feedback_per_skill(session)

    assert [(a.skill_name, a.feedback_count) for a in averages] == [
        ("blog-post", 3),
        ("x-thread", 2),
    ]
    blog_avg, thread_avg = averages
    assert blog_avg.overall == Decimal("4.33")
    assert blog_avg.accuracy == Decimal("4.50")
    assert blog_avg.quality == Decimal("3.00")
    assert blog_avg.usefulness is None
    assert (thread_avg.overall, thread_avg.usefulness) == (Decimal("2.00"), Decimal("1.50"))

    recent = feedback.average_feedback_per_skill(
        session, since=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    assert [(a.skill_name, a.feedback_count, a.overall) for a in recent] == [
        ("blog-post", 3, Decimal("4.33")),
        ("x-thread", 1, Decimal("3.00")),
    ]
    with pytest.raises(InvalidInput, match="time zone"):
        feedback.average_feedback_per_skill(session, since=dt.datetime(2025, 1, 1))
