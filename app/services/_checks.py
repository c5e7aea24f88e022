"""Input checks shared by the services; each failure raises ``InvalidInput`` naming the field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from app.services.errors import InvalidInput


def required_text(field: str, value: str | None, *, max_length: int | None = None) -> str:
    """A stripped, non-empty string no longer than ``max_length``."""
    if value is None or not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must not be empty")
    return optional_text(field, value, max_length=max_length) or ""


def optional_text(field: str, value: str | None, *, max_length: int | None = None) -> str | None:
    """A stripped string, or None when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text, not {type(value).__name__}")
    value = value.strip()
    if not value:
        return None
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {max_length}")
    return value


def one_of(field: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidInput(f"{field} {value!r} is not one of: {', '.join(allowed)}")
    return value


def int_in_range(field: str, value: object, low: int, high: int) -> int:
    # bool is an int subclass, but True is never a meant score.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"{field} must be a whole number from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be from {low} to {high}, got {value}")
    return value


def aware(field: str, value: dt.datetime) -> dt.datetime:
    """A timezone-aware datetime: a naive one means different instants on different machines."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} must carry a time zone (e.g. UTC), got {value.isoformat()}")
    return value


def string_list(
    field: str, values: Iterable[str], *, allowed: Sequence[str] | None = None
) -> list[str]:
    """Stripped, non-empty, de-duplicated strings in their given order."""
    if isinstance(values, str):
        raise InvalidInput(f"{field} must be a list of text values, not a single string")
    result: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"{field} contains an empty or non-text value: {value!r}")
        item = value.strip()
        if allowed is not None:
            one_of(f"{field} entry", item, allowed)
        if item not in result:
            result.append(item)
    return result


def json_schema(field: str, schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """A valid JSON Schema (draft 2020-12) describing an object, or None."""
    if schema is None:
        return None
    if not isinstance(schema, dict):
        raise InvalidInput(f"{field} must be a JSON Schema object, not {type(schema).__name__}")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise InvalidInput(f"{field} is not a valid JSON Schema: {error.message}") from error
    return schema


def parse_uuid(value: str) -> uuid.UUID | None:
    """The UUID spelled by ``value``, or None if it is not one."""
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = 100) -> str:
    """A lowercase ASCII slug: 'Café Élan — Summer' -> 'cafe-elan-summer'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def slug_for(what: str, name: str, explicit: str | None) -> str:
    """The slug for a new ``what``: ``explicit`` if given, else made from ``name``."""
    candidate = slugify(explicit if explicit is not None else name)
    if not candidate:
        raise InvalidInput(
            f"cannot make a {what} slug from {name!r}: it has no letters or digits; "
            "give a slug explicitly"
        )
    return candidate


def http_url(field: str, value: str | None) -> str | None:
    """An http(s) URL; a bare host like 'shop.example.com' gets 'https://' in front."""
    text = optional_text(field, value)
    if text is None:
        return None
    if "://" not in text:
        if _OTHER_SCHEME.match(text):
            raise InvalidInput(f"{field} must be an http or https address, got {value!r}")
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(f"{field} must be an http or https address, got {value!r}")
    if not parts.hostname or any(ch.isspace() for ch in text):
        raise InvalidInput(f"{field} {value!r} is not a valid web address")
    if parts.username or parts.password:
        # Credentials in a stored URL would end up in prompts and logs.
        raise InvalidInput(f"{field} must not contain a user name or password")
    return text


# "mailto:x" or "javascript:x", but not "localhost:8080".
_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
