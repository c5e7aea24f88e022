"""Initial schema: every Copydesk table.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

drafts.step_id -> agent_steps and agent_steps.draft_id -> drafts form a cycle. PostgreSQL
gets drafts.step_id as a separate ALTER once agent_steps exists; SQLite does not check
references at CREATE time (and cannot ALTER constraints), so it gets the key inline.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drafts_step_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["step_id"],
        ["agent_steps.id"],
        name=op.f("fk_drafts_step_id_agent_steps"),
        ondelete="SET NULL",
    )


def upgrade() -> None:
    op.create_table(
        "agent_model_configs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("agent_label", sa.String(length=255), nullable=False),
        sa.Column("model_id", sa.String(length=255), nullable=False),
        sa.Column(
            "fallback_models",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("temperature", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.Column("max_tokens", sa.Integer(), nullable=False),
        sa.Column("user_modified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("max_tokens >= 1", name=op.f("ck_agent_model_configs_max_tokens_min")),
        sa.CheckConstraint(
            "temperature >= 0 AND temperature <= 2",
            name=op.f("ck_agent_model_configs_temperature_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_model_configs")),
        sa.UniqueConstraint("agent_id", name=op.f("uq_agent_model_configs_agent_id")),
    )
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )
    op.create_table(
        "brand_voice_cache",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column(
            "analysis_result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("cached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_voice_cache")),
        sa.UniqueConstraint("url", name=op.f("uq_brand_voice_cache_url")),
    )
    op.create_table(
        "cached_products",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("vendor", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("price_text", sa.String(length=100), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "raw_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("cached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cached_products")),
        sa.UniqueConstraint(
            "source", "external_id", name=op.f("uq_cached_products_source_external_id")
        ),
    )
    op.create_index(
        op.f("ix_cached_products_expires_at"), "cached_products", ["expires_at"], unique=False
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
    )
    op.create_index(op.f("ix_clients_slug"), "clients", ["slug"], unique=True)
    op.create_table(
        "model_catalog",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("context_length", sa.Integer(), nullable=True),
        sa.Column("prompt_price", sa.Numeric(precision=20, scale=12), nullable=True),
        sa.Column("completion_price", sa.Numeric(precision=20, scale=12), nullable=True),
        sa.Column("request_price", sa.Numeric(precision=20, scale=12), nullable=True),
        sa.Column("cache_read_price", sa.Numeric(precision=20, scale=12), nullable=True),
        sa.Column("cache_write_price", sa.Numeric(precision=20, scale=12), nullable=True),
        sa.Column("max_completion_tokens", sa.Integer(), nullable=True),
        sa.Column(
            "supported_parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_catalog")),
    )
    op.create_table(
        "skills",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column(
            "trigger_keywords",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "related_skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("rules", sa.Text(), nullable=True),
        sa.Column(
            "default_platforms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("output_format", sa.String(length=20), server_default="markdown", nullable=False),
        sa.Column(
            "output_schema",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "template_inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("is_builtin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("user_modified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "output_format IN ('markdown', 'json', 'html')", name=op.f("ck_skills_output_format")
        ),
        sa.CheckConstraint(
            "type IN ('simple', 'with_rules', 'complex')", name=op.f("ck_skills_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("name", name=op.f("uq_skills_name")),
    )
    op.create_index(op.f("ix_skills_type"), "skills", ["type"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=20), server_default="editor", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("role IN ('editor', 'reviewer', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("store_url", sa.Text(), nullable=True),
        sa.Column(
            "brand_voice",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("brand_voice_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column(
            "settings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('active', 'archived')", name=op.f("ck_projects_status")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_projects_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("client_id", "slug", name=op.f("uq_projects_client_id_slug")),
    )
    op.create_table(
        "pieces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("goal", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=20), server_default="template", nullable=False),
        sa.Column("store_url", sa.Text(), nullable=True),
        sa.Column(
            "brand_voice",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "selected_product_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("source_content", sa.Text(), nullable=True),
        sa.Column(
            "template_inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column(
            "seo_metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("tokens_input", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tokens_output", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("mode IN ('manual', 'template')", name=op.f("ck_pieces_mode")),
        sa.CheckConstraint(
            "status IN ('draft', 'queued', 'generating', 'awaiting_review', 'completed', "
            "'failed', 'cancelled', 'archived')",
            name=op.f("ck_pieces_status"),
        ),
        sa.CheckConstraint("tokens_input >= 0", name=op.f("ck_pieces_tokens_input_min")),
        sa.CheckConstraint("tokens_output >= 0", name=op.f("ck_pieces_tokens_output_min")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pieces_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_pieces_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_pieces_skill_id_skills"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pieces")),
    )
    op.create_index(op.f("ix_pieces_project_id"), "pieces", ["project_id"], unique=False)
    op.create_index(op.f("ix_pieces_skill_id"), "pieces", ["skill_id"], unique=False)
    op.create_index(op.f("ix_pieces_status"), "pieces", ["status"], unique=False)
    op.create_index(op.f("ix_pieces_updated_at"), "pieces", ["updated_at"], unique=False)
    op.create_table(
        "project_metadata",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_metadata_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_metadata")),
        sa.UniqueConstraint("project_id", "key", name=op.f("uq_project_metadata_project_id_key")),
    )
    op.create_table(
        "prompt_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("skill_id", sa.Uuid(), nullable=True),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_prompt_templates_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_prompt_templates_skill_id_skills"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_templates")),
        sa.UniqueConstraint(
            "agent_id",
            "name",
            "project_id",
            name=op.f("uq_prompt_templates_agent_id_name_project_id"),
        ),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "type IN ('style_sample', 'reference', 'image')", name=op.f("ck_resources_type")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_resources_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_resources_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
    )
    op.create_index(op.f("ix_resources_project_id"), "resources", ["project_id"], unique=False)
    op.create_index(op.f("ix_resources_type"), "resources", ["type"], unique=False)
    op.create_table(
        "vocabulary",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("usage", sa.String(length=10), server_default="neutral", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "usage IN ('prefer', 'avoid', 'neutral')", name=op.f("ck_vocabulary_usage")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_vocabulary_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabulary")),
        sa.UniqueConstraint("project_id", "term", name=op.f("uq_vocabulary_project_id_term")),
    )
    drafts_step_fk = [_drafts_step_fk()] if _is_sqlite() else []
    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("piece_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=20), server_default="markdown", nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("step_id", sa.Uuid(), nullable=True),
        sa.Column("based_on_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("format IN ('markdown', 'json', 'html')", name=op.f("ck_drafts_format")),
        sa.CheckConstraint(
            "platform IN ('blog', 'linkedin', 'x')", name=op.f("ck_drafts_platform")
        ),
        sa.CheckConstraint("source IN ('ai', 'human')", name=op.f("ck_drafts_source")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_drafts_version_min")),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["drafts.id"],
            name=op.f("fk_drafts_based_on_id_drafts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_drafts_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["piece_id"], ["pieces.id"], name=op.f("fk_drafts_piece_id_pieces"), ondelete="CASCADE"
        ),
        *drafts_step_fk,
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint(
            "piece_id", "platform", "version", name=op.f("uq_drafts_piece_id_platform_version")
        ),
    )
    op.create_index(op.f("ix_drafts_created_at"), "drafts", ["created_at"], unique=False)
    op.create_index(op.f("ix_drafts_piece_id"), "drafts", ["piece_id"], unique=False)
    op.create_table(
        "platform_states",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("piece_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("active_draft_id", sa.Uuid(), nullable=True),
        sa.Column("iteration", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "platform IN ('blog', 'linkedin', 'x')", name=op.f("ck_platform_states_platform")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'generating', 'evaluating', 'awaiting_review', 'accepted', "
            "'rejected', 'published', 'failed', 'cancelled')",
            name=op.f("ck_platform_states_status"),
        ),
        sa.CheckConstraint("iteration >= 0", name=op.f("ck_platform_states_iteration_min")),
        sa.ForeignKeyConstraint(
            ["active_draft_id"],
            ["drafts.id"],
            name=op.f("fk_platform_states_active_draft_id_drafts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["piece_id"],
            ["pieces.id"],
            name=op.f("fk_platform_states_piece_id_pieces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_states")),
        sa.UniqueConstraint(
            "piece_id", "platform", name=op.f("uq_platform_states_piece_id_platform")
        ),
    )
    op.create_index(op.f("ix_platform_states_status"), "platform_states", ["status"], unique=False)
    op.create_table(
        "agent_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("piece_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("iteration", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("input_summary", sa.Text(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.Column(
            "output_json",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("draft_id", sa.Uuid(), nullable=True),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column("tokens_input", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("tokens_output", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error_type", sa.String(length=50), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "platform IN ('blog', 'linkedin', 'x')", name=op.f("ck_agent_steps_platform")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'skipped')",
            name=op.f("ck_agent_steps_status"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_agent_steps_attempts_min")),
        sa.CheckConstraint("duration_ms >= 0", name=op.f("ck_agent_steps_duration_ms_min")),
        sa.CheckConstraint("iteration >= 0", name=op.f("ck_agent_steps_iteration_min")),
        sa.CheckConstraint("tokens_input >= 0", name=op.f("ck_agent_steps_tokens_input_min")),
        sa.CheckConstraint("tokens_output >= 0", name=op.f("ck_agent_steps_tokens_output_min")),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_agent_steps_draft_id_drafts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["piece_id"],
            ["pieces.id"],
            name=op.f("fk_agent_steps_piece_id_pieces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_steps")),
        sa.UniqueConstraint(
            "piece_id", "platform", "ordinal", name=op.f("uq_agent_steps_piece_id_platform_ordinal")
        ),
    )
    op.create_index(op.f("ix_agent_steps_piece_id"), "agent_steps", ["piece_id"], unique=False)
    op.create_index(op.f("ix_agent_steps_status"), "agent_steps", ["status"], unique=False)
    if not _is_sqlite():
        op.create_foreign_key(
            op.f("fk_drafts_step_id_agent_steps"),
            "drafts",
            "agent_steps",
            ["step_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("draft_id", sa.Uuid(), nullable=False),
        sa.Column("accuracy_score", sa.Integer(), nullable=True),
        sa.Column("quality_score", sa.Integer(), nullable=True),
        sa.Column("usefulness_score", sa.Integer(), nullable=True),
        sa.Column("rule_compliance_score", sa.Integer(), nullable=True),
        sa.Column("overall_score", sa.Integer(), nullable=False),
        sa.Column("what_worked_well", sa.Text(), nullable=True),
        sa.Column(
            "issues",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "suggested_rule_changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=50), server_default="desktop", nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("reviewer_name", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "accuracy_score >= 1 AND accuracy_score <= 5",
            name=op.f("ck_feedback_accuracy_score_range"),
        ),
        sa.CheckConstraint(
            "overall_score >= 1 AND overall_score <= 5",
            name=op.f("ck_feedback_overall_score_range"),
        ),
        sa.CheckConstraint(
            "quality_score >= 1 AND quality_score <= 5",
            name=op.f("ck_feedback_quality_score_range"),
        ),
        sa.CheckConstraint(
            "rule_compliance_score >= 1 AND rule_compliance_score <= 5",
            name=op.f("ck_feedback_rule_compliance_score_range"),
        ),
        sa.CheckConstraint(
            "usefulness_score >= 1 AND usefulness_score <= 5",
            name=op.f("ck_feedback_usefulness_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_feedback_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_feedback_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index(op.f("ix_feedback_created_at"), "feedback", ["created_at"], unique=False)
    op.create_index(op.f("ix_feedback_draft_id"), "feedback", ["draft_id"], unique=False)
    op.create_index(op.f("ix_feedback_overall_score"), "feedback", ["overall_score"], unique=False)
    op.create_table(
        "publishing_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("piece_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("draft_id", sa.Uuid(), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "response_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'scheduled', 'publishing', 'published', 'failed')",
            name=op.f("ck_publishing_jobs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_publishing_jobs_draft_id_drafts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["piece_id"],
            ["pieces.id"],
            name=op.f("fk_publishing_jobs_piece_id_pieces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publishing_jobs")),
    )
    op.create_index(
        op.f("ix_publishing_jobs_piece_id"), "publishing_jobs", ["piece_id"], unique=False
    )
    op.create_index(
        op.f("ix_publishing_jobs_scheduled_for"), "publishing_jobs", ["scheduled_for"], unique=False
    )
    op.create_index(op.f("ix_publishing_jobs_status"), "publishing_jobs", ["status"], unique=False)
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("draft_id", sa.Uuid(), nullable=False),
        sa.Column("step_id", sa.Uuid(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column(
            "criteria_scores",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_evaluations_score_range")),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_evaluations_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["agent_steps.id"],
            name=op.f("fk_evaluations_step_id_agent_steps"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
    )
    op.create_index(op.f("ix_evaluations_draft_id"), "evaluations", ["draft_id"], unique=False)
    op.create_index(op.f("ix_evaluations_score"), "evaluations", ["score"], unique=False)
    op.create_table(
        "llm_calls",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("generation_id", sa.String(length=128), nullable=True),
        sa.Column("piece_id", sa.Uuid(), nullable=True),
        sa.Column("step_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("content_type", sa.String(length=20), nullable=True),
        sa.Column(
            "endpoint", sa.String(length=100), server_default="/chat/completions", nullable=False
        ),
        sa.Column("model_requested", sa.String(length=255), nullable=False),
        sa.Column("model_used", sa.String(length=255), nullable=True),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column("streamed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("input_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("output_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cached_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reasoning_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=6), nullable=True),
        sa.Column("cost_estimated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("ttft_ms", sa.Integer(), nullable=True),
        sa.Column("total_ms", sa.Integer(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error_type", sa.String(length=50), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retry_number", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cache_hit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cached_tokens >= 0", name=op.f("ck_llm_calls_cached_tokens_min")),
        sa.CheckConstraint(
            "http_status >= 100 AND http_status <= 599", name=op.f("ck_llm_calls_http_status_range")
        ),
        sa.CheckConstraint("input_tokens >= 0", name=op.f("ck_llm_calls_input_tokens_min")),
        sa.CheckConstraint("output_tokens >= 0", name=op.f("ck_llm_calls_output_tokens_min")),
        sa.CheckConstraint("reasoning_tokens >= 0", name=op.f("ck_llm_calls_reasoning_tokens_min")),
        sa.CheckConstraint("retry_number >= 0", name=op.f("ck_llm_calls_retry_number_min")),
        sa.CheckConstraint("total_ms >= 0", name=op.f("ck_llm_calls_total_ms_min")),
        sa.CheckConstraint("ttft_ms >= 0", name=op.f("ck_llm_calls_ttft_ms_min")),
        sa.ForeignKeyConstraint(
            ["piece_id"],
            ["pieces.id"],
            name=op.f("fk_llm_calls_piece_id_pieces"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_llm_calls_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["agent_steps.id"],
            name=op.f("fk_llm_calls_step_id_agent_steps"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_calls")),
    )
    op.create_index(
        "ix_llm_calls_agent_id_called_at", "llm_calls", ["agent_id", "called_at"], unique=False
    )
    op.create_index(op.f("ix_llm_calls_called_at"), "llm_calls", ["called_at"], unique=False)
    op.create_index(
        "ix_llm_calls_model_used_called_at", "llm_calls", ["model_used", "called_at"], unique=False
    )
    op.create_index(op.f("ix_llm_calls_piece_id"), "llm_calls", ["piece_id"], unique=False)
    op.create_index(
        "ix_llm_calls_project_id_called_at", "llm_calls", ["project_id", "called_at"], unique=False
    )
    op.create_index(op.f("ix_llm_calls_request_id"), "llm_calls", ["request_id"], unique=False)
    op.create_index(
        "ix_llm_calls_success_error_type", "llm_calls", ["success", "error_type"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_llm_calls_success_error_type", table_name="llm_calls")
    op.drop_index(op.f("ix_llm_calls_request_id"), table_name="llm_calls")
    op.drop_index("ix_llm_calls_project_id_called_at", table_name="llm_calls")
    op.drop_index(op.f("ix_llm_calls_piece_id"), table_name="llm_calls")
    op.drop_index("ix_llm_calls_model_used_called_at", table_name="llm_calls")
    op.drop_index(op.f("ix_llm_calls_called_at"), table_name="llm_calls")
    op.drop_index("ix_llm_calls_agent_id_called_at", table_name="llm_calls")
    op.drop_table("llm_calls")
    op.drop_index(op.f("ix_evaluations_score"), table_name="evaluations")
    op.drop_index(op.f("ix_evaluations_draft_id"), table_name="evaluations")
    op.drop_table("evaluations")
    op.drop_index(op.f("ix_publishing_jobs_status"), table_name="publishing_jobs")
    op.drop_index(op.f("ix_publishing_jobs_scheduled_for"), table_name="publishing_jobs")
    op.drop_index(op.f("ix_publishing_jobs_piece_id"), table_name="publishing_jobs")
    op.drop_table("publishing_jobs")
    op.drop_index(op.f("ix_feedback_overall_score"), table_name="feedback")
    op.drop_index(op.f("ix_feedback_draft_id"), table_name="feedback")
    op.drop_index(op.f("ix_feedback_created_at"), table_name="feedback")
    op.drop_table("feedback")
    op.drop_index(op.f("ix_agent_steps_status"), table_name="agent_steps")
    op.drop_index(op.f("ix_agent_steps_piece_id"), table_name="agent_steps")
    if not _is_sqlite():
        op.drop_constraint(op.f("fk_drafts_step_id_agent_steps"), "drafts", type_="foreignkey")
    op.drop_table("agent_steps")
    op.drop_index(op.f("ix_platform_states_status"), table_name="platform_states")
    op.drop_table("platform_states")
    op.drop_index(op.f("ix_drafts_piece_id"), table_name="drafts")
    op.drop_index(op.f("ix_drafts_created_at"), table_name="drafts")
    op.drop_table("drafts")
    op.drop_table("vocabulary")
    op.drop_index(op.f("ix_resources_type"), table_name="resources")
    op.drop_index(op.f("ix_resources_project_id"), table_name="resources")
    op.drop_table("resources")
    op.drop_table("prompt_templates")
    op.drop_table("project_metadata")
    op.drop_index(op.f("ix_pieces_updated_at"), table_name="pieces")
    op.drop_index(op.f("ix_pieces_status"), table_name="pieces")
    op.drop_index(op.f("ix_pieces_skill_id"), table_name="pieces")
    op.drop_index(op.f("ix_pieces_project_id"), table_name="pieces")
    op.drop_table("pieces")
    op.drop_table("projects")
    op.drop_table("users")
    op.drop_index(op.f("ix_skills_type"), table_name="skills")
    op.drop_table("skills")
    op.drop_table("model_catalog")
    op.drop_index(op.f("ix_clients_slug"), table_name="clients")
    op.drop_table("clients")
    op.drop_index(op.f("ix_cached_products_expires_at"), table_name="cached_products")
    op.drop_table("cached_products")
    op.drop_table("brand_voice_cache")
    op.drop_table("app_settings")
    op.drop_table("agent_model_configs")
