"""Usage analytics over ``llm_calls`` (seed 003), aggregated in SQL.

Every function takes an optional window ``since`` (inclusive) to ``until`` (exclusive), both
timezone-aware. Days and months are UTC calendar days and months on both databases. Costs are
Decimal USD with six places; calls without a known cost count as zero. Rows are attempts:
a call retried twice is three rows, and every attempt's cost is counted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Date, Select, case, cast, distinct, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.db.models import LlmCall, Project
from app.services import _checks

_MONEY_PLACES = Decimal("0.000001")
_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class DailyModelCost:
    day: dt.date
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class MonthlyModelCost:
    month: dt.date  # the first day of the month
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class GroupCost:
    """Cost of one agent or one content type; ``key`` is None for calls without one."""

    key: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class ProjectCost:
    project_id: uuid.UUID | None
    project_name: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class DailyVolume:
    day: dt.date
    calls: int
    successful: int
    failed: int
    input_tokens: int
    output_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class FailureCount:
    error_type: str  # "unknown" when the call recorded none
    count: int
    last_seen: dt.datetime


@dataclass(frozen=True)
class FailedCall:
    id: int
    called_at: dt.datetime
    model: str
    agent_id: str | None
    error_type: str | None
    http_status: int | None
    error_message: str | None
    retry_number: int


@dataclass(frozen=True)
class FailureReport:
    by_type: tuple[FailureCount, ...]
    recent: tuple[FailedCall, ...]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.by_type)


@dataclass(frozen=True)
class SlowCall:
    id: int
    called_at: dt.datetime
    model: str
    agent_id: str | None
    content_type: str | None
    total_ms: int
    ttft_ms: int | None
    output_tokens: int
    success: bool


@dataclass(frozen=True)
class DailyRetries:
    day: dt.date
    requests: int  # logical calls (distinct request ids)
    retried_requests: int  # of which needed at least one retry
    retry_attempts: int  # attempts beyond the first
    retry_percentage: Decimal  # retried_requests / requests, in percent, two places


@dataclass(frozen=True)
class CacheStats:
    cache_hit: bool
    calls: int
    avg_total_ms: Decimal | None
    input_tokens: int
    cached_tokens: int
    cost: Decimal


@dataclass(frozen=True)
class UsageTotals:
    calls: int
    successful_calls: int
    failed_calls: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost: Decimal
    estimated_cost: Decimal  # the part of ``cost`` computed from prices, not reported
    estimated_calls: int
    calls_without_cost: int

    @property
    def estimated_share(self) -> Decimal | None:
        """The fraction (0–1, four places) of the cost that is an estimate."""
        if self.cost == 0:
            return None
        return (self.estimated_cost / self.cost).quantize(Decimal("0.0001"))


def cost_per_day_per_model(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[DailyModelCost]:
    """Oldest day first, then by model."""
    day = _day(session).label("day")
    model = _model().label("model")
    query = _window(
        select(day, model, *_sums()).group_by(day, model).order_by(day, model), since, until
    )
    return [
        DailyModelCost(_as_date(d), m, calls, tokens_in, tokens_out, _money(cost))
        for d, m, calls, tokens_in, tokens_out, cost in session.execute(query)
    ]


def cost_per_model_per_month(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[MonthlyModelCost]:
    """Newest month first, then the most expensive model first (as in seed 003)."""
    month = _month(session).label("month")
    model = _model().label("model")
    sums = _sums()
    query = _window(
        select(month, model, *sums)
        .group_by(month, model)
        .order_by(month.desc(), sums[-1].desc(), model),
        since,
        until,
    )
    return [
        MonthlyModelCost(_as_month(m), name, calls, tokens_in, tokens_out, _money(cost))
        for m, name, calls, tokens_in, tokens_out, cost in session.execute(query)
    ]


def cost_per_agent(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[GroupCost]:
    """Most expensive agent first."""
    return _cost_by(session, LlmCall.agent_id, since, until)


def cost_per_content_type(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[GroupCost]:
    """Most expensive content type (blog, linkedin, x, brand_voice …) first."""
    return _cost_by(session, LlmCall.content_type, since, until)


def cost_per_project(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[ProjectCost]:
    """Most expensive project first; calls not tied to a project form one row with id None."""
    sums = _sums()
    query = _window(
        select(LlmCall.project_id, Project.name, *sums)
        .select_from(LlmCall)
        .outerjoin(Project, LlmCall.project_id == Project.id)
        .group_by(LlmCall.project_id, Project.name)
        .order_by(sums[-1].desc(), Project.name),
        since,
        until,
    )
    return [
        ProjectCost(project_id, name, calls, tokens_in, tokens_out, _money(cost))
        for project_id, name, calls, tokens_in, tokens_out, cost in session.execute(query)
    ]


def volume_per_day(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[DailyVolume]:
    """Calls and tokens per UTC day, oldest first."""
    day = _day(session).label("day")
    query = _window(
        select(
            day,
            func.count(LlmCall.id),
            _count_if(LlmCall.success.is_(True)),
            _count_if(LlmCall.success.is_(False)),
            _sum(LlmCall.input_tokens),
            _sum(LlmCall.output_tokens),
        )
        .group_by(day)
        .order_by(day),
        since,
        until,
    )
    return [
        DailyVolume(_as_date(d), calls, int(ok), int(failed), int(tokens_in), int(tokens_out))
        for d, calls, ok, failed, tokens_in, tokens_out in session.execute(query)
    ]


def failures(
    session: Session,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    *,
    recent_limit: int = 20,
) -> FailureReport:
    """Failed attempts counted per error type (most frequent first) and the latest ones."""
    error_type = func.coalesce(LlmCall.error_type, literal_column("'unknown'")).label("error_type")
    count = func.count(LlmCall.id).label("failures")
    counts = _window(
        select(error_type, count, func.max(LlmCall.called_at))
        .where(LlmCall.success.is_(False))
        .group_by(error_type)
        .order_by(count.desc(), error_type),
        since,
        until,
    )
    recent = _window(
        select(LlmCall)
        .where(LlmCall.success.is_(False))
        .order_by(LlmCall.called_at.desc(), LlmCall.id.desc())
        .limit(recent_limit),
        since,
        until,
    )
    return FailureReport(
        by_type=tuple(
            FailureCount(kind, number, _as_utc(last))
            for kind, number, last in session.execute(counts)
        ),
        recent=tuple(
            FailedCall(
                id=call.id,
                called_at=call.called_at,
                model=call.model_used or call.model_requested,
                agent_id=call.agent_id,
                error_type=call.error_type,
                http_status=call.http_status,
                error_message=call.error_message,
                retry_number=call.retry_number,
            )
            for call in session.scalars(recent)
        ),
    )


def slowest_calls(
    session: Session,
    limit: int = 10,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[SlowCall]:
    """The attempts with the longest total time (those without a timing are left out)."""
    query = _window(
        select(LlmCall)
        .where(LlmCall.total_ms.is_not(None))
        .order_by(LlmCall.total_ms.desc(), LlmCall.id)
        .limit(limit),
        since,
        until,
    )
    return [
        SlowCall(
            id=call.id,
            called_at=call.called_at,
            model=call.model_used or call.model_requested,
            agent_id=call.agent_id,
            content_type=call.content_type,
            total_ms=call.total_ms or 0,
            ttft_ms=call.ttft_ms,
            output_tokens=call.output_tokens,
            success=call.success,
        )
        for call in session.scalars(query)
    ]


def retry_stats(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[DailyRetries]:
    """Per UTC day, oldest first: logical calls, how many needed retries, and extra attempts."""
    day = _day(session).label("day")
    retried = LlmCall.retry_number > 0
    query = _window(
        select(
            day,
            func.count(distinct(LlmCall.request_id)),
            func.count(distinct(case((retried, LlmCall.request_id)))),
            _count_if(retried),
        )
        .group_by(day)
        .order_by(day),
        since,
        until,
    )
    return [
        DailyRetries(
            day=_as_date(d),
            requests=requests,
            retried_requests=retried_requests,
            retry_attempts=int(attempts),
            retry_percentage=_percentage(retried_requests, requests),
        )
        for d, requests, retried_requests, attempts in session.execute(query)
    ]


def cache_effectiveness(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[CacheStats]:
    """Calls with and without a cache hit: how many, how fast on average, tokens and cost."""
    query = _window(
        select(
            LlmCall.cache_hit,
            func.count(LlmCall.id),
            func.avg(LlmCall.total_ms),
            _sum(LlmCall.input_tokens),
            _sum(LlmCall.cached_tokens),
            _cost_sum(),
        )
        .group_by(LlmCall.cache_hit)
        .order_by(LlmCall.cache_hit),
        since,
        until,
    )
    return [
        CacheStats(
            cache_hit=bool(hit),
            calls=calls,
            avg_total_ms=None if avg_ms is None else Decimal(str(avg_ms)).quantize(Decimal("0.1")),
            input_tokens=int(tokens_in),
            cached_tokens=int(cached),
            cost=_money(cost),
        )
        for hit, calls, avg_ms, tokens_in, cached, cost in session.execute(query)
    ]


def totals(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> UsageTotals:
    query = _window(
        select(
            func.count(LlmCall.id),
            _count_if(LlmCall.success.is_(True)),
            _count_if(LlmCall.success.is_(False)),
            _sum(LlmCall.input_tokens),
            _sum(LlmCall.output_tokens),
            _sum(LlmCall.cached_tokens),
            _sum(LlmCall.reasoning_tokens),
            _cost_sum(),
            func.coalesce(
                func.sum(case((LlmCall.cost_estimated.is_(True), LlmCall.cost))),
                literal_column("0"),
            ),
            _count_if(LlmCall.cost_estimated.is_(True) & LlmCall.cost.is_not(None)),
            _count_if(LlmCall.cost.is_(None)),
        ),
        since,
        until,
    )
    row = session.execute(query).one()
    return UsageTotals(
        calls=row[0],
        successful_calls=int(row[1]),
        failed_calls=int(row[2]),
        input_tokens=int(row[3]),
        output_tokens=int(row[4]),
        cached_tokens=int(row[5]),
        reasoning_tokens=int(row[6]),
        cost=_money(row[7]),
        estimated_cost=_money(row[8]),
        estimated_calls=int(row[9]),
        calls_without_cost=int(row[10]),
    )


# --- building blocks -------------------------------------------------------------------------


def _day(session: Session) -> ColumnElement[Any]:
    """The UTC calendar day of ``called_at``.

    SQLite stores the UTC time as text, so date() of it is the UTC day. PostgreSQL stores an
    instant; it is shifted to UTC first so the session's time zone cannot move the bucket.
    The constants are literals so PostgreSQL sees GROUP BY and SELECT as the same expression.
    """
    if _is_sqlite(session):
        return func.date(LlmCall.called_at)
    return cast(func.timezone(literal_column("'UTC'"), LlmCall.called_at), Date)


def _month(session: Session) -> ColumnElement[Any]:
    """'YYYY-MM' of ``called_at`` in UTC."""
    if _is_sqlite(session):
        return func.strftime(literal_column("'%Y-%m'"), LlmCall.called_at)
    return func.to_char(
        func.timezone(literal_column("'UTC'"), LlmCall.called_at), literal_column("'YYYY-MM'")
    )


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _model() -> ColumnElement[Any]:
    # The model that answered, or the one asked for when the call failed before answering.
    return func.coalesce(LlmCall.model_used, LlmCall.model_requested)


def _sum(column: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(column), literal_column("0"))


def _cost_sum() -> ColumnElement[Any]:
    return func.coalesce(func.sum(LlmCall.cost), literal_column("0"))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), literal_column("0"))


def _sums() -> list[ColumnElement[Any]]:
    """calls, input tokens, output tokens, cost — cost last."""
    return [
        func.count(LlmCall.id),
        _sum(LlmCall.input_tokens),
        _sum(LlmCall.output_tokens),
        _cost_sum().label("cost"),
    ]


def _cost_by(
    session: Session,
    column: Any,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[GroupCost]:
    sums = _sums()
    query = _window(
        select(column, *sums).group_by(column).order_by(sums[-1].desc(), column), since, until
    )
    return [
        GroupCost(key, calls, int(tokens_in), int(tokens_out), _money(cost))
        for key, calls, tokens_in, tokens_out, cost in session.execute(query)
    ]


def _window(query: _Q, since: dt.datetime | None, until: dt.datetime | None) -> _Q:
    if since is not None:
        query = query.where(LlmCall.called_at >= _checks.aware("since", since))
    if until is not None:
        query = query.where(LlmCall.called_at < _checks.aware("until", until))
    return query


def _money(value: object) -> Decimal:
    if value is None:
        return Decimal(0).quantize(_MONEY_PLACES)
    return Decimal(str(value)).quantize(_MONEY_PLACES)


def _percentage(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"))


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _as_month(value: object) -> dt.date:
    year, month = str(value).split("-")[:2]
    return dt.date(int(year), int(month), 1)


def _as_utc(value: object) -> dt.datetime:
    """max(called_at) comes back untyped on SQLite (text) and as a datetime on PostgreSQL."""
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
