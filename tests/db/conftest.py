"""pytest-alembic runs against both backends: its fixtures are overridden per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy.engine import Engine

from app.db.engine import create_engine_for
from app.db.migrate import alembic_config as make_alembic_config
from app.db.migrate import migration_engine
from tests.fixtures.databases import BACKENDS


@pytest.fixture(params=BACKENDS)
def alembic_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        # The engine Copydesk itself migrates SQLite with (DDL in real transactions).
        engine = migration_engine(f"sqlite:///{tmp_path / 'alembic.db'}")
    else:
        engine = create_engine_for(request.getfixturevalue("empty_postgres_url"))
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def alembic_config(alembic_engine: Engine) -> Config:
    # The URL is only a fallback: pytest-alembic hands env.py the engine itself.
    return make_alembic_config(alembic_engine.url.render_as_string(hide_password=False))
