"""Upgrading databases: revisions, refusing newer schemas, and the backup taken first."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.db import migrate
from app.db.base import Base
from app.db.engine import Database, open_database
from app.db.errors import DatabaseTooNew, MigrationFailed


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = {str(row[0]) for row in rows}
    connection.close()
    return names


def test_history_and_head() -> None:
    revisions = [revision for revision, _ in migrate.history()]
    assert revisions[0] == "0001"
    assert revisions[-1] == migrate.head_revision()
    assert all(doc for _, doc in migrate.history())


def test_a_new_database_is_migrated_to_head_with_every_table(db_url: str) -> None:
    db = open_database(db_url, migrate=False)
    try:
        assert migrate.current_revision(db) is None
        assert migrate.upgrade(db) is None  # nothing worth backing up in an empty database
        assert migrate.current_revision(db) == migrate.head_revision()
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert migrate.upgrade(db) is None  # already at head: nothing to do
    finally:
        db.dispose()


def test_upgrade_accepts_a_url(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    db = open_database(sqlite_url, migrate=False)
    try:
        assert migrate.current_revision(db) == migrate.head_revision()
    finally:
        db.dispose()


def test_a_database_from_a_newer_copydesk_is_refused(db: Database) -> None:
    head = migrate.head_revision()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    try:
        with pytest.raises(DatabaseTooNew) as caught:
            open_database(db.url)
    finally:
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
    message = str(caught.value)
    assert "created by a newer version of Copydesk" in message
    assert "9999_future" in message
    assert caught.value.head == head


def test_the_backup_includes_changes_still_in_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode = WAL")
    # Keep the change in the WAL: no checkpoint while this connection stays open.
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE notes (body TEXT)")
    writer.execute("INSERT INTO notes VALUES ('only in the wal')")
    writer.commit()
    try:
        assert (tmp_path / "live.db-wal").stat().st_size > 0
        backup = migrate.backup_sqlite(path, "0001")
    finally:
        writer.close()
    assert backup.name.startswith("live.db.bak-0001-")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT body FROM notes").fetchall() == [("only in the wal",)]
    copy.close()


def test_an_existing_file_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "copydesk.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")
    connection.close()
    backup = migrate.upgrade(f"sqlite:///{path}")
    assert backup is not None
    assert backup.parent == tmp_path
    assert backup.name.startswith("copydesk.db.bak-none-")
    assert _tables(backup) == {"notes"}
    assert "alembic_version" in _tables(path)


def test_a_failed_migration_keeps_the_backup_and_leaves_the_original_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "copydesk.db"
    with sqlite3.connect(path) as connection:
        # A table in the way of the schema makes the upgrade fail part-way through.
        connection.execute("CREATE TABLE users (nickname TEXT)")
        connection.execute("INSERT INTO users VALUES ('ada')")
    connection.close()

    with pytest.raises(MigrationFailed) as caught:
        open_database(f"sqlite:///{path}")

    backup = caught.value.backup
    assert backup is not None and backup.exists()
    assert str(backup) in str(caught.value)
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT nickname FROM users").fetchall() == [("ada",)]
    copy.close()
    # The upgrade ran in one transaction: none of the tables it made before failing remain.
    assert _tables(path) == {"users"}
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT nickname FROM users").fetchall() == [("ada",)]
    connection.close()


def test_backup_is_removed_after_success_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "copydesk.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    assert migrate.upgrade(f"sqlite:///{path}", keep_backup=False) is None
    assert [p.name for p in tmp_path.iterdir() if ".bak-" in p.name] == []


def test_two_instances_starting_together_both_get_a_migrated_database(db_url: str) -> None:
    start = threading.Barrier(2)
    revisions: list[str | None] = []
    errors: list[BaseException] = []

    def start_copydesk() -> None:
        start.wait()
        try:
            db = open_database(db_url)
            try:
                revisions.append(migrate.current_revision(db))
            finally:
                db.dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start_copydesk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert revisions == [migrate.head_revision()] * 2
