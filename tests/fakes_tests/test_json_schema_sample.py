"""The schema sampler behind the fake's default answers to structured-output requests."""

from typing import Any

import jsonschema
import pytest

from tests.fakes.json_schema_sample import sample_for_schema

REVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "criteria", "feedback", "highlights", "verdict", "notes"],
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "criteria": {
            "type": "object",
            "required": ["clarity", "grammar"],
            "properties": {
                "clarity": {"$ref": "#/$defs/criterion"},
                "grammar": {"$ref": "#/$defs/criterion"},
            },
        },
        "feedback": {"type": "string", "minLength": 40, "maxLength": 60},
        "highlights": {
            "type": "array",
            "minItems": 2,
            "maxItems": 3,
            "items": {"type": "string", "maxLength": 5},
        },
        "verdict": {"enum": ["accept", "revise"]},
        "notes": {"anyOf": [{"type": "null"}, {"type": "string"}]},
        "weight": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "published": {"type": ["boolean", "null"]},
        "slug": {"type": "string", "format": "uri"},
    },
    "$defs": {"criterion": {"type": "integer", "minimum": 1, "maximum": 5}},
}


def test_sample_validates_against_a_review_schema() -> None:
    sample = sample_for_schema(REVIEW_SCHEMA)

    jsonschema.Draft202012Validator(REVIEW_SCHEMA).validate(sample)
    assert sample["score"] == 85  # high in range, so typical acceptance thresholds pass
    assert sample["criteria"] == {"clarity": 4, "grammar": 4}
    assert 2 <= len(sample["highlights"]) <= 3


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "exclusiveMinimum": 10},
        {"type": "integer", "maximum": -3},
        {"type": "number", "minimum": 0.001, "maximum": 0.002},
        {"type": "number", "exclusiveMaximum": 0},
        {"type": "string", "minLength": 200},
        {"type": "array", "items": {"type": "boolean"}, "minItems": 4},
        {"allOf": [{"type": "object", "properties": {"a": {"const": 1}}}, {"required": ["a"]}]},
        {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "integer"}]},
    ],
)
def test_sample_honours_bounds(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema).validate(sample_for_schema(schema))
