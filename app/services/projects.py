"""Projects: one brand or site of a client, with its store URL, brand voice and settings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, contains_eager

from app.db.models import Client, Project
from app.db.types import utcnow
from app.domain.status import ProjectStatus
from app.services import _checks
from app.services.clients import find_client, get_client
from app.services.errors import AlreadyExists, AmbiguousReference, InvalidInput, NotFound


def create_project(
    session: Session,
    client_id: uuid.UUID,
    name: str,
    *,
    slug: str | None = None,
    store_url: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Project:
    """A new active project; its slug (from the name unless given) is unique within the client."""
    client = get_client(session, client_id)
    name = _checks.required_text("project name", name, max_length=255)
    slug = _checks.slug_for("project", name, slug)
    taken = session.scalar(
        select(Project.id).where(Project.client_id == client.id, Project.slug == slug)
    )
    if taken is not None:
        raise AlreadyExists(f"client {client.name!r} already has a project with the slug {slug!r}")
    project = Project(
        client_id=client.id,
        name=name,
        slug=slug,
        store_url=_checks.http_url("store URL", store_url),
        settings=dict(settings) if settings else None,
    )
    session.add(project)
    session.flush()
    return project


def list_projects(
    session: Session, *, client_id: uuid.UUID | None = None, include_archived: bool = False
) -> list[Project]:
    """Projects ordered by client then name, with their client loaded."""
    query = (
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .order_by(func.lower(Client.name), func.lower(Project.name))
    )
    if client_id is not None:
        query = query.where(Project.client_id == client_id)
    if not include_archived:
        query = query.where(Project.status == ProjectStatus.ACTIVE.value)
    return list(session.scalars(query))


def get_project(session: Session, project_id: uuid.UUID) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project with id {project_id}")
    return project


def find_project(session: Session, ref: str) -> Project:
    """The project ``ref`` names: its id, ``client/project``, its slug, or its name.

    Slugs and names are matched case-insensitively; a slug match wins over a name match. When
    several projects (of different clients) match, the error lists ``client/project`` forms.
    """
    ref = _checks.required_text("project", ref)
    as_uuid = _checks.parse_uuid(ref)
    if as_uuid is not None and (project := session.get(Project, as_uuid)) is not None:
        return project
    client_ref, _, project_ref = ref.rpartition("/")
    query = select(Project).join(Project.client).options(contains_eager(Project.client))
    if client_ref:
        client = find_client(session, client_ref)
        query = query.where(Project.client_id == client.id)
        ref = project_ref.strip()
    lowered = ref.lower()
    for column in (Project.slug, Project.name):
        matches = list(session.scalars(query.where(func.lower(column) == lowered)))
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = sorted(f"{p.client.slug}/{p.slug}" for p in matches)
            raise AmbiguousReference(
                f"{len(matches)} projects match {ref!r}; say which one: {', '.join(names)}", names
            )
    raise NotFound(f"no project with the id, slug or name {ref!r}")


def search_projects(session: Session, text: str) -> list[Project]:
    """Projects whose name or slug contains ``text`` (case-insensitive)."""
    pattern = f"%{text.strip().lower()}%"
    return list(
        session.scalars(
            select(Project)
            .where(or_(func.lower(Project.name).like(pattern), Project.slug.like(pattern)))
            .order_by(func.lower(Project.name))
        )
    )


def rename_project(session: Session, project_id: uuid.UUID, name: str) -> Project:
    """Change the display name; the slug stays, so references to it keep working."""
    project = get_project(session, project_id)
    project.name = _checks.required_text("project name", name, max_length=255)
    session.flush()
    return project


def update_store_url(session: Session, project_id: uuid.UUID, store_url: str | None) -> Project:
    project = get_project(session, project_id)
    project.store_url = _checks.http_url("store URL", store_url)
    session.flush()
    return project


def set_brand_voice(
    session: Session,
    project_id: uuid.UUID,
    brand_voice: dict[str, Any],
    *,
    confirmed_at: dt.datetime | None = None,
) -> Project:
    """Record the brand voice an editor confirmed; new pieces take a snapshot of it."""
    if not isinstance(brand_voice, dict) or not brand_voice:
        raise InvalidInput("the brand voice must be a non-empty JSON object")
    project = get_project(session, project_id)
    project.brand_voice = dict(brand_voice)
    project.brand_voice_confirmed_at = (
        _checks.aware("confirmed_at", confirmed_at) if confirmed_at else utcnow()
    )
    session.flush()
    return project


def clear_brand_voice(session: Session, project_id: uuid.UUID) -> Project:
    project = get_project(session, project_id)
    project.brand_voice = None
    project.brand_voice_confirmed_at = None
    session.flush()
    return project


def update_settings(session: Session, project_id: uuid.UUID, changes: dict[str, Any]) -> Project:
    """Merge ``changes`` into the project's settings; a value of None removes that key."""
    project = get_project(session, project_id)
    settings = dict(project.settings or {})
    for key, value in changes.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    # A new dict (not an in-place edit) so the JSON column is seen as changed.
    project.settings = settings or None
    session.flush()
    return project


def archive_project(session: Session, project_id: uuid.UUID) -> Project:
    project = get_project(session, project_id)
    project.status = ProjectStatus.ARCHIVED.value
    session.flush()
    return project


def unarchive_project(session: Session, project_id: uuid.UUID) -> Project:
    project = get_project(session, project_id)
    project.status = ProjectStatus.ACTIVE.value
    session.flush()
    return project
