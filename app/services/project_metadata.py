"""Named values attached to a project (seed 004's project metadata), e.g. tagline, audience."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import ProjectMetadata
from app.services import _checks
from app.services.errors import InvalidInput, NotFound
from app.services.projects import get_project


def set_metadata(
    session: Session,
    project_id: uuid.UUID,
    key: str,
    value: Any,
    *,
    description: str | None = None,
) -> ProjectMetadata:
    """Create or replace the value under ``key``."""
    project = get_project(session, project_id)
    key = _checks.required_text("metadata key", key, max_length=255)
    if value is None:
        raise InvalidInput(f"metadata {key!r} needs a value; use delete_metadata to remove it")
    entry = _find(session, project.id, key)
    if entry is None:
        entry = ProjectMetadata(project_id=project.id, key=key)
        session.add(entry)
    entry.value = value
    if description is not None:
        entry.description = _checks.optional_text("description", description)
    session.flush()
    return entry


def get_metadata(session: Session, project_id: uuid.UUID) -> dict[str, Any]:
    """All of a project's metadata as a plain dict, key -> value."""
    rows = session.scalars(
        select(ProjectMetadata)
        .where(ProjectMetadata.project_id == project_id)
        .order_by(ProjectMetadata.key)
    )
    return {row.key: row.value for row in rows}


def list_metadata(session: Session, project_id: uuid.UUID) -> list[ProjectMetadata]:
    return list(
        session.scalars(
            select(ProjectMetadata)
            .where(ProjectMetadata.project_id == project_id)
            .order_by(ProjectMetadata.key)
        )
    )


def delete_metadata(session: Session, project_id: uuid.UUID, key: str) -> None:
    entry = _find(session, project_id, key.strip())
    if entry is None:
        raise NotFound(f"the project has no metadata {key.strip()!r}")
    session.delete(entry)
    session.flush()


def _find(session: Session, project_id: uuid.UUID, key: str) -> ProjectMetadata | None:
    return session.scalar(
        select(ProjectMetadata).where(
            ProjectMetadata.project_id == project_id, ProjectMetadata.key == key
        )
    )
