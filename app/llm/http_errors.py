"""Turning OpenRouter's error answers into typed errors with messages a person can act on."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.llm.errors import (
    BadKey,
    BadRequest,
    LLMError,
    ModelNotFound,
    Moderation,
    OutOfCredits,
    ProviderDown,
    ProviderError,
    RateLimited,
)
from app.llm.results import to_decimal
from app.llm.retry import RetryPolicy, header

CREDITS_URL = "https://openrouter.ai/settings/credits"
MAX_SERVER_TEXT = 500


@dataclass(frozen=True)
class ServerError:
    """The useful parts of ``{"error": {"code", "message", "metadata"}}``."""

    message: str
    code: int | str | None
    metadata: Mapping[str, Any]


class Redactor:
    """Removes a secret from any text that may end up in a message, a log or the database."""

    def __init__(self, secret: str | None) -> None:
        self._secret = secret if secret and len(secret) >= 4 else None

    def __call__(self, text: str) -> str:
        if self._secret is None or self._secret not in text:
            return text
        return text.replace(self._secret, "[redacted]")


def parse_error_body(body: bytes | str) -> ServerError:
    """The error object of a response body; falls back to the raw text for non-JSON bodies."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return ServerError(_shorten(text.strip()) or "no details given", None, {})
    return parse_error_object(data.get("error", data) if isinstance(data, dict) else data)


def parse_error_object(error: object) -> ServerError:
    """An ``error`` object as found in bodies and in mid-stream chunks."""
    if isinstance(error, str):
        return ServerError(_shorten(error), None, {})
    if not isinstance(error, Mapping):
        return ServerError("no details given", None, {})
    message = error.get("message")
    code = error.get("code")
    metadata = error.get("metadata")
    return ServerError(
        message=_shorten(str(message)) if message else "no details given",
        code=code if isinstance(code, int | str) and not isinstance(code, bool) else None,
        metadata=metadata if isinstance(metadata, Mapping) else {},
    )


def error_for_status(
    status: int,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    model: str | None,
    host: str,
    policy: RetryPolicy,
    redact: Redactor,
    now: dt.datetime | None = None,
) -> LLMError:
    """The typed error for an HTTP error response (``model`` None: not a chat request)."""
    server = parse_error_body(body)
    said = redact(server.message)
    retryable = policy.should_retry_status(status, headers, server.metadata)
    common: dict[str, Any] = {"status": status, "retryable": retryable}
    if status == 401:
        return BadKey(
            f"{host} did not accept the API key ({said}). Save a valid OpenRouter key "
            "(the key dialog, or `copydesk key set`) or set OPENROUTER_API_KEY.",
            **common,
        )
    if status == 402:
        source = server.metadata.get("limit_source")
        limit = to_decimal(server.metadata.get("limit"))
        if source == "openrouter_in_flight_budget":
            advice = "Wait for running requests to finish, or add credits at " + CREDITS_URL
        else:
            advice = f"Add credits at {CREDITS_URL} or raise the key's limit."
        return OutOfCredits(
            f"Not enough credits for this request ({said}). {advice}",
            limit=limit,
            limit_source=str(source) if source else None,
            **common,
        )
    if status == 403:
        reasons = server.metadata.get("reasons")
        reason_list = [str(r) for r in reasons] if isinstance(reasons, list) else []
        flagged = server.metadata.get("flagged_input")
        why = f" for {', '.join(reason_list)}" if reason_list else ""
        return Moderation(
            f"The request was refused{why} ({said}). Rephrase the flagged text or choose "
            "another model.",
            reasons=reason_list,
            flagged_input=redact(str(flagged)) if flagged is not None else None,
            **common,
        )
    model_error = status == 404 or (status == 400 and "not a valid model" in server.message.lower())
    if model is not None and model_error:
        return ModelNotFound(
            f"The model {model!r} is not available on {host} ({said}). Choose another model "
            "(`copydesk models --search TEXT` lists them) or drop parameters it does not support.",
            model=model,
            **common,
        )
    if status == 429:
        retry_at = _retry_at(headers, policy, now)
        when = f"after {retry_at:%H:%M:%S} UTC" if retry_at else "in a minute"
        return RateLimited(
            f"{host} is rate-limiting requests ({said}). Try again {when}; `:free` models "
            "allow 20 requests a minute.",
            retry_at=retry_at,
            **common,
        )
    if status in (408, 409) or status >= 500:
        return ProviderDown(
            f"{host} could not get an answer{f' from {model!r}' if model else ''} "
            f"(HTTP {status}: {said}). "
            "Try again later or choose another model.",
            **common,
        )
    return BadRequest(f"{host} refused the request (HTTP {status}: {said}).", **common)


def error_in_stream(
    error: object, *, model: str, host: str, partial_text: str, redact: Redactor
) -> ProviderError:
    """A provider failure reported inside a 200 response (mid-stream, or finish_reason error).

    Retrying helps only when nothing reached the caller yet and the failure looks transient.
    """
    server = parse_error_object(error)
    code = server.code
    transient = not isinstance(code, int) or code in (408, 409, 429) or code >= 500
    got = f" after {len(partial_text)} characters" if partial_text else ""
    return ProviderError(
        f"The provider serving {model!r} failed{got} ({redact(server.message)}"
        f"{f', code {code}' if code is not None else ''}). The partial answer is kept; "
        "try again or choose another model.",
        code=code,
        retryable=transient and not partial_text,
        partial_text=partial_text,
    )


def _retry_at(
    headers: Mapping[str, str], policy: RetryPolicy, now: dt.datetime | None
) -> dt.datetime | None:
    now = now or dt.datetime.now(dt.UTC)
    delay = policy.server_delay(headers, now)
    if delay is not None:
        return now + dt.timedelta(seconds=delay)
    # OpenRouter's X-RateLimit-Reset is a Unix time in milliseconds.
    reset = header(headers, "x-ratelimit-reset")
    if reset is not None:
        try:
            return dt.datetime.fromtimestamp(float(reset) / 1000.0, dt.UTC)
        except (ValueError, OverflowError, OSError):
            return None
    return None


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_SERVER_TEXT else text[: MAX_SERVER_TEXT - 1] + "…"
