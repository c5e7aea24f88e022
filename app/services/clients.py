"""Clients: the companies or brands the team writes for."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Client
from app.services import _checks
from app.services.errors import AlreadyExists, AmbiguousReference, NotFound


def create_client(
    session: Session,
    name: str,
    *,
    slug: str | None = None,
    description: str | None = None,
    contact_email: str | None = None,
) -> Client:
    name = _checks.required_text("client name", name, max_length=100)
    slug = _checks.slug_for("client", name, slug)
    if session.scalar(select(Client.id).where(Client.slug == slug)) is not None:
        raise AlreadyExists(f"a client with the slug {slug!r} already exists")
    client = Client(
        name=name,
        slug=slug,
        description=_checks.optional_text("description", description),
        contact_email=_checks.optional_text("contact email", contact_email, max_length=255),
    )
    session.add(client)
    session.flush()
    return client


def list_clients(session: Session) -> list[Client]:
    return list(session.scalars(select(Client).order_by(func.lower(Client.name), Client.slug)))


def get_client(session: Session, client_id: uuid.UUID) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"no client with id {client_id}")
    return client


def find_client(session: Session, ref: str) -> Client:
    """The client whose id, slug or name (case-insensitive) is ``ref``."""
    ref = _checks.required_text("client", ref)
    as_uuid = _checks.parse_uuid(ref)
    if as_uuid is not None and (client := session.get(Client, as_uuid)) is not None:
        return client
    by_slug = session.scalar(select(Client).where(Client.slug == ref.lower()))
    if by_slug is not None:
        return by_slug
    by_name = list(session.scalars(select(Client).where(func.lower(Client.name) == ref.lower())))
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        slugs = [client.slug for client in by_name]
        raise AmbiguousReference(
            f"{len(by_name)} clients are named {ref!r}; use a slug: {', '.join(slugs)}", slugs
        )
    raise NotFound(f"no client with the id, slug or name {ref!r}")


def ensure_client(session: Session, ref: str) -> Client:
    """The client ``ref`` names, created (with ``ref`` as its name) if there is none."""
    try:
        return find_client(session, ref)
    except NotFound:
        return create_client(session, ref)


def rename_client(session: Session, client_id: uuid.UUID, name: str) -> Client:
    """Change the display name; the slug stays, so references to it keep working."""
    client = get_client(session, client_id)
    client.name = _checks.required_text("client name", name, max_length=100)
    session.flush()
    return client


def update_client_details(
    session: Session,
    client_id: uuid.UUID,
    *,
    description: str | None,
    contact_email: str | None,
) -> Client:
    client = get_client(session, client_id)
    client.description = _checks.optional_text("description", description)
    client.contact_email = _checks.optional_text("contact email", contact_email, max_length=255)
    session.flush()
    return client
