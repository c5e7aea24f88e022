"""Plain progress events emitted by the pipeline.

They hold only plain data (UUIDs, strings, numbers, Decimals) so they can cross threads and be
handed to the GUI or printed by the CLI without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True, slots=True)
class StepStarted:
    piece_id: UUID
    platform: str
    step_id: UUID
    agent_id: str
    ordinal: int
    iteration: int
    model: str


@dataclass(frozen=True, slots=True)
class TextDelta:
    piece_id: UUID
    platform: str
    step_id: UUID
    text: str


@dataclass(frozen=True, slots=True)
class StepFinished:
    piece_id: UUID
    platform: str
    step_id: UUID
    agent_id: str
    input_tokens: int
    output_tokens: int
    cost: Decimal | None
    duration_ms: int


@dataclass(frozen=True, slots=True)
class StepFailed:
    piece_id: UUID
    platform: str
    step_id: UUID
    agent_id: str
    error_type: str
    message: str
    partial_text: str


@dataclass(frozen=True, slots=True)
class DraftCreated:
    piece_id: UUID
    platform: str
    draft_id: UUID
    version: int
    agent_id: str


@dataclass(frozen=True, slots=True)
class EvaluationReady:
    piece_id: UUID
    platform: str
    draft_id: UUID
    score: int
    criteria: dict[str, int] = field(hash=False)
    feedback: str


@dataclass(frozen=True, slots=True)
class PlatformFinished:
    piece_id: UUID
    platform: str
    status: str  # a PlatformStatus value


@dataclass(frozen=True, slots=True)
class RunFinished:
    piece_id: UUID
    status: str  # a PieceStatus value


Event = (
    StepStarted
    | TextDelta
    | StepFinished
    | StepFailed
    | DraftCreated
    | EvaluationReady
    | PlatformFinished
    | RunFinished
)
