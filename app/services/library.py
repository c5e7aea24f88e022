"""Read model of the library: pieces as a list shows them (one piece in full: piece_detail.py).

Everything here is a query returning frozen dataclasses, so a worker thread can run it and
hand the result to the interface. Filtering, sorting, searching and the per-piece aggregates
(best score, cost) all happen in the database, so a library of 100 000 pieces pages quickly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
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
from app.services.errors import InvalidInput

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


def piece_cost() -> Any:
    """What a piece cost, as a SQL expression correlated to ``Piece`` (one rule for every view)."""
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
    cost = piece_cost().label("cost")
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
