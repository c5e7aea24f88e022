"""Cancelling a run from anywhere: a flag on the piece that running lanes watch.

A CancelToken stops work in the same process at once. Another process (``copydesk
cancel``) cannot reach that token, so it sets a flag in the piece's options instead; every
running lane polls the flag (cheaply, one primary-key read) and cancels its own token.
"""

from __future__ import annotations

import logging
import threading
import uuid
from types import TracebackType

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.models import Piece
from app.db.types import utcnow
from app.domain.status import PieceStatus, PlatformStatus
from app.llm.cancel import CancelToken
from app.services.pieces import (
    get_piece,
    list_platform_states,
    set_piece_status,
    set_platform_status,
)

log = logging.getLogger(__name__)

CANCEL_KEY = "cancel_requested_at"


def request_cancel(db: Database, piece_id: uuid.UUID) -> None:
    """Ask whoever is running the piece to stop. A piece nobody has started yet (draft or
    queued) is cancelled here and now; a running one stops at its next poll."""
    with db.session() as session:
        piece = get_piece(session, piece_id)
        options = dict(piece.options or {})
        options[CANCEL_KEY] = utcnow().isoformat()
        piece.options = options
        if piece.status in (PieceStatus.DRAFT, PieceStatus.QUEUED):
            for state in list_platform_states(session, piece_id):
                if state.status == PlatformStatus.PENDING:
                    set_platform_status(
                        session, piece_id, state.platform, PlatformStatus.CANCELLED.value
                    )
            set_piece_status(session, piece_id, PieceStatus.CANCELLED.value)


def cancel_requested(session: Session, piece_id: uuid.UUID) -> bool:
    options = session.scalar(select(Piece.options).where(Piece.id == piece_id))
    return isinstance(options, dict) and bool(options.get(CANCEL_KEY))


def clear_cancel_request(piece: Piece) -> None:
    if piece.options and CANCEL_KEY in piece.options:
        options = dict(piece.options)
        del options[CANCEL_KEY]
        piece.options = options or None


class CancelWatcher:
    """A background thread that cancels ``token`` once the piece's cancel flag is set."""

    def __init__(
        self, db: Database, piece_id: uuid.UUID, token: CancelToken, *, interval: float
    ) -> None:
        self._db = db
        self._piece_id = piece_id
        self._token = token
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name=f"cancel-watch-{piece_id}", daemon=True
        )

    def __enter__(self) -> CancelWatcher:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stopped.wait(self._interval):
            if self._token.cancelled:
                return
            try:
                with self._db.session() as session:
                    wanted = cancel_requested(session, self._piece_id)
            except Exception:
                # A busy or briefly unreachable database must not stop the run; try again.
                log.debug("Could not read the cancel flag of %s", self._piece_id, exc_info=True)
                continue
            if wanted:
                log.info("Cancel requested for piece %s", self._piece_id)
                self._token.cancel()
                return
