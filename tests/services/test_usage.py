"""Usage analytics against hand-written llm_calls rows whose totals are known exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db.models import LlmCall, Project
from app.services import usage
from app.services.errors import InvalidInput
from tests.services.builders import make_project

A = "anthropic/claude-sonnet-4.5"
B = "openai/gpt-4o"
UTC = dt.UTC
EST = dt.timezone(dt.timedelta(hours=-5))


def _at(*parts: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tz)


def _day(text_date: str) -> dt.date:
    return dt.date.fromisoformat(text_date)


def _call(**values: Any) -> LlmCall:
    defaults: dict[str, Any] = {
        "model_requested": A,
        "model_used": values.get("model_requested", A),
        "success": True,
    }
    return LlmCall(**(defaults | values))


@pytest.fixture
def projects(session: Session) -> tuple[Project, Project]:
    return make_project(session, "P"), make_project(session, "Q")


@pytest.fixture
def calls(session: Session, projects: tuple[Project, Project]) -> Iterator[Session]:
    p, q = projects
    session.add_all(
        [
            # 1: an ordinary success.
            _call(
                request_id="r1",
                called_at=_at(2025, 3, 1, 10, 0),
                agent_id="blog-writer",
                content_type="blog",
                project_id=p.id,
                input_tokens=1000,
                output_tokens=500,
                cost=Decimal("0.010500"),
                ttft_ms=400,
                total_ms=3000,
            ),
            # 2: 23:30 in New York on 1 March is 04:30 UTC on 2 March; a cache hit, estimated cost.
            _call(
                request_id="r2",
                called_at=_at(2025, 3, 1, 23, 30, tz=EST),
                model_requested=B,
                model_used=B,
                agent_id="blog-editor",
                content_type="blog",
                project_id=p.id,
                input_tokens=200,
                output_tokens=100,
                cached_tokens=150,
                cost=Decimal("0.002000"),
                cost_estimated=True,
                cache_hit=True,
                total_ms=1200,
            ),
            # 3 and 4: one logical call, rate limited once, then answered.
            _call(
                request_id="r3",
                called_at=_at(2025, 3, 2, 8, 0, 0),
                model_used=None,
                agent_id="seo-specialist",
                content_type="linkedin",
                success=False,
                error_type="rate_limited",
                http_status=429,
                error_message="Rate limit exceeded",
                total_ms=50,
            ),
            _call(
                request_id="r3",
                called_at=_at(2025, 3, 2, 8, 0, 5),
                agent_id="seo-specialist",
                content_type="linkedin",
                retry_number=1,
                input_tokens=300,
                output_tokens=80,
                cost=Decimal("0.001234"),
                total_ms=5000,
                http_status=200,
            ),
            # 5: a timeout that was still billed a little.
            _call(
                request_id="r4",
                called_at=_at(2025, 4, 15, 12, 0),
                agent_id="blog-reviewer",
                content_type="x",
                project_id=q.id,
                success=False,
                error_type="timeout",
                cost=Decimal("0.000100"),
            ),
            # 6: one second before March (UTC), no agent or content type.
            _call(
                request_id="r5",
                called_at=_at(2025, 2, 28, 23, 59, 59),
                model_requested=B,
                model_used=B,
                input_tokens=10,
                output_tokens=10,
                reasoning_tokens=5,
                cost=Decimal("0.000001"),
            ),
        ]
    )
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Buckets must be UTC days whatever the connection's time zone is.
        session.execute(text("SET LOCAL TIME ZONE 'Pacific/Auckland'"))
    yield session


def test_cost_per_day_per_model(calls: Session) -> None:
    rows = usage.cost_per_day_per_model(calls)

    assert [(r.day, r.model, r.calls, r.input_tokens, r.output_tokens, r.cost) for r in rows] == [
        (_day("2025-02-28"), B, 1, 10, 10, Decimal("0.000001")),
        (_day("2025-03-01"), A, 1, 1000, 500, Decimal("0.010500")),
        (_day("2025-03-02"), A, 2, 300, 80, Decimal("0.001234")),
        (_day("2025-03-02"), B, 1, 200, 100, Decimal("0.002000")),
        (_day("2025-04-15"), A, 1, 0, 0, Decimal("0.000100")),
    ]


def test_the_window_is_since_inclusive_until_exclusive_in_any_zone(calls: Session) -> None:
    # 19:00 in New York on 1 March is midnight UTC on 2 March.
    rows = usage.cost_per_day_per_model(
        calls, since=_at(2025, 3, 1, 10, 0), until=_at(2025, 3, 1, 19, 0, tz=EST)
    )

    assert [(r.day, r.model, r.cost) for r in rows] == [
        (_day("2025-03-01"), A, Decimal("0.010500"))
    ]
    with pytest.raises(InvalidInput, match="since must carry a time zone"):
        usage.totals(calls, since=dt.datetime(2025, 3, 1))


def test_cost_per_model_per_month(calls: Session) -> None:
    rows = usage.cost_per_model_per_month(calls)

    assert [(r.month, r.model, r.calls, r.input_tokens, r.output_tokens, r.cost) for r in rows] == [
        (_day("2025-04-01"), A, 1, 0, 0, Decimal("0.000100")),
        (_day("2025-03-01"), A, 3, 1300, 580, Decimal("0.011734")),
        (_day("2025-03-01"), B, 1, 200, 100, Decimal("0.002000")),
        (_day("2025-02-01"), B, 1, 10, 10, Decimal("0.000001")),
    ]


def test_cost_per_agent(calls: Session) -> None:
    rows = usage.cost_per_agent(calls)

    assert [(r.key, r.calls, r.cost) for r in rows] == [
        ("blog-writer", 1, Decimal("0.010500")),
        ("blog-editor", 1, Decimal("0.002000")),
        ("seo-specialist", 2, Decimal("0.001234")),
        ("blog-reviewer", 1, Decimal("0.000100")),
        (None, 1, Decimal("0.000001")),
    ]


def test_cost_per_content_type(calls: Session) -> None:
    rows = usage.cost_per_content_type(calls, since=_at(2025, 3, 1))

    assert [(r.key, r.calls, r.input_tokens, r.output_tokens, r.cost) for r in rows] == [
        ("blog", 2, 1200, 600, Decimal("0.012500")),
        ("linkedin", 2, 300, 80, Decimal("0.001234")),
        ("x", 1, 0, 0, Decimal("0.000100")),
    ]


def test_cost_per_project(calls: Session, projects: tuple[Project, Project]) -> None:
    p, q = projects

    rows = usage.cost_per_project(calls)

    assert [(r.project_id, r.project_name, r.calls, r.cost) for r in rows] == [
        (p.id, "P", 2, Decimal("0.012500")),
        (None, None, 3, Decimal("0.001235")),
        (q.id, "Q", 1, Decimal("0.000100")),
    ]


def test_volume_per_day(calls: Session) -> None:
    rows = usage.volume_per_day(calls)

    assert [
        (r.day, r.calls, r.successful, r.failed, r.input_tokens, r.output_tokens) for r in rows
    ] == [
        (_day("2025-02-28"), 1, 1, 0, 10, 10),
        (_day("2025-03-01"), 1, 1, 0, 1000, 500),
        (_day("2025-03-02"), 3, 2, 1, 500, 180),
        (_day("2025-04-15"), 1, 0, 1, 0, 0),
    ]
    assert rows[2].total_tokens == 680


def test_failures(calls: Session) -> None:
    report = usage.failures(calls)

    assert [(f.error_type, f.count, f.last_seen) for f in report.by_type] == [
        ("rate_limited", 1, _at(2025, 3, 2, 8, 0, 0)),
        ("timeout", 1, _at(2025, 4, 15, 12, 0)),
    ]
    assert report.total == 2
    assert [(f.error_type, f.http_status, f.model, f.retry_number) for f in report.recent] == [
        ("timeout", None, A, 0),
        ("rate_limited", 429, A, 0),
    ]
    assert len(usage.failures(calls, recent_limit=1).recent) == 1
    assert usage.failures(calls, since=_at(2025, 5, 1)).by_type == ()


def test_slowest_calls(calls: Session) -> None:
    rows = usage.slowest_calls(calls, limit=2)

    assert [(r.total_ms, r.agent_id, r.success) for r in rows] == [
        (5000, "seo-specialist", True),
        (3000, "blog-writer", True),
    ]
    assert rows[1].ttft_ms == 400
    assert rows[1].called_at == _at(2025, 3, 1, 10, 0)


def test_retry_stats(calls: Session) -> None:
    rows = usage.retry_stats(calls)

    assert [
        (r.day, r.requests, r.retried_requests, r.retry_attempts, r.retry_percentage) for r in rows
    ] == [
        (_day("2025-02-28"), 1, 0, 0, Decimal("0.00")),
        (_day("2025-03-01"), 1, 0, 0, Decimal("0.00")),
        (_day("2025-03-02"), 2, 1, 1, Decimal("50.00")),
        (_day("2025-04-15"), 1, 0, 0, Decimal("0.00")),
    ]


def test_cache_effectiveness(calls: Session) -> None:
    rows = usage.cache_effectiveness(calls)

    assert [
        (r.cache_hit, r.calls, r.avg_total_ms, r.input_tokens, r.cached_tokens, r.cost)
        for r in rows
    ] == [
        (False, 5, Decimal("2683.3"), 1310, 0, Decimal("0.011835")),
        (True, 1, Decimal("1200.0"), 200, 150, Decimal("0.002000")),
    ]


def test_totals(calls: Session) -> None:
    result = usage.totals(calls)

    assert result == usage.UsageTotals(
        calls=6,
        successful_calls=4,
        failed_calls=2,
        input_tokens=1510,
        output_tokens=690,
        cached_tokens=150,
        reasoning_tokens=5,
        cost=Decimal("0.013835"),
        estimated_cost=Decimal("0.002000"),
        estimated_calls=1,
        calls_without_cost=1,
    )
    assert result.estimated_share == Decimal("0.1446")


def test_an_empty_ledger(session: Session) -> None:
    empty = usage.totals(session)

    assert (empty.calls, empty.cost, empty.estimated_share) == (0, Decimal("0.000000"), None)
    assert usage.cost_per_day_per_model(session) == []
    assert usage.retry_stats(session) == []
