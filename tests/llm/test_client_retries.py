"""The retry policy in action: statuses, server-given waits, x-should-retry, streamed content."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest

from app.llm.client import OpenRouterClient
from app.llm.errors import (
    BadRequest,
    NetworkError,
    OutOfCredits,
    ProviderDown,
    ProviderError,
    RateLimited,
)
from app.llm.ledger import CallRecord, MemoryLedger
from app.llm.retry import RetryPolicy
from tests.fakes.openrouter_server import (
    FakeOpenRouter,
    drop_connection,
    error,
    in_flight_budget,
    midstream_error,
    no_credits,
    provider_down,
    rate_limited,
    reply,
)
from tests.llm.conftest import MakeClient, ask


def gap(rows: list[CallRecord], index: int = 1) -> float:
    """Seconds between the start of attempt index-1 and attempt index."""
    return (rows[index].called_at - rows[index - 1].called_at).total_seconds()


def test_rate_limit_honours_retry_after_ms(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(rate_limited(retry_after_ms=250), reply("done"))
    result = client.complete(ask())
    assert result.text == "done" and result.attempts == 2
    assert gap(ledger.rows) >= 0.25
    assert result.total_ms >= 250  # the whole call, the wait included
    assert [row.success for row in ledger.rows] == [False, True]
    assert ledger.rows[0].error_type == "rate_limited"


def test_rate_limit_honours_retry_after_seconds(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(rate_limited(retry_after=0.3), reply("done"))
    assert client.complete(ask()).text == "done"
    assert gap(ledger.rows) >= 0.3


def test_rate_limit_honours_retry_after_http_date(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    # HTTP dates have whole seconds: aim at the next second boundary but one.
    now = dt.datetime.now(dt.UTC)
    when = (now + dt.timedelta(seconds=1)).replace(microsecond=0)
    openrouter.enqueue(rate_limited(retry_after_date=when), reply("done"))
    assert client.complete(ask()).text == "done"
    assert ledger.rows[1].called_at >= when
    assert email.utils.format_datetime(when, usegmt=True).endswith("GMT")


def test_server_wait_beyond_the_cap_is_not_slept_through(
    openrouter: FakeOpenRouter, make_client: MakeClient, ledger: MemoryLedger
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_retry_after=5))
    openrouter.enqueue(rate_limited(retry_after=90))
    with pytest.raises(RateLimited) as caught:
        client.complete(ask())
    assert caught.value.retry_at is not None
    assert caught.value.retry_at - ledger.rows[0].called_at > dt.timedelta(seconds=85)
    assert len(openrouter.chat_requests) == 1


def test_backoff_without_server_advice_grows(
    openrouter: FakeOpenRouter, make_client: MakeClient, ledger: MemoryLedger
) -> None:
    client = make_client(retry_policy=RetryPolicy(base_delay=0.1, max_backoff=1, jitter=0))
    openrouter.enqueue(provider_down(502), provider_down(503), reply("third time"))
    assert client.complete(ask()).text == "third time"
    assert gap(ledger.rows, 1) >= 0.1
    assert gap(ledger.rows, 2) >= 0.2


def test_in_flight_budget_402_is_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(in_flight_budget(retry_after=0.1), reply("funded"))
    assert client.complete(ask()).text == "funded"
    assert [row.http_status for row in ledger.rows] == [402, 200]
    assert gap(ledger.rows) >= 0.1


def test_in_flight_budget_gives_up_after_max_retries(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(*[in_flight_budget(retry_after=0.01)] * 3)
    with pytest.raises(OutOfCredits) as caught:
        client.complete(ask())
    assert caught.value.limit_source == "openrouter_in_flight_budget"
    assert len(openrouter.chat_requests) == 3


def test_plain_402_is_not_retried(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    openrouter.enqueue(no_credits(), reply("never"))
    with pytest.raises(OutOfCredits):
        client.complete(ask())
    assert len(openrouter.chat_requests) == 1


def test_x_should_retry_false_overrides_a_retryable_status(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(provider_down(503, x_should_retry=False), reply("never"))
    with pytest.raises(ProviderDown):
        client.complete(ask())
    assert len(openrouter.chat_requests) == 1


def test_x_should_retry_true_overrides_a_final_status(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(error(400, "try me again", x_should_retry=True), reply("ok"))
    assert client.complete(ask()).text == "ok"
    assert len(openrouter.chat_requests) == 2


def test_x_should_retry_true_on_plain_402(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(no_credits(x_should_retry=True), reply("ok"))
    assert client.complete(ask()).text == "ok"


def test_max_retries_is_respected(openrouter: FakeOpenRouter, make_client: MakeClient) -> None:
    client = make_client(retry_policy=RetryPolicy(max_retries=0))
    openrouter.enqueue(provider_down(502), reply("never"))
    with pytest.raises(ProviderDown) as caught:
        client.complete(ask())
    assert "gave up" not in caught.value.message
    assert len(openrouter.chat_requests) == 1


def test_dropped_connection_before_any_content_is_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(drop_connection(), reply("after the drop"))
    assert client.complete(ask()).text == "after the drop"
    assert ledger.rows[0].error_type == "network_error"
    assert ledger.rows[1].retry_number == 1


def test_no_retry_once_content_streamed_connection_drop(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(drop_connection("Already shown to the user"), reply("never"))
    with pytest.raises(NetworkError) as caught:
        client.complete(ask())
    assert caught.value.partial_text == "Already shown to the user"
    assert not caught.value.retryable
    assert len(openrouter.chat_requests) == 1
    assert len(ledger.rows) == 1


def test_midstream_error_before_content_is_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(midstream_error("", code=503), reply("second try"))
    assert client.complete(ask()).text == "second try"
    assert len(openrouter.chat_requests) == 2


def test_midstream_client_error_code_is_not_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(midstream_error("", code=400, message="context too long"), reply("never"))
    with pytest.raises(ProviderError):
        client.complete(ask())
    assert len(openrouter.chat_requests) == 1


def test_retry_then_final_failure_of_other_kind(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(provider_down(502), error(422, "unprocessable"))
    with pytest.raises(BadRequest) as caught:
        client.complete(ask())
    assert "gave up after 2 attempts" in caught.value.message
    assert [row.error_type for row in ledger.rows] == ["provider_down", "bad_request"]
