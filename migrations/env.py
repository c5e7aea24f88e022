"""Alembic environment: one history for SQLite and PostgreSQL.

Copydesk drives Alembic from code (app.db.migrate), which hands over an open connection in
``config.attributes["connection"]``; otherwise the URL in the main option is used.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection, Engine

import app.db.models  # noqa: F401  (registers every table on the metadata)
from app.db.base import Base
from app.db.types import UTCDateTime

target_metadata = Base.metadata


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | bool:
    # Migrations stay self-contained: UTC handling is Python-side, the DDL is plain.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=is_sqlite,
        compare_type=True,
        render_item=_render_item,
        # app.db.migrate opens SQLite connections that really do run DDL in a transaction.
        transactional_ddl=True if is_sqlite else None,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A Connection joins the caller's transaction; an Engine (as pytest-alembic passes)
    # gets a connection of its own.
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    if isinstance(given, Engine):
        with given.connect() as connection:
            _run(connection)
        return
    from app.db.engine import create_engine_for
    from app.db.migrate import migration_engine
    from app.db.urls import normalise_url, sqlite_file

    url = normalise_url(context.config.get_main_option("sqlalchemy.url") or "")
    engine = (
        migration_engine(url)
        if sqlite_file(url) is not None
        else create_engine_for(url.render_as_string(hide_password=False))
    )
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
