"""The local checks of the SEO specialist's and the reviewer's structured answers."""

from __future__ import annotations

import pytest

from app.agents.errors import AgentOutputInvalid
from app.agents.schemas import check_evaluation, check_seo


def test_seo_answers_are_tidied() -> None:
    result = check_seo(
        {
            "content": "  # Linen\n\nText.  ",
            "title": "  Linen   for summer ",
            "description": "Why linen works.",
            "keywords": ["linen", "Linen", " summer dress ", ""],
            "slug": "Linen For Summer!",
        }
    )

    assert result.title == "Linen for summer"
    assert result.keywords == ("linen", "summer dress")
    assert result.slug == "linen-for-summer"
    assert result.content == "# Linen\n\nText."


def test_seo_limits_are_enforced_even_when_the_server_ignores_the_schema() -> None:
    with pytest.raises(AgentOutputInvalid) as caught:
        check_seo(
            {
                "content": "Text",
                "title": "T" * 61,
                "description": "D" * 161,
                "keywords": [],
                "slug": "",
            }
        )

    message = str(caught.value)
    assert "the title has 61 characters (at most 60)" in message
    assert "the meta description has 161 characters (at most 160)" in message
    assert "there are no keywords" in message


def test_evaluations_need_every_criterion_in_range() -> None:
    criteria = {
        "platform_appropriateness": 80,
        "style_consistency": 90,
        "clarity": 85,
        "engagement": 70,
        "grammar": 99,
    }
    assert check_evaluation({"score": 84, "criteria": criteria, "feedback": "Fine."}).score == 84

    with pytest.raises(AgentOutputInvalid, match="the grammar score 101"):
        check_evaluation(
            {"score": 84, "criteria": {**criteria, "grammar": 101}, "feedback": "Fine."}
        )
    with pytest.raises(AgentOutputInvalid, match="the score True is not a whole number"):
        check_evaluation({"score": True, "criteria": criteria, "feedback": "x"})
