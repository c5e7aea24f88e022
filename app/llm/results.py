"""What the server answers, as plain frozen dataclasses, and how to read them from JSON.

Parsing is lenient on purpose: local OpenAI-compatible servers omit many fields OpenRouter
sends (cost, cached tokens, pricing), and a missing field must never fail a call that worked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Usage:
    """Token counts of one call. ``input_tokens`` includes cached and cache-write tokens;
    ``output_tokens`` includes reasoning tokens (as OpenRouter counts them)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    """A finished call: the text and everything needed to account for it.

    ``cost`` is what the server reported, else an estimate from catalog prices
    (``cost_estimated``), else None. ``total_ms`` spans all attempts; ``ttft_ms`` is the
    answering attempt's time to first token (None when not streamed).
    """

    text: str
    model_requested: str
    model_used: str | None
    provider: str | None
    generation_id: str | None
    finish_reason: str | None
    usage: Usage
    cost: Decimal | None
    cost_estimated: bool
    ttft_ms: int | None
    total_ms: int
    attempts: int
    request_id: str = ""


@dataclass(frozen=True)
class ModelPrices:
    """USD per token (per request for ``request``); None where the server gave no price."""

    prompt: Decimal | None = None
    completion: Decimal | None = None
    request: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None

    @property
    def known(self) -> bool:
        return self.prompt is not None or self.completion is not None

    def cost_of(self, usage: Usage) -> Decimal | None:
        """The estimated cost of ``usage``; None when the model's prices are unknown."""
        if not self.known:
            return None
        prompt = self.prompt or Decimal(0)
        cached = min(usage.cached_tokens, usage.input_tokens)
        written = min(usage.cache_write_tokens, usage.input_tokens - cached)
        fresh = usage.input_tokens - cached - written
        total = fresh * prompt
        total += cached * (self.cache_read if self.cache_read is not None else prompt)
        total += written * (self.cache_write if self.cache_write is not None else prompt)
        total += usage.output_tokens * (self.completion or Decimal(0))
        total += self.request or Decimal(0)
        return total


@dataclass(frozen=True)
class ModelInfo:
    """One entry of ``GET /models``."""

    id: str
    name: str | None = None
    context_length: int | None = None
    prices: ModelPrices = field(default_factory=ModelPrices)
    max_completion_tokens: int | None = None
    supported_parameters: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class KeyInfo:
    """``GET /key``: the key's label, spending limit and usage in credits (≈ USD)."""

    label: str | None
    limit: Decimal | None
    limit_remaining: Decimal | None
    limit_reset: str | None
    usage: Decimal | None
    usage_daily: Decimal | None
    usage_weekly: Decimal | None
    usage_monthly: Decimal | None
    is_free_tier: bool | None
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def to_decimal(value: object) -> Decimal | None:
    """A Decimal from a JSON number or string; None for missing, malformed or negative
    values (OpenRouter prices variable-cost routers such as openrouter/auto at "-1")."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0:
        return None
    return number


def to_int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, float) and value.is_integer():
        return max(int(value), 0)
    return 0


def optional_int(value: object) -> int | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_usage(data: Mapping[str, Any]) -> tuple[Usage, Decimal | None]:
    """Usage and reported cost from a response's ``usage`` object."""
    prompt_details = _mapping(data.get("prompt_tokens_details"))
    completion_details = _mapping(data.get("completion_tokens_details"))
    usage = Usage(
        input_tokens=to_int(data.get("prompt_tokens")),
        output_tokens=to_int(data.get("completion_tokens")),
        cached_tokens=to_int(prompt_details.get("cached_tokens")),
        cache_write_tokens=to_int(prompt_details.get("cache_write_tokens")),
        reasoning_tokens=to_int(completion_details.get("reasoning_tokens")),
    )
    return usage, to_decimal(data.get("cost"))


def parse_model_info(data: Mapping[str, Any]) -> ModelInfo:
    pricing = _mapping(data.get("pricing"))
    top = _mapping(data.get("top_provider"))
    params = data.get("supported_parameters")
    name = data.get("name")
    return ModelInfo(
        id=str(data["id"]),
        name=str(name) if name is not None else None,
        context_length=optional_int(data.get("context_length")),
        prices=ModelPrices(
            prompt=to_decimal(pricing.get("prompt")),
            completion=to_decimal(pricing.get("completion")),
            request=to_decimal(pricing.get("request")),
            cache_read=to_decimal(pricing.get("input_cache_read")),
            cache_write=to_decimal(pricing.get("input_cache_write")),
        ),
        max_completion_tokens=optional_int(top.get("max_completion_tokens")),
        supported_parameters=tuple(str(p) for p in params) if isinstance(params, list) else (),
        raw=dict(data),
    )


def parse_key_info(data: Mapping[str, Any]) -> KeyInfo:
    label = data.get("label")
    reset = data.get("limit_reset")
    free = data.get("is_free_tier")
    return KeyInfo(
        label=str(label) if label is not None else None,
        limit=to_decimal(data.get("limit")),
        limit_remaining=to_decimal(data.get("limit_remaining")),
        limit_reset=str(reset) if reset is not None else None,
        usage=to_decimal(data.get("usage")),
        usage_daily=to_decimal(data.get("usage_daily")),
        usage_weekly=to_decimal(data.get("usage_weekly")),
        usage_monthly=to_decimal(data.get("usage_monthly")),
        is_free_tier=free if isinstance(free, bool) else None,
    )
