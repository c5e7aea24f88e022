"""The transition tables themselves: complete, and consistent with the stored statuses."""

from __future__ import annotations

from app.domain.status import PieceStatus, PlatformStatus
from app.services.transitions import PIECE_TRANSITIONS, PLATFORM_TRANSITIONS


def test_every_status_has_a_row() -> None:
    assert set(PIECE_TRANSITIONS) == set(PieceStatus)
    assert set(PLATFORM_TRANSITIONS) == set(PlatformStatus)


def test_every_non_final_status_can_be_reached_from_the_start() -> None:
    for table, start in (
        (PIECE_TRANSITIONS, PieceStatus.DRAFT),
        (PLATFORM_TRANSITIONS, PlatformStatus.PENDING),
    ):
        reached = {start}
        frontier = [start]
        while frontier:
            for nxt in table[frontier.pop()]:  # type: ignore[index]
                if nxt not in reached:
                    reached.add(nxt)
                    frontier.append(nxt)
        assert reached == set(table)


def test_published_is_final_and_nothing_returns_to_draft_except_unarchiving() -> None:
    assert PLATFORM_TRANSITIONS[PlatformStatus.PUBLISHED] == frozenset()
    into_draft = [s for s, nexts in PIECE_TRANSITIONS.items() if PieceStatus.DRAFT in nexts]
    assert into_draft == [PieceStatus.ARCHIVED]
