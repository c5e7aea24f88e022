"""What the fake OpenRouter serves when a test scripts nothing: a model catalog, key details and
a responder that answers any chat request plausibly (valid JSON for json_schema requests)."""

from __future__ import annotations

from typing import Any

from tests.fakes.json_schema_sample import sample_for_schema
from tests.fakes.openrouter_scenarios import Scenario, reply

_TEXT_PARAMETERS = [
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "response_format",
    "structured_outputs",
    "tools",
    "tool_choice",
]


def default_models() -> list[dict[str, Any]]:
    """A few OpenRouter /models entries; prices are strings in USD per token, as served."""
    return [
        _model(
            "anthropic/claude-sonnet-4.5",
            "Anthropic: Claude Sonnet 4.5",
            context=1_000_000,
            max_completion=64_000,
            prompt="0.000003",
            completion="0.000015",
            cache_read="0.0000003",
            cache_write="0.00000375",
            extra_parameters=["reasoning", "include_reasoning"],
        ),
        _model(
            "openai/gpt-4o-mini",
            "OpenAI: GPT-4o-mini",
            context=128_000,
            max_completion=16_384,
            prompt="0.00000015",
            completion="0.0000006",
            cache_read="0.000000075",
            cache_write=None,
        ),
        _model(
            "google/gemini-2.5-flash",
            "Google: Gemini 2.5 Flash",
            context=1_048_576,
            max_completion=65_535,
            prompt="0.0000003",
            completion="0.0000025",
            cache_read="0.000000075",
            cache_write="0.0000003833",
            extra_parameters=["reasoning", "include_reasoning"],
        ),
        _model(
            "meta-llama/llama-3.3-70b-instruct:free",
            "Meta: Llama 3.3 70B Instruct (free)",
            context=131_072,
            max_completion=None,
            prompt="0",
            completion="0",
            cache_read=None,
            cache_write=None,
        ),
    ]


def default_local_models() -> list[dict[str, Any]]:
    """/v1/models as Ollama and llama.cpp serve it: ids only, no names, prices or limits."""
    return [
        {"id": "llama3.2:3b", "object": "model", "created": 1_730_000_000, "owned_by": "library"},
        {"id": "qwen2.5:7b", "object": "model", "created": 1_730_000_000, "owned_by": "library"},
    ]


def default_key_info() -> dict[str, Any]:
    return {
        "label": "sk-or-v1-abc...xyz",
        "limit": 25.0,
        "limit_remaining": 24.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": False,
        "usage": 0.5,
        "usage_daily": 0.05,
        "usage_weekly": 0.2,
        "usage_monthly": 0.5,
        "byok_usage": 0,
        "byok_usage_daily": 0,
        "byok_usage_weekly": 0,
        "byok_usage_monthly": 0,
        "is_free_tier": False,
        "is_provisioning_key": False,
        "rate_limit": {"requests": -1, "interval": "10s"},
    }


def default_responder(request: dict[str, Any]) -> Scenario:
    """Answer anything: an instance of the requested JSON schema, a JSON object for json_object
    requests, otherwise a short markdown draft that echoes the last user message."""
    response_format = request.get("response_format")
    if isinstance(response_format, dict):
        if response_format.get("type") == "json_schema":
            spec = response_format.get("json_schema") or {}
            schema = spec.get("schema", {}) if isinstance(spec, dict) else {}
            return reply(json_content=sample_for_schema(schema))
        if response_format.get("type") == "json_object":
            return reply(json_content={"result": "Sample result", "notes": []})
    topic = _last_user_text(request.get("messages")) or "the brief"
    topic = " ".join(topic.split())[:80]
    return reply(
        "## A fresh take\n\n"
        f"Here is a draft written for: {topic}\n\n"
        "- It opens with a clear promise to the reader.\n"
        "- It keeps sentences short and concrete.\n"
        "- It ends with a single call to action.\n\n"
        "Thanks for reading — come and see the new collection this week."
    )


def _last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return message_text(message.get("content"))
    return ""


def message_text(content: Any) -> str:
    """The text of a message content: a string, or a list of {"type":"text","text":…} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _model(
    model_id: str,
    name: str,
    *,
    context: int,
    max_completion: int | None,
    prompt: str,
    completion: str,
    cache_read: str | None,
    cache_write: str | None,
    extra_parameters: list[str] | None = None,
) -> dict[str, Any]:
    pricing = {"prompt": prompt, "completion": completion, "request": "0", "image": "0"}
    if cache_read is not None:
        pricing["input_cache_read"] = cache_read
    if cache_write is not None:
        pricing["input_cache_write"] = cache_write
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "name": name,
        "created": 1_750_000_000,
        "description": f"{name}, as listed by the test catalog.",
        "context_length": context,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": pricing,
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": max_completion,
            "is_moderated": model_id.startswith("openai/"),
        },
        "per_request_limits": None,
        "supported_parameters": [*_TEXT_PARAMETERS, *(extra_parameters or [])],
    }
