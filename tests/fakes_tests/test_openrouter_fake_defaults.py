"""The fake's default responder: plausible text, and valid JSON for structured-output requests."""

import json
from typing import Any

import jsonschema
import openai
import pytest
from openai import OpenAI

from tests.fakes.openrouter_server import FakeOpenRouter, reply
from tests.fakes_tests.test_json_schema_sample import REVIEW_SCHEMA

MESSAGES: list[Any] = [{"role": "user", "content": "A post about linen dresses"}]


def test_json_schema_requests_get_a_valid_instance(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="anthropic/claude-sonnet-4.5",
        messages=MESSAGES,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "review", "strict": True, "schema": REVIEW_SCHEMA},
        },
    )

    jsonschema.validate(json.loads(completion.choices[0].message.content or ""), REVIEW_SCHEMA)


def test_plain_requests_get_a_draft_mentioning_the_request(client: OpenAI) -> None:
    completion = client.chat.completions.create(model="a/b", messages=MESSAGES)

    text = completion.choices[0].message.content or ""
    assert "A post about linen dresses" in text
    assert len(text.split()) > 20


def test_json_object_requests_get_an_object(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="a/b", messages=MESSAGES, response_format={"type": "json_object"}
    )

    assert isinstance(json.loads(completion.choices[0].message.content or ""), dict)


def test_set_responder_none_restores_the_default(
    openrouter: FakeOpenRouter, client: OpenAI
) -> None:
    openrouter.set_responder(lambda request: reply("custom"))
    custom = client.chat.completions.create(model="a/b", messages=MESSAGES)
    openrouter.set_responder(None)
    default = client.chat.completions.create(model="a/b", messages=MESSAGES)

    assert custom.choices[0].message.content == "custom"
    assert "A post about linen dresses" in (default.choices[0].message.content or "")


def test_a_failing_responder_is_reported(openrouter: FakeOpenRouter, client: OpenAI) -> None:
    def broken(request: dict[str, Any]) -> Any:
        raise KeyError("nothing scripted")

    openrouter.set_responder(broken)

    with pytest.raises(openai.InternalServerError, match="nothing scripted"):
        client.chat.completions.create(model="a/b", messages=MESSAGES)
    assert openrouter.handler_errors == ["responder failed: KeyError('nothing scripted')"]
