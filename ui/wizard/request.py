"""What the editor is asking for, gathered page by page (plain data, no Qt)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProjectChoice:
    id: uuid.UUID
    client_name: str
    name: str
    store_url: str | None
    brand_voice: dict[str, Any] | None
    voice_confirmed: bool

    @property
    def label(self) -> str:
        return f"{self.client_name} / {self.name}"


@dataclass(frozen=True)
class SkillChoice:
    name: str
    label: str
    description: str
    default_platforms: tuple[str, ...]
    template_inputs: dict[str, Any] | None
    matched: tuple[str, ...] = ()  # trigger keywords found in the goal

    @property
    def suggested(self) -> bool:
        return bool(self.matched)


@dataclass
class PieceRequest:
    goal: str = ""
    title: str = ""
    project: ProjectChoice | None = None
    skill: SkillChoice | None = None
    brand_voice: dict[str, Any] | None = None
    voice_confirmed: bool = False
    mode: str = "template"  # or "manual"
    product_ids: list[str] = field(default_factory=list)
    source_content: str = ""
    platforms: list[str] = field(default_factory=list)
    instructions: str = ""
    template_inputs: dict[str, Any] = field(default_factory=dict)
    score_threshold: int = 80
    max_iterations: int = 2

    @property
    def touched(self) -> bool:
        """Whether the editor has entered anything worth asking about before discarding."""
        return bool(
            self.goal.strip()
            or self.project is not None
            or self.product_ids
            or self.source_content.strip()
            or self.instructions.strip()
        )
