"""Draft versions: numbering per platform, based_on lineage, the active draft, concurrency."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.models import Draft
from app.services import drafts, pieces
from app.services.errors import InvalidInput, NotFound
from tests.services.builders import make_piece


def test_versions_count_per_platform_and_chain_by_default(session: Session) -> None:
    piece = make_piece(session, platforms=["blog", "linkedin"])

    writer = drafts.add_draft(session, piece.id, "blog", "v1", source="ai", agent_id="blog-writer")
    editor = drafts.add_draft(session, piece.id, "blog", "v2", source="ai", agent_id="blog-editor")
    post = drafts.add_draft(session, piece.id, "linkedin", "post", source="ai")
    human = drafts.add_draft(session, piece.id, "blog", "v3", source="human", title="Edited")

    assert [d.version for d in (writer, editor, post, human)] == [1, 2, 1, 3]
    assert writer.based_on_id is None
    assert editor.based_on_id == writer.id
    assert human.based_on_id == editor.id
    assert post.based_on_id is None
    assert drafts.active_draft(session, piece.id, "blog") is human
    assert drafts.active_draft(session, piece.id, "linkedin") is post
    assert [(d.platform, d.version) for d in drafts.list_drafts(session, piece.id)] == [
        ("blog", 1),
        ("blog", 2),
        ("blog", 3),
        ("linkedin", 1),
    ]
    assert drafts.list_drafts(session, piece.id, "linkedin") == [post]


def test_lineage_follows_based_on_back_to_the_first_draft(session: Session) -> None:
    piece = make_piece(session, platforms=["blog"])
    first = drafts.add_draft(session, piece.id, "blog", "one", source="ai")
    second = drafts.add_draft(session, piece.id, "blog", "two", source="ai")
    drafts.add_draft(session, piece.id, "blog", "three", source="ai")
    # A reviewer goes back to version 1 and edits it by hand.
    branch = drafts.add_draft(session, piece.id, "blog", "1b", source="human", based_on_id=first.id)

    assert [d.version for d in drafts.draft_lineage(session, branch.id)] == [1, 4]
    assert [d.content for d in drafts.draft_lineage(session, second.id)] == ["one", "two"]
    assert drafts.latest_draft(session, piece.id, "blog") is branch


def test_an_earlier_version_can_be_made_active_again(session: Session) -> None:
    piece = make_piece(session, platforms=["x"])
    first = drafts.add_draft(session, piece.id, "x", "one", source="ai")
    drafts.add_draft(session, piece.id, "x", "two", source="ai")

    drafts.set_active_draft(session, first.id)
    regenerated = drafts.add_draft(session, piece.id, "x", "three", source="ai")

    assert regenerated.version == 3
    assert regenerated.based_on_id == first.id
    assert pieces.get_platform_state(session, piece.id, "x").active_draft_id == regenerated.id


def test_bad_drafts_are_refused(session: Session) -> None:
    piece = make_piece(session, platforms=["blog"])
    other = make_piece(session, piece.project, platforms=["blog"])
    foreign = drafts.add_draft(session, other.id, "blog", "elsewhere", source="ai")

    with pytest.raises(InvalidInput, match="not being written for 'x'"):
        drafts.add_draft(session, piece.id, "x", "text", source="ai")
    with pytest.raises(InvalidInput, match="platform 'tiktok'"):
        drafts.add_draft(session, piece.id, "tiktok", "text", source="ai")
    with pytest.raises(InvalidInput, match="source 'robot'"):
        drafts.add_draft(session, piece.id, "blog", "text", source="robot")
    with pytest.raises(InvalidInput, match="needs some content"):
        drafts.add_draft(session, piece.id, "blog", " \n", source="human")
    with pytest.raises(InvalidInput, match="same piece"):
        drafts.add_draft(session, piece.id, "blog", "text", source="ai", based_on_id=foreign.id)
    with pytest.raises(NotFound, match="no piece"):
        drafts.add_draft(session, uuid.uuid4(), "blog", "text", source="ai")
    assert drafts.latest_draft(session, piece.id, "blog") is None


def test_concurrent_writers_get_distinct_versions(db: Database) -> None:
    with db.session() as session:
        piece_id = make_piece(session, platforms=["blog"]).id
    writers, per_writer = 4, 3
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(per_writer):
                with db.session() as session:
                    drafts.add_draft(session, piece_id, "blog", f"w{n}-{i}", source="ai")
        except BaseException as error:  # reported below; a thread cannot raise into the test
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with db.session() as session:
        versions = sorted(session.scalars(select(Draft.version).where(Draft.piece_id == piece_id)))
        assert versions == list(range(1, writers * per_writer + 1))
        active = drafts.active_draft(session, piece_id, "blog")
        assert active is not None and active.version == writers * per_writer
