"""Read models of the library: pieces as a list shows them, and one piece in full.

Everything here is a query returning frozen dataclasses, so a worker thread can run it and
hand the result to the interface. Filtering, sorting, searching and the per-piece aggregates
(best score, cost) all happen in the database, so a library of 100 000 pieces pages quickly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import (
    AgentStep,
    Client,
    Draft,
    Evaluation,
    LlmCall,
    Piece,
    PlatformState,
    Project,
    Skill,
)
from app.domain.status import PIECE_STATUSES, PLATFORMS, PieceStatus
from app.services.errors import InvalidInput, NotFound

MAX_PAGE_SIZE = 1000
_PLATFORM_ORDER = {name: index for index, name in enumerate(PLATFORMS)}


class SortKey(StrEnum):
    TITLE = "title"
    PROJECT = "project"
    SKILL = "skill"
    STATUS = "status"
    BEST_SCORE = "best_score"
    COST = "cost"
    UPDATED = "updated"


@dataclass(frozen=True)
class LibraryFilter:
    """Which pieces to show. ``text`` must match (every word) the title, goal or project."""

    text: str = ""
    project_id: uuid.UUID | None = None
    status: str | None = None
    skill_id: uuid.UUID | None = None
    include_archived: bool = False


@dataclass(frozen=True)
class LibraryQuery:
    filter: LibraryFilter = field(default_factory=LibraryFilter)
    sort: SortKey = SortKey.UPDATED
    descending: bool = True


@dataclass(frozen=True)
class LibraryRow:
    id: uuid.UUID
    title: str
    project_name: str
    client_name: str
    skill_name: str | None
    platforms: tuple[str, ...]
    status: str
    best_score: int | None
    cost: Decimal | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class LibraryPage:
    rows: tuple[LibraryRow, ...]
    offset: int
    total: int


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """What the library's filter boxes offer."""

    projects: tuple[Choice, ...]
    skills: tuple[Choice, ...]
    statuses: tuple[str, ...] = PIECE_STATUSES


# -- the list ----------------------------------------------------------------------------------


def _best_score() -> Any:
    return (
        select(func.max(Evaluation.score))
        .join(Draft, Evaluation.draft_id == Draft.id)
        .where(Draft.piece_id == Piece.id)
        .correlate(Piece)
        .scalar_subquery()
    )


def _cost() -> Any:
    # The usage ledger counts every attempt, failed ones and retries included: what the piece
    # really cost. Runs made without a ledger leave only their steps' costs to go by.
    calls = (
        select(func.sum(LlmCall.cost))
        .where(LlmCall.piece_id == Piece.id)
        .correlate(Piece)
        .scalar_subquery()
    )
    steps = (
        select(func.sum(AgentStep.cost))
        .where(AgentStep.piece_id == Piece.id)
        .correlate(Piece)
        .scalar_subquery()
    )
    return func.coalesce(calls, steps)


def _conditions(flt: LibraryFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.project_id is not None:
        conditions.append(Piece.project_id == flt.project_id)
    if flt.skill_id is not None:
        conditions.append(Piece.skill_id == flt.skill_id)
    if flt.status is not None:
        if flt.status not in PIECE_STATUSES:
            raise InvalidInput(
                f"unknown status {flt.status!r}; choose one of {', '.join(PIECE_STATUSES)}"
            )
        conditions.append(Piece.status == flt.status)
    elif not flt.include_archived:
        conditions.append(Piece.status != PieceStatus.ARCHIVED.value)
    for word in flt.text.split():
        conditions.append(
            or_(
                Piece.title.icontains(word, autoescape=True),
                Piece.goal.icontains(word, autoescape=True),
                Project.name.icontains(word, autoescape=True),
            )
        )
    return conditions


def _needs_project_join(flt: LibraryFilter) -> bool:
    return bool(flt.text.split())


def count_pieces(session: Session, flt: LibraryFilter) -> int:
    query = select(func.count()).select_from(Piece)
    if _needs_project_join(flt):
        query = query.join(Project, Piece.project_id == Project.id)
    conditions = _conditions(flt)
    if conditions:
        query = query.where(and_(*conditions))
    return int(session.scalar(query) or 0)


def _rows_query(query: LibraryQuery) -> Select[Any]:
    best = _best_score().label("best_score")
    cost = _cost().label("cost")
    title = func.coalesce(Piece.title, Piece.goal, "")
    order_column: Any = {
        SortKey.TITLE: func.lower(title),
        SortKey.PROJECT: func.lower(Project.name),
        SortKey.SKILL: func.lower(func.coalesce(Skill.label, Skill.name)),
        SortKey.STATUS: Piece.status,
        SortKey.BEST_SCORE: best,
        SortKey.COST: cost,
        SortKey.UPDATED: Piece.updated_at,
    }[query.sort]
    ordered = order_column.desc() if query.descending else order_column.asc()
    tie = Piece.id.desc() if query.descending else Piece.id.asc()
    stmt = (
        select(
            Piece.id,
            title.label("title"),
            Project.name,
            Client.name,
            func.coalesce(Skill.label, Skill.name),
            Piece.status,
            best,
            cost,
            Piece.updated_at,
        )
        .join(Project, Piece.project_id == Project.id)
        .join(Client, Project.client_id == Client.id)
        .outerjoin(Skill, Piece.skill_id == Skill.id)
        # Empty aggregates sort last whichever the direction, on both databases.
        .order_by(ordered.nulls_last(), tie)
    )
    conditions = _conditions(query.filter)
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return stmt


def fetch_pieces(
    session: Session, query: LibraryQuery, *, offset: int, limit: int
) -> tuple[LibraryRow, ...]:
    """One page of the library, in the order ``query`` asks for."""
    if offset < 0:
        raise InvalidInput("the offset must not be negative")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"the page size must be between 1 and {MAX_PAGE_SIZE}")
    records = session.execute(_rows_query(query).offset(offset).limit(limit)).all()
    platforms = _platforms_of(session, [record[0] for record in records])
    return tuple(
        LibraryRow(
            id=piece_id,
            title=title or "(untitled)",
            project_name=project_name,
            client_name=client_name,
            skill_name=skill_name,
            platforms=platforms.get(piece_id, ()),
            status=status,
            best_score=best,
            cost=Decimal(cost) if cost is not None else None,
            updated_at=updated_at,
        )
        for (
            piece_id,
            title,
            project_name,
            client_name,
            skill_name,
            status,
            best,
            cost,
            updated_at,
        ) in records
    )


def library_page(session: Session, query: LibraryQuery, *, offset: int, limit: int) -> LibraryPage:
    """A page of rows and the number of pieces matching the filter."""
    rows = fetch_pieces(session, query, offset=offset, limit=limit)
    return LibraryPage(rows=rows, offset=offset, total=count_pieces(session, query.filter))


def _platforms_of(
    session: Session, piece_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, ...]]:
    if not piece_ids:
        return {}
    found: dict[uuid.UUID, list[str]] = {}
    for piece_id, platform in session.execute(
        select(PlatformState.piece_id, PlatformState.platform).where(
            PlatformState.piece_id.in_(piece_ids)
        )
    ):
        found.setdefault(piece_id, []).append(platform)
    return {
        piece_id: tuple(sorted(names, key=lambda n: _PLATFORM_ORDER.get(n, len(PLATFORMS))))
        for piece_id, names in found.items()
    }


def filter_choices(session: Session) -> FilterChoices:
    projects = session.execute(
        select(Project.id, Project.name, Client.name)
        .join(Client, Project.client_id == Client.id)
        .order_by(func.lower(Client.name), func.lower(Project.name))
    ).all()
    skills = session.execute(
        select(Skill.id, func.coalesce(Skill.label, Skill.name)).order_by(Skill.name)
    ).all()
    return FilterChoices(
        projects=tuple(Choice(pid, f"{client} / {name}") for pid, name, client in projects),
        skills=tuple(Choice(sid, label) for sid, label in skills),
    )


# -- one piece ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationView:
    score: int
    criteria: tuple[tuple[str, int], ...]
    feedback: str | None
    model: str | None
    draft_version: int


@dataclass(frozen=True)
class DraftVersion:
    id: uuid.UUID
    version: int
    title: str | None
    content: str
    format: str
    source: str
    agent_id: str | None
    based_on_version: int | None
    created_at: dt.datetime
    score: int | None


@dataclass(frozen=True)
class PlatformView:
    platform: str
    status: str
    iteration: int
    error_message: str | None
    versions: tuple[DraftVersion, ...]  # oldest first
    active_version: int | None
    evaluation: EvaluationView | None  # the latest one

    @property
    def latest(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class StepView:
    id: uuid.UUID
    ordinal: int
    platform: str | None
    agent_id: str
    iteration: int
    status: str
    model: str | None
    tokens_input: int
    tokens_output: int
    cost: Decimal | None
    duration_ms: int | None
    error_message: str | None
    started_at: dt.datetime | None


@dataclass(frozen=True)
class PieceDetail:
    id: uuid.UUID
    title: str
    goal: str | None
    status: str
    mode: str
    project_id: uuid.UUID
    project_name: str
    client_name: str
    skill_name: str | None
    instructions: str | None
    error_message: str | None
    seo_metadata: Mapping[str, Any]
    platforms: tuple[PlatformView, ...]
    steps: tuple[StepView, ...]
    tokens_input: int
    tokens_output: int
    cost: Decimal | None
    created_at: dt.datetime
    updated_at: dt.datetime


def piece_detail(session: Session, piece_id: uuid.UUID) -> PieceDetail:
    """Everything the piece view shows, read in a handful of queries."""
    found = session.execute(
        select(Piece, Project.name, Client.name, func.coalesce(Skill.label, Skill.name))
        .join(Project, Piece.project_id == Project.id)
        .join(Client, Project.client_id == Client.id)
        .outerjoin(Skill, Piece.skill_id == Skill.id)
        .where(Piece.id == piece_id)
    ).first()
    if found is None:
        raise NotFound(f"no piece with id {piece_id}")
    piece, project_name, client_name, skill_name = found
    drafts = list(
        session.scalars(
            select(Draft).where(Draft.piece_id == piece_id).order_by(Draft.platform, Draft.version)
        )
    )
    evaluations = _evaluations_by_draft(session, [draft.id for draft in drafts])
    version_of = {draft.id: draft.version for draft in drafts}
    states = session.scalars(select(PlatformState).where(PlatformState.piece_id == piece_id))
    platforms = sorted(
        (_platform_view(state, drafts, evaluations, version_of) for state in states),
        key=lambda view: _PLATFORM_ORDER.get(view.platform, len(PLATFORMS)),
    )
    steps = session.scalars(
        select(AgentStep)
        .where(AgentStep.piece_id == piece_id)
        .order_by(AgentStep.platform, AgentStep.ordinal)
    )
    cost = session.scalar(select(func.sum(LlmCall.cost)).where(LlmCall.piece_id == piece_id))
    if cost is None:
        cost = session.scalar(
            select(func.sum(AgentStep.cost)).where(AgentStep.piece_id == piece_id)
        )
    return PieceDetail(
        id=piece.id,
        title=piece.title or piece.goal or "(untitled)",
        goal=piece.goal,
        status=piece.status,
        mode=piece.mode,
        project_id=piece.project_id,
        project_name=project_name,
        client_name=client_name,
        skill_name=skill_name,
        instructions=piece.instructions,
        error_message=piece.error_message,
        seo_metadata=dict(piece.seo_metadata or {}),
        platforms=tuple(platforms),
        steps=tuple(_step_view(step) for step in steps),
        tokens_input=piece.tokens_input,
        tokens_output=piece.tokens_output,
        cost=Decimal(cost) if cost is not None else None,
        created_at=piece.created_at,
        updated_at=piece.updated_at,
    )


def _evaluations_by_draft(
    session: Session, draft_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Evaluation]]:
    if not draft_ids:
        return {}
    found: dict[uuid.UUID, list[Evaluation]] = {}
    for evaluation in session.scalars(
        select(Evaluation)
        .where(Evaluation.draft_id.in_(draft_ids))
        .order_by(Evaluation.created_at, Evaluation.id)
    ):
        found.setdefault(evaluation.draft_id, []).append(evaluation)
    return found


def _platform_view(
    state: PlatformState,
    drafts: Sequence[Draft],
    evaluations: Mapping[uuid.UUID, list[Evaluation]],
    version_of: Mapping[uuid.UUID, int],
) -> PlatformView:
    mine = [draft for draft in drafts if draft.platform == state.platform]
    versions = tuple(
        DraftVersion(
            id=draft.id,
            version=draft.version,
            title=draft.title,
            content=draft.content,
            format=draft.format,
            source=draft.source,
            agent_id=draft.agent_id,
            based_on_version=version_of.get(draft.based_on_id) if draft.based_on_id else None,
            created_at=draft.created_at,
            score=evaluations[draft.id][-1].score if draft.id in evaluations else None,
        )
        for draft in mine
    )
    latest: EvaluationView | None = None
    for draft in mine:
        for evaluation in evaluations.get(draft.id, ()):
            latest = EvaluationView(
                score=evaluation.score,
                criteria=tuple((evaluation.criteria_scores or {}).items()),
                feedback=evaluation.feedback,
                model=evaluation.model,
                draft_version=draft.version,
            )
    active = version_of.get(state.active_draft_id) if state.active_draft_id else None
    return PlatformView(
        platform=state.platform,
        status=state.status,
        iteration=state.iteration,
        error_message=state.error_message,
        versions=versions,
        active_version=active,
        evaluation=latest,
    )


def _step_view(step: AgentStep) -> StepView:
    return StepView(
        id=step.id,
        ordinal=step.ordinal,
        platform=step.platform,
        agent_id=step.agent_id,
        iteration=step.iteration,
        status=step.status,
        model=step.model,
        tokens_input=step.tokens_input,
        tokens_output=step.tokens_output,
        cost=step.cost,
        duration_ms=step.duration_ms,
        error_message=step.error_message,
        started_at=step.started_at,
    )
