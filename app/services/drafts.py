"""Draft versions of a piece on each platform, and the lineage of who revised what."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import Draft, PlatformState
from app.db.types import utcnow
from app.domain.status import DRAFT_SOURCES, OUTPUT_FORMATS, PLATFORMS, OutputFormat
from app.services import _checks
from app.services.errors import InvalidInput, NotFound
from app.services.pieces import get_piece

# Numbering is serialised by a row lock, so a clash needs a writer that skipped the lock;
# a few retries then settle it.
_NUMBERING_ATTEMPTS = 5


def add_draft(
    session: Session,
    piece_id: uuid.UUID,
    platform: str,
    content: str,
    *,
    source: str,
    agent_id: str | None = None,
    title: str | None = None,
    based_on_id: uuid.UUID | None = None,
    step_id: uuid.UUID | None = None,
    created_by: uuid.UUID | None = None,
    format: str = OutputFormat.MARKDOWN.value,
) -> Draft:
    """Store the next version of a piece's text on ``platform`` and make it the active draft.

    ``based_on_id`` defaults to the current active draft, so each pass revises the last one.
    The version is one more than the highest so far; concurrent writers are serialised by
    locking the platform's state row (FOR UPDATE on PostgreSQL; on SQLite the first write
    takes the database's write lock).
    """
    platform = _checks.one_of("platform", platform, PLATFORMS)
    source = _checks.one_of("source", source, DRAFT_SOURCES)
    format = _checks.one_of("format", format, OUTPUT_FORMATS)
    if not isinstance(content, str) or not content.strip():
        raise InvalidInput("a draft needs some content")
    title = _checks.optional_text("title", title, max_length=500)
    state = _lock_state(session, piece_id, platform)
    parent_id = based_on_id if based_on_id is not None else state.active_draft_id
    if based_on_id is not None:
        parent = get_draft(session, based_on_id)
        if parent.piece_id != piece_id:
            raise InvalidInput("a draft can only be based on a draft of the same piece")

    for attempt in range(1, _NUMBERING_ATTEMPTS + 1):
        draft = Draft(
            piece_id=piece_id,
            platform=platform,
            version=_next_version(session, piece_id, platform),
            title=title,
            content=content,
            format=format,
            source=source,
            agent_id=agent_id,
            step_id=step_id,
            based_on_id=parent_id,
            created_by=created_by,
        )
        try:
            with session.begin_nested():
                session.add(draft)
        except IntegrityError as error:
            if attempt == _NUMBERING_ATTEMPTS or not _is_version_clash(error):
                raise
            continue
        break
    state.active_draft_id = draft.id
    session.flush()
    return draft


def get_draft(session: Session, draft_id: uuid.UUID) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft with id {draft_id}")
    return draft


def list_drafts(session: Session, piece_id: uuid.UUID, platform: str | None = None) -> list[Draft]:
    """A piece's drafts by platform (blog, linkedin, x) and then version."""
    query = select(Draft).where(Draft.piece_id == piece_id)
    if platform is not None:
        query = query.where(Draft.platform == _checks.one_of("platform", platform, PLATFORMS))
    order = {name: index for index, name in enumerate(PLATFORMS)}
    drafts = session.scalars(query.order_by(Draft.version))
    return sorted(drafts, key=lambda d: (order.get(d.platform, len(order)), d.version))


def latest_draft(session: Session, piece_id: uuid.UUID, platform: str) -> Draft | None:
    """The highest version on ``platform``, whether or not it is the active one."""
    return session.scalar(
        select(Draft)
        .where(
            Draft.piece_id == piece_id,
            Draft.platform == _checks.one_of("platform", platform, PLATFORMS),
        )
        .order_by(Draft.version.desc())
        .limit(1)
    )


def active_draft(session: Session, piece_id: uuid.UUID, platform: str) -> Draft | None:
    state = _state(session, piece_id, _checks.one_of("platform", platform, PLATFORMS))
    return session.get(Draft, state.active_draft_id) if state.active_draft_id else None


def set_active_draft(session: Session, draft_id: uuid.UUID) -> Draft:
    """Make an earlier (or any) version the one the piece goes forward with."""
    draft = get_draft(session, draft_id)
    state = _state(session, draft.piece_id, draft.platform)
    state.active_draft_id = draft.id
    session.flush()
    return draft


def draft_lineage(session: Session, draft_id: uuid.UUID) -> list[Draft]:
    """The chain of ``based_on`` drafts ending at ``draft_id``, oldest first."""
    chain: list[Draft] = []
    seen: set[uuid.UUID] = set()
    current: Draft | None = get_draft(session, draft_id)
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = session.get(Draft, current.based_on_id) if current.based_on_id else None
    chain.reverse()
    return chain


def _lock_state(session: Session, piece_id: uuid.UUID, platform: str) -> PlatformState:
    state = session.scalar(
        select(PlatformState)
        .where(PlatformState.piece_id == piece_id, PlatformState.platform == platform)
        .with_for_update()
    )
    if state is None:
        get_piece(session, piece_id)
        raise InvalidInput(
            f"the piece is not being written for {platform!r}; add that platform first"
        )
    # Writing the row takes SQLite's write lock now (FOR UPDATE is a no-op there), so the
    # version read below cannot be overtaken; on PostgreSQL the row is already locked.
    state.updated_at = utcnow()
    session.flush()
    return state


def _state(session: Session, piece_id: uuid.UUID, platform: str) -> PlatformState:
    state = session.scalar(
        select(PlatformState).where(
            PlatformState.piece_id == piece_id, PlatformState.platform == platform
        )
    )
    if state is None:
        raise NotFound(f"the piece is not being written for {platform!r}")
    return state


def _next_version(session: Session, piece_id: uuid.UUID, platform: str) -> int:
    highest = session.scalar(
        select(func.max(Draft.version)).where(
            Draft.piece_id == piece_id, Draft.platform == platform
        )
    )
    return (highest or 0) + 1


def _is_version_clash(error: IntegrityError) -> bool:
    text = str(error.orig).lower()
    # PostgreSQL names the constraint; SQLite lists the columns.
    return "uq_drafts_piece_id_platform_version" in text or "drafts.version" in text
