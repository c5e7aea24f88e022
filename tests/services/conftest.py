"""Fixtures for the service tests: a session per test, on every backend of the ``db`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.db.engine import Database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """One unit of work for the whole test (committed at the end, like the app does)."""
    with db.session() as session:
        yield session
