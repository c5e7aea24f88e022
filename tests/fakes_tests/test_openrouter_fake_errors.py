"""Error answers of the fake OpenRouter, as the official openai client classifies them."""

import email.utils
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from tests.fakes.openrouter_server import (
    FakeOpenRouter,
    Scenario,
    bad_key,
    drop_connection,
    error,
    finish_error,
    in_flight_budget,
    midstream_error,
    model_not_found,
    moderation,
    no_credits,
    no_endpoints,
    provider_down,
    rate_limited,
    reply,
)
from tests.fakes_tests.openai_clients import make_client

MESSAGES: list[Any] = [{"role": "user", "content": "hello"}]


def _create(client: OpenAI, *, stream: bool) -> str:
    """Run one completion to the end and return its text."""
    if not stream:
        completion = client.chat.completions.create(model="a/b", messages=MESSAGES)
        return completion.choices[0].message.content or ""
    parts = []
    for chunk in client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True):
        parts.extend(choice.delta.content or "" for choice in chunk.choices)
    return "".join(parts)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("scenario", "exception", "status"),
    [
        (bad_key(), openai.AuthenticationError, 401),
        (no_credits(), openai.APIStatusError, 402),
        (model_not_found("nobody/nothing"), openai.BadRequestError, 400),
        (moderation(["violence"], "bad words"), openai.PermissionDeniedError, 403),
        (no_endpoints(), openai.NotFoundError, 404),
        (error(408, "Request timed out"), openai.APIStatusError, 408),
        (error(409, "Conflict"), openai.ConflictError, 409),
        (rate_limited(), openai.RateLimitError, 429),
        (provider_down(), openai.InternalServerError, 502),
        (provider_down(503), openai.InternalServerError, 503),
    ],
)
def test_error_statuses_map_to_openai_exceptions(
    openrouter: FakeOpenRouter,
    client: OpenAI,
    scenario: Scenario,
    exception: type[openai.APIStatusError],
    status: int,
    stream: bool,
) -> None:
    openrouter.enqueue(scenario)

    with pytest.raises(exception) as caught:
        _create(client, stream=stream)

    assert caught.value.status_code == status
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["code"] == status
    assert body["message"] == scenario.error_message


def test_error_bodies_carry_openrouter_metadata(openrouter: FakeOpenRouter, client: OpenAI) -> None:
    openrouter.enqueue(
        model_not_found("nobody/nothing"),
        moderation(["violence"], "bad words"),
        no_credits(limit_source="key"),
    )
    bodies = []
    for _ in range(3):
        with pytest.raises(openai.APIStatusError) as caught:
            _create(client, stream=False)
        bodies.append(caught.value.body)

    assert bodies[0]["message"] == "nobody/nothing is not a valid model ID"
    assert bodies[1]["metadata"]["reasons"] == ["violence"]
    assert bodies[1]["metadata"]["flagged_input"] == "bad words"
    assert bodies[2]["metadata"]["limit_source"] == "key"


def test_in_flight_budget_is_a_402_with_retry_after(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(in_flight_budget(retry_after=2))

    with pytest.raises(openai.APIStatusError) as caught:
        _create(client, stream=True)

    assert caught.value.status_code == 402
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.body["metadata"]["limit_source"] == "openrouter_in_flight_budget"


def test_rate_limited_sends_rate_limit_and_retry_headers(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=30)
    openrouter.enqueue(
        rate_limited(retry_after=3), rate_limited(retry_after_date=when, retry_after_ms=1500)
    )
    headers = []
    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as caught:
            _create(client, stream=False)
        headers.append(caught.value.response.headers)

    assert headers[0]["retry-after"] == "3"
    assert headers[0]["x-ratelimit-remaining"] == "0"
    assert int(headers[0]["x-ratelimit-limit"]) > 0
    assert int(headers[0]["x-ratelimit-reset"]) > time.time() * 1000
    assert email.utils.parsedate_to_datetime(headers[1]["retry-after"]) == when
    assert headers[1]["retry-after-ms"] == "1500"


def test_openai_retry_honours_retry_after_ms(openrouter: FakeOpenRouter) -> None:
    openrouter.enqueue(rate_limited(retry_after_ms=30), reply("second time lucky"))

    with make_client(openrouter, max_retries=1) as client:
        started = time.monotonic()
        text = _create(client, stream=False)
        elapsed = time.monotonic() - started

    assert text == "second time lucky"
    assert len(openrouter.chat_requests) == 2
    # openai's own backoff would wait at least 0.375 s; 30 ms shows the header was used.
    assert 0.03 <= elapsed < 0.37


def test_x_should_retry_overrides_the_status(openrouter: FakeOpenRouter) -> None:
    fast = {"retry-after-ms": "10"}
    openrouter.enqueue(
        error(503, "down", headers=fast, x_should_retry=False),
        error(400, "odd but retryable", headers=fast, x_should_retry=True),
        reply("ok"),
    )

    with make_client(openrouter, max_retries=1) as client:
        with pytest.raises(openai.InternalServerError):
            _create(client, stream=False)
        assert len(openrouter.chat_requests) == 1
        assert _create(client, stream=False) == "ok"

    assert len(openrouter.chat_requests) == 3


def test_bad_key_gets_401_and_missing_key_is_named(openrouter: FakeOpenRouter) -> None:
    with (
        make_client(openrouter, api_key="sk-or-wrong") as client,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        _create(client, stream=True)
    no_key = httpx.post(f"{openrouter.base_url}/chat/completions", json={"model": "a/b"})

    assert caught.value.body["message"] == "User not found."
    assert no_key.status_code == 401
    assert no_key.json()["error"]["message"] == "No auth credentials found"
    assert len(openrouter.chat_requests) == 2  # refused requests are recorded too


def test_valid_keys_none_accepts_any_key() -> None:
    with FakeOpenRouter(valid_keys=None) as fake, make_client(fake, api_key="anything") as client:
        fake.enqueue(reply("welcome"))
        assert _create(client, stream=False) == "welcome"


@pytest.mark.parametrize("with_done", [False, True])
@pytest.mark.parametrize("empty_choices", [False, True])
@pytest.mark.parametrize("code", [502, "server_error"])
def test_midstream_error_makes_openai_raise_after_the_partial_text(
    openrouter: FakeOpenRouter,
    client: OpenAI,
    with_done: bool,
    empty_choices: bool,
    code: int | str,
) -> None:
    openrouter.enqueue(
        midstream_error(
            "partial words", code=code, with_done=with_done, empty_choices=empty_choices
        )
    )
    received = []

    # openai raises APIError for any event whose data has a top-level "error",
    # after yielding every chunk before it.
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True):
            received.extend(choice.delta.content or "" for choice in chunk.choices)

    assert "".join(received) == "partial words"
    assert caught.value.message == "Provider disconnected unexpectedly"
    assert caught.value.body["code"] == code
    assert caught.value.body["metadata"]["error_type"] == "provider_error"


@pytest.mark.parametrize("with_done", [False, True])
def test_midstream_error_chunk_shape_on_the_wire(
    openrouter: FakeOpenRouter, with_done: bool
) -> None:
    openrouter.enqueue(midstream_error("abc", with_done=with_done))

    response = httpx.post(
        f"{openrouter.base_url}/chat/completions",
        json={"model": "a/b", "messages": MESSAGES, "stream": True},
        headers={"Authorization": "Bearer sk-or-test-key"},
    )

    events = [line for line in response.text.split("\n\n") if line.startswith("data: ")]
    assert response.status_code == 200
    assert (events[-1] == "data: [DONE]") is with_done
    error_event = events[-2] if with_done else events[-1]
    assert '"finish_reason":"error"' in error_event
    assert '"error":{"code":502' in error_event


def test_finish_error_is_a_200_with_an_error_choice(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(finish_error("Upstream failed", text_before="half an ans"))

    completion = client.chat.completions.create(model="a/b", messages=MESSAGES)

    choice = completion.choices[0]
    assert choice.finish_reason == "error"
    assert choice.message.content == "half an ans"
    assert (choice.model_extra or {})["error"]["message"] == "Upstream failed"


def test_dropped_connection_is_a_connection_error(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(drop_connection(), drop_connection("cut short"))
    received = []

    with pytest.raises(openai.APIConnectionError):
        _create(client, stream=False)
    with pytest.raises(openai.APIConnectionError):
        for chunk in client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True):
            received.extend(choice.delta.content or "" for choice in chunk.choices)

    assert "".join(received) == "cut short"
    assert openrouter.handler_errors == []
