"""Platform rules that can be measured, and the senior editor fixing what breaks them."""

from __future__ import annotations

from sqlalchemy import select

from app.agents.platforms import PLATFORMS, split_thread
from app.db.models import AgentStep, Draft
from tests.agents.conftest import Studio
from tests.agents.helpers import agent_of, calls_by_agent, responder_for
from tests.fakes.openrouter_server import default_responder, reply

GOOD_THREAD = "1/ Linen breathes.\n\n2/ It softens with every wash.\n\n3/ Come and see it in Porto."
LONG_POST = "1/ " + "Linen " * 60 + "\n\n2/ Short."


def test_x_posts_over_280_characters_and_unnumbered_posts_are_reported() -> None:
    x = PLATFORMS["x"]

    assert x.violations(GOOD_THREAD) == []
    problems = x.violations(LONG_POST + "\n\nNo number here.")

    assert any(p.startswith("Post 1 is 362 characters long") for p in problems)
    assert "Post 3 does not start with its number ('3/')." in problems
    assert split_thread("1/ a\n\n\n2/ b\n") == ["1/ a", "2/ b"]


def test_linkedin_length_and_headings_are_checked() -> None:
    linkedin = PLATFORMS["linkedin"]

    assert linkedin.violations("A hook.\n\nA body.") == []
    problems = linkedin.violations("## A heading\n\n" + "x" * 3000)

    assert any("3014 characters long" in p and "at most 3000" in p for p in problems)
    assert any("Markdown headings" in p for p in problems)
    assert PLATFORMS["blog"].violations("## Fine\n\n" + "word " * 2000) == []


def test_the_senior_editor_is_asked_again_when_a_post_is_too_long(studio: Studio) -> None:
    studio.fake.set_responder(
        responder_for(
            {
                ("blog-writer", "x"): lambda n: reply(LONG_POST),
                ("senior-editor", "x"): lambda n: reply(LONG_POST if n == 1 else GOOD_THREAD),
            },
            default_responder,
        )
    )
    piece_id = studio.start(platforms=["x"], skill_name="x-thread", template_inputs=None)

    studio.runner().run(piece_id)

    senior = [r for r in studio.fake.chat_requests if agent_of(r.json)[0] == "senior-editor"]
    assert len(senior) == 2
    follow_up = senior[1].json["messages"][-1]["content"]
    assert "still breaks the X rules" in follow_up and "Post 1 is 362 characters" in follow_up
    with studio.db.session() as session:
        final = session.scalar(
            select(Draft).where(Draft.piece_id == piece_id, Draft.agent_id == "senior-editor")
        )
        assert final is not None and final.content == GOOD_THREAD
        step = session.scalar(
            select(AgentStep).where(
                AgentStep.piece_id == piece_id, AgentStep.agent_id == "senior-editor"
            )
        )
        assert step is not None and step.output_json is None


def test_violations_left_after_the_fix_are_recorded_and_shown_to_the_reviewer(
    studio: Studio,
) -> None:
    studio.fake.set_responder(
        responder_for({("senior-editor", "x"): lambda n: reply(LONG_POST)}, default_responder)
    )
    piece_id = studio.start(platforms=["x"], skill_name="x-thread", template_inputs=None)

    studio.runner().run(piece_id)

    assert calls_by_agent(studio.fake)[("senior-editor", "x")] == 2
    with studio.db.session() as session:
        step = session.scalar(
            select(AgentStep).where(
                AgentStep.piece_id == piece_id, AgentStep.agent_id == "senior-editor"
            )
        )
        assert step is not None and step.output_json is not None
        assert any("Post 1" in p for p in step.output_json["platform_violations"])
    review = next(r for r in studio.fake.chat_requests if agent_of(r.json)[0] == "blog-reviewer")
    assert "Measured problems the draft still has" in review.json["messages"][-1]["content"]
