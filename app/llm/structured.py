"""Structured output: asking for JSON that matches a schema, and checking what came back.

``response_format`` is honoured only by some models, and OpenRouter drops unsupported
parameters silently unless ``provider.require_parameters`` is set, so the answer is always
parsed and validated here too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
from jsonschema.protocols import Validator

from app.llm.requests import ChatRequest, assistant_message, user_message

_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n?(?P<body>.*?)\n?```$", re.DOTALL)
_SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def validator_for(schema: Mapping[str, Any]) -> Validator:
    """A validator for ``schema``; a ValueError names the problem if the schema is invalid."""
    schema = dict(schema)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        raise ValueError(f"invalid JSON schema: {exc.message}") from None
    validator: Validator = cls(schema)
    return validator


def structured_request(
    request: ChatRequest, schema: Mapping[str, Any], schema_name: str, *, openrouter: bool
) -> ChatRequest:
    """``request`` asking for strict JSON matching ``schema``."""
    if not _SCHEMA_NAME.match(schema_name):
        raise ValueError(f"schema name {schema_name!r} must be 1–64 letters, digits, '_' or '-'")
    provider = dict(request.provider or {})
    if openrouter:
        # Without this, a model that ignores response_format would be picked silently.
        provider["require_parameters"] = True
    return dataclasses.replace(
        request,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": schema_name, "strict": True, "schema": dict(schema)},
        },
        provider=provider or None,
    )


def parse_json_answer(text: str, validator: Validator) -> tuple[dict[str, Any] | None, str]:
    """The answer as a validated JSON object, or None and what is wrong with it."""
    candidate = strip_fences(text)
    try:
        data = json.loads(candidate)
    except ValueError as exc:
        # Models sometimes wrap the object in prose; try the outermost braces.
        start, end = candidate.find("{"), candidate.rfind("}")
        if start < 0 or end <= start:
            return None, f"the answer is not JSON ({exc})"
        try:
            data = json.loads(candidate[start : end + 1])
        except ValueError:
            return None, f"the answer is not JSON ({exc})"
    if not isinstance(data, dict):
        return None, f"expected a JSON object, got {type(data).__name__}"
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = error.json_path if error.path else "the top level"
        return None, f"{error.message} (at {where})"
    return data, ""


def strip_fences(text: str) -> str:
    """The content of a Markdown code fence (```json … ```), or the text itself."""
    stripped = text.strip()
    match = _FENCE.match(stripped)
    return match["body"].strip() if match else stripped


def repair_request(request: ChatRequest, answer: str, problem: str) -> ChatRequest:
    """``request`` followed by the invalid answer and a request to fix it."""
    return dataclasses.replace(
        request,
        messages=[
            *request.messages,
            assistant_message(answer),
            user_message(
                f"That answer is not valid: {problem}. Reply again with only the corrected "
                "JSON object, matching the schema exactly, and nothing else."
            ),
        ],
    )
