"""What the fake OpenRouter does with one chat request: a Scenario and the builders for it.

A Scenario is plain data; the server (openrouter_server.py) renders it as a non-streaming JSON
body or as a server-sent-event stream, depending on the request's `stream` flag.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

ScenarioKind = Literal["reply", "error", "failed", "hang", "drop"]
UsageShape = Literal["empty_choices", "empty_delta", "none"]

DEFAULT_COST = Decimal("0.000123")
DEFAULT_PROVIDER = "FakeProvider"
DEFAULT_CHUNK_SIZE = 8


@dataclass(frozen=True)
class Scenario:
    """One scripted answer. Build it with the functions below rather than by hand.

    kind:
      reply   a completion (streamed as deltas, or one JSON body)
      error   an HTTP error status with OpenRouter's error body, before any event
      failed  HTTP 200, `text` delivered, then a provider error (mid-stream error chunk, or
              finish_reason "error" with choices[0].error when not streaming)
      hang    `text` delivered, then silence until the client disconnects or the server stops
      drop    `text` delivered (if any, as a stream), then the socket closes abruptly
    """

    kind: ScenarioKind
    text: str = ""
    model: str | None = None
    provider: str = DEFAULT_PROVIDER
    usage: Mapping[str, Any] | None = None
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cost: Decimal | float | None = DEFAULT_COST
    chunk_size: int = DEFAULT_CHUNK_SIZE
    keepalives: int = 1
    midstream_keepalive: bool = False
    usage_shape: UsageShape = "empty_choices"
    done: bool = True
    split_bytes: int | None = None
    delay: float = 0.0
    first_token_delay: float = 0.0
    finish_reason: str = "stop"
    generation_id: str | None = None
    reasoning: str | None = None
    # error / failed
    status: int = 200
    error_code: int | str = 502
    error_message: str = ""
    error_metadata: Mapping[str, Any] | None = None
    error_type: str = "provider_error"
    headers: Mapping[str, str] = field(default_factory=dict)
    empty_choices: bool = False
    # drop: whether a 200 and the `text` deltas go out before the socket closes
    respond_before_drop: bool = False

    def __post_init__(self) -> None:
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {self.chunk_size}")
        if self.split_bytes is not None and self.split_bytes < 1:
            raise ValueError(f"split_bytes must be at least 1 or None, got {self.split_bytes}")
        if self.keepalives < 0:
            raise ValueError(f"keepalives must not be negative, got {self.keepalives}")
        if self.usage_shape not in ("empty_choices", "empty_delta", "none"):
            raise ValueError(f"unknown usage_shape {self.usage_shape!r}")


def reply(
    text: str = "",
    *,
    model: str | None = None,
    provider: str = DEFAULT_PROVIDER,
    usage: Mapping[str, Any] | None = None,
    cached_tokens: int = 0,
    reasoning_tokens: int = 0,
    cost: Decimal | float | None = DEFAULT_COST,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    keepalives: int = 1,
    midstream_keepalive: bool = False,
    usage_shape: UsageShape = "empty_choices",
    done: bool = True,
    split_bytes: int | None = None,
    delay: float = 0.0,
    first_token_delay: float = 0.0,
    finish_reason: str = "stop",
    generation_id: str | None = None,
    json_content: Any = None,
    reasoning: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Scenario:
    """A successful completion.

    model None answers with the requested model (or the first served model). usage None
    computes one: prompt_tokens ≈ characters of the messages / 4, completion_tokens = number of
    content chunks (+ reasoning_tokens); a given usage mapping is sent verbatim. cost is added
    to the computed usage (never in local mode). usage_shape "none" sends no usage chunk.
    json_content, when given, replaces text with json.dumps(json_content).
    """
    if json_content is not None:
        text = json.dumps(json_content)
    return Scenario(
        kind="reply",
        text=text,
        model=model,
        provider=provider,
        usage=usage,
        cached_tokens=cached_tokens,
        reasoning_tokens=reasoning_tokens,
        cost=cost,
        chunk_size=chunk_size,
        keepalives=keepalives,
        midstream_keepalive=midstream_keepalive,
        usage_shape=usage_shape,
        done=done,
        split_bytes=split_bytes,
        delay=delay,
        first_token_delay=first_token_delay,
        finish_reason=finish_reason,
        generation_id=generation_id,
        reasoning=reasoning,
        headers=dict(headers or {}),
    )


def error(
    status: int,
    message: str,
    *,
    code: int | str | None = None,
    metadata: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    x_should_retry: bool | None = None,
) -> Scenario:
    """An HTTP error before any event (also for stream: true): {"error":{code,message,metadata}}."""
    all_headers = dict(headers or {})
    if x_should_retry is not None:
        all_headers["X-Should-Retry"] = "true" if x_should_retry else "false"
    return Scenario(
        kind="error",
        status=status,
        error_code=status if code is None else code,
        error_message=message,
        error_metadata=metadata,
        headers=all_headers,
    )


def bad_key(*, x_should_retry: bool | None = None) -> Scenario:
    return error(401, "User not found.", x_should_retry=x_should_retry)


def no_credits(limit_source: str | None = None, *, x_should_retry: bool | None = None) -> Scenario:
    metadata = None if limit_source is None else {"limit_source": limit_source}
    return error(
        402,
        "This request requires more credits, or fewer max_tokens. "
        "Add credits at https://openrouter.ai/settings/credits",
        metadata=metadata,
        x_should_retry=x_should_retry,
    )


def in_flight_budget(retry_after: float = 1, *, x_should_retry: bool | None = None) -> Scenario:
    return error(
        402,
        "Too many requests in flight for the remaining credit balance; retry shortly.",
        metadata={"limit_source": "openrouter_in_flight_budget"},
        headers={"Retry-After": _seconds_text(retry_after)},
        x_should_retry=x_should_retry,
    )


def moderation(
    reasons: Iterable[str] = ("harassment",),
    flagged_input: str = "…flagged text…",
    *,
    x_should_retry: bool | None = None,
) -> Scenario:
    return error(
        403,
        "Your chosen model requires moderation and your input was flagged",
        metadata={
            "reasons": list(reasons),
            "flagged_input": flagged_input,
            "provider_name": DEFAULT_PROVIDER,
            "model_slug": "openai/gpt-4o-mini",
        },
        x_should_retry=x_should_retry,
    )


def model_not_found(model: str, *, x_should_retry: bool | None = None) -> Scenario:
    return error(400, f"{model} is not a valid model ID", x_should_retry=x_should_retry)


def no_endpoints(
    message: str = "No endpoints found that support the requested parameters",
    *,
    x_should_retry: bool | None = None,
) -> Scenario:
    return error(404, message, x_should_retry=x_should_retry)


def rate_limited(
    retry_after: float | None = None,
    retry_after_ms: float | None = None,
    retry_after_date: datetime | str | None = None,
    *,
    limit: int = 20,
    reset_ms: int | None = None,
    x_should_retry: bool | None = None,
) -> Scenario:
    """429 with X-RateLimit-* headers, plus Retry-After (seconds or an HTTP date) and
    retry-after-ms when asked for."""
    reset = reset_ms if reset_ms is not None else int((time.time() + 60) * 1000)
    rate_headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(reset),
    }
    headers = dict(rate_headers)
    if retry_after is not None:
        headers["Retry-After"] = _seconds_text(retry_after)
    if retry_after_date is not None:
        headers["Retry-After"] = (
            retry_after_date
            if isinstance(retry_after_date, str)
            else email.utils.format_datetime(retry_after_date, usegmt=True)
        )
    if retry_after_ms is not None:
        headers["retry-after-ms"] = _seconds_text(retry_after_ms)
    return error(
        429,
        "Rate limit exceeded: free-models-per-min.",
        metadata={"headers": rate_headers, "provider_name": None},
        headers=headers,
        x_should_retry=x_should_retry,
    )


_PROVIDER_DOWN_MESSAGES = {
    500: "Internal Server Error",
    502: "Provider returned error",
    503: "No available model provider that meets your routing requirements",
    504: "Provider timed out",
}


def provider_down(status: int = 502, *, x_should_retry: bool | None = None) -> Scenario:
    return error(
        status,
        _PROVIDER_DOWN_MESSAGES.get(status, "Provider returned error"),
        metadata={"provider_name": DEFAULT_PROVIDER, "raw": "upstream connect error"},
        x_should_retry=x_should_retry,
    )


def midstream_error(
    text_before: str = "",
    *,
    code: int | str = 502,
    message: str = "Provider disconnected unexpectedly",
    error_type: str = "provider_error",
    with_done: bool = False,
    empty_choices: bool = False,
    model: str | None = None,
    provider: str = DEFAULT_PROVIDER,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    keepalives: int = 1,
    split_bytes: int | None = None,
    delay: float = 0.0,
    generation_id: str | None = None,
) -> Scenario:
    """HTTP 200, `text_before` as deltas, then a chunk with a top-level `error` and
    finish_reason "error" (or `choices: []`), then the end of the stream ([DONE] if with_done).
    Not streaming, the same scenario answers like finish_error()."""
    return Scenario(
        kind="failed",
        text=text_before,
        error_code=code,
        error_message=message,
        error_type=error_type,
        done=with_done,
        empty_choices=empty_choices,
        model=model,
        provider=provider,
        chunk_size=chunk_size,
        keepalives=keepalives,
        split_bytes=split_bytes,
        delay=delay,
        generation_id=generation_id,
        finish_reason="error",
    )


def finish_error(
    message: str = "Provider disconnected unexpectedly",
    *,
    text_before: str = "",
    code: int | str = 502,
    error_type: str = "provider_error",
) -> Scenario:
    """Non-streaming HTTP 200 whose choices[0].finish_reason is "error", with choices[0].error.
    Streaming, the same scenario ends in a mid-stream error chunk."""
    return midstream_error(text_before, code=code, message=message, error_type=error_type)


def hang_after(
    text_before: str = "",
    *,
    model: str | None = None,
    provider: str = DEFAULT_PROVIDER,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    keepalives: int = 1,
    delay: float = 0.0,
    generation_id: str | None = None,
) -> Scenario:
    """Streaming: send `text_before` as deltas, then nothing until the client disconnects (counted
    in FakeOpenRouter.disconnects) or the server stops. Not streaming: never answer."""
    return Scenario(
        kind="hang",
        text=text_before,
        model=model,
        provider=provider,
        chunk_size=chunk_size,
        keepalives=keepalives,
        delay=delay,
        generation_id=generation_id,
    )


def drop_connection(text_before: str | None = None) -> Scenario:
    """Close the socket abruptly: with no response at all, or (text_before given, streaming)
    after a 200 and those deltas, leaving the chunked body incomplete."""
    return Scenario(
        kind="drop", text=text_before or "", respond_before_drop=text_before is not None
    )


def _seconds_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
