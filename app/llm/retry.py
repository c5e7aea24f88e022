"""When to retry a failed attempt, and how long to wait first.

The rules follow OpenRouter's documentation and the official OpenAI client:
- ``x-should-retry: true|false`` from the server overrides everything else;
- 408, 409, 429 and 5xx are retryable; 402 only when the key's in-flight budget is the limit
  (``metadata.limit_source == "openrouter_in_flight_budget"``, sent with Retry-After);
- the wait comes from ``retry-after-ms``, else ``Retry-After`` (seconds or an HTTP date); a
  server-given wait beyond ``max_retry_after`` is not slept through: the caller gives up and
  reports when to try again; otherwise exponential backoff from ``base_delay`` doubling up to
  ``max_backoff``, minus up to 25 % jitter;
- connection errors and timeouts are retryable, but nothing is retried once a stream has
  delivered content (the caller enforces that, it alone knows).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

IN_FLIGHT_BUDGET = "openrouter_in_flight_budget"
RETRYABLE_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry and how to space the attempts."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must not be negative, got {self.max_retries}")
        if self.base_delay < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ValueError("retry delays must not be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be between 0 and 1, got {self.jitter}")

    def should_retry_status(
        self,
        status: int,
        headers: Mapping[str, str],
        metadata: Mapping[str, object] | None = None,
    ) -> bool:
        """Whether an HTTP error response is worth another attempt."""
        override = header(headers, "x-should-retry")
        if override is not None:
            if override.strip().lower() == "true":
                return True
            if override.strip().lower() == "false":
                return False
        if status == 402:
            return metadata is not None and metadata.get("limit_source") == IN_FLIGHT_BUDGET
        return status in RETRYABLE_STATUSES or status >= 500

    def server_delay(
        self, headers: Mapping[str, str], now: dt.datetime | None = None
    ) -> float | None:
        """The wait the server asked for, in seconds, or None when it gave none (or nonsense)."""
        millis = header(headers, "retry-after-ms")
        if millis is not None:
            try:
                return max(float(millis) / 1000.0, 0.0)
            except ValueError:
                pass
        value = header(headers, "retry-after")
        if value is None:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        now = now or dt.datetime.now(dt.UTC)
        return max((when - now).total_seconds(), 0.0)

    def backoff(self, retry_number: int) -> float:
        """The wait before retry ``retry_number`` (1 for the first retry) without server advice."""
        delay = min(self.base_delay * 2.0 ** max(retry_number - 1, 0), self.max_backoff)
        return delay * (1 - self.jitter * self.random())

    def delay(
        self, retry_number: int, headers: Mapping[str, str], now: dt.datetime | None = None
    ) -> float | None:
        """Seconds to wait before retry ``retry_number``; None when the server's requested wait
        is beyond ``max_retry_after`` (the caller should give up and report it)."""
        asked = self.server_delay(headers, now)
        if asked is not None and asked > self.max_retry_after:
            return None
        if asked:
            return asked
        return self.backoff(retry_number)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, case-insensitively, from any mapping (httpx.Headers or a dict)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, item in headers.items():
        if key.lower() == lowered:
            return item
    return None
