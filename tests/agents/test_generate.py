"""Starting a piece: what is stored, and the specific errors for bad requests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.agents.errors import GenerationInputError
from app.agents.generate import parse_inputs, start_piece
from app.db.engine import Database
from app.db.models import Piece, PlatformState
from app.domain.status import PieceStatus, PlatformStatus
from app.services.errors import InvalidInput, NotFound
from app.services.projects import clear_brand_voice
from tests.agents.conftest import BRAND_VOICE, PROJECT_REF, make_project


@pytest.fixture
def project_id(db: Database) -> object:
    return make_project(db)


def test_a_started_piece_is_queued_with_a_brand_voice_snapshot(
    db: Database, project_id: object
) -> None:
    piece_id = start_piece(
        db,
        project_ref=PROJECT_REF,
        skill_name="linkedin-post",
        platforms=["linkedin", "x"],
        goal="Announce the summer collection",
        template_inputs=None,
        options={"score_threshold": 70, "max_iterations": 1},
    )

    with db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None
        assert piece.status == PieceStatus.QUEUED
        assert piece.brand_voice == BRAND_VOICE
        assert piece.options == {"score_threshold": 70, "max_iterations": 1}
        states = session.scalars(
            select(PlatformState).where(PlatformState.piece_id == piece_id)
        ).all()
        assert {s.platform: s.status for s in states} == {
            "linkedin": PlatformStatus.PENDING.value,
            "x": PlatformStatus.PENDING.value,
        }


def test_an_unconfirmed_brand_voice_is_not_used(db: Database, project_id: object) -> None:
    with db.session() as session:
        clear_brand_voice(session, project_id)  # type: ignore[arg-type]

    piece_id = start_piece(
        db, project_ref=PROJECT_REF, skill_name="blog-post", template_inputs={"topic": "Linen"}
    )

    with db.session() as session:
        piece = session.get(Piece, piece_id)
        assert piece is not None and piece.brand_voice is None


@pytest.mark.usefixtures("project_id")
@pytest.mark.parametrize(
    ("request_fields", "error", "message"),
    [
        ({"project_ref": "nobody/nothing"}, NotFound, "no client"),
        ({"skill_name": "blog-psot"}, NotFound, "did you mean blog-post"),
        ({"template_inputs": {}}, InvalidInput, "'topic' is a required property"),
        (
            {"template_inputs": {"topic": "Linen", "target_word_count": 20}},
            InvalidInput,
            "target_word_count: 20 is less than the minimum of 300",
        ),
        ({"product_ids": ["7000003", "nope"]}, GenerationInputError, "not in the product cache"),
        ({"platforms": ["tiktok"]}, InvalidInput, "tiktok"),
        ({"mode": "manual"}, InvalidInput, "needs source content"),
        ({"options": {"score_threshold": 101}}, InvalidInput, "score_threshold"),
    ],
)
def test_bad_requests_get_specific_errors(
    db: Database, request_fields: dict[str, object], error: type[Exception], message: str
) -> None:
    fields: dict[str, object] = {
        "project_ref": PROJECT_REF,
        "skill_name": "blog-post",
        "template_inputs": {"topic": "Linen"},
    }
    fields.update(request_fields)

    with pytest.raises(error, match=message):
        start_piece(db, **fields)  # type: ignore[arg-type]

    with db.session() as session:
        assert session.scalars(select(Piece)).all() == []


def test_command_line_inputs_are_typed_by_the_skill_schema() -> None:
    schema = {
        "properties": {
            "topic": {"type": "string"},
            "target_word_count": {"type": "integer"},
            "formal": {"type": "boolean"},
            "points": {"type": "array"},
        }
    }

    values = parse_inputs(
        ["topic=Linen = cool", "target_word_count=900", "formal=no", 'points=["a", "b"]'], schema
    )

    assert values == {
        "topic": "Linen = cool",
        "target_word_count": 900,
        "formal": False,
        "points": ["a", "b"],
    }
    with pytest.raises(GenerationInputError, match="must be an integer, not 'lots'"):
        parse_inputs(["target_word_count=lots"], schema)
    with pytest.raises(GenerationInputError, match="write it as key=value"):
        parse_inputs(["topic"], schema)
