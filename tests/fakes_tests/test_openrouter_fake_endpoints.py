"""/models, /key and /generation of the fake OpenRouter, read with plain httpx."""

from decimal import Decimal

import httpx
import pytest
from openai import OpenAI

from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, reply

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}


def test_models_need_no_key_and_have_string_prices(openrouter: FakeOpenRouter) -> None:
    response = httpx.get(f"{openrouter.base_url}/models")

    models = {m["id"]: m for m in response.json()["data"]}
    assert response.status_code == 200
    assert {"anthropic/claude-sonnet-4.5", "openai/gpt-4o-mini"} <= models.keys()
    assert any(model_id.endswith(":free") for model_id in models)
    sonnet = models["anthropic/claude-sonnet-4.5"]
    assert isinstance(sonnet["pricing"]["prompt"], str)
    assert Decimal(sonnet["pricing"]["prompt"]) == Decimal("0.000003")
    assert sonnet["top_provider"]["max_completion_tokens"] > 0
    assert "response_format" in sonnet["supported_parameters"]


def test_models_can_be_replaced_by_a_test(openrouter: FakeOpenRouter) -> None:
    openrouter.models = [{"id": "only/one", "pricing": {"prompt": "1", "completion": "2"}}]

    response = httpx.get(f"{openrouter.base_url}/models")

    assert [m["id"] for m in response.json()["data"]] == ["only/one"]


def test_key_returns_key_info_for_a_valid_key_and_401_otherwise(
    openrouter: FakeOpenRouter,
) -> None:
    openrouter.key_info = {**openrouter.key_info, "limit_remaining": 3.5}

    good = httpx.get(f"{openrouter.base_url}/key", headers=AUTH)
    bad = httpx.get(f"{openrouter.base_url}/key", headers={"Authorization": "Bearer nope"})
    missing = httpx.get(f"{openrouter.base_url}/key")

    assert good.status_code == 200
    assert good.json()["data"]["limit_remaining"] == 3.5
    assert {"label", "limit", "usage", "is_free_tier"} <= good.json()["data"].keys()
    assert bad.status_code == 401
    assert bad.json()["error"] == {"code": 401, "message": "User not found."}
    assert missing.status_code == 401


def test_generation_is_served_after_a_completion(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(reply("stats please", cost=0.5, cached_tokens=2))
    completion = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x" * 40}]
    )

    found = httpx.get(
        f"{openrouter.base_url}/generation", params={"id": completion.id}, headers=AUTH
    )
    unknown = httpx.get(f"{openrouter.base_url}/generation?id=gen-missing", headers=AUTH)

    data = found.json()["data"]
    assert found.status_code == 200
    assert data["total_cost"] == 0.5
    assert data["tokens_prompt"] == 10
    assert data["native_tokens_cached"] == 2
    assert data["model"] == "openai/gpt-4o-mini"
    assert data["streamed"] is False
    assert data["cancelled"] is False
    assert unknown.status_code == 404
    assert openrouter.requests[-1].query == {"id": "gen-missing"}


def test_generations_can_be_preset_by_a_test(openrouter: FakeOpenRouter) -> None:
    openrouter.generations["gen-preset"] = {"total_cost": 1.25, "model": "a/b"}

    response = httpx.get(f"{openrouter.base_url}/generation?id=gen-preset", headers=AUTH)

    assert response.json() == {"data": {"total_cost": 1.25, "model": "a/b"}}


@pytest.mark.parametrize("path", ["/key", "/generation?id=gen-1", "/nowhere"])
def test_local_mode_has_no_key_or_generation_endpoint(
    openrouter_local: FakeOpenRouter, path: str
) -> None:
    response = httpx.get(f"{openrouter_local.base_url}{path}", headers=AUTH)

    assert response.status_code == 404
    assert response.text == "404 page not found"


def test_local_mode_models_are_ids_without_prices(openrouter_local: FakeOpenRouter) -> None:
    response = httpx.get(f"{openrouter_local.base_url}/models")

    body = response.json()
    assert body["object"] == "list"
    assert body["data"]
    assert all("pricing" not in model for model in body["data"])


def test_unknown_route_is_a_json_404(openrouter: FakeOpenRouter) -> None:
    response = httpx.get(f"{openrouter.base_url}/nowhere")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404


def test_base_url_needs_a_started_server() -> None:
    fake = FakeOpenRouter()

    with pytest.raises(RuntimeError, match="start"):
        _ = fake.base_url


def test_base_url_refuses_connections_after_stop() -> None:
    fake = FakeOpenRouter().start()
    fake.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fake.base_url}/models")
