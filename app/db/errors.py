"""Typed database failures, each with a message a person can act on.

Messages name the database by its masked URL: a password never appears in them.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def masked(url: str) -> str:
    """``url`` fit for messages and logs: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


class DatabaseError(Exception):
    """Base of every expected database failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedDatabaseUrl(DatabaseError):
    """The URL is malformed or names a database Copydesk does not support."""


class DatabaseUnreachable(DatabaseError):
    """The server or file could not be reached: wrong host, port, name or credentials."""


class DatabaseTooNew(DatabaseError):
    """The database was migrated by a newer Copydesk than this one."""

    def __init__(self, url: str, revision: str, head: str) -> None:
        super().__init__(
            f"The database {masked(url)} was created by a newer version of Copydesk "
            f"(schema revision {revision!r}; this version knows up to {head!r}). "
            "Update Copydesk, or point it at another database."
        )
        self.revision = revision
        self.head = head


class DatabaseReadOnly(DatabaseError):
    """The SQLite file or its folder cannot be written."""


class DatabaseLocked(DatabaseError):
    """Another process held the SQLite file locked for longer than the busy timeout."""


class NotADatabase(DatabaseError):
    """The file exists but is not an SQLite database."""


class MigrationFailed(DatabaseError):
    """A schema upgrade failed; ``backup`` is the copy taken beforehand, if any."""

    def __init__(self, url: str, reason: str, backup: Path | None) -> None:
        kept = (
            f" The database was copied to {backup} before the upgrade; that copy is intact."
            if backup
            else ""
        )
        super().__init__(f"Upgrading the database {masked(url)} failed: {reason}.{kept}")
        self.backup = backup
