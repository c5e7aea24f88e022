"""Streaming and plain completions against the fake OpenRouter: text, usage, cost, headers."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from app.llm.client import OpenRouterClient
from app.llm.ledger import MemoryLedger
from app.llm.requests import CallContext
from app.llm.results import ModelPrices
from tests.fakes.openrouter_server import (
    TEST_KEY,
    FakeOpenRouter,
    reply,
)
from tests.llm.conftest import MakeClient, ask

TEXT = "Linen breathes — 日本語 🎉 naïve café, all summer."


def test_streamed_completion_delivers_deltas_usage_and_cost(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(reply(TEXT, cached_tokens=2, reasoning_tokens=3, cost=0.00042))
    deltas: list[str] = []
    result = client.complete(
        ask(model="openrouter/anthropic/claude-sonnet-4-5-20250929"), on_delta=deltas.append
    )

    assert result.text == TEXT
    assert "".join(deltas) == TEXT and len(deltas) > 1
    assert result.model_requested == "anthropic/claude-sonnet-4.5"
    assert result.model_used == "anthropic/claude-sonnet-4.5"
    assert result.provider == "FakeProvider"
    assert result.finish_reason == "stop"
    assert result.generation_id and result.generation_id.startswith("gen-")
    assert result.cost == Decimal("0.00042") and not result.cost_estimated
    assert result.usage.cached_tokens == 2
    assert result.usage.reasoning_tokens == 3
    assert result.usage.input_tokens >= 2 and result.usage.output_tokens > 3
    assert result.ttft_ms is not None and 0 <= result.ttft_ms <= result.total_ms
    assert result.attempts == 1

    body = openrouter.chat_requests[0].json
    assert body["model"] == "anthropic/claude-sonnet-4.5"
    assert body["stream"] is True
    assert "stream_options" not in body  # OpenRouter reports usage without being asked

    [row] = ledger.rows
    assert row.success and row.streamed and row.http_status == 200
    assert row.cost == Decimal("0.00042") and row.cache_hit
    assert row.generation_id == result.generation_id
    assert row.key_hash == hashlib.sha256(TEST_KEY.encode()).hexdigest()[:16]


def test_attribution_headers_and_bearer_key(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    client.complete(ask())
    headers = openrouter.chat_requests[0].headers
    assert headers["authorization"] == f"Bearer {TEST_KEY}"
    assert headers["http-referer"] == "https://copydesk.app"
    assert headers["x-title"] == "Copydesk"
    assert headers["x-openrouter-title"] == "Copydesk"
    others = {k: v for k, v in headers.items() if k != "authorization"}
    assert TEST_KEY not in repr(others)


@pytest.mark.parametrize("shape", ["empty_choices", "empty_delta"])
def test_both_final_usage_shapes(
    openrouter: FakeOpenRouter, client: OpenRouterClient, shape: str
) -> None:
    usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18, "cost": 0.5}
    openrouter.enqueue(reply("ok then", usage=usage, usage_shape=shape))  # type: ignore[arg-type]
    result = client.complete(ask())
    assert (result.usage.input_tokens, result.usage.output_tokens) == (11, 7)
    assert result.cost == Decimal("0.5")
    assert result.text == "ok then"


def test_stream_split_into_single_bytes_with_keepalives_and_no_done(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(
        reply(TEXT, split_bytes=1, keepalives=3, midstream_keepalive=True, done=False)
    )
    deltas: list[str] = []
    result = client.complete(ask(), on_delta=deltas.append)
    assert result.text == TEXT == "".join(deltas)
    assert result.finish_reason == "stop"


def test_reasoning_deltas_are_not_content(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(reply("Answer.", reasoning="Let me think about linen first."))
    assert client.complete(ask()).text == "Answer."


def test_length_finish_reason_is_reported(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(reply("cut sho", finish_reason="length"))
    assert client.complete(ask()).finish_reason == "length"


def test_non_streaming_completion(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(reply(TEXT, cost=0.002))
    deltas: list[str] = []
    result = client.complete(ask(stream=False), on_delta=deltas.append)
    assert result.text == TEXT
    assert deltas == []
    assert result.cost == Decimal("0.002")
    assert result.ttft_ms is None
    assert openrouter.chat_requests[0].json["stream"] is False
    assert ledger.rows[0].streamed is False


def test_missing_cost_is_estimated_from_prices(
    openrouter: FakeOpenRouter, make_client: MakeClient, ledger: MemoryLedger
) -> None:
    prices = ModelPrices(
        prompt=Decimal("0.000001"), completion=Decimal("0.000002"), cache_read=Decimal("0.0000001")
    )
    client = make_client(price_lookup={"openai/gpt-4o-mini": prices}.get)
    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 100,
        "prompt_tokens_details": {"cached_tokens": 400},
    }
    openrouter.enqueue(reply("fine", usage=usage))
    result = client.complete(ask())
    expected = 600 * Decimal("0.000001") + 400 * Decimal("0.0000001") + 100 * Decimal("0.000002")
    assert result.cost == expected
    assert result.cost_estimated
    assert ledger.rows[0].cost == expected and ledger.rows[0].cost_estimated


def test_unknown_price_and_no_cost_leaves_cost_unknown(
    openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(price_lookup=lambda model: None)
    openrouter.enqueue(reply("fine", cost=None))
    result = client.complete(ask())
    assert result.cost is None and not result.cost_estimated


def test_fallback_models_record_asked_and_used(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(reply("from the fallback", model="google/gemini-2.5-flash"))
    result = client.complete(
        ask(
            model="openrouter/anthropic/claude-sonnet-4-5-20250929",
            models=("openrouter/google/gemini-2.5-flash", "openai/gpt-4o-mini"),
        )
    )
    body = openrouter.chat_requests[0].json
    assert body["models"] == ["google/gemini-2.5-flash", "openai/gpt-4o-mini"]
    assert result.model_requested == "anthropic/claude-sonnet-4.5"
    assert result.model_used == "google/gemini-2.5-flash"
    [row] = ledger.rows
    assert (row.model_requested, row.model_used) == (
        "anthropic/claude-sonnet-4.5",
        "google/gemini-2.5-flash",
    )


def test_context_is_recorded_on_the_ledger_row(
    client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    import uuid

    context = CallContext(
        piece_id=uuid.uuid4(), step_id=uuid.uuid4(), agent_id="blog-writer", content_type="blog"
    )
    client.complete(ask(), context=context)
    [row] = ledger.rows
    assert (row.piece_id, row.step_id, row.agent_id, row.content_type) == (
        context.piece_id,
        context.step_id,
        "blog-writer",
        "blog",
    )


def test_request_parameters_reach_the_body(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    from app.llm.requests import ChatRequest, system_message, user_message

    request = ChatRequest(
        "openai/gpt-4o-mini",
        [system_message("Be brief."), user_message("Hi")],
        temperature=0.4,
        max_tokens=50,
        stop=["END"],
        seed=7,
        top_p=0.9,
        provider={"sort": "price"},
        extra={"transforms": []},
    )
    client.complete(request)
    body = openrouter.chat_requests[0].json
    assert body["temperature"] == 0.4 and body["max_tokens"] == 50
    assert body["stop"] == ["END"] and body["seed"] == 7 and body["top_p"] == 0.9
    assert body["provider"] == {"sort": "price"} and body["transforms"] == []
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_one_client_serves_many_threads(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda n: client.complete(ask(f"piece {n}")), range(12)))
    assert all(r.text for r in results)
    assert len({row.request_id for row in ledger.rows}) == 12
