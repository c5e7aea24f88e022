"""A project's resources: style samples, reference texts and image notes (seed 002)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Resource
from app.domain.status import RESOURCE_TYPES
from app.services import _checks
from app.services.errors import InvalidInput, NotFound
from app.services.projects import get_project


def add_resource(
    session: Session,
    project_id: uuid.UUID,
    type: str,
    content: str,
    *,
    title: str | None = None,
    meta: dict[str, Any] | None = None,
    created_by: uuid.UUID | None = None,
) -> Resource:
    project = get_project(session, project_id)
    if meta is not None and not isinstance(meta, dict):
        raise InvalidInput("resource metadata must be a JSON object")
    resource = Resource(
        project_id=project.id,
        type=_checks.one_of("resource type", type, RESOURCE_TYPES),
        content=_checks.required_text("resource content", content),
        title=_checks.optional_text("title", title, max_length=255),
        meta=dict(meta) if meta else None,
        created_by=created_by,
    )
    session.add(resource)
    session.flush()
    return resource


def list_resources(
    session: Session, project_id: uuid.UUID, *, type: str | None = None
) -> list[Resource]:
    """Oldest first, the order in which samples were collected."""
    query = select(Resource).where(Resource.project_id == project_id)
    if type is not None:
        query = query.where(Resource.type == _checks.one_of("resource type", type, RESOURCE_TYPES))
    return list(session.scalars(query.order_by(Resource.created_at, Resource.id)))


def get_resource(session: Session, resource_id: uuid.UUID) -> Resource:
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound(f"no resource with id {resource_id}")
    return resource


def remove_resource(session: Session, resource_id: uuid.UUID) -> None:
    session.delete(get_resource(session, resource_id))
    session.flush()
