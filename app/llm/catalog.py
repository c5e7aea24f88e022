"""The model catalog: OpenRouter's ``GET /models`` kept in ``model_catalog``.

Refreshed when older than a day; when the server cannot be reached the stored copy is used.
Prices are USD per token as Decimals. :class:`PriceBook` holds them in memory so that cost
estimates in the call path never wait for a query.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select

from app.llm.errors import LLMError, NetworkError, ProviderDown, StreamStalled
from app.llm.model_ids import normalise_model_id
from app.llm.results import ModelInfo, ModelPrices, Usage

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.db.engine import Database
    from app.db.models import ModelCatalogEntry
    from app.llm.client import OpenRouterClient

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = dt.timedelta(days=1)
# Failures that mean "cannot reach the catalog right now", as opposed to a bad key or a bug.
OFFLINE_ERRORS = (NetworkError, StreamStalled, ProviderDown)


@dataclass(frozen=True)
class CatalogSnapshot:
    """The catalog as the caller gets it, and where it came from."""

    models: list[ModelInfo]
    fetched_at: dt.datetime | None
    refreshed: bool
    offline_error: LLMError | None = None

    @property
    def from_cache(self) -> bool:
        return not self.refreshed


def _entry_class() -> type[ModelCatalogEntry]:
    from app.db.models import ModelCatalogEntry

    return ModelCatalogEntry


def store_models(
    db: Database, models: Iterable[ModelInfo], *, fetched_at: dt.datetime | None = None
) -> int:
    """Replace the stored catalog with ``models``; returns how many were stored."""
    entry_cls = _entry_class()
    fetched_at = fetched_at or dt.datetime.now(dt.UTC)
    unique = {model.id: model for model in models if 0 < len(model.id) <= 255}
    with db.session() as session:
        existing = {row.id: row for row in session.scalars(select(entry_cls))}
        for model_id, model in unique.items():
            row = existing.get(model_id)
            if row is None:
                row = entry_cls(id=model_id, fetched_at=fetched_at)
                session.add(row)
            _fill(row, model, fetched_at)
        gone = set(existing) - set(unique)
        if gone:
            session.execute(delete(entry_cls).where(entry_cls.id.in_(gone)))
    return len(unique)


def _fill(row: ModelCatalogEntry, model: ModelInfo, fetched_at: dt.datetime) -> None:
    row.name = model.name[:255] if model.name else None
    row.context_length = model.context_length
    row.prompt_price = model.prices.prompt
    row.completion_price = model.prices.completion
    row.request_price = model.prices.request
    row.cache_read_price = model.prices.cache_read
    row.cache_write_price = model.prices.cache_write
    row.max_completion_tokens = model.max_completion_tokens
    row.supported_parameters = list(model.supported_parameters)
    row.raw = dict(model.raw)
    row.fetched_at = fetched_at


def _to_info(row: ModelCatalogEntry) -> ModelInfo:
    raw: Mapping[str, Any] = row.raw if isinstance(row.raw, dict) else {}
    return ModelInfo(
        id=row.id,
        name=row.name,
        context_length=row.context_length,
        prices=ModelPrices(
            prompt=row.prompt_price,
            completion=row.completion_price,
            request=row.request_price,
            cache_read=row.cache_read_price,
            cache_write=row.cache_write_price,
        ),
        max_completion_tokens=row.max_completion_tokens,
        supported_parameters=tuple(row.supported_parameters or ()),
        raw=raw,
    )


def load_models(db: Database) -> list[ModelInfo]:
    """Every stored model, by id."""
    entry_cls = _entry_class()
    with db.session() as session:
        return [_to_info(row) for row in session.scalars(select(entry_cls).order_by(entry_cls.id))]


def last_fetched(db: Database) -> dt.datetime | None:
    """When the stored catalog was fetched; None when there is none."""
    entry_cls = _entry_class()
    with db.session() as session:
        return session.scalar(select(func.max(entry_cls.fetched_at)))


def refresh(db: Database, client: OpenRouterClient) -> CatalogSnapshot:
    """Fetch the catalog now and store it; the stored copy when offline (see OFFLINE_ERRORS).

    Raises the error when offline with nothing stored, or on any other failure (a bad key).
    """
    try:
        models = client.list_models()
    except OFFLINE_ERRORS as exc:
        cached = load_models(db)
        if not cached:
            raise
        log.warning("Model catalog not refreshed (%s); using the stored copy", exc.kind)
        return CatalogSnapshot(cached, last_fetched(db), refreshed=False, offline_error=exc)
    fetched_at = dt.datetime.now(dt.UTC)
    store_models(db, models, fetched_at=fetched_at)
    return CatalogSnapshot(sorted(models, key=lambda m: m.id), fetched_at, refreshed=True)


def refresh_if_stale(
    db: Database,
    client: OpenRouterClient,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    *,
    now: dt.datetime | None = None,
) -> CatalogSnapshot:
    """The stored catalog, fetched again first when missing or older than ``max_age``."""
    fetched_at = last_fetched(db)
    now = now or dt.datetime.now(dt.UTC)
    if fetched_at is not None and now - fetched_at < max_age:
        return CatalogSnapshot(load_models(db), fetched_at, refreshed=False)
    return refresh(db, client)


def search(db: Database, text: str, *, limit: int | None = None) -> list[ModelInfo]:
    """Stored models whose id or name contains every word of ``text`` (case-insensitive)."""
    entry_cls = _entry_class()
    conditions = [
        or_(
            entry_cls.id.icontains(word, autoescape=True),
            entry_cls.name.icontains(word, autoescape=True),
        )
        for word in text.split()
    ]
    query = select(entry_cls).where(*conditions).order_by(entry_cls.id).limit(limit)
    with db.session() as session:
        return [_to_info(row) for row in session.scalars(query)]


def _find_prices(session: Session, model_id: str) -> ModelPrices | None:
    entry_cls = _entry_class()
    for candidate in _candidates(model_id):
        row = session.get(entry_cls, candidate)
        if row is not None:
            return _to_info(row).prices
    return None


def _candidates(model_id: str) -> list[str]:
    """The catalog ids that may price ``model_id``: itself, normalised, without variant."""
    names = [model_id]
    try:
        normal = normalise_model_id(model_id)
    except ValueError:
        return names
    names.append(normal)
    base = normal.partition(":")[0]
    names.append(base)
    return list(dict.fromkeys(names))


def estimate_cost(
    db: Database,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
) -> Decimal | None:
    """What a call would cost at the stored prices (cache reads at their own price when
    listed); None when the model or its prices are unknown."""
    with db.session() as session:
        prices = _find_prices(session, model)
    if prices is None:
        return None
    return prices.cost_of(Usage(input_tokens, output_tokens, cached_tokens=cached_tokens))


class PriceBook:
    """Model prices held in memory; pass it to the client as ``price_lookup``."""

    def __init__(self, prices: Mapping[str, ModelPrices] | None = None) -> None:
        self._prices: dict[str, ModelPrices] = dict(prices or {})
        self._lock = threading.Lock()

    @classmethod
    def from_models(cls, models: Iterable[ModelInfo]) -> PriceBook:
        return cls({model.id: model.prices for model in models})

    @classmethod
    def from_database(cls, db: Database) -> PriceBook:
        return cls.from_models(load_models(db))

    def replace(self, models: Iterable[ModelInfo]) -> None:
        """Swap in a fresh catalog (readers never see a half-updated book)."""
        prices = {model.id: model.prices for model in models}
        with self._lock:
            self._prices = prices

    def __len__(self) -> int:
        return len(self._prices)

    def __call__(self, model_id: str) -> ModelPrices | None:
        prices = self._prices
        for candidate in _candidates(model_id):
            found = prices.get(candidate)
            if found is not None:
                return found
        return None
