"""Typed failures of a model call, each with a message a person can act on.

Every error carries the HTTP status (when there was one), whether retrying could help, the
text streamed before the failure (so a partial answer is never lost) and the client's
request id. Messages never contain the API key: the client redacts server text before it
reaches an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TypedDict, Unpack


class ErrorDetails(TypedDict, total=False):
    """The details every LLMError accepts besides its message."""

    status: int | None
    retryable: bool | None
    partial_text: str
    request_id: str | None


class LLMError(Exception):
    """Base class of every failure raised by app.llm."""

    #: The value stored in llm_calls.error_type.
    kind = "llm_error"
    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool | None = None,
        partial_text: str = "",
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = self.default_retryable if retryable is None else retryable
        self.partial_text = partial_text
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message


class BadKey(LLMError):
    """401: the key is missing, revoked or mistyped."""

    kind = "bad_key"


class OutOfCredits(LLMError):
    """402: the account is out of credits or the key is over its limit."""

    kind = "out_of_credits"

    def __init__(
        self,
        message: str,
        *,
        limit: Decimal | None = None,
        limit_source: str | None = None,
        **common: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(message, **common)
        self.limit = limit
        self.limit_source = limit_source


class ModelNotFound(LLMError):
    """400 "not a valid model ID", or 404 when no provider serves the model/parameters."""

    kind = "model_not_found"

    def __init__(
        self, message: str, *, model: str | None = None, **common: Unpack[ErrorDetails]
    ) -> None:
        super().__init__(message, **common)
        self.model = model


class Moderation(LLMError):
    """403: the input was flagged by the provider's moderation (or access is refused)."""

    kind = "moderation"

    def __init__(
        self,
        message: str,
        *,
        reasons: Sequence[str] = (),
        flagged_input: str | None = None,
        **common: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(message, **common)
        self.reasons = tuple(reasons)
        self.flagged_input = flagged_input


class RateLimited(LLMError):
    """429: too many requests; ``retry_at`` says when trying again should work, if known."""

    kind = "rate_limited"
    default_retryable = True

    def __init__(
        self, message: str, *, retry_at: dt.datetime | None = None, **common: Unpack[ErrorDetails]
    ) -> None:
        super().__init__(message, **common)
        self.retry_at = retry_at


class ProviderDown(LLMError):
    """5xx, 408 or 409 that persisted through the retries: the model or its provider is down."""

    kind = "provider_down"
    default_retryable = True


class ProviderError(LLMError):
    """The provider failed after the response began (mid-stream error, finish_reason "error")."""

    kind = "provider_error"

    def __init__(
        self, message: str, *, code: int | str | None = None, **common: Unpack[ErrorDetails]
    ) -> None:
        super().__init__(message, **common)
        self.code = code


class StructuredOutputInvalid(LLMError):
    """The model's JSON did not match the schema, even after one repair attempt."""

    kind = "structured_output_invalid"

    def __init__(
        self,
        message: str,
        *,
        raw_text: str = "",
        validation_error: str | None = None,
        **common: Unpack[ErrorDetails],
    ) -> None:
        super().__init__(message, **common)
        self.raw_text = raw_text
        self.validation_error = validation_error


class NetworkError(LLMError):
    """The server could not be reached, or the connection broke."""

    kind = "network_error"
    default_retryable = True


class StreamStalled(LLMError):
    """The server went silent for longer than the read timeout."""

    kind = "stream_stalled"
    default_retryable = True


class Cancelled(LLMError):
    """The caller cancelled the call; ``partial_text`` holds what arrived before."""

    kind = "cancelled"


class BadRequest(LLMError):
    """The server refused the request as malformed (400 and other 4xx)."""

    kind = "bad_request"


class InvalidResponse(LLMError):
    """The server answered with something that is not the OpenAI/OpenRouter protocol."""

    kind = "invalid_response"


__all__ = [
    "BadKey",
    "BadRequest",
    "Cancelled",
    "InvalidResponse",
    "LLMError",
    "ModelNotFound",
    "Moderation",
    "NetworkError",
    "OutOfCredits",
    "ProviderDown",
    "ProviderError",
    "RateLimited",
    "StreamStalled",
    "StructuredOutputInvalid",
]
