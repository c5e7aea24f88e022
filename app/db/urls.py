"""Parsing and normalising the database URLs Copydesk accepts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.db.errors import UnsupportedDatabaseUrl, masked

_EXAMPLES = "Use sqlite:///path/to/copydesk.db or postgresql://user@host:5432/dbname."
_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
# psycopg (version 3) is the PostgreSQL driver Copydesk ships with.
_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}


def normalise_url(url: str) -> URL:
    """Parse ``url`` and pin the driver Copydesk uses, or raise UnsupportedDatabaseUrl."""
    text = url.strip()
    if not text:
        raise UnsupportedDatabaseUrl(f"No database URL was given. {_EXAMPLES}")
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise UnsupportedDatabaseUrl(f"{masked(text)} is not a database URL. {_EXAMPLES}") from None
    driver = parsed.drivername
    if driver in _SQLITE_DRIVERS:
        return parsed.set(drivername="sqlite")
    if driver in _POSTGRES_DRIVERS:
        if not parsed.database:
            raise UnsupportedDatabaseUrl(
                f"{masked(text)} names no database: add it after the host, "
                "e.g. postgresql://user@host:5432/copydesk."
            )
        return parsed.set(drivername="postgresql+psycopg")
    if driver.startswith(("postgresql+", "postgres+")):
        raise UnsupportedDatabaseUrl(
            f"The PostgreSQL driver {driver.split('+', 1)[1]!r} in {masked(text)} is not "
            "available; Copydesk uses psycopg: write postgresql:// or postgresql+psycopg://."
        )
    raise UnsupportedDatabaseUrl(
        f"Copydesk works with SQLite and PostgreSQL only, not {driver!r} ({masked(text)}). "
        + _EXAMPLES
    )


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The file behind an SQLite URL; None for an in-memory database or another backend."""
    if not is_sqlite(url):
        return None
    database = url.database or ""
    if database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        # URI filename (sqlite:///file:path?mode=ro&uri=true): drop the scheme and options.
        database = database[len("file:") :].split("?", 1)[0]
        if database in ("", ":memory:") or url.query.get("mode") == "memory":
            return None
    return Path(database)
