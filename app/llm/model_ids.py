"""Model ids in the form the OpenRouter API wants: ``org/model[:variant]``.

Seed 000 stores framework routing names such as
``openrouter/anthropic/claude-sonnet-4-5-20250929``; the API itself wants
``anthropic/claude-sonnet-4.5``. OpenRouter's own ids (``openrouter/auto``) have no second
slash and are kept as they are.
"""

from __future__ import annotations

import re

# Anthropic's dated API names whose OpenRouter slug does not follow the general rule.
_KNOWN_ALIASES: dict[str, str] = {
    "anthropic/claude-3-opus-20240229": "anthropic/claude-3-opus",
    "anthropic/claude-3-sonnet-20240229": "anthropic/claude-3-sonnet",
    "anthropic/claude-3-haiku-20240307": "anthropic/claude-3-haiku",
    "anthropic/claude-3-5-sonnet-20240620": "anthropic/claude-3.5-sonnet-20240620",
    "anthropic/claude-3-5-sonnet-20241022": "anthropic/claude-3.5-sonnet",
    "anthropic/claude-3-5-haiku-20241022": "anthropic/claude-3.5-haiku",
    "anthropic/claude-3-7-sonnet-20250219": "anthropic/claude-3.7-sonnet",
    "anthropic/claude-sonnet-4-20250514": "anthropic/claude-sonnet-4",
    "anthropic/claude-opus-4-20250514": "anthropic/claude-opus-4",
    "anthropic/claude-opus-4-1-20250805": "anthropic/claude-opus-4.1",
    "anthropic/claude-sonnet-4-5-20250929": "anthropic/claude-sonnet-4.5",
    "anthropic/claude-haiku-4-5-20251001": "anthropic/claude-haiku-4.5",
}

# claude-<family>-<major>[-<minor>]-<YYYYMMDD>  (claude-sonnet-4-5-20250929)
_FAMILY_FIRST = re.compile(r"^claude-(?P<family>[a-z]+)-(?P<major>\d+)(?:-(?P<minor>\d))?-\d{8}$")
# claude-<major>[-<minor>]-<family>-<YYYYMMDD>  (claude-3-5-haiku-20241022)
_VERSION_FIRST = re.compile(r"^claude-(?P<major>\d+)(?:-(?P<minor>\d))?-(?P<family>[a-z]+)-\d{8}$")


class InvalidModelId(ValueError):
    """The text cannot be a model id."""


def normalise_model_id(model_id: str) -> str:
    """The OpenRouter API form of ``model_id`` (see the module docstring).

    >>> normalise_model_id("openrouter/anthropic/claude-sonnet-4-5-20250929")
    'anthropic/claude-sonnet-4.5'
    >>> normalise_model_id("openrouter/auto")
    'openrouter/auto'
    """
    text = model_id.strip()
    if not text or any(ch.isspace() for ch in text):
        raise InvalidModelId(
            f"{model_id!r} is not a model id: use the form org/model, "
            "e.g. anthropic/claude-sonnet-4.5"
        )
    if text.startswith("openrouter/") and text.count("/") >= 2:
        text = text.removeprefix("openrouter/")
    base, colon, variant = text.partition(":")
    if base.startswith("claude-"):
        base = f"anthropic/{base}"
    return _undate_claude(base) + colon + variant


def _undate_claude(model_id: str) -> str:
    known = _KNOWN_ALIASES.get(model_id)
    if known is not None:
        return known
    org, slash, name = model_id.partition("/")
    if org != "anthropic" or not slash:
        return model_id
    for pattern in (_FAMILY_FIRST, _VERSION_FIRST):
        match = pattern.match(name)
        if match is None:
            continue
        version = match["major"] + (f".{match['minor']}" if match["minor"] else "")
        if pattern is _FAMILY_FIRST:
            return f"anthropic/claude-{match['family']}-{version}"
        return f"anthropic/claude-{version}-{match['family']}"
    return model_id


def normalise_model_ids(model_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Normalise a fallback list, dropping duplicates while keeping the order."""
    seen: dict[str, None] = {}
    for model_id in model_ids:
        seen.setdefault(normalise_model_id(model_id), None)
    return list(seen)
