"""What the agents work with: skills, prompts, model configs, the model catalog, settings."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.models._columns import (
    at_least,
    between,
    counter,
    created_at,
    flag,
    one_of,
    updated_at,
    uuid_pk,
)
from app.db.types import GUID, JSONType, Price, UTCDateTime
from app.domain.status import OUTPUT_FORMATS, SKILL_TYPES, OutputFormat


class Skill(Base):
    """A kind of content the team produces, with the rules the agents follow for it."""

    __tablename__ = "skills"
    __table_args__ = (
        one_of("type", SKILL_TYPES),
        one_of("output_format", OUTPUT_FORMATS),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20), index=True)
    trigger_keywords: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    related_skills: Mapped[list[str] | None] = mapped_column(JSONType)
    rules: Mapped[str | None] = mapped_column(Text)
    default_platforms: Mapped[list[str] | None] = mapped_column(JSONType)
    output_format: Mapped[str] = mapped_column(
        String(20),
        default=OutputFormat.MARKDOWN.value,
        server_default=OutputFormat.MARKDOWN.value,
    )
    # JSON Schema of the output shape (seed 004's object models).
    output_schema: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # JSON Schema of the inputs the wizard asks for.
    template_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    is_builtin: Mapped[bool] = flag()
    user_modified: Mapped[bool] = flag()
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()


class PromptTemplate(Base):
    """An agent's prompt; a row with a project overrides the global one (project_id NULL)."""

    __tablename__ = "prompt_templates"
    __table_args__ = (UniqueConstraint("agent_id", "name", "project_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(255))
    agent_id: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("projects.id", ondelete="CASCADE")
    )
    skill_id: Mapped[uuid.UUID | None] = mapped_column(
        GUID, ForeignKey("skills.id", ondelete="SET NULL")
    )
    template: Mapped[str] = mapped_column(Text)
    parameters: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    version: Mapped[int] = counter(1)
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()


class AgentModelConfig(Base):
    """Which model an agent uses; ``version`` makes concurrent edits fail instead of clobber."""

    __tablename__ = "agent_model_configs"
    __table_args__ = (
        between("temperature", 0, 2),
        at_least("max_tokens", 1),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(100), unique=True)
    agent_label: Mapped[str] = mapped_column(String(255))
    # The OpenRouter API form, e.g. "anthropic/claude-sonnet-4.5".
    model_id: Mapped[str] = mapped_column(String(255))
    fallback_models: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    temperature: Mapped[Decimal] = mapped_column(Numeric(3, 2, asdecimal=True))
    max_tokens: Mapped[int] = mapped_column(Integer)
    user_modified: Mapped[bool] = flag()
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = updated_at()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class ModelCatalogEntry(Base):
    """A model as listed by OpenRouter's /models; prices are USD per token."""

    __tablename__ = "model_catalog"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    context_length: Mapped[int | None] = mapped_column(Integer)
    prompt_price: Mapped[Decimal | None] = mapped_column(Price)
    completion_price: Mapped[Decimal | None] = mapped_column(Price)
    request_price: Mapped[Decimal | None] = mapped_column(Price)
    cache_read_price: Mapped[Decimal | None] = mapped_column(Price)
    cache_write_price: Mapped[Decimal | None] = mapped_column(Price)
    max_completion_tokens: Mapped[int | None] = mapped_column(Integer)
    supported_parameters: Mapped[list[str] | None] = mapped_column(JSONType)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AppSetting(Base):
    """A non-secret application setting. The API key never lives here."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType, nullable=False)
    updated_at: Mapped[dt.datetime] = updated_at()
