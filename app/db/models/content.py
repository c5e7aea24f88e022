"""A piece of content and everything produced for it: per-platform state, draft versions,
agent steps (the run log and its checkpoints), evaluations, feedback and publishing jobs."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base
from app.db.models._columns import (
    at_least,
    between,
    counter,
    created_at,
    one_of,
    updated_at,
    uuid_pk,
)
from app.db.types import GUID, JSONType, Money, UTCDateTime
from app.domain.status import (
    DRAFT_SOURCES,
    OUTPUT_FORMATS,
    PIECE_MODES,
    PIECE_STATUSES,
    PLATFORM_STATUSES,
    PLATFORMS,
    PUBLISHING_STATUSES,
    STEP_STATUSES,
    OutputFormat,
    PieceMode,
    PieceStatus,
    PlatformStatus,
    PublishingStatus,
    StepStatus,
)

if TYPE_CHECKING:
    from app.db.models.people import Project


class Piece(Base):
    """One requested piece of content, produced for one or more platforms."""

    __tablename__ = "pieces"
    __table_args__ = (
        one_of("mode", PIECE_MODES),
        one_of("status", PIECE_STATUSES),
        at_least("tokens_input", 0),
        at_least("tokens_output", 0),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    project_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("skills.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="SET NULL")
    )
    title: Mapped[str | None] = mapped_column(String(255))
    goal: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(
        String(20), default=PieceMode.TEMPLATE.value, server_default=PieceMode.TEMPLATE.value
    )
    store_url: Mapped[str | None] = mapped_column(Text)
    # Snapshot taken at start, so later edits to the project do not change this piece.
    brand_voice: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # cached_products.external_id values.
    selected_product_ids: Mapped[list[str] | None] = mapped_column(JSONType)
    instructions: Mapped[str | None] = mapped_column(Text)
    source_content: Mapped[str | None] = mapped_column(Text)
    template_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(
        String(20),
        default=PieceStatus.DRAFT.value,
        server_default=PieceStatus.DRAFT.value,
        index=True,
    )
    seo_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error_message: Mapped[str | None] = mapped_column(Text)
    tokens_input: Mapped[int] = counter()
    tokens_output: Mapped[int] = counter()
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at(index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(back_populates="pieces")
    platform_states: Mapped[list[PlatformState]] = relationship(
        back_populates="piece", cascade="all, delete-orphan", passive_deletes=True
    )
    drafts: Mapped[list[Draft]] = relationship(
        back_populates="piece",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(Draft.platform, Draft.version)",
    )
    steps: Mapped[list[AgentStep]] = relationship(
        back_populates="piece",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AgentStep.ordinal",
    )
    publishing_jobs: Mapped[list[PublishingJob]] = relationship(
        back_populates="piece", cascade="all, delete-orphan", passive_deletes=True
    )


class PlatformState(Base):
    """Where a piece stands on one platform, and which draft is the current one."""

    __tablename__ = "platform_states"
    __table_args__ = (
        UniqueConstraint("piece_id", "platform"),
        one_of("platform", PLATFORMS),
        one_of("status", PLATFORM_STATUSES),
        at_least("iteration", 0),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    piece_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("pieces.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(
        String(20),
        default=PlatformStatus.PENDING.value,
        server_default=PlatformStatus.PENDING.value,
        index=True,
    )
    # use_alter: drafts are created after platform states, and the FK is added afterwards.
    active_draft_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("drafts.id", ondelete="SET NULL", use_alter=True)
    )
    iteration: Mapped[int] = counter()
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()

    piece: Mapped[Piece] = relationship(back_populates="platform_states")
    active_draft: Mapped[Draft | None] = relationship(foreign_keys=[active_draft_id])


class Draft(Base):
    """One version of a piece's text on one platform; ``based_on`` is the version it revised."""

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("piece_id", "platform", "version"),
        one_of("platform", PLATFORMS),
        one_of("format", OUTPUT_FORMATS),
        one_of("source", DRAFT_SOURCES),
        at_least("version", 1),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    piece_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("pieces.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(
        String(20),
        default=OutputFormat.MARKDOWN.value,
        server_default=OutputFormat.MARKDOWN.value,
    )
    source: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[str | None] = mapped_column(String(100))
    # use_alter breaks the drafts <-> agent_steps cycle.
    step_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("agent_steps.id", ondelete="SET NULL", use_alter=True)
    )
    based_on_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("drafts.id", ondelete="SET NULL")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = created_at(index=True)

    piece: Mapped[Piece] = relationship(back_populates="drafts")
    based_on: Mapped[Draft | None] = relationship(remote_side=[id], foreign_keys=[based_on_id])
    step: Mapped[AgentStep | None] = relationship(foreign_keys=[step_id])
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="draft",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Evaluation.created_at",
    )
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="draft",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Feedback.created_at",
    )


class AgentStep(Base):
    """One agent pass over a piece: the live log entry and the checkpoint a resumed run uses."""

    __tablename__ = "agent_steps"
    __table_args__ = (
        # platform is NULL for piece-wide steps (e.g. brand voice); NULLs never collide.
        UniqueConstraint("piece_id", "platform", "ordinal"),
        one_of("platform", PLATFORMS),
        one_of("status", STEP_STATUSES),
        at_least("iteration", 0),
        at_least("attempts", 0),
        at_least("tokens_input", 0),
        at_least("tokens_output", 0),
        at_least("duration_ms", 0),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    piece_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("pieces.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str | None] = mapped_column(String(20))
    ordinal: Mapped[int] = mapped_column(Integer)
    agent_id: Mapped[str] = mapped_column(String(100))
    iteration: Mapped[int] = counter()
    status: Mapped[str] = mapped_column(
        String(20),
        default=StepStatus.PENDING.value,
        server_default=StepStatus.PENDING.value,
        index=True,
    )
    input_summary: Mapped[str | None] = mapped_column(Text)
    # Partial output is kept when a step fails or is cancelled mid-stream.
    output: Mapped[str | None] = mapped_column(Text)
    output_json: Mapped[Any] = mapped_column(JSONType, nullable=True)
    draft_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("drafts.id", ondelete="SET NULL")
    )
    model: Mapped[str | None] = mapped_column(String(255))
    tokens_input: Mapped[int] = counter()
    tokens_output: Mapped[int] = counter()
    cost: Mapped[Decimal | None] = mapped_column(Money)
    attempts: Mapped[int] = counter()
    error_type: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at()

    piece: Mapped[Piece] = relationship(back_populates="steps")
    draft: Mapped[Draft | None] = relationship(foreign_keys=[draft_id])


class Evaluation(Base):
    """A reviewer agent's score of a draft (0–100) with per-criterion scores and feedback."""

    __tablename__ = "evaluations"
    __table_args__ = (between("score", 0, 100),)

    id: Mapped[uuid.UUID] = uuid_pk()
    draft_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("drafts.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("agent_steps.id", ondelete="SET NULL")
    )
    score: Mapped[int] = mapped_column(Integer, index=True)
    # platform_appropriateness, style_consistency, clarity, engagement, grammar: 0..100 each.
    criteria_scores: Mapped[dict[str, int] | None] = mapped_column(JSONType)
    feedback: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = created_at()

    draft: Mapped[Draft] = relationship(back_populates="evaluations")


class Feedback(Base):
    """A person's review of a draft: four optional 1–5 scores, an overall score, and notes."""

    __tablename__ = "feedback"
    __table_args__ = (
        between("accuracy_score", 1, 5),
        between("quality_score", 1, 5),
        between("usefulness_score", 1, 5),
        between("rule_compliance_score", 1, 5),
        between("overall_score", 1, 5),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    draft_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("drafts.id", ondelete="CASCADE"), index=True
    )
    accuracy_score: Mapped[int | None] = mapped_column(Integer)
    quality_score: Mapped[int | None] = mapped_column(Integer)
    usefulness_score: Mapped[int | None] = mapped_column(Integer)
    rule_compliance_score: Mapped[int | None] = mapped_column(Integer)
    overall_score: Mapped[int] = mapped_column(Integer, index=True)
    what_worked_well: Mapped[str | None] = mapped_column(Text)
    # [{description, severity: high|medium|low, suggested_fix?}]
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    # [{file, current_rule?, suggested_change, rationale}]
    suggested_rule_changes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, nullable=False, default=list
    )
    source: Mapped[str] = mapped_column(String(50), default="desktop", server_default="desktop")
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewer_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = created_at(index=True)

    draft: Mapped[Draft] = relationship(back_populates="feedback")


class PublishingJob(Base):
    """Sending a draft somewhere: an export path or an external service."""

    __tablename__ = "publishing_jobs"
    __table_args__ = (one_of("status", PUBLISHING_STATUSES),)

    id: Mapped[uuid.UUID] = uuid_pk()
    piece_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("pieces.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(20))
    draft_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("drafts.id", ondelete="SET NULL")
    )
    target: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(
        String(20),
        default=PublishingStatus.QUEUED.value,
        server_default=PublishingStatus.QUEUED.value,
        index=True,
    )
    scheduled_for: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()

    piece: Mapped[Piece] = relationship(back_populates="publishing_jobs")
