"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Numeric, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

# Native UUID on PostgreSQL, CHAR(32) on SQLite.
GUID = Uuid(as_uuid=True)

# None is stored as SQL NULL (not JSON null), so IS NULL queries find it.
JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

# Amounts of money in USD (costs); six decimals cover sub-cent per-call costs.
Money = Numeric(14, 6, asdecimal=True)

# Per-token prices are tiny (e.g. 0.000003 USD), so they need more scale than Money.
Price = Numeric(20, 12, asdecimal=True)


def utcnow() -> dt.datetime:
    """The current time as a timezone-aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no time zones, so values are normalised to UTC on the way in and tagged UTC on
    the way out. Naive datetimes are refused: their meaning depends on the machine.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[dt.datetime]:
        return dt.datetime

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} refused: give it a time zone (e.g. UTC)"
            )
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            # Store a naive UTC value so text ordering and comparisons stay consistent.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
