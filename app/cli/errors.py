"""Exit codes a script can act on, and the one-line message shown for each expected failure."""

from __future__ import annotations

from app.keystore import InvalidKey, KeyringUnavailable

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BAD_KEY = 3
EXIT_NO_CREDITS = 4
EXIT_RATE_LIMITED = 5
EXIT_MODEL_NOT_FOUND = 6
EXIT_MODERATION = 7
EXIT_PROVIDER = 8
EXIT_INVALID_OUTPUT = 9
EXIT_DATABASE = 10
EXIT_SOURCE = 11
EXIT_INPUT = 12
EXIT_CANCELLED = 130

# LLM errors by class name, so this module stays importable while app.llm evolves.
_LLM_CODES = {
    "BadKey": EXIT_BAD_KEY,
    "OutOfCredits": EXIT_NO_CREDITS,
    "RateLimited": EXIT_RATE_LIMITED,
    "ModelNotFound": EXIT_MODEL_NOT_FOUND,
    "Moderation": EXIT_MODERATION,
    "StructuredOutputInvalid": EXIT_INVALID_OUTPUT,
    "Cancelled": EXIT_CANCELLED,
}

# Error families by the package that raises them.
_FAMILY_CODES = (
    ("app.llm.", EXIT_PROVIDER),
    ("app.db.", EXIT_DATABASE),
    ("app.sources.", EXIT_SOURCE),
    ("app.services.", EXIT_INPUT),
    ("app.agents.", EXIT_PROVIDER),
)


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code for an expected failure, or None for a bug that should surface."""
    if isinstance(exc, KeyringUnavailable | InvalidKey):
        return EXIT_BAD_KEY
    for cls in type(exc).__mro__:
        if cls.__module__.startswith("app.llm.") and cls.__name__ in _LLM_CODES:
            return _LLM_CODES[cls.__name__]
    for cls in type(exc).__mro__:
        for prefix, code in _FAMILY_CODES:
            if cls.__module__.startswith(prefix) and cls.__module__.endswith("errors"):
                return code
    return None


def message_for(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc) or type(exc).__name__
