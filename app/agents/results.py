"""What a run hands back: plain data, safe to pass between threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True, slots=True)
class PlatformResult:
    piece_id: UUID
    platform: str
    status: str  # a PlatformStatus value
    active_draft_id: UUID | None = None
    score: int | None = None
    error_type: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class RunResult:
    piece_id: UUID
    status: str  # a PieceStatus value
    platforms: dict[str, PlatformResult] = field(default_factory=dict)
