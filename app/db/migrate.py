"""Schema migrations, driven from code: there is no alembic.ini to ship or find.

On SQLite the upgrade runs on its own connection that really wraps DDL in a transaction
(pysqlite would otherwise autocommit each statement) and keeps foreign keys off, because
batch mode recreates tables and dropping a referenced table with foreign keys on would
cascade-delete rows. Integrity is checked with ``PRAGMA foreign_key_check`` before commit.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app.db.diagnose import translate
from app.db.engine import DEFAULT_BUSY_TIMEOUT_MS, Database, check_reachable, open_database
from app.db.errors import DatabaseError, DatabaseTooNew, MigrationFailed
from app.db.urls import sqlite_file

# An arbitrary constant naming Copydesk's migration lock among PostgreSQL advisory locks.
_MIGRATION_LOCK_ID = 0x436F7079  # "Copy"


def migrations_dir() -> Path:
    spec = importlib.util.find_spec("migrations")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'migrations' package is missing from this installation")
    return Path(next(iter(spec.submodule_search_locations)))


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url``, built without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # Config values go through configparser interpolation, which treats % specially.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(migrations_dir()))


def head_revision() -> str:
    head = _scripts().get_current_head()
    if head is None:
        raise RuntimeError("the migration history is empty")
    return head


def history() -> list[tuple[str, str]]:
    """Every revision as (id, description), oldest first."""
    revisions = list(_scripts().walk_revisions())
    return [(rev.revision, (rev.doc or "").strip()) for rev in reversed(revisions)]


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    try:
        with db.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        typed = translate(exc, db.engine.url, busy_timeout_ms=db.busy_timeout_ms)
        if typed is not None:
            raise typed from exc
        raise


def check_not_too_new(db: Database, revision: str | None) -> None:
    if revision is None:
        return
    try:
        known = _scripts().get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise DatabaseTooNew(db.url, revision, head_revision())


def upgrade(target: Database | str, *, keep_backup: bool = True) -> Path | None:
    """Bring the database to the newest schema.

    An existing SQLite file that needs migrating is first copied next to itself as
    ``<name>.bak-<revision>-<timestamp>``; the copy is always kept when the upgrade fails
    (and by default also when it succeeds). Returns the copy's path, if one was made.
    """
    if isinstance(target, Database):
        return _upgrade(target, keep_backup=keep_backup)
    db = open_database(target, migrate=False)
    try:
        return _upgrade(db, keep_backup=keep_backup)
    finally:
        db.dispose()


def _upgrade(db: Database, *, keep_backup: bool) -> Path | None:
    check_reachable(db)
    current = current_revision(db)
    check_not_too_new(db, current)
    if current == head_revision():
        return None
    backup = _backup_if_worth_it(db, current)
    try:
        _run_upgrade(db)
    except Exception as exc:
        raise _failure(db, exc, backup) from exc
    if backup is not None and not keep_backup:
        backup.unlink(missing_ok=True)
        return None
    return backup


def _run_upgrade(db: Database) -> None:
    config = alembic_config(db.url)
    engine = (
        migration_engine(db.engine.url, busy_timeout_ms=db.busy_timeout_ms)
        if sqlite_file(db.engine.url) is not None
        else db.engine
    )
    try:
        # Our transaction spans the whole upgrade; Alembic joins it instead of committing.
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Two Copydesk instances starting together: the second waits here, then
                # finds the schema at head (SQLite's BEGIN IMMEDIATE does the same job).
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_ID})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if connection.dialect.name == "sqlite":
                _check_foreign_keys(connection)
    finally:
        if engine is not db.engine:
            engine.dispose()


def migration_engine(url: str | URL, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """A SQLite engine whose transactions really include DDL, with foreign keys off."""
    engine = create_engine(url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from pysqlite; the "begin" hook below starts them.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = OFF")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, waiting out the busy timeout if needed.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _check_foreign_keys(connection: Connection) -> None:
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        tables = sorted({str(row[0]) for row in problems})
        raise RuntimeError(
            f"the upgraded data breaks foreign keys in {', '.join(tables)}; nothing was changed"
        )


def _backup_if_worth_it(db: Database, current: str | None) -> Path | None:
    path = sqlite_file(db.engine.url)
    if path is None or not path.exists():
        return None
    if current is None and not _has_tables(db):
        return None  # a new, empty file: nothing to protect
    return backup_sqlite(path, current or "none", busy_timeout_ms=db.busy_timeout_ms)


def _has_tables(db: Database) -> bool:
    with db.engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def backup_sqlite(
    path: Path, revision: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> Path:
    """Copy an SQLite database next to itself with the backup API (so WAL content is
    included) and return the copy's path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.bak-{revision}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.bak-{revision}-{stamp}-{counter}")
    source = sqlite3.connect(path, timeout=busy_timeout_ms / 1000)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target


def _failure(db: Database, exc: Exception, backup: Path | None) -> DatabaseError:
    typed = translate(exc, db.engine.url, busy_timeout_ms=db.busy_timeout_ms)
    if typed is not None and backup is None:
        return typed
    reason = typed.message if typed is not None else _reason(exc)
    return MigrationFailed(db.url, reason.rstrip("."), backup)


def _reason(exc: BaseException) -> str:
    detail: Any = exc.orig if isinstance(exc, DBAPIError) else exc
    lines = str(detail).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
