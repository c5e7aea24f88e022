"""A project's vocabulary: terms to prefer, terms to avoid, and what they mean."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import VocabularyTerm
from app.domain.status import VOCABULARY_USAGES, VocabularyUsage
from app.services import _checks
from app.services.errors import AlreadyExists, NotFound
from app.services.projects import get_project


def add_term(
    session: Session,
    project_id: uuid.UUID,
    term: str,
    definition: str = "",
    *,
    category: str | None = None,
    usage: str = VocabularyUsage.NEUTRAL.value,
) -> VocabularyTerm:
    project = get_project(session, project_id)
    term = _checks.required_text("term", term, max_length=255)
    existing = _find(session, project.id, term)
    if existing is not None:
        raise AlreadyExists(f"project {project.name!r} already has the term {existing.term!r}")
    entry = VocabularyTerm(
        project_id=project.id,
        term=term,
        definition=(definition or "").strip(),
        category=_checks.optional_text("category", category, max_length=100),
        usage=_checks.one_of("usage", usage, VOCABULARY_USAGES),
    )
    session.add(entry)
    session.flush()
    return entry


def list_terms(
    session: Session, project_id: uuid.UUID, *, usage: str | None = None
) -> list[VocabularyTerm]:
    query = select(VocabularyTerm).where(VocabularyTerm.project_id == project_id)
    if usage is not None:
        query = query.where(
            VocabularyTerm.usage == _checks.one_of("usage", usage, VOCABULARY_USAGES)
        )
    return list(session.scalars(query.order_by(func.lower(VocabularyTerm.term))))


def update_term(
    session: Session,
    project_id: uuid.UUID,
    term: str,
    *,
    definition: str | None = None,
    category: str | None = None,
    usage: str | None = None,
) -> VocabularyTerm:
    """Change the given fields of a term; fields left as None keep their value."""
    entry = _require(session, project_id, term)
    if definition is not None:
        entry.definition = definition.strip()
    if category is not None:
        entry.category = _checks.optional_text("category", category, max_length=100)
    if usage is not None:
        entry.usage = _checks.one_of("usage", usage, VOCABULARY_USAGES)
    session.flush()
    return entry


def remove_term(session: Session, project_id: uuid.UUID, term: str) -> None:
    session.delete(_require(session, project_id, term))
    session.flush()


def _find(session: Session, project_id: uuid.UUID, term: str) -> VocabularyTerm | None:
    # Case-insensitive, so "Gown" and "gown" are one term for the writer.
    return session.scalar(
        select(VocabularyTerm).where(
            VocabularyTerm.project_id == project_id,
            func.lower(VocabularyTerm.term) == term.strip().lower(),
        )
    )


def _require(session: Session, project_id: uuid.UUID, term: str) -> VocabularyTerm:
    entry = _find(session, project_id, term)
    if entry is None:
        raise NotFound(f"the project has no vocabulary term {term.strip()!r}")
    return entry
