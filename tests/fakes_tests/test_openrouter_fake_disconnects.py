"""Hanging and slow streams: the fake notices when a client goes away, and serves many at once."""

import threading
from typing import Any

import httpx
import openai
import pytest
from openai import OpenAI

from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, hang_after, reply

MESSAGES: list[Any] = [{"role": "user", "content": "hello"}]


def _read_until(stream: Any, expected: str) -> str:
    text = ""
    for chunk in stream:
        text += "".join(choice.delta.content or "" for choice in chunk.choices)
        if text == expected:
            break
    return text


def test_closing_a_hanging_stream_is_counted_as_a_disconnect(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(hang_after("partial answer"))

    stream = client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True)
    text = _read_until(stream, "partial answer")
    assert openrouter.disconnects == 0
    stream.close()

    assert text == "partial answer"
    assert openrouter.wait_for_disconnect(timeout=2)
    assert openrouter.disconnects == 1
    (generation,) = openrouter.generations.values()
    assert generation["cancelled"] is True


def test_closing_a_slow_stream_is_noticed_between_chunks(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(reply("x" * 400, chunk_size=4, delay=0.02))

    stream = client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True)
    text = _read_until(stream, "xxxx")
    stream.close()

    assert text == "xxxx"
    assert openrouter.wait_for_disconnect(timeout=2)


def test_non_stream_hang_times_out_the_client_and_is_noticed(openrouter: FakeOpenRouter) -> None:
    openrouter.enqueue(hang_after())

    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{openrouter.base_url}/chat/completions",
            json={"model": "a/b", "messages": MESSAGES},
            headers={"Authorization": f"Bearer {TEST_KEY}"},
            timeout=0.2,
        )

    assert openrouter.wait_for_disconnect(timeout=2)


def test_silence_after_keepalives_reaches_the_clients_read_timeout(
    openrouter: FakeOpenRouter,
) -> None:
    openrouter.enqueue(hang_after("", keepalives=3))

    with (
        OpenAI(
            base_url=openrouter.base_url, api_key=TEST_KEY, max_retries=0, timeout=0.2
        ) as client,
        pytest.raises(openai.APITimeoutError),
    ):
        for _ in client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True):
            pass

    assert openrouter.wait_for_disconnect(timeout=2)


def test_stopping_the_server_ends_a_hang_without_counting_a_disconnect() -> None:
    fake = FakeOpenRouter().start()
    fake.enqueue(hang_after("waiting"))
    outcome: list[BaseException | str] = []

    def consume() -> None:
        try:
            with httpx.stream(
                "POST",
                f"{fake.base_url}/chat/completions",
                json={"model": "a/b", "messages": MESSAGES, "stream": True},
                headers={"Authorization": f"Bearer {TEST_KEY}"},
                timeout=5,
            ) as response:
                outcome.append(response.read().decode())
        except httpx.HTTPError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    assert fake.wait_for_requests(1, timeout=2)
    fake.stop()
    reader.join(timeout=5)

    assert not reader.is_alive()
    assert isinstance(outcome[0], httpx.RemoteProtocolError)  # body never completed
    assert fake.disconnects == 0


def test_a_hanging_stream_does_not_block_other_requests(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(hang_after("stuck"), reply("meanwhile"))

    stuck = client.chat.completions.create(model="a/b", messages=MESSAGES, stream=True)
    assert _read_until(stuck, "stuck") == "stuck"
    other = client.chat.completions.create(model="a/b", messages=MESSAGES)
    stuck.close()

    assert other.choices[0].message.content == "meanwhile"
    assert openrouter.wait_for_disconnect(timeout=2)


def test_several_streams_at_once_each_get_their_own_answer(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.set_responder(
        lambda request: reply(f"answer for {request['messages'][0]['content']}", delay=0.005)
    )
    platforms = ["blog", "linkedin", "x", "newsletter"]
    results: dict[str, str] = {}
    everyone_started = threading.Barrier(len(platforms), timeout=5)

    def run(platform: str) -> None:
        everyone_started.wait()
        stream = client.chat.completions.create(
            model="a/b", messages=[{"role": "user", "content": platform}], stream=True
        )
        results[platform] = "".join(
            choice.delta.content or "" for chunk in stream for choice in chunk.choices
        )

    threads = [threading.Thread(target=run, args=(p,)) for p in platforms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)

    assert results == {p: f"answer for {p}" for p in platforms}
    assert openrouter.handler_errors == []
