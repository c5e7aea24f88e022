"""Engine settings per backend, URL handling, and sessions as units of work."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db.engine import Database, create_engine_for, open_database
from app.db.errors import UnsupportedDatabaseUrl
from app.db.models import Client
from app.db.urls import normalise_url, sqlite_file


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    db = open_database(sqlite_url, migrate=False)
    try:
        # Several pooled connections at once: the settings must hold on each, not just the first.
        connections = [db.engine.connect() for _ in range(3)]
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        for connection in connections:
            connection.close()
    finally:
        db.dispose()


def test_sqlite_connections_can_cross_threads(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    with db.session() as session:
        session.add(Client(name="Acme", slug="acme"))
    seen: list[int] = []

    def count() -> None:
        with db.session() as session:
            seen.append(session.scalar(select(func.count()).select_from(Client)) or 0)

    worker = threading.Thread(target=count)
    worker.start()
    worker.join()
    db.dispose()
    assert seen == [1]


def test_open_database_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "copydesk.db"
    db = open_database(f"sqlite:///{path}")
    try:
        assert path.is_file()
        assert db.is_sqlite
    finally:
        db.dispose()


def test_postgresql_url_is_pinned_to_psycopg_with_pre_ping() -> None:
    engine = create_engine_for("postgresql://someone@127.0.0.1:5432/copydesk")
    try:
        assert engine.dialect.driver == "psycopg"
        assert engine.pool._pre_ping is True
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"],
)
def test_postgres_spellings_are_accepted(url: str) -> None:
    assert normalise_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "No database URL"),
        ("not a url", "is not a database URL"),
        ("mysql://user:s3cret@host/db", "SQLite and PostgreSQL only"),
        ("postgresql+asyncpg://user:s3cret@host/db", "'asyncpg'"),
        ("postgresql://user:s3cret@host", "names no database"),
    ],
)
def test_unsupported_urls_are_refused_without_leaking_passwords(url: str, expected: str) -> None:
    with pytest.raises(UnsupportedDatabaseUrl) as caught:
        create_engine_for(url)
    assert expected in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_sqlite_file_understands_uri_filenames(tmp_path: Path) -> None:
    plain = normalise_url(f"sqlite:///{tmp_path / 'a.db'}")
    uri = normalise_url(f"sqlite:///file:{tmp_path / 'b.db'}?mode=ro&uri=true")
    assert sqlite_file(plain) == tmp_path / "a.db"
    assert sqlite_file(uri) == tmp_path / "b.db"
    assert sqlite_file(normalise_url("sqlite://")) is None
    assert sqlite_file(normalise_url("postgresql://u@h/db")) is None


def test_session_commits_on_success(db: Database) -> None:
    with db.session() as session:
        session.add(Client(name="Acme", slug="acme"))
    with db.session() as session:
        assert session.scalars(select(Client.slug)).all() == ["acme"]


def test_session_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError, match="changed my mind"), db.session() as session:
        session.add(Client(name="Acme", slug="acme"))
        session.flush()
        raise RuntimeError("changed my mind")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 0


def test_objects_stay_readable_after_the_unit_of_work(db: Database) -> None:
    with db.session() as session:
        client = Client(name="Acme", slug="acme")
        session.add(client)
    # Returned objects keep their loaded values once the session is closed.
    assert client.slug == "acme"
    assert client.created_at.tzinfo is not None


def test_repr_and_display_url_mask_the_password() -> None:
    engine = create_engine_for("postgresql://copy:s3cret@127.0.0.1:5432/copydesk")
    db = Database("postgresql+psycopg://copy:s3cret@127.0.0.1:5432/copydesk", engine)
    try:
        assert "s3cret" not in repr(db)
        assert "s3cret" not in db.display_url
        assert "***" in db.display_url
    finally:
        db.dispose()
