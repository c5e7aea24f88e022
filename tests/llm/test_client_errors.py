"""Every error the fake OpenRouter can send becomes a typed error a person can act on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.llm.client import OpenRouterClient
from app.llm.errors import (
    BadKey,
    BadRequest,
    LLMError,
    ModelNotFound,
    Moderation,
    NetworkError,
    OutOfCredits,
    ProviderDown,
    ProviderError,
    RateLimited,
)
from app.llm.ledger import MemoryLedger
from tests.fakes.openrouter_server import (
    TEST_KEY,
    FakeOpenRouter,
    bad_key,
    error,
    finish_error,
    midstream_error,
    model_not_found,
    moderation,
    no_credits,
    no_endpoints,
    provider_down,
    rate_limited,
)
from tests.llm.conftest import MakeClient, ask


def test_bad_key_is_not_retried_and_says_what_to_do(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(bad_key())
    with pytest.raises(BadKey) as caught:
        client.complete(ask())
    assert caught.value.status == 401 and not caught.value.retryable
    assert "OPENROUTER_API_KEY" in caught.value.message
    assert len(openrouter.chat_requests) == 1
    [row] = ledger.rows
    assert not row.success and row.error_type == "bad_key" and row.http_status == 401


def test_wrong_key_is_rejected_by_the_server(make_client: MakeClient) -> None:
    client = make_client(api_key="sk-or-not-the-right-one")
    with pytest.raises(BadKey) as caught:
        client.complete(ask())
    assert "sk-or-not-the-right-one" not in str(caught.value)


@pytest.mark.parametrize("stream", [True, False])
def test_plain_402_is_out_of_credits_and_not_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient, stream: bool
) -> None:
    openrouter.enqueue(no_credits("key_limit"))
    with pytest.raises(OutOfCredits) as caught:
        client.complete(ask(stream=stream))
    assert caught.value.limit_source == "key_limit"
    assert "openrouter.ai/settings/credits" in caught.value.message
    assert len(openrouter.chat_requests) == 1


def test_402_names_the_keys_limit_once_known(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    client.key_info()
    openrouter.enqueue(no_credits())
    with pytest.raises(OutOfCredits) as caught:
        client.complete(ask())
    assert caught.value.limit == Decimal(str(openrouter.key_info["limit"]))


def test_moderation_carries_reasons_and_flagged_input(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(moderation(["violence", "harassment"], "the flagged bit"))
    with pytest.raises(Moderation) as caught:
        client.complete(ask())
    assert caught.value.reasons == ("violence", "harassment")
    assert caught.value.flagged_input == "the flagged bit"
    assert "violence" in caught.value.message
    assert len(openrouter.chat_requests) == 1


def test_invalid_model_id(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    openrouter.enqueue(model_not_found("acme/nope"))
    with pytest.raises(ModelNotFound) as caught:
        client.complete(ask(model="acme/nope"))
    assert caught.value.status == 400 and caught.value.model == "acme/nope"
    assert "copydesk models --search" in caught.value.message


def test_no_endpoints_404(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    openrouter.enqueue(no_endpoints())
    with pytest.raises(ModelNotFound) as caught:
        client.complete(ask())
    assert caught.value.status == 404


def test_other_400_is_a_bad_request(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    openrouter.enqueue(error(400, "temperature must be at most 2"))
    with pytest.raises(BadRequest, match="temperature must be at most 2"):
        client.complete(ask())
    assert len(openrouter.chat_requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 409])
def test_provider_failures_are_retried_then_reported(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger, status: int
) -> None:
    openrouter.enqueue(*[provider_down(status)] * 3)
    with pytest.raises(ProviderDown) as caught:
        client.complete(ask())
    assert caught.value.status == status
    assert "gave up after 3 attempts" in caught.value.message
    assert len(openrouter.chat_requests) == 3
    assert [row.retry_number for row in ledger.rows] == [0, 1, 2]
    assert len({row.request_id for row in ledger.rows}) == 1
    assert caught.value.request_id == ledger.rows[0].request_id
    assert all(row.http_status == status and not row.success for row in ledger.rows)


def test_rate_limit_reports_when_to_try_again(
    openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(max_retries=0, retry_policy=None)
    openrouter.enqueue(rate_limited(retry_after=30))
    before = dt.datetime.now(dt.UTC)
    with pytest.raises(RateLimited) as caught:
        client.complete(ask())
    assert caught.value.retry_at is not None
    assert dt.timedelta(seconds=28) < caught.value.retry_at - before < dt.timedelta(seconds=32)
    assert "Try again after" in caught.value.message


def test_midstream_error_keeps_the_partial_text_and_is_not_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(midstream_error("Half a sentence", code=502, message="Upstream died"))
    deltas: list[str] = []
    with pytest.raises(ProviderError) as caught:
        client.complete(ask(), on_delta=deltas.append)
    assert caught.value.partial_text == "Half a sentence" == "".join(deltas)
    assert caught.value.code == 502 and "Upstream died" in caught.value.message
    assert len(openrouter.chat_requests) == 1
    [row] = ledger.rows
    assert row.error_type == "provider_error" and row.http_status == 200


@pytest.mark.parametrize("with_done", [True, False])
@pytest.mark.parametrize("empty_choices", [True, False])
def test_midstream_error_shapes_with_string_code(
    openrouter: FakeOpenRouter, client: OpenRouterClient, with_done: bool, empty_choices: bool
) -> None:
    openrouter.enqueue(
        midstream_error(
            "Some text",
            code="server_error",
            with_done=with_done,
            empty_choices=empty_choices,
        )
    )
    with pytest.raises(ProviderError) as caught:
        client.complete(ask())
    assert caught.value.code == "server_error"
    assert caught.value.partial_text == "Some text"


def test_non_streaming_finish_reason_error_is_a_failure(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(*[finish_error("Provider hiccup", text_before="Partial")] * 3)
    with pytest.raises(ProviderError) as caught:
        client.complete(ask(stream=False))
    assert "Provider hiccup" in caught.value.message
    assert caught.value.partial_text == "Partial"


def test_unreachable_server_is_a_network_error(
    make_client: MakeClient, ledger: MemoryLedger
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}/api/v1")
    with pytest.raises(NetworkError) as caught:
        client.complete(ask())
    assert caught.value.message.startswith("Could not reach 127.0.0.1")
    assert [row.retry_number for row in ledger.rows] == [0, 1, 2]
    assert all(row.error_type == "network_error" and row.http_status is None for row in ledger.rows)


def test_the_key_never_reaches_a_message_or_a_ledger_row(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(error(400, f"Key {TEST_KEY} is malformed"))
    with pytest.raises(LLMError) as caught:
        client.complete(ask())
    assert TEST_KEY not in str(caught.value) and TEST_KEY not in repr(caught.value.args)
    assert "[redacted]" in caught.value.message
    assert TEST_KEY not in repr(ledger.rows)


def test_llm_errors_map_to_cli_exit_codes() -> None:
    from app.cli.errors import exit_code_for

    assert exit_code_for(BadKey("x")) == 3
    assert exit_code_for(OutOfCredits("x")) == 4
    assert exit_code_for(RateLimited("x")) == 5
    assert exit_code_for(ModelNotFound("x")) == 6
    assert exit_code_for(Moderation("x")) == 7
    assert exit_code_for(ProviderDown("x")) == 8
    assert exit_code_for(NetworkError("x")) == 8
