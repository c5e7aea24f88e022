"""Turn raw driver failures into typed errors that say what is wrong and what to do."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from app.db.errors import (
    DatabaseError,
    DatabaseLocked,
    DatabaseReadOnly,
    DatabaseUnreachable,
    NotADatabase,
)
from app.db.urls import is_sqlite, sqlite_file

_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def translate(exc: BaseException, url: URL, *, busy_timeout_ms: int) -> DatabaseError | None:
    """The typed error for ``exc``, or None when it is not a known database failure."""
    if isinstance(exc, DatabaseError):
        return exc
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if is_sqlite(url) and isinstance(original, sqlite3.Error):
        return _sqlite_error(original, url, busy_timeout_ms)
    if isinstance(original, psycopg.Error):
        return _postgres_error(original, url)
    return None


def _sqlite_error(exc: sqlite3.Error, url: URL, busy_timeout_ms: int) -> DatabaseError | None:
    reason = str(exc).lower()
    path = sqlite_file(url)
    where = str(path) if path else "the in-memory database"
    if "locked" in reason:
        return DatabaseLocked(
            f"The database file {where} is locked by another program and stayed locked for "
            f"{busy_timeout_ms / 1000:g} s. Close other Copydesk windows or programs using "
            "it, then try again."
        )
    if "not a database" in reason:
        return not_a_database(where)
    if ("readonly" in reason or "read-only" in reason) and url.query.get("mode") == "ro":
        return DatabaseReadOnly(
            f"The database file {where} was opened read-only (mode=ro in the URL), but "
            "Copydesk needs to write to it. Remove mode=ro from the URL."
        )
    if "readonly" in reason or "read-only" in reason:
        return DatabaseReadOnly(
            f"The database file {where} is read-only. Make the file and its folder writable "
            "by you, or choose a database in a writable folder."
        )
    if "unable to open" in reason and path is not None:
        return _cannot_open(path, str(exc))
    if "disk i/o" in reason or "disk is full" in reason:
        return DatabaseUnreachable(
            f"Cannot read or write the database file {where}: {exc}. Check the disk and try again."
        )
    return None


def not_a_database(where: str) -> NotADatabase:
    return NotADatabase(
        f"{where} is not an SQLite database (it holds some other kind of data). Choose another "
        "file, or move this one away so Copydesk can create a new database there."
    )


def _cannot_open(path: Path, detail: str) -> DatabaseError:
    folder = path.parent
    if path.is_dir():
        return NotADatabase(f"{path} is a folder, not a database file. Choose a file path.")
    if not folder.is_dir():
        return DatabaseUnreachable(
            f"Cannot open the database file {path}: the folder {folder} does not exist."
        )
    problem = write_problem(folder)
    if problem is not None:
        return DatabaseReadOnly(
            f"The folder {folder} cannot be written ({problem}), so the database {path.name} "
            "cannot be created or updated there. Make the folder writable, or choose a "
            "database in a writable folder."
        )
    return DatabaseUnreachable(f"Cannot open the database file {path}: {detail}.")


def write_problem(folder: Path) -> str | None:
    """Why nothing can be created in ``folder``, found by trying (access() is wrong for root)."""
    probe = folder / f".copydesk-write-test-{uuid.uuid4().hex}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        if exc.errno in _READ_ONLY_ERRNOS:
            return exc.strerror or "not writable"
        return None
    os.close(fd)
    with contextlib.suppress(OSError):
        probe.unlink()
    return None


def _postgres_error(exc: psycopg.Error, url: URL) -> DatabaseError | None:
    host = url.host or "localhost"
    port = url.port or 5432
    server = f"the PostgreSQL server at {host}:{port}"
    server_ = server[0].upper() + server[1:]  # at the start of a sentence
    user = url.username or "(default user)"
    shown = url.render_as_string(hide_password=True)
    # Failures while connecting come from libpq without an SQLSTATE: read the text.
    state = getattr(exc, "sqlstate", None)
    detail = _server_message(exc, url)
    lowered = detail.lower()
    if state == "3D000" or ('database "' in lowered and "does not exist" in lowered):
        return DatabaseUnreachable(
            f'The database "{url.database}" does not exist on {server}. Create it '
            f"(e.g. `createdb {url.database}`) or correct the name in {shown}."
        )
    if state == "28P01" or "password authentication failed" in lowered:
        return DatabaseUnreachable(
            f'{server_} rejected the password for user "{user}". Check the user and '
            f"password in {shown}."
        )
    if state == "28000" or lowered.startswith('role "') or "pg_hba.conf" in lowered:
        return DatabaseUnreachable(
            f'{server_} refused user "{user}" ({detail}). Check the user name in {shown} '
            "or the server's pg_hba.conf."
        )
    if state == "25006":
        return DatabaseReadOnly(
            f"{server_} accepts only reads (is it a standby?). Point Copydesk at the primary."
        )
    if not isinstance(exc, psycopg.OperationalError):
        return None
    if "connection refused" in lowered:
        return DatabaseUnreachable(
            f"Nothing is listening at {host}:{port} (connection refused). Check that "
            f"PostgreSQL is running and that the host and port in {shown} are right."
        )
    if "resolve host" in lowered or "translate host name" in lowered or "not known" in lowered:
        return DatabaseUnreachable(
            f'The host name "{host}" could not be resolved. Check the host in {shown}.'
        )
    if "timeout" in lowered or "timed out" in lowered:
        return DatabaseUnreachable(
            f"Timed out connecting to {server}. Check the host, the port and any firewall."
        )
    if "authentication" in lowered or "password" in lowered:
        return DatabaseUnreachable(
            f'{server_} did not accept user "{user}": {detail}. Check the credentials in {shown}.'
        )
    return DatabaseUnreachable(f"Cannot use {server}: {detail}.")


def _server_message(exc: BaseException, url: URL) -> str:
    """The useful part of a driver message: its first line, without libpq's preamble."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    for marker in ("FATAL:", "ERROR:"):
        if marker in line:
            line = line.split(marker, 1)[1]
    line = line.strip().rstrip(".")
    # Servers do not echo passwords, but be certain none reaches a message.
    if url.password:
        line = line.replace(str(url.password), "***")
    return line
