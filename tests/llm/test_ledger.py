"""The usage ledger on SQLite and PostgreSQL: one row per attempt, never lost, never blocking."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.engine import Database, create_engine_for, open_database
from app.db.models import LlmCall
from app.keystore import key_hash
from app.llm.errors import LLMError
from app.llm.ledger import CallRecord, DatabaseLedger
from tests.fakes.openrouter_server import (
    TEST_KEY,
    FakeOpenRouter,
    hang_after,
    midstream_error,
    provider_down,
    reply,
)
from tests.llm.conftest import MakeClient, ask


def stored(db: Database) -> list[LlmCall]:
    with db.session() as session:
        return list(session.scalars(select(LlmCall).order_by(LlmCall.id)))


def record(number: int = 0, **fields: object) -> CallRecord:
    values: dict[str, object] = {
        "request_id": f"req-{number}",
        "model_requested": "openai/gpt-4o-mini",
        "success": True,
        "called_at": dt.datetime.now(dt.UTC),
    }
    values.update(fields)
    return CallRecord(**values)  # type: ignore[arg-type]


def test_every_attempt_is_one_row(
    db: Database, openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    ledger = DatabaseLedger(db)
    client = make_client(ledger=ledger)
    openrouter.enqueue(provider_down(502), provider_down(503), reply("third", cost=0.0042))
    completion = client.complete(ask(), context=None)
    assert ledger.close()

    rows = stored(db)
    assert [row.retry_number for row in rows] == [0, 1, 2]
    assert {row.request_id for row in rows} == {completion.request_id}
    assert [row.success for row in rows] == [False, False, True]
    assert [row.http_status for row in rows] == [502, 503, 200]
    assert [row.error_type for row in rows] == ["provider_down", "provider_down", None]
    assert "HTTP 502" in (rows[0].error_message or "")
    last = rows[2]
    assert last.cost == Decimal("0.0042") and not last.cost_estimated
    assert last.generation_id == completion.generation_id
    assert last.model_requested == last.model_used == "openai/gpt-4o-mini"
    assert last.provider == "FakeProvider" and last.streamed
    assert last.ttft_ms is not None and last.total_ms is not None
    assert last.input_tokens == completion.usage.input_tokens > 0
    assert last.called_at.tzinfo is not None
    assert all(row.key_hash == key_hash(TEST_KEY) for row in rows)
    assert all(TEST_KEY not in repr(vars(row)) for row in rows)


def test_failed_calls_keep_their_rows(
    db: Database, openrouter: FakeOpenRouter, make_client: MakeClient
) -> None:
    ledger = DatabaseLedger(db)
    client = make_client(ledger=ledger, read_timeout=0.2)
    openrouter.enqueue(midstream_error("partial", code=502, message="gone"), hang_after("x"))
    for _ in range(2):
        with pytest.raises(LLMError):
            client.complete(ask())
    assert ledger.flush()
    rows = stored(db)
    assert [row.error_type for row in rows] == ["provider_error", "stream_stalled"]
    assert all(not row.success and row.http_status == 200 for row in rows)
    ledger.close()


def test_rows_with_vanished_links_are_written_without_them(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = DatabaseLedger(db)
    ledger.record(record(1, piece_id=uuid.uuid4(), agent_id="blog-writer"))
    ledger.record(record(2))
    with caplog.at_level(logging.WARNING, logger="app.llm.ledger"):
        assert ledger.close()
    rows = stored(db)
    assert [row.request_id for row in rows] == ["req-1", "req-2"]
    assert rows[0].piece_id is None and rows[0].agent_id == "blog-writer"
    assert "without its piece" in caplog.text


def test_overlong_values_are_clipped_to_the_columns(db: Database) -> None:
    ledger = DatabaseLedger(db)
    ledger.record(record(error_type="x" * 80, model_used="m" * 300, error_message="e" * 9000))
    assert ledger.close()
    [row] = stored(db)
    assert len(row.error_type or "") == 50 and len(row.model_used or "") == 255
    assert len(row.error_message or "") == 4000


def test_rows_survive_a_database_that_is_not_ready(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'late.db'}"
    unmigrated = Database(url, create_engine_for(url))
    ledger = DatabaseLedger(unmigrated)
    try:
        with caplog.at_level(logging.WARNING, logger="app.llm.ledger"):
            ledger.record(record(1))
            ledger.record(record(2))
            assert not ledger.flush()
        assert ledger.held_rows == 2
        assert "attempt 1 of 2" in caplog.text and "attempt 2 of 2" in caplog.text

        open_database(url).dispose()  # now the table exists
        ledger.record(record(3))
        assert ledger.flush()
        assert ledger.held_rows == 0
        assert [row.request_id for row in stored(unmigrated)] == ["req-1", "req-2", "req-3"]
    finally:
        ledger.close()
        unmigrated.dispose()


def test_record_never_waits_for_a_locked_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    db = open_database(url, busy_timeout_ms=10_000)
    ledger = DatabaseLedger(db)
    blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # holds the write lock
        for number in range(100):
            ledger.record(record(number))
        assert not ledger.flush(timeout=0.3)  # the writer is stuck, the caller is not
        blocker.execute("ROLLBACK")
        assert ledger.close()
        assert len(stored(db)) == 100
    finally:
        blocker.close()
        db.dispose()


def test_rows_recorded_after_close_are_written_by_a_flush(db: Database) -> None:
    ledger = DatabaseLedger(db)
    assert ledger.close()
    ledger.record(record(9))
    assert ledger.held_rows == 1
    assert ledger.flush()
    assert [row.request_id for row in stored(db)] == ["req-9"]


def test_many_rows_in_batches(db: Database) -> None:
    ledger = DatabaseLedger(db, batch_size=50)
    for number in range(420):
        ledger.record(record(number, cost=Decimal("0.000001") * number))
    assert ledger.close()
    rows = stored(db)
    assert len(rows) == 420
    assert rows[-1].cost == Decimal("0.000419")
