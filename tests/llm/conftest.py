"""Shared pieces of the app.llm tests: a client pointed at the fake OpenRouter."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app.llm.client import OpenRouterClient
from app.llm.ledger import MemoryLedger
from app.llm.requests import ChatRequest, user_message
from app.llm.retry import RetryPolicy
from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter

# Real waits, kept tiny: the retry tests measure them.
FAST_RETRIES = RetryPolicy(max_retries=2, base_delay=0.02, max_backoff=0.05)

MakeClient = Callable[..., OpenRouterClient]


def ask(
    text: str = "Write one line about linen.",
    *,
    model: str = "openai/gpt-4o-mini",
    stream: bool = True,
    models: tuple[str, ...] = (),
) -> ChatRequest:
    return ChatRequest(model, [user_message(text)], stream=stream, models=models)


@pytest.fixture
def ledger() -> MemoryLedger:
    return MemoryLedger()


@pytest.fixture
def make_client(openrouter: FakeOpenRouter, ledger: MemoryLedger) -> Iterator[MakeClient]:
    """Build clients for the fake OpenRouter (as openrouter.ai, not as a local server)."""
    clients: list[OpenRouterClient] = []

    def make(**options: object) -> OpenRouterClient:
        settings: dict[str, object] = {
            "ledger": ledger,
            "retry_policy": FAST_RETRIES,
            "local_server": False,
            "read_timeout": 10.0,
        }
        settings.update(options)
        base_url = str(settings.pop("base_url", openrouter.base_url))
        key = settings.pop("api_key", TEST_KEY)
        client = OpenRouterClient(base_url, key, **settings)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> OpenRouterClient:
    return make_client()
