"""Pieces: creation with snapshots and checked inputs, listing, and status transitions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.seed import seed_defaults
from app.services import pieces, projects, skills
from app.services.errors import InvalidInput, NotFound
from tests.services.builders import make_piece, make_project, make_skill

LAUNCH_INPUTS = {"product_name": "Aria", "launch_date": "2025-06-14", "audience": "brides"}


def test_a_new_piece_snapshots_the_project_and_has_pending_platforms(session: Session) -> None:
    project = make_project(session)
    projects.update_store_url(session, project.id, "https://shop.acme.test")
    projects.set_brand_voice(session, project.id, {"tone": "warm"})

    piece = pieces.create_piece(
        session,
        project.id,
        platforms=["linkedin", "blog", "linkedin"],
        goal="Spring lookbook",
        selected_product_ids=["sku-1", "sku-2"],
        options={"max_iterations": 3, "score_threshold": 80},
    )
    projects.set_brand_voice(session, project.id, {"tone": "formal"})

    assert piece.status == "draft"
    assert piece.mode == "template"
    assert piece.store_url == "https://shop.acme.test"
    assert piece.brand_voice == {"tone": "warm"}
    assert piece.selected_product_ids == ["sku-1", "sku-2"]
    states = pieces.list_platform_states(session, piece.id)
    assert [(s.platform, s.status, s.iteration) for s in states] == [
        ("blog", "pending", 0),
        ("linkedin", "pending", 0),
    ]


def test_platforms_default_to_the_skills_defaults(session: Session) -> None:
    project = make_project(session)
    skill = make_skill(session, "thread", ["thread"])
    skills.update_skill(session, "thread", default_platforms=["x"])

    piece = pieces.create_piece(session, project.id, skill_id=skill.id)

    assert [s.platform for s in piece.platform_states] == ["x"]
    assert [
        s.platform for s in make_piece(session, project, platforms=["blog"]).platform_states
    ] == ["blog"]


BAD_REQUESTS: list[tuple[dict[str, object], str]] = [
    ({"platforms": []}, "at least one platform"),
    ({"platforms": ["tiktok"]}, "platforms entry 'tiktok'"),
    ({"mode": "auto"}, "mode 'auto'"),
    ({"mode": "manual"}, "needs source content"),
    ({"options": {"max_iterations": -1}}, "max_iterations must be from 0"),
    ({"options": {"score_threshold": 101}}, "score_threshold must be from 0 to 100"),
    ({"store_url": "mailto:shop@example.com"}, "http or https"),
]


def test_bad_piece_requests_are_refused(session: Session) -> None:
    project = make_project(session)
    for arguments, message in BAD_REQUESTS:
        with pytest.raises(InvalidInput, match=message):
            pieces.create_piece(session, project.id, **arguments)  # type: ignore[arg-type]
    assert pieces.list_pieces(session) == []


def test_template_inputs_are_checked_against_the_skills_schema(db: Database) -> None:
    seed_defaults(db)
    with db.session() as session:
        project = make_project(session)
        launch = skills.get_skill(session, "product-launch-announcement")

        piece = pieces.create_piece(
            session, project.id, skill_id=launch.id, template_inputs=LAUNCH_INPUTS
        )
        assert piece.template_inputs == LAUNCH_INPUTS

        with pytest.raises(InvalidInput, match="'launch_date' is a required property"):
            pieces.create_piece(
                session, project.id, skill_id=launch.id, template_inputs={"product_name": "A"}
            )
        with pytest.raises(InvalidInput, match="launch_date"):
            pieces.create_piece(
                session,
                project.id,
                skill_id=launch.id,
                template_inputs={**LAUNCH_INPUTS, "launch_date": "next week"},
            )
        # Manual mode adapts given text, so the template's inputs are not required.
        manual = pieces.create_piece(
            session, project.id, skill_id=launch.id, mode="manual", source_content="Our text."
        )
        assert manual.source_content == "Our text."


def test_the_full_lifecycle_records_times(session: Session) -> None:
    piece = make_piece(session)

    for status in ("queued", "generating", "awaiting_review", "completed"):
        pieces.set_piece_status(session, piece.id, status)

    assert piece.status == "completed"
    assert piece.started_at is not None and piece.completed_at is not None
    assert piece.started_at <= piece.completed_at
    assert piece.completed_at.tzinfo == dt.UTC


def test_a_failure_keeps_its_message_until_the_retry(session: Session) -> None:
    piece = make_piece(session)
    pieces.set_piece_status(session, piece.id, "generating")

    pieces.set_piece_status(session, piece.id, "failed", error_message="provider down")
    assert (piece.status, piece.error_message) == ("failed", "provider down")

    pieces.set_piece_status(session, piece.id, "generating")
    assert piece.error_message is None and piece.completed_at is None


ILLEGAL_MOVES: list[tuple[tuple[str, ...], str]] = [
    ((), "completed"),
    ((), "awaiting_review"),
    (("queued",), "awaiting_review"),
    (("generating",), "draft"),
    (("generating", "completed"), "failed"),
    (("cancelled",), "completed"),
]


def test_illegal_piece_transitions_are_refused(session: Session) -> None:
    project = make_project(session)
    for path, illegal in ILLEGAL_MOVES:
        piece = make_piece(session, project)
        for status in path:
            pieces.set_piece_status(session, piece.id, status)
        before = piece.status

        with pytest.raises(InvalidInput, match=f"cannot go from '{before}' to '{illegal}'"):
            pieces.set_piece_status(session, piece.id, illegal)
        assert piece.status == before


def test_unknown_status_names_the_valid_ones(session: Session) -> None:
    piece = make_piece(session)
    with pytest.raises(InvalidInput, match=r"'running' is not a piece status.*generating"):
        pieces.set_piece_status(session, piece.id, "running")


def test_archive_and_unarchive(session: Session) -> None:
    piece = make_piece(session)
    pieces.set_piece_status(session, piece.id, "generating")
    with pytest.raises(InvalidInput, match="cannot go from 'generating' to 'archived'"):
        pieces.archive_piece(session, piece.id)
    for platform in ("blog", "linkedin"):
        pieces.set_platform_status(session, piece.id, platform, "generating")
        pieces.set_platform_status(session, piece.id, platform, "awaiting_review")
        pieces.set_platform_status(session, piece.id, platform, "accepted")
    pieces.set_piece_status(session, piece.id, "completed")

    pieces.archive_piece(session, piece.id)
    assert piece.status == "archived" and piece.archived_at is not None
    assert pieces.list_pieces(session) == []
    with pytest.raises(InvalidInput, match="archive_piece / unarchive_piece"):
        pieces.set_piece_status(session, piece.id, "generating")

    pieces.unarchive_piece(session, piece.id)
    assert piece.status == "completed" and piece.archived_at is None
    with pytest.raises(InvalidInput, match="not archived"):
        pieces.unarchive_piece(session, piece.id)


def test_platform_transitions(session: Session) -> None:
    piece = make_piece(session, platforms=["x"])

    with pytest.raises(InvalidInput, match="cannot go from 'pending' to 'accepted'"):
        pieces.set_platform_status(session, piece.id, "x", "accepted")
    for status in ("generating", "evaluating", "generating", "evaluating", "awaiting_review"):
        pieces.set_platform_status(session, piece.id, "x", status)
    pieces.set_platform_status(session, piece.id, "x", "accepted")
    pieces.set_platform_status(session, piece.id, "x", "published")
    with pytest.raises(InvalidInput, match="nothing \\(it is final\\)"):
        pieces.set_platform_status(session, piece.id, "x", "generating")
    with pytest.raises(NotFound, match="not being written for 'blog'"):
        pieces.set_platform_status(session, piece.id, "blog", "generating")


def test_platform_failure_and_iterations(session: Session) -> None:
    piece = make_piece(session, platforms=["blog"])
    pieces.set_platform_status(session, piece.id, "blog", "generating")

    state = pieces.set_platform_status(session, piece.id, "blog", "failed", error_message="429")
    assert state.error_message == "429"
    assert pieces.start_iteration(session, piece.id, "blog") == 1
    assert pieces.start_iteration(session, piece.id, "blog") == 2
    pieces.set_platform_status(session, piece.id, "blog", "pending")
    assert state.error_message is None and state.iteration == 2


def test_list_is_newest_first_and_filters(session: Session) -> None:
    acme = make_project(session, "Acme store")
    other = make_project(session, "Other store", client="Other")
    older = make_piece(session, acme)
    older.created_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    middle = make_piece(session, other)
    middle.created_at = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    newest = make_piece(session, acme)
    newest.created_at = dt.datetime(2025, 1, 3, tzinfo=dt.UTC)
    session.flush()
    pieces.set_piece_status(session, middle.id, "queued")

    assert pieces.list_pieces(session) == [newest, middle, older]
    assert pieces.list_pieces(session, project_id=acme.id) == [newest, older]
    assert pieces.list_pieces(session, status="queued") == [middle]
    assert pieces.list_pieces(session, limit=1) == [newest]
    with pytest.raises(InvalidInput, match="status 'done'"):
        pieces.list_pieces(session, status="done")


def test_summaries_carry_plain_data(session: Session) -> None:
    project = make_project(session, "Main store", client="Acme")
    skill = make_skill(session, "blog-post", ["blog post"])
    piece = make_piece(session, project, skill=skill, platforms=["x", "blog"])

    [summary] = pieces.list_piece_summaries(session)

    assert summary.id == piece.id
    assert summary.project_ref == "acme/main-store"
    assert summary.skill_name == "blog-post"
    assert summary.display_title == "Announce the summer collection"
    assert [(p.platform, p.status) for p in summary.platforms] == [
        ("blog", "pending"),
        ("x", "pending"),
    ]


def test_tokens_and_seo_metadata(session: Session) -> None:
    piece = make_piece(session)

    pieces.add_piece_tokens(session, piece.id, input_tokens=100, output_tokens=40)
    pieces.add_piece_tokens(session, piece.id, input_tokens=5, output_tokens=1)
    pieces.set_seo_metadata(session, piece.id, {"title": "Spring", "keywords": ["gown"]})

    session.expire_all()
    stored = pieces.get_piece(session, piece.id)
    assert (stored.tokens_input, stored.tokens_output) == (105, 41)
    assert stored.seo_metadata == {"title": "Spring", "keywords": ["gown"]}
    with pytest.raises(InvalidInput, match="input tokens"):
        pieces.add_piece_tokens(session, piece.id, input_tokens=-1, output_tokens=0)
