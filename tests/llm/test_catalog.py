"""The model catalog: stored from /models, refreshed when stale, used as is when offline."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal

import pytest

from app.db.engine import Database
from app.llm import catalog
from app.llm.catalog import PriceBook
from app.llm.errors import NetworkError
from tests.fakes.openrouter_server import FakeOpenRouter, reply
from tests.llm.conftest import MakeClient, ask


def model_requests(fake: FakeOpenRouter) -> int:
    return sum(1 for r in fake.requests if r.path.endswith("/models"))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"


def test_first_use_fetches_and_stores_exact_prices(
    db: Database, openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    snapshot = catalog.refresh_if_stale(db, make_client())
    assert snapshot.refreshed and model_requests(openrouter) == 1
    stored = {m.id: m for m in catalog.load_models(db)}
    assert set(stored) == {m["id"] for m in openrouter.models}
    sonnet = stored["anthropic/claude-sonnet-4.5"]
    assert sonnet.prices.prompt == Decimal("0.000003")
    assert sonnet.prices.completion == Decimal("0.000015")
    assert sonnet.prices.cache_read == Decimal("0.0000003")
    assert sonnet.prices.cache_write == Decimal("0.00000375")
    assert sonnet.name == "Anthropic: Claude Sonnet 4.5"
    assert sonnet.context_length == 1_000_000 and sonnet.max_completion_tokens == 64_000
    assert "response_format" in sonnet.supported_parameters
    assert sonnet.raw["canonical_slug"] == "anthropic/claude-sonnet-4.5"
    fetched = catalog.last_fetched(db)
    assert fetched is not None and fetched.tzinfo is not None


def test_fresh_catalog_is_not_fetched_again(
    db: Database, openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client()
    catalog.refresh_if_stale(db, client)
    again = catalog.refresh_if_stale(db, client)
    assert not again.refreshed and again.from_cache
    assert len(again.models) == len(openrouter.models)
    assert model_requests(openrouter) == 1


def test_stale_catalog_is_replaced(
    db: Database, openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client()
    catalog.refresh_if_stale(db, client)
    openrouter.models = [m for m in openrouter.models if m["id"] != "openai/gpt-4o-mini"]
    openrouter.models[0]["pricing"]["prompt"] = "0.000004"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    snapshot = catalog.refresh_if_stale(db, client, now=later)
    assert snapshot.refreshed and model_requests(openrouter) == 2
    ids = {m.id for m in catalog.load_models(db)}
    assert "openai/gpt-4o-mini" not in ids and len(ids) == len(openrouter.models)
    assert catalog.estimate_cost(db, openrouter.models[0]["id"], 1000, 0) == Decimal("0.004")


def test_offline_uses_the_stored_copy(
    db: Database, make_client: MakeClient, openrouter: FakeOpenRouter
) -> None:
    catalog.refresh(db, make_client())
    offline = make_client(base_url=closed_port_url())
    snapshot = catalog.refresh(db, offline)
    assert not snapshot.refreshed
    assert isinstance(snapshot.offline_error, NetworkError)
    assert len(snapshot.models) == len(openrouter.models)


def test_offline_with_nothing_stored_raises(db: Database, make_client: MakeClient) -> None:
    with pytest.raises(NetworkError, match="Could not reach"):
        catalog.refresh_if_stale(db, make_client(base_url=closed_port_url()))


def test_search(db: Database, make_client: MakeClient) -> None:
    catalog.refresh(db, make_client())
    assert [m.id for m in catalog.search(db, "claude")] == ["anthropic/claude-sonnet-4.5"]
    assert [m.id for m in catalog.search(db, "GPT mini")] == ["openai/gpt-4o-mini"]
    assert [m.id for m in catalog.search(db, "Gemini flash")] == ["google/gemini-2.5-flash"]
    assert catalog.search(db, "%") == []
    assert len(catalog.search(db, "")) == 4
    assert len(catalog.search(db, "", limit=2)) == 2


def test_estimate_cost(db: Database, make_client: MakeClient) -> None:
    catalog.refresh(db, make_client())
    cost = catalog.estimate_cost(
        db, "openrouter/anthropic/claude-sonnet-4-5-20250929", 1000, 200, cached_tokens=400
    )
    assert cost == 600 * Decimal("0.000003") + 400 * Decimal("0.0000003") + 200 * Decimal(
        "0.000015"
    )
    assert catalog.estimate_cost(db, "meta-llama/llama-3.3-70b-instruct:free", 500, 500) == 0
    assert catalog.estimate_cost(db, "acme/unknown", 10, 10) is None


def test_price_book_estimates_cost_in_the_call_path(
    db: Database, openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    catalog.refresh(db, make_client())
    book = PriceBook.from_database(db)
    assert len(book) == 4
    client = make_client(price_lookup=book)
    usage = {"prompt_tokens": 100, "completion_tokens": 10}
    openrouter.enqueue(reply("hi", usage=usage, model="anthropic/claude-sonnet-4.5"))
    result = client.complete(ask(model="anthropic/claude-sonnet-4.5"))
    assert result.cost == 100 * Decimal("0.000003") + 10 * Decimal("0.000015")
    assert result.cost_estimated
    assert book("anthropic/claude-sonnet-4.5:thinking") == book("anthropic/claude-sonnet-4.5")
    book.replace([])
    assert book("anthropic/claude-sonnet-4.5") is None


def test_local_catalog_has_no_prices(
    db: Database, openrouter_local: FakeOpenRouter, make_client: MakeClient
) -> None:
    catalog.refresh(db, make_client(base_url=openrouter_local.base_url))
    models = catalog.load_models(db)
    assert [m.id for m in models] == ["llama3.2:3b", "qwen2.5:7b"]
    assert catalog.estimate_cost(db, "llama3.2:3b", 10, 10) is None
