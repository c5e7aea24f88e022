"""Who works in Copydesk and for whom: users, clients, projects and project knowledge."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base
from app.db.models._columns import created_at, one_of, updated_at, uuid_pk
from app.db.types import GUID, JSONType, UTCDateTime
from app.domain.status import (
    PROJECT_STATUSES,
    RESOURCE_TYPES,
    ROLES,
    VOCABULARY_USAGES,
    ProjectStatus,
    Role,
    VocabularyUsage,
)

if TYPE_CHECKING:
    from app.db.models.content import Piece


class User(Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[uuid.UUID] = uuid_pk()
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(
        String(20), default=Role.EDITOR.value, server_default=Role.EDITOR.value
    )
    created_at: Mapped[dt.datetime] = created_at()


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()

    projects: Mapped[list[Project]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("client_id", "slug"),
        one_of("status", PROJECT_STATUSES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    client_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("clients.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(100))
    store_url: Mapped[str | None] = mapped_column(Text)
    # The confirmed brand-voice profile; pieces take a snapshot of it when they start.
    brand_voice: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    brand_voice_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(20), default=ProjectStatus.ACTIVE.value, server_default=ProjectStatus.ACTIVE.value
    )
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()

    client: Mapped[Client] = relationship(back_populates="projects")
    pieces: Mapped[list[Piece]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    metadata_entries: Mapped[list[ProjectMetadata]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    vocabulary: Mapped[list[VocabularyTerm]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    resources: Mapped[list[Resource]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )


class ProjectMetadata(Base):
    """A named value attached to a project (seed 004), e.g. a tagline or an audience note."""

    __tablename__ = "project_metadata"
    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("projects.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[Any] = mapped_column(JSONType, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = updated_at()

    project: Mapped[Project] = relationship(back_populates="metadata_entries")


class VocabularyTerm(Base):
    __tablename__ = "vocabulary"
    __table_args__ = (
        UniqueConstraint("project_id", "term"),
        one_of("usage", VOCABULARY_USAGES),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("projects.id", ondelete="CASCADE")
    )
    term: Mapped[str] = mapped_column(String(255))
    definition: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    category: Mapped[str | None] = mapped_column(String(100))
    usage: Mapped[str] = mapped_column(
        String(10),
        default=VocabularyUsage.NEUTRAL.value,
        server_default=VocabularyUsage.NEUTRAL.value,
    )
    created_at: Mapped[dt.datetime] = created_at()

    project: Mapped[Project] = relationship(back_populates="vocabulary")


class Resource(Base):
    """A style sample, reference text or image note that informs a project's writing."""

    __tablename__ = "resources"
    __table_args__ = (one_of("type", RESOURCE_TYPES),)

    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="SET NULL")
    )
    type: Mapped[str] = mapped_column(String(50), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    # "metadata" is reserved on declarative classes, hence the attribute name.
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONType)
    created_at: Mapped[dt.datetime] = created_at()

    project: Mapped[Project] = relationship(back_populates="resources")
