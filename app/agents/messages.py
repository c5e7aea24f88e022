"""Turning rendered prompts into a chat request for an agent's configured model.

The shared context is the first content part of the system message and the same bytes for
every agent of a piece, so providers that cache prompt prefixes can reuse it. Anthropic
models cache only what is marked, hence the ``cache_control`` on that part for them.
"""

from __future__ import annotations

from typing import Any

from app.llm.model_ids import normalise_model_id
from app.llm.requests import ChatRequest, user_message
from app.services.agent_configs import AgentSettings

EPHEMERAL_CACHE = {"type": "ephemeral"}


def marks_cache(model_id: str) -> bool:
    """Whether the model needs explicit cache breakpoints (Anthropic's models do)."""
    return normalise_model_id(model_id).startswith("anthropic/")


def task_header(agent_id: str, platform: str) -> str:
    """A fixed first line of every task, naming who is asked and for what: it keeps the
    request log readable whatever an admin does to the templates."""
    return f"Agent: {agent_id}\nPlatform: {platform}\n\n"


def system_message(shared_context: str, agent_text: str, *, cache: bool) -> dict[str, Any]:
    if not cache:
        # One string whose prefix is the shared block: automatic prefix caches still match.
        return {"role": "system", "content": shared_context + "\n" + agent_text}
    return {
        "role": "system",
        "content": [
            {"type": "text", "text": shared_context, "cache_control": dict(EPHEMERAL_CACHE)},
            {"type": "text", "text": agent_text},
        ],
    }


def agent_request(
    settings: AgentSettings,
    *,
    shared_context: str,
    system_text: str,
    task_text: str,
) -> ChatRequest:
    return ChatRequest(
        model=settings.model_id,
        models=tuple(settings.fallback_models),
        temperature=float(settings.temperature),
        max_tokens=settings.max_tokens,
        messages=[
            system_message(shared_context, system_text, cache=marks_cache(settings.model_id)),
            user_message(task_text),
        ],
    )
