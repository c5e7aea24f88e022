"""Which status changes are allowed, for pieces and for their per-platform states.

Pieces merge three lifecycles: seed 000's draft → generating → completed/failed, seed 001's
queued/running/completed/failed/cancelled (running is ``generating`` here) and seed 002's
awaiting_review and archiving. A piece goes back to ``queued``/``generating`` when a run is
resumed or a regeneration is asked for. Archiving is only for pieces nobody is working on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from app.domain.status import PieceStatus as P
from app.domain.status import PlatformStatus as S
from app.services.errors import InvalidInput

_Status = TypeVar("_Status", P, S)

PIECE_TRANSITIONS: Mapping[P, frozenset[P]] = {
    P.DRAFT: frozenset({P.QUEUED, P.GENERATING, P.CANCELLED, P.ARCHIVED}),
    P.QUEUED: frozenset({P.GENERATING, P.FAILED, P.CANCELLED}),
    P.GENERATING: frozenset({P.AWAITING_REVIEW, P.COMPLETED, P.FAILED, P.CANCELLED}),
    P.AWAITING_REVIEW: frozenset({P.QUEUED, P.GENERATING, P.COMPLETED, P.CANCELLED, P.ARCHIVED}),
    P.COMPLETED: frozenset({P.QUEUED, P.GENERATING, P.AWAITING_REVIEW, P.ARCHIVED}),
    P.FAILED: frozenset({P.QUEUED, P.GENERATING, P.CANCELLED, P.ARCHIVED}),
    P.CANCELLED: frozenset({P.QUEUED, P.GENERATING, P.ARCHIVED}),
    # Unarchiving returns a piece to the state its platforms imply (see pieces.unarchive_piece).
    P.ARCHIVED: frozenset({P.DRAFT, P.AWAITING_REVIEW, P.COMPLETED, P.FAILED, P.CANCELLED}),
}

PLATFORM_TRANSITIONS: Mapping[S, frozenset[S]] = {
    S.PENDING: frozenset({S.GENERATING, S.FAILED, S.CANCELLED}),
    S.GENERATING: frozenset({S.EVALUATING, S.AWAITING_REVIEW, S.FAILED, S.CANCELLED}),
    # The revision loop: a low score sends the draft back to the senior editor.
    S.EVALUATING: frozenset({S.GENERATING, S.AWAITING_REVIEW, S.FAILED, S.CANCELLED}),
    S.AWAITING_REVIEW: frozenset({S.ACCEPTED, S.REJECTED, S.GENERATING, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.PUBLISHED, S.AWAITING_REVIEW, S.GENERATING}),
    S.REJECTED: frozenset({S.GENERATING, S.AWAITING_REVIEW, S.CANCELLED}),
    S.PUBLISHED: frozenset(),
    # Resuming after a failure or a cancel re-enters the pipeline at its first unfinished step.
    S.FAILED: frozenset({S.PENDING, S.GENERATING, S.CANCELLED}),
    S.CANCELLED: frozenset({S.PENDING, S.GENERATING}),
}


def check_piece_transition(current: str, target: str) -> P:
    """``target`` as a PieceStatus, if a piece may go there from ``current``."""
    return _check("piece", P, PIECE_TRANSITIONS, current, target)


def check_platform_transition(current: str, target: str) -> S:
    return _check("platform", S, PLATFORM_TRANSITIONS, current, target)


def _check(
    what: str,
    enum: type[_Status],
    table: Mapping[_Status, frozenset[_Status]],
    current: str,
    target: str,
) -> _Status:
    try:
        wanted = enum(target)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInput(f"{target!r} is not a {what} status; use one of: {allowed}") from None
    here = enum(current)
    if wanted != here and wanted not in table[here]:
        nexts = ", ".join(sorted(s.value for s in table[here])) or "nothing (it is final)"
        raise InvalidInput(
            f"a {what} cannot go from {here.value!r} to {wanted.value!r}; from {here.value!r} "
            f"it can go to: {nexts}"
        )
    return wanted
