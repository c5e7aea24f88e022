"""Portable column types behave the same on both backends."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from app.db.engine import Database
from app.db.models import (
    AgentModelConfig,
    AppSetting,
    CachedProduct,
    LlmCall,
    ModelCatalogEntry,
    Skill,
)

PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))


def _call(called_at: dt.datetime, **fields: object) -> LlmCall:
    return LlmCall(
        request_id=uuid.uuid4().hex,
        model_requested="anthropic/claude-sonnet-4.5",
        success=True,
        called_at=called_at,
        **fields,
    )


def test_datetimes_come_back_as_the_same_instant_in_utc(db: Database) -> None:
    local = dt.datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=PARIS_SUMMER)
    with db.session() as session:
        session.add(_call(local))
    with db.session() as session:
        stored = session.scalars(select(LlmCall.called_at)).one()
    assert stored == local
    assert stored.utcoffset() == dt.timedelta(0)
    assert stored.hour == 12


def test_aware_datetimes_filter_correctly(db: Database) -> None:
    base = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
    with db.session() as session:
        session.add_all([_call(base + dt.timedelta(hours=hours)) for hours in range(5)])
    # 15:00 in UTC+2 is 13:00 UTC: calls at 14:00, 15:00 and 16:00 UTC are later.
    cutoff = dt.datetime(2025, 1, 1, 15, 0, tzinfo=PARIS_SUMMER)
    with db.session() as session:
        later = session.scalars(select(LlmCall.called_at).where(LlmCall.called_at > cutoff)).all()
    assert sorted(moment.hour for moment in later) == [14, 15, 16]


def test_defaults_are_utc_aware(db: Database) -> None:
    before = dt.datetime.now(dt.UTC)
    with db.session() as session:
        skill = Skill(name="blog-post", description="A blog post", type="simple")
        session.add(skill)
    with db.session() as session:
        loaded = session.get_one(Skill, skill.id)
    assert loaded.created_at.tzinfo is not None
    assert before <= loaded.created_at <= dt.datetime.now(dt.UTC)
    assert loaded.trigger_keywords == []
    assert loaded.user_modified is False


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.session() as session:
        session.add(_call(dt.datetime(2025, 1, 1, 12, 0)))
        session.flush()


def test_money_and_prices_keep_every_decimal(db: Database) -> None:
    with db.session() as session:
        session.add(_call(dt.datetime.now(dt.UTC), cost=Decimal("12345678.123456")))
        session.add(
            ModelCatalogEntry(
                id="anthropic/claude-sonnet-4.5",
                prompt_price=Decimal("0.000003"),
                completion_price=Decimal("0.000000123456"),
                fetched_at=dt.datetime.now(dt.UTC),
            )
        )
        session.add(
            CachedProduct(
                source="https://shop.example",
                external_id="sku-1",
                name="Dress",
                price=Decimal("199.99"),
                currency="EUR",
                cached_at=dt.datetime.now(dt.UTC),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        )
        session.add(
            AgentModelConfig(
                agent_id="blog-writer",
                agent_label="Blog writer",
                model_id="anthropic/claude-sonnet-4.5",
                temperature=Decimal("0.70"),
                max_tokens=4000,
            )
        )
    with db.session() as session:
        cost = session.scalars(select(LlmCall.cost)).one()
        entry = session.get_one(ModelCatalogEntry, "anthropic/claude-sonnet-4.5")
        price = session.scalars(select(CachedProduct.price)).one()
        temperature = session.scalars(select(AgentModelConfig.temperature)).one()
    assert isinstance(cost, Decimal)
    assert cost == Decimal("12345678.123456")
    assert entry.prompt_price == Decimal("0.000003")
    assert entry.completion_price == Decimal("0.000000123456")
    assert price == Decimal("199.99")
    assert temperature == Decimal("0.7")


def test_json_round_trips_nested_values(db: Database) -> None:
    value = {
        "tone": ["warm", "précis"],
        "score": 87,
        "ratio": 0.25,
        "nested": {"ok": True, "none": None, "emoji": "✨"},
    }
    with db.session() as session:
        session.add(AppSetting(key="brand.defaults", value=value))
        session.add(AppSetting(key="list", value=[1, "two", None]))
    with db.session() as session:
        stored = {row.key: row.value for row in session.scalars(select(AppSetting))}
    assert stored == {"brand.defaults": value, "list": [1, "two", None]}


def test_json_none_is_sql_null(db: Database) -> None:
    with db.session() as session:
        skill = Skill(name="x-thread", description="A thread", type="simple", output_schema=None)
        session.add(skill)
    with db.session() as session:
        found = session.scalars(select(Skill.name).where(Skill.output_schema.is_(None))).all()
    assert found == ["x-thread"]
