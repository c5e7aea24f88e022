"""Column and constraint builders shared by the model modules."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import CheckConstraint, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.types import GUID, UTCDateTime, utcnow


def uuid_pk() -> Mapped[uuid.UUID]:
    """A UUID primary key generated in Python, so new objects know their id before a flush."""
    return mapped_column(GUID, primary_key=True, default=uuid.uuid4)


def created_at(*, index: bool = False) -> Mapped[dt.datetime]:
    return mapped_column(
        UTCDateTime, nullable=False, default=utcnow, server_default=func.now(), index=index
    )


def updated_at(*, index: bool = False) -> Mapped[dt.datetime]:
    return mapped_column(
        UTCDateTime,
        nullable=False,
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
        index=index,
    )


def counter(default: int = 0) -> Mapped[int]:
    """A non-null integer with a default, also applied by the database for raw inserts."""
    return mapped_column(nullable=False, default=default, server_default=text(str(default)))


def flag() -> Mapped[bool]:
    """A non-null boolean that defaults to false."""
    return mapped_column(nullable=False, default=False, server_default=false())


def one_of(column: str, allowed: Iterable[str], name: str | None = None) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``allowed`` (NULL passes, as in any SQL CHECK)."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in allowed)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or column)


def at_least(column: str, minimum: int, name: str | None = None) -> CheckConstraint:
    return CheckConstraint(f"{column} >= {minimum}", name=name or f"{column}_min")


def between(column: str, low: Any, high: Any, name: str | None = None) -> CheckConstraint:
    return CheckConstraint(
        f"{column} >= {low} AND {column} <= {high}", name=name or f"{column}_range"
    )
