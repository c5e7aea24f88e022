"""What a caller asks for: the chat request and the context its usage is filed under."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Message = Mapping[str, Any]


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion request, in OpenRouter's terms.

    ``models`` is the fallback list tried after ``model``; ``extra`` is merged into the body
    as is, for parameters this class does not name. Streaming is the default because closing
    a stream is the only way to stop (and stop paying for) a generation.
    """

    model: str
    messages: Sequence[Message]
    temperature: float | None = None
    max_tokens: int | None = None
    models: Sequence[str] = ()
    stop: Sequence[str] | None = None
    seed: int | None = None
    top_p: float | None = None
    response_format: Mapping[str, Any] | None = None
    provider: Mapping[str, Any] | None = None
    stream: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("a chat request needs at least one message")
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            raise ValueError(f"temperature must be between 0 and 2, got {self.temperature}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")


@dataclass(frozen=True)
class CallContext:
    """What a call is for; stored on its ledger rows so usage can be reported per piece,
    step, project, agent and content type."""

    piece_id: uuid.UUID | None = None
    step_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    agent_id: str | None = None
    content_type: str | None = None


def user_message(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def system_message(text: str) -> dict[str, str]:
    return {"role": "system", "content": text}


def assistant_message(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}
