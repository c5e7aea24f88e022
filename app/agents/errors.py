"""Typed failures of the agent pipeline, with messages a person can act on."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    #: The value stored in agent_steps.error_type.
    kind = "pipeline_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PieceNotRunnable(PipelineError):
    """The piece is in a state where no agent may work on it (e.g. archived)."""

    kind = "piece_not_runnable"


class AgentNotConfigured(PipelineError):
    """No model configuration exists for an agent the pipeline needs."""

    kind = "agent_not_configured"


class PromptTemplateError(PipelineError):
    """A prompt template (a file, or an admin's edited copy) cannot be rendered."""

    kind = "prompt_template"


class AgentOutputInvalid(PipelineError):
    """An agent answered, but with something the pipeline cannot use."""

    kind = "output_invalid"

    def __init__(self, message: str, *, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class GenerationInputError(PipelineError, ValueError):
    """What was asked for cannot start a piece: an unknown product, a bad option …"""

    kind = "invalid_input"
