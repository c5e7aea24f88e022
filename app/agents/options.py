"""Tunable settings of a pipeline run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_SCORE_THRESHOLD = 80
DEFAULT_MAX_ITERATIONS = 2


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """``score_threshold``: a reviewer score below it sends the draft back to the senior
    editor. ``max_iterations``: how many revision rounds at most after the first review.
    ``cancel_poll_seconds``: how often a streaming step checks the database for a cancel
    requested by another process."""

    score_threshold: int = DEFAULT_SCORE_THRESHOLD
    max_iterations: int = DEFAULT_MAX_ITERATIONS
    cancel_poll_seconds: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.score_threshold <= 100:
            raise ValueError(f"score_threshold must be 0–100, got {self.score_threshold}")
        if self.max_iterations < 0:
            raise ValueError(f"max_iterations must be 0 or more, got {self.max_iterations}")
        if self.cancel_poll_seconds <= 0:
            raise ValueError("cancel_poll_seconds must be positive")

    @classmethod
    def from_piece(cls, stored: Mapping[str, Any] | None, base: PipelineOptions) -> PipelineOptions:
        """The options stored on a piece override ``base`` key by key."""
        if not stored:
            return base
        return cls(
            score_threshold=int(stored.get("score_threshold", base.score_threshold)),
            max_iterations=int(stored.get("max_iterations", base.max_iterations)),
            cancel_poll_seconds=base.cancel_poll_seconds,
        )

    def as_dict(self) -> dict[str, Any]:
        return {"score_threshold": self.score_threshold, "max_iterations": self.max_iterations}
