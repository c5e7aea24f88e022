"""The agents of the pipeline (seed 000) and the order in which they work on a platform."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Output(StrEnum):
    """What an agent's answer becomes."""

    DRAFT = "draft"  # a new draft version
    SEO = "seo"  # a new draft version plus SEO metadata
    EVALUATION = "evaluation"  # a score of the current draft


@dataclass(frozen=True, slots=True)
class AgentRole:
    agent_id: str
    label: str
    output: Output


BRAND_VOICE_ANALYZER = "brand-voice-analyzer"
WRITER = AgentRole("blog-writer", "Writer", Output.DRAFT)
EDITOR = AgentRole("blog-editor", "Editor", Output.DRAFT)
SEO_SPECIALIST = AgentRole("seo-specialist", "SEO specialist", Output.SEO)
SENIOR_EDITOR = AgentRole("senior-editor", "Senior editor", Output.DRAFT)
REVIEWER = AgentRole("blog-reviewer", "Reviewer", Output.EVALUATION)

# The first pass over a platform; a low review score adds REVISION rounds after it.
FIRST_PASS: tuple[AgentRole, ...] = (WRITER, EDITOR, SEO_SPECIALIST, SENIOR_EDITOR, REVIEWER)
REVISION: tuple[AgentRole, ...] = (SENIOR_EDITOR, REVIEWER)

ROLES: dict[str, AgentRole] = {role.agent_id: role for role in FIRST_PASS}

# The piece-wide step that records the shared prompt context, so every agent of the piece
# (and every resumed run) sends the very same bytes first.
SHARED_CONTEXT_STEP = "shared-context"


def role_for(agent_id: str) -> AgentRole:
    try:
        return ROLES[agent_id]
    except KeyError:
        raise ValueError(f"{agent_id!r} is not an agent of the writing pipeline") from None
