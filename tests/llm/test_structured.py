"""Structured output: strict json_schema requests, validation, one repair, then a clear error."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.llm.client import OpenRouterClient
from app.llm.errors import StructuredOutputInvalid
from app.llm.ledger import MemoryLedger
from app.llm.structured import parse_json_answer, strip_fences, validator_for
from tests.fakes.openrouter_server import FakeOpenRouter, reply
from tests.llm.conftest import MakeClient, ask

SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "feedback": {"type": "string"},
    },
    "required": ["score", "feedback"],
    "additionalProperties": False,
}


def test_valid_answer_first_time(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    openrouter.enqueue(reply(json_content={"score": 82, "feedback": "Crisp."}))
    data, completion = client.complete_json(ask(), SCHEMA, schema_name="evaluation")
    assert data == {"score": 82, "feedback": "Crisp."}
    assert completion.attempts == 1
    body = openrouter.chat_requests[0].json
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "evaluation", "strict": True, "schema": SCHEMA},
    }
    assert body["provider"]["require_parameters"] is True


def test_default_fake_answers_the_schema(client: OpenRouterClient) -> None:
    data, _ = client.complete_json(ask(), SCHEMA)
    assert set(data) == {"score", "feedback"}


def test_fenced_json_is_accepted(openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    fenced = "```json\n" + json.dumps({"score": 70, "feedback": "ok"}) + "\n```"
    openrouter.enqueue(reply(fenced))
    data, _ = client.complete_json(ask(), SCHEMA)
    assert data["score"] == 70
    assert len(openrouter.chat_requests) == 1


def test_invalid_answer_is_repaired_once(
    openrouter: FakeOpenRouter, client: OpenRouterClient, ledger: MemoryLedger
) -> None:
    openrouter.enqueue(
        reply(json_content={"score": 140, "feedback": "Too generous"}, cost=0.001),
        reply(json_content={"score": 90, "feedback": "Fixed"}, cost=0.002),
    )
    data, completion = client.complete_json(ask(), SCHEMA)
    assert data == {"score": 90, "feedback": "Fixed"}
    assert completion.cost == Decimal("0.003")
    assert completion.attempts == 2
    repair = openrouter.chat_requests[1].json["messages"]
    assert repair[-2] == {
        "role": "assistant",
        "content": '{"score": 140, "feedback": "Too generous"}',
    }
    assert repair[-1]["role"] == "user"
    assert "140 is greater than the maximum of 100" in repair[-1]["content"]
    assert "$.score" in repair[-1]["content"]
    assert len(ledger.rows) == 2 and all(row.success for row in ledger.rows)


def test_double_failure_raises_with_the_last_answer(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.enqueue(reply("Sure! Here is your evaluation."), reply('{"score": "high"}'))
    with pytest.raises(StructuredOutputInvalid) as caught:
        client.complete_json(ask(), SCHEMA, schema_name="evaluation")
    assert caught.value.raw_text == '{"score": "high"}'
    assert caught.value.validation_error
    assert "'evaluation'" in caught.value.message
    assert len(openrouter.chat_requests) == 2


def test_local_servers_get_no_openrouter_routing_flags(
    openrouter_local: FakeOpenRouter, make_client: MakeClient
) -> None:
    client = make_client(base_url=openrouter_local.base_url, local_server=None)
    data, _ = client.complete_json(ask(model="llama3.2:3b"), SCHEMA)
    assert set(data) == {"score", "feedback"}
    body = openrouter_local.chat_requests[0].json
    assert "provider" not in body
    assert body["response_format"]["json_schema"]["strict"] is True


def test_a_broken_schema_is_a_programming_error(client: OpenRouterClient) -> None:
    with pytest.raises(ValueError, match="invalid JSON schema"):
        client.complete_json(ask(), {"type": "no-such-type"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}\n```', '{"a": 1}'),
        ('  {"a": 1}  ', '{"a": 1}'),
    ],
)
def test_strip_fences(text: str, expected: str) -> None:
    assert strip_fences(text) == expected


def test_prose_around_the_object_is_tolerated() -> None:
    data, problem = parse_json_answer(
        'Here you go: {"score": 5, "feedback": "fine"} Hope it helps!', validator_for(SCHEMA)
    )
    assert data == {"score": 5, "feedback": "fine"} and problem == ""


def test_non_objects_are_refused() -> None:
    data, problem = parse_json_answer("[1, 2]", validator_for(SCHEMA))
    assert data is None and "expected a JSON object" in problem
