"""One agent's turn: render its prompts, call its model, check what it answered.

Nothing here touches the database: the lane hands in plain inputs and stores the outcome.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.agents.brief import PieceBrief
from app.agents.checkpoints import PlannedStep
from app.agents.errors import AgentOutputInvalid
from app.agents.messages import agent_request, task_header
from app.agents.options import PipelineOptions
from app.agents.platforms import PlatformSpec
from app.agents.prompts import SYSTEM, TASK, PromptSet
from app.agents.roles import SENIOR_EDITOR, AgentRole, Output
from app.agents.schemas import (
    EVALUATION_SCHEMA,
    SEO_DESCRIPTION_MAX,
    SEO_KEYWORDS_MAX,
    SEO_SCHEMA,
    SEO_TITLE_MAX,
    EvaluationResult,
    SeoResult,
    check_evaluation,
    check_seo,
)
from app.llm.cancel import CancelToken
from app.llm.client import OpenRouterClient
from app.llm.requests import CallContext, ChatRequest, assistant_message, user_message
from app.llm.results import Completion
from app.llm.structured import strip_fences
from app.services.agent_configs import AgentSettings


@dataclass(frozen=True, slots=True)
class LaneSetup:
    """What every step of a lane shares, read once."""

    brief: PieceBrief
    prompts: PromptSet
    options: PipelineOptions
    shared_context: str
    spec: PlatformSpec


@dataclass(frozen=True, slots=True)
class DraftInput:
    id: uuid.UUID
    version: int
    title: str | None
    content: str


@dataclass(frozen=True, slots=True)
class StepInputs:
    """What a step is given, read when it is marked running."""

    settings: AgentSettings
    draft: DraftInput | None
    evaluation: dict[str, Any] | None
    violations: tuple[str, ...]


@dataclass(slots=True)
class StepOutcome:
    """What the model produced for a step, checked, before it is stored."""

    text: str
    content: str | None = None  # the new draft's text, for drafting agents
    title: str | None = None
    seo: SeoResult | None = None
    evaluation: EvaluationResult | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal | None = None
    calls: int = 0

    def add(self, completion: Completion) -> None:
        self.model = completion.model_used or completion.model_requested
        self.input_tokens += completion.usage.input_tokens
        self.output_tokens += completion.usage.output_tokens
        if completion.cost is not None:
            self.cost = (self.cost or Decimal(0)) + completion.cost
        self.calls += 1


class AgentCall:
    def __init__(
        self,
        llm: OpenRouterClient,
        *,
        piece_id: uuid.UUID,
        platform: str,
        token: CancelToken,
        on_delta: Callable[[str], None],
    ) -> None:
        self.llm = llm
        self.piece_id = piece_id
        self.platform = platform
        self.token = token
        self.on_delta = on_delta

    def run(
        self, step: PlannedStep, role: AgentRole, inputs: StepInputs, setup: LaneSetup
    ) -> StepOutcome:
        variables = prompt_variables(step, role, inputs, setup)
        system_text = setup.prompts.render(role.agent_id, SYSTEM, variables)
        task_text = task_header(role.agent_id, self.platform) + setup.prompts.render(
            role.agent_id, TASK, variables
        )
        request = agent_request(
            inputs.settings,
            shared_context=setup.shared_context,
            system_text=system_text,
            task_text=task_text,
        )
        context = CallContext(
            piece_id=self.piece_id,
            step_id=step.id,
            project_id=setup.brief.project_id,
            agent_id=role.agent_id,
            content_type=self.platform,
        )
        outcome = StepOutcome(text="")
        if role.output is Output.EVALUATION:
            data = self._json_answer(request, EVALUATION_SCHEMA, "evaluation", context, outcome)
            outcome.evaluation = check_evaluation(data)
            outcome.text = json.dumps(data, ensure_ascii=False)
            return outcome
        if role.output is Output.SEO:
            data = self._json_answer(request, SEO_SCHEMA, "seo_revision", context, outcome)
            outcome.seo = check_seo(data)
            outcome.text = json.dumps(data, ensure_ascii=False)
            outcome.content = clean_answer(outcome.seo.content)
            outcome.title = heading_title(outcome.content) or outcome.seo.title
            return outcome
        completion = self.llm.complete(
            request, cancel=self.token, on_delta=self.on_delta, context=context
        )
        outcome.add(completion)
        content = clean_answer(completion.text)
        if role is SENIOR_EDITOR and content:
            remaining = setup.spec.violations(content)
            if remaining:
                content, remaining = self._fix_violations(
                    request, completion.text, remaining, setup.spec, context, outcome
                )
            if remaining:
                outcome.notes["platform_violations"] = remaining
        if not content:
            raise AgentOutputInvalid(
                f"The {role.label.lower()} ({inputs.settings.model_id}) answered with no text."
            )
        outcome.text = completion.text
        outcome.content = content
        outcome.title = heading_title(content) or (inputs.draft.title if inputs.draft else None)
        return outcome

    def _json_answer(
        self,
        request: ChatRequest,
        schema: Mapping[str, Any],
        schema_name: str,
        context: CallContext,
        outcome: StepOutcome,
    ) -> dict[str, Any]:
        data, completion = self.llm.complete_json(
            request,
            schema,
            schema_name=schema_name,
            cancel=self.token,
            on_delta=self.on_delta,
            context=context,
        )
        outcome.add(completion)
        return data

    def _fix_violations(
        self,
        request: ChatRequest,
        answer: str,
        problems: list[str],
        spec: PlatformSpec,
        context: CallContext,
        outcome: StepOutcome,
    ) -> tuple[str, list[str]]:
        """Ask the senior editor once more when the text still breaks a hard platform limit."""
        listed = "\n".join(f"- {problem}" for problem in problems)
        follow_up = dataclasses.replace(
            request,
            messages=[
                *request.messages,
                assistant_message(answer),
                user_message(
                    f"This text still breaks the {spec.label} rules:\n{listed}\n\nReply with "
                    "the full corrected text only."
                ),
            ],
        )
        completion = self.llm.complete(
            follow_up, cancel=self.token, on_delta=self.on_delta, context=context
        )
        outcome.add(completion)
        fixed = clean_answer(completion.text)
        if not fixed:
            return clean_answer(answer), problems
        return fixed, spec.violations(fixed)


def prompt_variables(
    step: PlannedStep, role: AgentRole, inputs: StepInputs, setup: LaneSetup
) -> dict[str, Any]:
    """What the agent templates can use: the brief's variables and the step's own."""
    spec = setup.spec
    draft = inputs.draft
    return {
        **setup.brief.variables(),
        "agent": {"id": role.agent_id, "label": role.label},
        "platform": {
            "name": spec.name,
            "label": spec.label,
            "rules": spec.rules,
            "max_chars": spec.max_chars,
            "max_post_chars": spec.max_post_chars,
        },
        "draft": (
            {"version": draft.version, "title": draft.title or "", "content": draft.content}
            if draft is not None
            else None
        ),
        "evaluation": inputs.evaluation,
        "violations": list(inputs.violations),
        "iteration": step.iteration,
        "score_threshold": setup.options.score_threshold,
        "max_iterations": setup.options.max_iterations,
        "limits": {
            "title": SEO_TITLE_MAX,
            "description": SEO_DESCRIPTION_MAX,
            "keywords": SEO_KEYWORDS_MAX,
        },
    }


def clean_answer(text: str) -> str:
    """The answer without a wrapping code fence or surrounding blank space."""
    return strip_fences(text).strip()


def heading_title(content: str) -> str | None:
    """The text of a leading '# ' heading, if the text starts with one."""
    for line in content.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("# "):
            return stripped[2:].strip() or None
        return None
    return None
