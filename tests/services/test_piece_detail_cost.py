"""What a piece cost: the ledger's priced attempts (failures and retries included), else the
costs its steps recorded — the same rule in the library list and in the piece's details."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from app.db.models import AgentStep, LlmCall, Piece
from app.services.library import LibraryQuery, fetch_pieces
from app.services.piece_detail import piece_detail
from tests.services.builders import make_piece


def _step(session: Session, piece: Piece, ordinal: int, cost: str) -> None:
    session.add(
        AgentStep(
            piece_id=piece.id,
            platform="blog",
            ordinal=ordinal,
            agent_id="blog-writer",
            status="completed",
            cost=Decimal(cost),
        )
    )


def _call(session: Session, piece: Piece, cost: str | None, *, success: bool = True) -> None:
    session.add(
        LlmCall(
            request_id="req-1",
            piece_id=piece.id,
            model_requested="anthropic/claude-sonnet-4.5",
            success=success,
            cost=Decimal(cost) if cost is not None else None,
            called_at=dt.datetime.now(dt.UTC),
        )
    )


def _library_cost(session: Session, piece: Piece) -> Decimal | None:
    rows = fetch_pieces(session, LibraryQuery(), offset=0, limit=50)
    return next(row.cost for row in rows if row.id == piece.id)


def test_no_usage_at_all_has_no_cost(session: Session) -> None:
    piece = make_piece(session)
    session.flush()
    assert piece_detail(session, piece.id).cost is None
    assert _library_cost(session, piece) is None


def test_steps_cost_counts_when_the_ledger_has_no_price(session: Session) -> None:
    piece = make_piece(session)
    _step(session, piece, 1, "0.010000")
    _step(session, piece, 2, "0.002500")
    _call(session, piece, None)
    session.flush()
    assert piece_detail(session, piece.id).cost == Decimal("0.0125")
    assert _library_cost(session, piece) == Decimal("0.0125")


def test_ledger_cost_wins_and_counts_failed_attempts(session: Session) -> None:
    piece = make_piece(session)
    _step(session, piece, 1, "0.010000")
    _call(session, piece, "0.004000", success=False)
    _call(session, piece, "0.011000")
    _call(session, piece, None)
    session.flush()
    detail = piece_detail(session, piece.id)
    assert detail.cost == Decimal("0.015")
    assert detail.calls.calls == 3 and detail.calls.failed == 1 and detail.calls.unpriced == 1
    assert _library_cost(session, piece) == Decimal("0.015")
