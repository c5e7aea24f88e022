"""The other endpoints (/models, /key, /generation) and local OpenAI-compatible servers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.llm.client import OpenRouterClient
from app.llm.errors import BadKey, BadRequest
from app.llm.ledger import MemoryLedger
from app.llm.results import ModelPrices
from tests.fakes.openrouter_server import FakeOpenRouter, reply
from tests.llm.conftest import MakeClient, ask


def test_list_models_parses_prices_as_decimals(client: OpenRouterClient) -> None:
    models = {model.id: model for model in client.list_models()}
    sonnet = models["anthropic/claude-sonnet-4.5"]
    assert sonnet.prices.prompt == Decimal("0.000003")
    assert sonnet.prices.cache_read == Decimal("0.0000003")
    assert sonnet.context_length == 1_000_000
    assert sonnet.max_completion_tokens == 64_000
    assert "response_format" in sonnet.supported_parameters
    assert models["openai/gpt-4o-mini"].prices.cache_write is None


def test_key_info(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    openrouter.key_info["limit_remaining"] = 3.25
    info = client.key_info()
    assert info.limit == Decimal("25.0")
    assert info.limit_remaining == Decimal("3.25")
    assert info.is_free_tier is False
    assert openrouter.requests[-1].path.endswith("/key")


def test_key_info_with_a_bad_key(make_client: MakeClient) -> None:
    with pytest.raises(BadKey):
        make_client(api_key="sk-or-wrong").key_info()


def test_key_info_without_a_key_asks_for_one(make_client: MakeClient) -> None:
    with pytest.raises(BadKey, match="No OpenRouter key"):
        make_client(api_key=None).key_info()


def test_generation_lookup(client: OpenRouterClient) -> None:
    completion = client.complete(ask())
    assert completion.generation_id is not None
    details = client.generation(completion.generation_id)
    assert details["model"] == "openai/gpt-4o-mini"
    assert details["streamed"] is True


def test_unknown_generation(client: OpenRouterClient) -> None:
    with pytest.raises(BadRequest, match="HTTP 404: Generation gen-nope not found"):
        client.generation("gen-nope")


def test_local_server_is_detected_and_asked_for_usage(
    openrouter_local: FakeOpenRouter, make_client: MakeClient, ledger: MemoryLedger
) -> None:
    client = make_client(base_url=openrouter_local.base_url, local_server=None)
    assert client.local_server
    result = client.complete(ask(model="llama3.2:3b"))
    body = openrouter_local.chat_requests[0].json
    assert body["stream_options"] == {"include_usage": True}
    assert result.text and result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    assert result.cost is None and not result.cost_estimated
    assert result.provider is None
    assert ledger.rows[0].success and ledger.rows[0].cost is None


def test_local_server_without_usage_still_works(
    openrouter_local: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(base_url=openrouter_local.base_url, local_server=None)
    openrouter_local.enqueue(reply("no usage here", usage_shape="none"))
    result = client.complete(ask(model="qwen2.5:7b"))
    assert result.text == "no usage here"
    assert result.usage.input_tokens == 0 and result.cost is None


def test_local_cost_from_user_prices(
    openrouter_local: FakeOpenRouter, make_client: MakeClient
) -> None:
    prices = ModelPrices(prompt=Decimal("0.000001"), completion=Decimal("0.000001"))
    client = make_client(
        base_url=openrouter_local.base_url, local_server=None, price_lookup=lambda m: prices
    )
    result = client.complete(ask(model="llama3.2:3b"))
    total = result.usage.input_tokens + result.usage.output_tokens
    assert result.cost == total * Decimal("0.000001") and result.cost_estimated


def test_local_non_streaming(openrouter_local: FakeOpenRouter, make_client: MakeClient) -> None:
    client = make_client(base_url=openrouter_local.base_url, local_server=None)
    result = client.complete(ask(model="llama3.2:3b", stream=False))
    assert result.text and "stream_options" not in openrouter_local.chat_requests[0].json


def test_local_server_needs_no_key() -> None:
    with FakeOpenRouter(local_mode=True, valid_keys=None) as fake:
        with OpenRouterClient(fake.base_url, None) as client:
            assert client.complete(ask(model="llama3.2:3b")).text
        assert "authorization" not in fake.chat_requests[0].headers


def test_local_models_have_no_prices(
    openrouter_local: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(base_url=openrouter_local.base_url, local_server=None)
    models = client.list_models()
    assert [m.id for m in models] == ["llama3.2:3b", "qwen2.5:7b"]
    assert all(not m.prices.known for m in models)


@pytest.mark.parametrize("url", ["ftp://example.com", "not a url", "http://"])
def test_bad_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        OpenRouterClient(url, "k")


def test_openrouter_host_is_not_local() -> None:
    with OpenRouterClient("https://openrouter.ai/api/v1", "k") as client:
        assert not client.local_server
    with OpenRouterClient("http://localhost:11434/v1", None) as client:
        assert client.local_server
