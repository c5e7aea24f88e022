"""Pieces of content: what was asked for, on which platforms, and where each one stands."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Client, Piece, PlatformState, Project, Skill
from app.db.types import utcnow
from app.domain.status import (
    PIECE_MODES,
    PIECE_STATUSES,
    PLATFORMS,
    PieceMode,
    PieceStatus,
    Platform,
    PlatformStatus,
)
from app.services import _checks
from app.services.errors import AmbiguousReference, InvalidInput, NotFound
from app.services.projects import get_project
from app.services.transitions import check_piece_transition, check_platform_transition

# The shortest id prefix accepted where a person names a piece.
MIN_ID_PREFIX = 4

# Run options with a meaning the pipeline relies on, and their allowed ranges.
_OPTION_RANGES: dict[str, tuple[int, int]] = {
    "max_iterations": (0, 20),
    "score_threshold": (0, 100),
}


@dataclass(frozen=True)
class PlatformSummary:
    platform: str
    status: str
    iteration: int
    active_draft_id: uuid.UUID | None


@dataclass(frozen=True)
class PieceSummary:
    """A piece as a list shows it: plain data, safe to hand to another thread."""

    id: uuid.UUID
    title: str | None
    goal: str | None
    status: str
    mode: str
    project_id: uuid.UUID
    project_name: str
    project_ref: str  # client-slug/project-slug
    skill_name: str | None
    platforms: tuple[PlatformSummary, ...]
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def display_title(self) -> str:
        return self.title or self.goal or "(untitled)"


def create_piece(
    session: Session,
    project_id: uuid.UUID,
    *,
    skill_id: uuid.UUID | None = None,
    platforms: Sequence[str] | None = None,
    mode: str = PieceMode.TEMPLATE.value,
    title: str | None = None,
    goal: str | None = None,
    store_url: str | None = None,
    brand_voice: dict[str, Any] | None = None,
    selected_product_ids: Sequence[str] = (),
    instructions: str | None = None,
    source_content: str | None = None,
    template_inputs: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    created_by: uuid.UUID | None = None,
) -> Piece:
    """A new piece in ``draft`` with one ``pending`` platform state per platform.

    Without explicit platforms the skill's default platforms are used (else the blog). The
    store URL and brand voice default to the project's; the brand voice is copied, so later
    changes to the project do not alter this piece.
    """
    project = get_project(session, project_id)
    skill = _get_skill(session, skill_id)
    mode = _checks.one_of("mode", mode, PIECE_MODES)
    chosen = _platforms(platforms, skill)
    source_content = _checks.optional_text("source content", source_content)
    if mode == PieceMode.MANUAL and source_content is None:
        raise InvalidInput("a manual piece needs source content: the text to adapt")
    if template_inputs is not None and not isinstance(template_inputs, dict):
        raise InvalidInput("template inputs must be a JSON object")
    if mode == PieceMode.TEMPLATE and skill is not None and skill.template_inputs:
        _validate_template_inputs(skill, template_inputs or {})
    voice = brand_voice if brand_voice is not None else project.brand_voice
    piece = Piece(
        project_id=project.id,
        skill_id=skill.id if skill else None,
        created_by=created_by,
        title=_checks.optional_text("title", title, max_length=255),
        goal=_checks.optional_text("goal", goal),
        mode=mode,
        store_url=_checks.http_url("store URL", store_url) or project.store_url,
        brand_voice=dict(voice) if voice else None,
        selected_product_ids=_checks.string_list("selected products", selected_product_ids),
        instructions=_checks.optional_text("instructions", instructions),
        source_content=source_content,
        template_inputs=dict(template_inputs) if template_inputs else None,
        options=_options(options),
        status=PieceStatus.DRAFT.value,
    )
    piece.platform_states = [
        PlatformState(platform=platform, status=PlatformStatus.PENDING.value) for platform in chosen
    ]
    session.add(piece)
    session.flush()
    return piece


def get_piece(session: Session, piece_id: uuid.UUID) -> Piece:
    piece = session.get(Piece, piece_id)
    if piece is None:
        raise NotFound(f"no piece with id {piece_id}")
    return piece


def resolve_piece_id(session: Session, ref: str) -> uuid.UUID:
    """A piece id from its full form or a unique prefix (as ``pieces list`` shows it)."""
    text = ref.strip().lower()
    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    compact = text.replace("-", "")
    if len(compact) < MIN_ID_PREFIX or any(ch not in "0123456789abcdef" for ch in compact):
        raise InvalidInput(
            f"{ref!r} is not a piece id: give the id, or at least its first {MIN_ID_PREFIX} "
            "characters as `copydesk pieces list` shows them"
        )
    matches = [pid for pid in session.scalars(select(Piece.id)) if pid.hex.startswith(compact)]
    if not matches:
        raise NotFound(f"no piece id starts with {ref!r}")
    if len(matches) > 1:
        names = sorted(str(pid) for pid in matches)
        raise AmbiguousReference(
            f"{len(matches)} pieces start with {ref!r}; give more of the id", names
        )
    return matches[0]


def list_pieces(
    session: Session,
    *,
    project_id: uuid.UUID | None = None,
    status: str | None = None,
    include_archived: bool = False,
    limit: int | None = None,
) -> list[Piece]:
    """Newest first. Archived pieces are left out unless asked for (or filtered on)."""
    query = select(Piece).order_by(Piece.created_at.desc(), Piece.id.desc())
    if project_id is not None:
        query = query.where(Piece.project_id == project_id)
    if status is not None:
        query = query.where(Piece.status == _checks.one_of("status", status, PIECE_STATUSES))
    elif not include_archived:
        query = query.where(Piece.status != PieceStatus.ARCHIVED.value)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def list_piece_summaries(
    session: Session,
    *,
    project_id: uuid.UUID | None = None,
    status: str | None = None,
    include_archived: bool = False,
    limit: int | None = None,
) -> list[PieceSummary]:
    """Like ``list_pieces``, as plain data with project, skill and platform states filled in."""
    ids = [
        piece.id
        for piece in list_pieces(
            session,
            project_id=project_id,
            status=status,
            include_archived=include_archived,
            limit=limit,
        )
    ]
    if not ids:
        return []
    query = (
        select(Piece, Project, Client.slug, Skill.name)
        .join(Project, Piece.project_id == Project.id)
        .join(Client, Project.client_id == Client.id)
        .outerjoin(Skill, Piece.skill_id == Skill.id)
        .where(Piece.id.in_(ids))
        .options(selectinload(Piece.platform_states))
    )
    by_id = {row[0].id: row for row in session.execute(query)}
    order = {platform: index for index, platform in enumerate(PLATFORMS)}
    summaries = []
    for piece_id in ids:
        piece, project, client_slug, skill_name = by_id[piece_id]
        states = sorted(piece.platform_states, key=lambda s: order.get(s.platform, len(order)))
        summaries.append(
            PieceSummary(
                id=piece.id,
                title=piece.title,
                goal=piece.goal,
                status=piece.status,
                mode=piece.mode,
                project_id=project.id,
                project_name=project.name,
                project_ref=f"{client_slug}/{project.slug}",
                skill_name=skill_name,
                platforms=tuple(
                    PlatformSummary(s.platform, s.status, s.iteration, s.active_draft_id)
                    for s in states
                ),
                created_at=piece.created_at,
                updated_at=piece.updated_at,
            )
        )
    return summaries


def set_piece_status(
    session: Session, piece_id: uuid.UUID, status: str, *, error_message: str | None = None
) -> Piece:
    """Move a piece to ``status`` if the transition table allows it (InvalidInput if not).

    Starting work clears an earlier error and completion time; finishing records the time.
    """
    piece = get_piece(session, piece_id)
    if status == PieceStatus.ARCHIVED or piece.status == PieceStatus.ARCHIVED:
        raise InvalidInput("use archive_piece / unarchive_piece to archive or restore a piece")
    target = check_piece_transition(piece.status, status)
    _enter(piece, target, error_message)
    session.flush()
    return piece


def archive_piece(session: Session, piece_id: uuid.UUID) -> Piece:
    piece = get_piece(session, piece_id)
    check_piece_transition(piece.status, PieceStatus.ARCHIVED.value)
    piece.status = PieceStatus.ARCHIVED.value
    piece.archived_at = utcnow()
    session.flush()
    return piece


def unarchive_piece(session: Session, piece_id: uuid.UUID) -> Piece:
    """Restore an archived piece to the status its platform states imply."""
    piece = session.scalar(
        select(Piece).where(Piece.id == piece_id).options(selectinload(Piece.platform_states))
    )
    if piece is None:
        raise NotFound(f"no piece with id {piece_id}")
    if piece.status != PieceStatus.ARCHIVED:
        raise InvalidInput(f"the piece is not archived (it is {piece.status!r})")
    target = check_piece_transition(piece.status, _status_implied_by(piece).value)
    piece.status = target.value
    piece.archived_at = None
    session.flush()
    return piece


def get_platform_state(session: Session, piece_id: uuid.UUID, platform: str) -> PlatformState:
    platform = _checks.one_of("platform", platform, PLATFORMS)
    state = session.scalar(
        select(PlatformState).where(
            PlatformState.piece_id == piece_id, PlatformState.platform == platform
        )
    )
    if state is None:
        get_piece(session, piece_id)  # NotFound for a missing piece comes first
        raise NotFound(f"the piece is not being written for {platform!r}")
    return state


def list_platform_states(session: Session, piece_id: uuid.UUID) -> list[PlatformState]:
    order = {platform: index for index, platform in enumerate(PLATFORMS)}
    states = session.scalars(select(PlatformState).where(PlatformState.piece_id == piece_id))
    return sorted(states, key=lambda s: order.get(s.platform, len(order)))


def set_platform_status(
    session: Session,
    piece_id: uuid.UUID,
    platform: str,
    status: str,
    *,
    error_message: str | None = None,
) -> PlatformState:
    """Move one platform of a piece to ``status`` if the transition table allows it."""
    state = get_platform_state(session, piece_id, platform)
    target = check_platform_transition(state.status, status)
    state.status = target.value
    if target == PlatformStatus.FAILED:
        state.error_message = _checks.optional_text("error message", error_message)
    elif target in (PlatformStatus.PENDING, PlatformStatus.GENERATING):
        state.error_message = None
    session.flush()
    return state


def start_iteration(session: Session, piece_id: uuid.UUID, platform: str) -> int:
    """Count one more writing round on a platform and return the new count."""
    state = get_platform_state(session, piece_id, platform)
    state.iteration += 1
    session.flush()
    return state.iteration


def set_seo_metadata(session: Session, piece_id: uuid.UUID, seo: dict[str, Any]) -> Piece:
    if not isinstance(seo, dict):
        raise InvalidInput("SEO metadata must be a JSON object")
    piece = get_piece(session, piece_id)
    piece.seo_metadata = dict(seo)
    session.flush()
    return piece


def add_piece_tokens(
    session: Session, piece_id: uuid.UUID, *, input_tokens: int, output_tokens: int
) -> Piece:
    """Add one call's token counts to the piece's running totals."""
    _checks.int_in_range("input tokens", input_tokens, 0, 2**31 - 1)
    _checks.int_in_range("output tokens", output_tokens, 0, 2**31 - 1)
    piece = get_piece(session, piece_id)
    piece.tokens_input += input_tokens
    piece.tokens_output += output_tokens
    session.flush()
    return piece


def _enter(piece: Piece, target: PieceStatus, error_message: str | None) -> None:
    now = utcnow()
    piece.status = target.value
    if target in (PieceStatus.QUEUED, PieceStatus.GENERATING):
        piece.error_message = None
        piece.completed_at = None
        if target == PieceStatus.GENERATING and piece.started_at is None:
            piece.started_at = now
    elif target in (PieceStatus.COMPLETED, PieceStatus.FAILED, PieceStatus.CANCELLED):
        piece.completed_at = now
    if target == PieceStatus.FAILED:
        piece.error_message = _checks.optional_text("error message", error_message)


def _status_implied_by(piece: Piece) -> PieceStatus:
    states = {PlatformStatus(state.status) for state in piece.platform_states}
    done = {PlatformStatus.ACCEPTED, PlatformStatus.PUBLISHED}
    review = {PlatformStatus.AWAITING_REVIEW, PlatformStatus.ACCEPTED, PlatformStatus.REJECTED}
    if PlatformStatus.FAILED in states:
        return PieceStatus.FAILED
    if states and states <= done:
        return PieceStatus.COMPLETED
    if states & review:
        return PieceStatus.AWAITING_REVIEW
    if piece.completed_at is not None and piece.error_message is None:
        return PieceStatus.COMPLETED
    if PlatformStatus.CANCELLED in states:
        return PieceStatus.CANCELLED
    return PieceStatus.DRAFT


def _get_skill(session: Session, skill_id: uuid.UUID | None) -> Skill | None:
    if skill_id is None:
        return None
    skill = session.get(Skill, skill_id)
    if skill is None:
        raise NotFound(f"no skill with id {skill_id}")
    return skill


def _platforms(platforms: Sequence[str] | None, skill: Skill | None) -> list[str]:
    if platforms is None:
        platforms = (skill.default_platforms if skill else None) or [Platform.BLOG.value]
    chosen = _checks.string_list("platforms", platforms, allowed=PLATFORMS)
    if not chosen:
        raise InvalidInput(f"choose at least one platform: {', '.join(PLATFORMS)}")
    return chosen


def _options(options: dict[str, Any] | None) -> dict[str, Any] | None:
    if options is None:
        return None
    if not isinstance(options, dict):
        raise InvalidInput("options must be a JSON object")
    for name, (low, high) in _OPTION_RANGES.items():
        if name in options:
            _checks.int_in_range(f"option {name}", options[name], low, high)
    return dict(options) or None


def _validate_template_inputs(skill: Skill, inputs: dict[str, Any]) -> None:
    validator = Draft202012Validator(
        skill.template_inputs or {}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(inputs), key=lambda error: list(error.path))
    if errors:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error.path) or 'inputs'}: {error.message}"
            for error in errors
        )
        raise InvalidInput(f"the inputs for skill {skill.name!r} are not valid: {details}")
