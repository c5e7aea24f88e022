"""Reading the fake OpenRouter's request log the way the pipeline tests need to."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.fakes.openrouter_defaults import message_text
from tests.fakes.openrouter_server import FakeOpenRouter, RecordedRequest, Scenario

_HEADER = re.compile(r"^Agent: (?P<agent>\S+)\nPlatform: (?P<platform>\S+)\n")


def agent_of(body: dict[str, Any]) -> tuple[str, str]:
    """(agent id, platform) of a chat request, from the task header every task starts with."""
    user = next(m for m in body["messages"] if m["role"] == "user")
    match = _HEADER.match(message_text(user["content"]))
    assert match, f"no task header in {message_text(user['content'])[:80]!r}"
    return match["agent"], match["platform"]


def calls_by_agent(fake: FakeOpenRouter) -> Counter[tuple[str, str]]:
    return Counter(agent_of(r.json) for r in fake.chat_requests)


def shared_part(request: RecordedRequest) -> str:
    system = request.json["messages"][0]
    assert system["role"] == "system"
    content = system["content"]
    if isinstance(content, list):
        return str(content[0]["text"])
    return str(content).split("END OF SHARED CONTEXT")[0]


def all_text(request: RecordedRequest) -> str:
    return "\n".join(message_text(m.get("content")) for m in request.json["messages"])


Responder = Callable[[dict[str, Any]], Scenario]


def responder_for(
    answers: dict[tuple[str, str] | str, Callable[[int], Scenario | None]],
    fallback: Responder,
) -> Responder:
    """Answer a request of (agent, platform) — or of an agent on any platform — with
    answers[key](n), n counting that key's requests from 1; None falls back."""
    seen: Counter[tuple[str, str] | str] = Counter()

    def respond(body: dict[str, Any]) -> Scenario:
        agent, platform = agent_of(body)
        for key in ((agent, platform), agent):
            if key in answers:
                seen[key] += 1
                scenario = answers[key](seen[key])
                if scenario is not None:
                    return scenario
        return fallback(body)

    return respond
