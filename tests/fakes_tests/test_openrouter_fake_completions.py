"""The fake's completions, as the official openai client sees them (non-streaming and streaming)."""

import json
from typing import Any

import pytest
from openai import OpenAI

from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, reply

MESSAGES: list[Any] = [{"role": "user", "content": "Write a caption for a linen summer dress."}]
TRICKY_TEXT = "Crème brûlée — 寿司 🍣 and “quotes”\nnew line, emoji 👗 done."


def test_non_stream_completion_carries_text_usage_cost_and_ids(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(reply("Hello there", cached_tokens=5, reasoning_tokens=7, cost=0.0042))

    raw = client.chat.completions.with_raw_response.create(
        model="anthropic/claude-sonnet-4.5", messages=MESSAGES
    )
    completion = raw.parse()

    assert completion.choices[0].message.content == "Hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "anthropic/claude-sonnet-4.5"
    assert completion.id.startswith("gen-")
    assert raw.headers["x-generation-id"] == completion.id
    assert (completion.model_extra or {})["provider"] == "FakeProvider"
    usage = completion.usage
    assert usage is not None
    assert usage.completion_tokens == 2 + 7  # two 8-character chunks plus reasoning tokens
    assert usage.prompt_tokens == len(MESSAGES[0]["content"]) // 4
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 5
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 7
    assert (usage.model_extra or {})["cost"] == pytest.approx(0.0042)


def test_request_is_recorded_with_headers_and_body(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    client.chat.completions.create(model="openai/gpt-4o-mini", messages=MESSAGES, temperature=0.3)

    (request,) = openrouter.chat_requests
    assert request.method == "POST"
    assert request.path == "/api/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
    assert request.headers["http-referer"] == "https://copydesk.example"
    assert request.headers["x-title"] == "Copydesk"
    assert request.json["temperature"] == 0.3
    assert request.json["messages"] == MESSAGES


def test_model_defaults_to_the_requested_one_and_can_be_overridden(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(reply("a"), reply("b", model="openai/gpt-4o-mini"))

    first = client.chat.completions.create(model="openrouter/auto", messages=MESSAGES)
    second = client.chat.completions.create(model="openrouter/auto", messages=MESSAGES)

    assert first.model == "openrouter/auto"
    assert second.model == "openai/gpt-4o-mini"


def test_json_content_is_serialised_as_the_text(openrouter: FakeOpenRouter, client: OpenAI) -> None:
    payload = {"score": 91, "feedback": "Clear and warm."}
    openrouter.enqueue(reply(json_content=payload))

    completion = client.chat.completions.create(model="openai/gpt-4o-mini", messages=MESSAGES)

    assert json.loads(completion.choices[0].message.content or "") == payload


def _collect_stream(client: OpenAI, **extra: Any) -> tuple[str, list[Any], list[str | None]]:
    """Text, usage objects and finish reasons from one streamed completion."""
    text, usages, finishes = [], [], []
    stream = client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=MESSAGES, stream=True, **extra
    )
    for chunk in stream:
        if chunk.usage is not None:
            usages.append(chunk.usage)
        for choice in chunk.choices:
            text.append(choice.delta.content or "")
            finishes.append(choice.finish_reason)
    return "".join(text), usages, finishes


@pytest.mark.parametrize("usage_shape", ["empty_choices", "empty_delta"])
@pytest.mark.parametrize("split_bytes", range(1, 8))
def test_stream_assembles_text_across_split_bytes_and_usage_shapes(
    openrouter: FakeOpenRouter, client: OpenAI, split_bytes: int, usage_shape: Any
) -> None:
    openrouter.enqueue(
        reply(
            TRICKY_TEXT,
            split_bytes=split_bytes,
            usage_shape=usage_shape,
            keepalives=2,
            midstream_keepalive=True,
            chunk_size=5,
        )
    )

    text, usages, finishes = _collect_stream(client)

    assert text == TRICKY_TEXT
    assert len(usages) == 1
    assert usages[0].completion_tokens == -(-len(TRICKY_TEXT) // 5)
    assert (usages[0].model_extra or {})["cost"] == pytest.approx(0.000123)
    assert finishes.count("stop") == 1


def test_stream_without_done_still_ends(openrouter: FakeOpenRouter, client: OpenAI) -> None:
    openrouter.enqueue(reply("no done marker", done=False))

    text, usages, _ = _collect_stream(client)

    assert text == "no done marker"
    assert len(usages) == 1


def test_stream_usage_shape_none_sends_no_usage(openrouter: FakeOpenRouter, client: OpenAI) -> None:
    openrouter.enqueue(reply("quiet", usage_shape="none"))

    text, usages, _ = _collect_stream(client)

    assert text == "quiet"
    assert usages == []


def test_reasoning_is_streamed_before_content(openrouter: FakeOpenRouter, client: OpenAI) -> None:
    openrouter.enqueue(reply("Answer.", reasoning="Thinking it through."))
    reasoning, content = [], []

    for chunk in client.chat.completions.create(
        model="openai/gpt-4o-mini", messages=MESSAGES, stream=True
    ):
        for choice in chunk.choices:
            reasoning.append((choice.delta.model_extra or {}).get("reasoning") or "")
            content.append(choice.delta.content or "")

    assert "".join(reasoning) == "Thinking it through."
    assert "".join(content) == "Answer."


def test_queue_is_consumed_in_order_then_the_responder_answers(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.enqueue(reply("one"), reply("two"))
    openrouter.set_responder(lambda request: reply(f"echo {len(request['messages'])}"))

    answers = [
        client.chat.completions.create(model="a/b", messages=MESSAGES).choices[0].message.content
        for _ in range(3)
    ]

    assert answers == ["one", "two", "echo 1"]
    assert openrouter.pending == 0


def test_local_mode_streams_without_cost_keepalives_or_provider(
    openrouter_local: FakeOpenRouter, local_client: OpenAI
) -> None:
    openrouter_local.enqueue(reply("local text"), reply("local text"))

    text_plain, usages_plain, _ = _collect_stream(local_client)
    text_usage, usages_asked, _ = _collect_stream(
        local_client, stream_options={"include_usage": True}
    )

    assert text_plain == text_usage == "local text"
    assert usages_plain == []  # local servers report usage only when asked
    assert len(usages_asked) == 1
    assert "cost" not in (usages_asked[0].model_extra or {})


def test_local_mode_non_stream_has_no_openrouter_fields(
    openrouter_local: FakeOpenRouter, local_client: OpenAI
) -> None:
    openrouter_local.enqueue(reply("hi"))

    raw = local_client.chat.completions.with_raw_response.create(
        model="llama3.2:3b", messages=MESSAGES
    )
    completion = raw.parse()

    assert completion.choices[0].message.content == "hi"
    assert "provider" not in (completion.model_extra or {})
    assert "native_finish_reason" not in (completion.choices[0].model_extra or {})
    assert completion.usage is not None
    assert "cost" not in (completion.usage.model_extra or {})
    assert "x-generation-id" not in raw.headers
    assert openrouter_local.generations == {}
