"""The skills library: lookup, suggestions by trigger keywords, and admin edits."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.seed import seed_defaults
from app.services import skills
from app.services.errors import AlreadyExists, InvalidInput, NotFound
from tests.services.builders import make_skill


def _names(suggestions: list[skills.SkillSuggestion]) -> list[str]:
    return [suggestion.skill.name for suggestion in suggestions]


def test_suggestions_rank_specific_phrases_above_single_words(session: Session) -> None:
    make_skill(session, "blog-post", ["blog post", "blog", "article"])
    make_skill(session, "email-sequence", ["email sequence", "welcome sequence", "email"])
    make_skill(session, "x-thread", ["x thread", "thread"])

    ranked = skills.suggest_skills(session, "Write a welcome sequence email for new subscribers")

    assert _names(ranked) == ["email-sequence"]
    assert ranked[0].score == 3.0  # "welcome sequence" (2 words) + "email" (1)


def test_suggestions_are_case_insensitive_whole_phrases_with_plurals(session: Session) -> None:
    make_skill(session, "blog-post", ["blog post"])
    make_skill(session, "x-thread", ["x thread", "thread"])

    assert _names(skills.suggest_skills(session, "Two BLOG   POSTS please")) == ["blog-post"]
    # "threadbare" and "blogpost" contain keywords only as parts of other words.
    assert skills.suggest_skills(session, "A threadbare blogpost") == []


def test_suggestions_order_by_score_then_name(session: Session) -> None:
    make_skill(session, "linkedin-post", ["linkedin"])
    make_skill(session, "x-thread", ["x thread", "twitter"])
    make_skill(session, "announcement", ["launch"])

    ranked = skills.suggest_skills(session, "Launch on LinkedIn and an X thread on Twitter")

    # x-thread: 2 + 1 + 1 (its own name mentioned) = 4; the others score 1 each.
    assert [(s.skill.name, s.score) for s in ranked] == [
        ("x-thread", 4.0),
        ("announcement", 1.0),
        ("linkedin-post", 1.0),
    ]
    assert len(skills.suggest_skills(session, "launch linkedin twitter", limit=2)) == 2


def test_seeded_library_suggests_the_obvious_skill(db: Database) -> None:
    seed_defaults(db)
    with db.session() as session:
        assert _names(skills.suggest_skills(session, "Draft an X thread about sizing"))[0] == (
            "x-thread"
        )
        assert _names(skills.suggest_skills(session, "Product description for the Aria gown"))[
            0
        ] == ("product-description")
        assert _names(skills.suggest_skills(session, "Black Friday campaign posts"))[0] == (
            "seasonal-campaign"
        )


def test_get_skill_suggests_close_names(session: Session) -> None:
    make_skill(session, "linkedin-post", ["linkedin"])

    assert skills.get_skill(session, "LinkedIn-Post").name == "linkedin-post"
    with pytest.raises(NotFound, match="did you mean linkedin-post"):
        skills.get_skill(session, "linkdin-post")


def test_update_skill_marks_it_modified_and_validates(session: Session) -> None:
    make_skill(session, "blog-post", ["blog post"])

    updated = skills.update_skill(
        session,
        "blog-post",
        rules="# Rules\n- Be brief.",
        trigger_keywords=["Blog Post", "article", "blog post"],
        default_platforms=["blog", "linkedin"],
        template_inputs={"type": "object", "properties": {"topic": {"type": "string"}}},
    )

    assert updated.user_modified is True
    assert updated.trigger_keywords == ["blog post", "article"]
    assert updated.rules == "# Rules\n- Be brief."
    assert updated.description == "blog-post for tests"  # untouched
    with pytest.raises(InvalidInput, match="skill type 'huge'"):
        skills.update_skill(session, "blog-post", type="huge")
    with pytest.raises(InvalidInput, match="platforms entry 'tiktok'"):
        skills.update_skill(session, "blog-post", default_platforms=["tiktok"])
    with pytest.raises(InvalidInput, match="at least one trigger keyword"):
        skills.update_skill(session, "blog-post", trigger_keywords=[])
    with pytest.raises(InvalidInput, match="not a valid JSON Schema"):
        skills.update_skill(session, "blog-post", output_schema={"type": "banana"})


def test_create_skill_refuses_a_taken_name(session: Session) -> None:
    created = make_skill(session, "Press Release", ["press release"])

    assert created.name == "press-release"
    assert created.is_builtin is False
    with pytest.raises(AlreadyExists):
        make_skill(session, "press-release", ["press"])
    assert [s.name for s in skills.list_skills(session, type="simple")] == ["press-release"]
