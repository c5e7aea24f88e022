"""Each way a database can be unusable gives its own error, with a message to act on."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.db.engine import Database, check_reachable, create_engine_for, open_database
from app.db.errors import (
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseUnreachable,
    NotADatabase,
)
from app.db.models import Client
from tests.fixtures.databases import PostgresServer

SHORT_WAIT_MS = 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_nothing_listening_on_the_postgres_port() -> None:
    port = _free_port()
    with pytest.raises(DatabaseUnreachable) as caught:
        open_database(f"postgresql://copy:s3cret@127.0.0.1:{port}/copydesk")
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "connection refused" in message
    assert "s3cret" not in message


@pytest.mark.postgres
def test_postgres_database_that_does_not_exist(postgres_server: PostgresServer) -> None:
    url = postgres_server.url_for("copydesk_no_such_database")
    with pytest.raises(DatabaseUnreachable) as caught:
        open_database(url)
    message = str(caught.value)
    assert '"copydesk_no_such_database" does not exist' in message
    assert "createdb copydesk_no_such_database" in message


@pytest.mark.postgres
def test_postgres_user_that_does_not_exist(postgres_server: PostgresServer) -> None:
    url = make_url(postgres_server.url_for("postgres")).set(
        username="copydesk_nobody", password="s3cret"
    )
    with pytest.raises(DatabaseUnreachable) as caught:
        open_database(url.render_as_string(hide_password=False))
    message = str(caught.value)
    assert '"copydesk_nobody"' in message
    assert "s3cret" not in message


def test_a_text_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list: milk, eggs\n")
    with pytest.raises(NotADatabase) as caught:
        open_database(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
    assert path.read_text() == "shopping list: milk, eggs\n"


def test_sqlite_itself_reporting_not_a_database_is_translated(tmp_path: Path) -> None:
    # Skip the header check open_database does, to exercise the driver-error path.
    path = tmp_path / "notes.db"
    path.write_bytes(b"\x00" * 4096 + b"not sqlite")
    url = f"sqlite:///{path}"
    db = Database(url, create_engine_for(url))
    try:
        with pytest.raises(NotADatabase):
            check_reachable(db)
    finally:
        db.dispose()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(NotADatabase, match="folder"):
        open_database(f"sqlite:///{tmp_path}")


def test_database_file_opened_read_only(tmp_path: Path) -> None:
    # Tests run as root, for whom file permissions mean nothing; SQLite's own read-only
    # mode is enforced by SQLite, whoever the user is.
    path = tmp_path / "copydesk.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    connection.close()
    with pytest.raises(DatabaseReadOnly) as caught:
        open_database(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert "mode=ro" in str(caught.value)


@pytest.fixture
def immutable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder flagged immutable: nothing can be created in it, not even by root.

    chmod would not stop root, so the ext4 immutable attribute stands in for a read-only
    folder or mount.
    """
    folder = tmp_path / "locked-down"
    folder.mkdir()
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    flagged = subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False)
    if flagged.returncode != 0:
        pytest.skip(f"cannot set the immutable flag here: {flagged.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_database_in_a_read_only_folder(immutable_folder: Path) -> None:
    path = immutable_folder / "copydesk.db"
    with pytest.raises(DatabaseReadOnly) as caught:
        open_database(f"sqlite:///{path}")
    message = str(caught.value)
    assert str(immutable_folder) in message
    assert "cannot be written" in message
    assert not path.exists()


def test_database_below_a_read_only_folder(immutable_folder: Path) -> None:
    with pytest.raises(DatabaseReadOnly, match="Cannot create the folder"):
        open_database(f"sqlite:///{immutable_folder / 'sub' / 'copydesk.db'}")


def test_file_locked_by_another_connection_while_opening(tmp_path: Path) -> None:
    path = tmp_path / "copydesk.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE notes (body TEXT)")
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseLocked) as caught:
            open_database(f"sqlite:///{path}", busy_timeout_ms=SHORT_WAIT_MS)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # It waited out the busy timeout before giving up.
    assert time.monotonic() - started >= SHORT_WAIT_MS / 1000
    assert "locked by another program" in str(caught.value)
    assert "0.2 s" in str(caught.value)


def test_write_blocked_by_another_connection_during_a_session(sqlite_url: str) -> None:
    db = open_database(sqlite_url, busy_timeout_ms=SHORT_WAIT_MS)
    path = make_url(sqlite_url).database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked), db.session() as session:
            session.add(Client(name="Acme", slug="acme"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once the other program lets go, the same database works again.
    with db.session() as session:
        session.add(Client(name="Acme", slug="acme"))
    db.dispose()
