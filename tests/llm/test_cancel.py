"""Cancelling from another thread closes the connection at once, even on a silent server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from app.llm.cancel import CancelToken
from app.llm.client import OpenRouterClient
from app.llm.errors import Cancelled, StreamStalled
from app.llm.ledger import MemoryLedger
from app.llm.retry import RetryPolicy
from tests.fakes.openrouter_server import FakeOpenRouter, hang_after, rate_limited, reply
from tests.llm.conftest import MakeClient, ask


def cancel_when(condition: Callable[[], bool], token: CancelToken) -> threading.Thread:
    """Cancel ``token`` from a second thread as soon as ``condition`` holds."""

    def run() -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.005)
        token.cancel()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_token_basics() -> None:
    token = CancelToken()
    calls: list[str] = []
    remove = token.on_cancel(lambda: calls.append("a"))
    token.on_cancel(lambda: calls.append("b"))
    remove()
    assert not token.cancelled and not token.wait(0.01)
    token.raise_if_cancelled()
    token.cancel()
    token.cancel()
    assert token.cancelled and token.wait(5)
    assert calls == ["b"]
    token.on_cancel(lambda: calls.append("late"))
    assert calls == ["b", "late"]
    with pytest.raises(Cancelled):
        token.raise_if_cancelled("kept")


def test_a_failing_callback_does_not_stop_the_others() -> None:
    token = CancelToken()
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    token.on_cancel(broken)
    token.on_cancel(lambda: calls.append("ran"))
    token.cancel()
    assert calls == ["ran"]


@pytest.mark.parametrize("warm_connection", [False, True], ids=["new", "pooled"])
def test_cancel_mid_stream_on_a_silent_server(
    openrouter: FakeOpenRouter,
    client: OpenRouterClient,
    ledger: MemoryLedger,
    warm_connection: bool,
) -> None:
    if warm_connection:
        client.complete(ask())
    openrouter.enqueue(hang_after("The first words"))
    token = CancelToken()
    got_text = threading.Event()
    cancelled_at: list[float] = []

    def on_delta(_: str) -> None:
        got_text.set()

    def canceller() -> None:
        got_text.wait(10)
        cancelled_at.append(time.monotonic())
        token.cancel()

    thread = threading.Thread(target=canceller, daemon=True)
    thread.start()
    with pytest.raises(Cancelled) as caught:
        client.complete(ask(), cancel=token, on_delta=on_delta)
    elapsed = time.monotonic() - cancelled_at[0]
    thread.join()
    assert elapsed < 0.5
    assert caught.value.partial_text == "The first words"
    assert openrouter.wait_for_disconnect(2)
    row = ledger.rows[-1]
    assert row.error_type == "cancelled" and not row.success
    # The client stays usable after a cancelled call.
    assert client.complete(ask()).text


def test_cancel_before_the_response_headers(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    # Not streaming, a hanging scenario never answers at all: no headers to wait for.
    client.complete(ask())  # leave a pooled connection behind, the harder case
    openrouter.enqueue(hang_after())
    token = CancelToken()
    requests_before = len(openrouter.requests)
    thread = cancel_when(lambda: len(openrouter.requests) > requests_before, token)
    started = time.monotonic()
    with pytest.raises(Cancelled):
        client.complete(ask(stream=False), cancel=token)
    assert time.monotonic() - started < 1.0
    thread.join()
    assert openrouter.wait_for_disconnect(2)


def test_cancel_interrupts_a_backoff_wait(
    openrouter: FakeOpenRouter, make_client: MakeClient, ledger: MemoryLedger
) -> None:
    client = make_client(retry_policy=RetryPolicy(max_retry_after=120))
    openrouter.enqueue(rate_limited(retry_after=60), reply("never"))
    token = CancelToken()
    thread = cancel_when(lambda: len(ledger.rows) == 1, token)
    started = time.monotonic()
    with pytest.raises(Cancelled, match="waiting to retry"):
        client.complete(ask(), cancel=token)
    assert time.monotonic() - started < 1.0
    thread.join()
    assert len(openrouter.chat_requests) == 1


def test_cancelled_token_sends_nothing(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        client.complete(ask(), cancel=token)
    assert openrouter.chat_requests == []


def test_cancel_after_completion_leaves_the_pool_alone(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    token = CancelToken()
    client.complete(ask(), cancel=token)
    token.cancel()
    assert client.complete(ask()).text
    assert openrouter.disconnects == 0


def test_silence_beyond_the_read_timeout_stalls(
    openrouter: FakeOpenRouter, make_client: MakeClient, ledger: MemoryLedger
) -> None:
    client = make_client(read_timeout=0.3)
    openrouter.enqueue(hang_after("Some words"))
    started = time.monotonic()
    with pytest.raises(StreamStalled) as caught:
        client.complete(ask())
    assert 0.3 <= time.monotonic() - started < 2
    assert caught.value.partial_text == "Some words"
    assert "0.3 s" in caught.value.message
    assert len(openrouter.chat_requests) == 1  # content was shown: never repeated
    assert ledger.rows[0].error_type == "stream_stalled"
    assert openrouter.wait_for_disconnect(2)


def test_silence_before_any_content_is_retried(
    openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(read_timeout=0.2)
    openrouter.enqueue(hang_after(), reply("woke up"))
    assert client.complete(ask()).text == "woke up"
    assert len(openrouter.chat_requests) == 2


def test_keepalives_do_not_count_as_silence(
    openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(read_timeout=0.3)
    openrouter.enqueue(reply("slow but alive", keepalives=4, first_token_delay=0.6))
    assert client.complete(ask()).text == "slow but alive"
