"""Model ids: seed 000's routing names become the ids the OpenRouter API wants."""

from __future__ import annotations

import pytest

from app.llm.model_ids import InvalidModelId, normalise_model_id, normalise_model_ids


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("openrouter/anthropic/claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4.5"),
        ("anthropic/claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4.5"),
        ("claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4.5"),
        ("openrouter/anthropic/claude-3-5-haiku-20241022", "anthropic/claude-3.5-haiku"),
        ("anthropic/claude-opus-4-1-20250805", "anthropic/claude-opus-4.1"),
        ("anthropic/claude-sonnet-4-20250514", "anthropic/claude-sonnet-4"),
        # Not in the table: the general rules.
        ("anthropic/claude-opus-5-2-20270101", "anthropic/claude-opus-5.2"),
        ("anthropic/claude-4-1-haiku-20270101", "anthropic/claude-4.1-haiku"),
        ("anthropic/claude-nova-7-20270101", "anthropic/claude-nova-7"),
        ("openrouter/openai/gpt-4o-mini", "openai/gpt-4o-mini"),
        ("openrouter/auto", "openrouter/auto"),
        ("openrouter/optimus-alpha", "openrouter/optimus-alpha"),
        ("anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4.5"),
        ("meta-llama/llama-3.3-70b-instruct:free", "meta-llama/llama-3.3-70b-instruct:free"),
        (
            "openrouter/anthropic/claude-sonnet-4-5-20250929:thinking",
            "anthropic/claude-sonnet-4.5:thinking",
        ),
        ("  openai/gpt-4o  ", "openai/gpt-4o"),
        ("llama3.2:3b", "llama3.2:3b"),
        ("openai/claude-sonnet-4-5-20250929", "openai/claude-sonnet-4-5-20250929"),
    ],
)
def test_normalise(given: str, expected: str) -> None:
    assert normalise_model_id(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "anthropic/claude sonnet"])
def test_invalid_ids_are_refused_with_an_example(bad: str) -> None:
    with pytest.raises(InvalidModelId, match="org/model"):
        normalise_model_id(bad)


def test_fallback_lists_are_normalised_and_deduplicated() -> None:
    assert normalise_model_ids(
        [
            "openrouter/anthropic/claude-sonnet-4-5-20250929",
            "anthropic/claude-sonnet-4.5",
            "openai/gpt-4o",
        ]
    ) == ["anthropic/claude-sonnet-4.5", "openai/gpt-4o"]
