"""Opening a database: engines tuned per backend, and sessions as units of work."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.db.diagnose import not_a_database, translate, write_problem
from app.db.errors import DatabaseReadOnly, DatabaseUnreachable, masked
from app.db.urls import is_sqlite, normalise_url, sqlite_file

DEFAULT_BUSY_TIMEOUT_MS = 5000
_SQLITE_HEADER = b"SQLite format 3\x00"


class Database:
    """An opened database: its engine and a factory of sessions (one per unit of work)."""

    def __init__(
        self, url: str, engine: Engine, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    ) -> None:
        self.url = url
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.busy_timeout_ms = busy_timeout_ms
        # Objects stay readable after commit, so a unit of work can return what it wrote.
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return masked(self.url)

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits when the block succeeds, rolls back when it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            typed = translate(exc, self.engine.url, busy_timeout_ms=self.busy_timeout_ms)
            # Constraint violations pass through unchanged; lock, access and connection
            # problems become typed errors the UI can explain.
            if typed is not None:
                raise typed from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (call when done with the database)."""
        self.engine.dispose()


def create_engine_for(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for ``url``: SQLite with WAL, foreign keys and a busy timeout;
    PostgreSQL through psycopg with pre-ping (``postgresql://`` is accepted)."""
    parsed = normalise_url(url)
    if is_sqlite(parsed):
        return _sqlite_engine(parsed, busy_timeout_ms)
    return _postgres_engine(parsed)


def _sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    in_memory = sqlite_file(url) is None
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or every checkout would see its own empty database.
        options["poolclass"] = StaticPool
    engine = sa_create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # The busy timeout first, so the journal-mode switch below also waits for locks.
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                _use_wal(cursor, busy_timeout_ms)
        finally:
            cursor.close()

    return engine


def _use_wal(cursor: sqlite3.Cursor, busy_timeout_ms: int) -> None:
    """Switch to WAL, which lets the GUI read while a worker writes.

    While another connection is itself opening or switching the file, SQLite can answer
    "locked" at once instead of calling the busy handler, so retry until the busy timeout.
    """
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {"application_name": "copydesk"}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 10
    return sa_create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def open_database(
    url: str, *, migrate: bool = True, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Database:
    """Open ``url``, making sure it is reachable, and bring its schema up to date.

    For an SQLite file the folder is created when missing. Raises a subclass of
    ``app.db.errors.DatabaseError`` that says what is wrong.
    """
    parsed = normalise_url(url)
    if is_sqlite(parsed):
        _prepare_sqlite_file(parsed)
    normalised = parsed.render_as_string(hide_password=False)
    engine = create_engine_for(normalised, busy_timeout_ms=busy_timeout_ms)
    db = Database(normalised, engine, busy_timeout_ms=busy_timeout_ms)
    try:
        check_reachable(db)
        if migrate:
            from app.db.migrate import upgrade

            upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return db


def check_reachable(db: Database) -> None:
    """Connect once and run a trivial query, turning failures into typed errors."""
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        typed = translate(exc, db.engine.url, busy_timeout_ms=db.busy_timeout_ms)
        if typed is not None:
            raise typed from exc
        raise DatabaseUnreachable(f"Cannot use the database {db.display_url}: {exc.orig}") from exc


def _prepare_sqlite_file(url: URL) -> None:
    path = sqlite_file(url)
    if path is None:
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DatabaseUnreachable(
            f"Cannot create the folder {folder} for the database: a file is in the way."
        ) from None
    except OSError as exc:
        raise DatabaseReadOnly(
            f"Cannot create the folder {folder} for the database ({exc.strerror}). Choose a "
            "database in a writable folder."
        ) from exc
    if path.is_dir():
        raise not_a_database(str(path))
    if path.exists():
        _check_sqlite_header(path)
    elif url.query.get("mode") != "ro" and (problem := write_problem(folder)) is not None:
        raise DatabaseReadOnly(
            f"The folder {folder} cannot be written ({problem}), so the database "
            f"{path.name} cannot be created there. Make the folder writable, or choose a "
            "database in a writable folder."
        )


def _check_sqlite_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseUnreachable(f"Cannot read the database file {path}: {exc.strerror}.") from exc
    # An empty file is a valid, empty SQLite database.
    if header and header != _SQLITE_HEADER:
        raise not_a_database(str(path))
