"""Caches of fetched material: store products (hot memory layer over durable rows) and
brand-voice analyses.

Products (seed 000's two layers): a per-source in-memory entry (5 minutes) spares the
database during quick back-and-forth in the wizard; ``cached_products`` rows (24 hours)
survive restarts; past both, the store's catalog is fetched again and upserted.
A file import has nothing to fetch again, so its rows are served until it is re-imported.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.models import BrandVoiceCacheEntry, CachedProduct
from app.db.types import utcnow
from app.sources.catalog import Product
from app.sources.errors import SourceError
from app.sources.fetch import normalise_url, site_origin
from app.sources.product_files import COLUMN_ALIASES, header_key, load_products_file
from app.sources.shopify import DEFAULT_MAX_PAGES, fetch_shopify_products, shopify_min_price

Clock = Callable[[], dt.datetime]

PRODUCT_TTL = dt.timedelta(hours=24)
HOT_TTL = dt.timedelta(minutes=5)
BRAND_VOICE_TTL = dt.timedelta(days=7)
FILE_PREFIX = "file:"


def store_source(store_url: str) -> str:
    """The cache key of a store's catalog: its normalised origin."""
    return site_origin(store_url)


def file_source(name: str) -> str:
    """The cache key of products imported from a file under ``name``."""
    name = name.strip()
    if not name:
        raise SourceError("A product file import needs a name to file it under.")
    return name if name.startswith(FILE_PREFIX) else FILE_PREFIX + name


def is_file_source(source: str) -> bool:
    return source.startswith(FILE_PREFIX)


@dataclass(frozen=True)
class _HotEntry:
    products: tuple[Product, ...]
    expires_at: dt.datetime


class ProductCache:
    """Products by source: hot memory → fresh ``cached_products`` rows → fetch and upsert.

    Safe to share between threads: each thread uses its own database session, and one
    source is fetched by one thread at a time while others wait for its result.
    """

    def __init__(
        self,
        db: Database,
        *,
        ttl: dt.timedelta = PRODUCT_TTL,
        hot_ttl: dt.timedelta = HOT_TTL,
        clock: Clock = utcnow,
        http_client: httpx.Client | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._hot_ttl = hot_ttl
        self._clock = clock
        self._http_client = http_client
        self._max_pages = max_pages
        self._lock = threading.Lock()
        self._hot: dict[str, _HotEntry] = {}
        self._source_locks: dict[str, threading.Lock] = {}

    # public API ----------------------------------------------------------------------

    def get_products(self, source: str) -> list[Product]:
        """The products of a store URL or a ``file:<name>`` source, from the nearest fresh layer."""
        key = self._key(source)
        if (hot := self._hot_products(key)) is not None:
            return hot
        with self._source_lock(key):
            # Another thread may have filled the cache while this one waited.
            if (hot := self._hot_products(key)) is not None:
                return hot
            stored = self._stored_products(key)
            if stored is not None:
                return stored
            if is_file_source(key):
                raise SourceError(
                    f"No products have been imported as {key.removeprefix(FILE_PREFIX)!r}; "
                    "import the file first."
                )
            return self._fetch_store(key)

    def import_store(
        self, store_url: str, *, on_page: Callable[[int, int], None] | None = None
    ) -> list[Product]:
        """Fetch a store's whole catalog now, replacing what was cached for it."""
        key = store_source(store_url)
        with self._source_lock(key):
            return self._fetch_store(key, on_page=on_page)

    def import_file(self, path: Path | str, source_name: str) -> list[Product]:
        """Read a CSV/JSON file and cache its products as ``file:<source_name>``."""
        key = file_source(source_name)
        products = load_products_file(path)
        with self._source_lock(key):
            self._save(key, products)
        return products

    def search(self, source: str, text: str) -> list[Product]:
        """Products of ``source`` in which every word of ``text`` appears (case-insensitive)."""
        products = self.get_products(source)
        return [p for p in products if p.matches(text)] if text.strip() else products

    def refresh(self, source: str) -> list[Product]:
        """Fetch a store's catalog again, ignoring both cache layers."""
        key = self._key(source)
        if is_file_source(key):
            raise SourceError(
                f"{key.removeprefix(FILE_PREFIX)!r} came from a file: import the file again "
                "to refresh it."
            )
        return self.import_store(key)

    def forget_hot(self, source: str | None = None) -> None:
        """Drop the in-memory layer (for one source, or all), e.g. after editing rows."""
        with self._lock:
            if source is None:
                self._hot.clear()
            else:
                self._hot.pop(self._key(source), None)

    # layers --------------------------------------------------------------------------

    def _key(self, source: str) -> str:
        return file_source(source) if is_file_source(source) else store_source(source)

    def _source_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._source_locks.setdefault(key, threading.Lock())

    def _hot_products(self, key: str) -> list[Product] | None:
        now = self._now()
        with self._lock:
            entry = self._hot.get(key)
            if entry is None:
                return None
            if entry.expires_at <= now:
                del self._hot[key]
                return None
            return list(entry.products)

    def _remember(self, key: str, products: Sequence[Product], durable_until: dt.datetime) -> None:
        expires_at = min(self._now() + self._hot_ttl, durable_until)
        with self._lock:
            self._hot[key] = _HotEntry(tuple(products), expires_at)

    def _stored_products(self, key: str) -> list[Product] | None:
        now = self._now()
        with self._db.session() as session:
            rows = session.scalars(
                select(CachedProduct).where(CachedProduct.source == key).order_by(CachedProduct.id)
            ).all()
            if not rows:
                return None
            if is_file_source(key):
                durable_until = now + self._hot_ttl
            else:
                durable_until = min(row.expires_at for row in rows)
                if durable_until <= now:
                    return None
            products = [product_from_row(row) for row in rows]
        self._remember(key, products, durable_until)
        return products

    def _fetch_store(
        self, key: str, *, on_page: Callable[[int, int], None] | None = None
    ) -> list[Product]:
        products = fetch_shopify_products(
            key, client=self._http_client, max_pages=self._max_pages, on_page=on_page
        )
        self._save(key, products)
        return products

    def _save(self, key: str, products: Sequence[Product]) -> None:
        now = self._now()
        expires_at = now + self._ttl
        rows = [product_row(key, product, now, expires_at) for product in products]
        ids = [row["external_id"] for row in rows]
        with self._db.session() as session:
            # Products gone from the catalog or file go from the cache too.
            session.execute(
                delete(CachedProduct).where(
                    CachedProduct.source == key, CachedProduct.external_id.not_in(ids)
                )
            )
            upsert(session, _table(CachedProduct), rows, keys=("source", "external_id"))
        self._remember(key, products, expires_at)

    def _now(self) -> dt.datetime:
        return _aware(self._clock())


@dataclass(frozen=True)
class CachedVoice:
    """A cached brand-voice analysis and how old it is."""

    url: str
    analysis: dict[str, Any]
    model: str | None
    cached_at: dt.datetime
    expires_at: dt.datetime
    age: dt.timedelta


class BrandVoiceCache:
    """Brand-voice analyses by normalised URL, reused for seven days."""

    def __init__(
        self, db: Database, *, ttl: dt.timedelta = BRAND_VOICE_TTL, clock: Clock = utcnow
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._clock = clock

    def get(self, url: str) -> CachedVoice | None:
        """The analysis of ``url`` when one is cached and not expired."""
        key = normalise_url(url)
        now = _aware(self._clock())
        with self._db.session() as session:
            entry = session.scalars(
                select(BrandVoiceCacheEntry).where(BrandVoiceCacheEntry.url == key)
            ).first()
            if entry is None or entry.expires_at <= now:
                return None
            return _voice(entry, now)

    def put(self, url: str, analysis: Mapping[str, Any], model: str | None) -> CachedVoice:
        """Store (or replace) the analysis of ``url``; it stays fresh for the TTL."""
        key = normalise_url(url)
        now = _aware(self._clock())
        voice = CachedVoice(
            url=key,
            analysis=dict(analysis),
            model=_clip(model, 200),
            cached_at=now,
            expires_at=now + self._ttl,
            age=dt.timedelta(0),
        )
        row = {
            "url": voice.url,
            "analysis_result": voice.analysis,
            "model": voice.model,
            "cached_at": voice.cached_at,
            "expires_at": voice.expires_at,
        }
        with self._db.session() as session:
            upsert(session, _table(BrandVoiceCacheEntry), [row], keys=("url",))
        return voice

    def invalidate(self, url: str) -> bool:
        """Forget the analysis of ``url``; True when there was one."""
        key = normalise_url(url)
        with self._db.session() as session:
            result = session.execute(
                delete(BrandVoiceCacheEntry).where(BrandVoiceCacheEntry.url == key)
            )
            return bool(getattr(result, "rowcount", 0))


def upsert(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, keys: Iterable[str]
) -> None:
    """Insert rows, updating those whose unique ``keys`` already exist (SQLite and PostgreSQL)."""
    if not rows:
        return
    keys = tuple(keys)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_statement = pg_insert(table)
        updates = {c: pg_statement.excluded[c] for c in rows[0] if c not in keys}
        session.execute(
            pg_statement.on_conflict_do_update(index_elements=list(keys), set_=updates),
            list(rows),
        )
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        sqlite_statement = sqlite_insert(table)
        updates = {c: sqlite_statement.excluded[c] for c in rows[0] if c not in keys}
        session.execute(
            sqlite_statement.on_conflict_do_update(index_elements=list(keys), set_=updates),
            list(rows),
        )
    else:
        raise NotImplementedError(f"upsert is not implemented for {dialect}")


def product_row(
    source: str, product: Product, cached_at: dt.datetime, expires_at: dt.datetime
) -> dict[str, Any]:
    """The ``cached_products`` values for a product, clipped to the column sizes."""
    return {
        "source": source,
        "external_id": _clip(product.external_id, 255),
        "name": product.name,
        "vendor": _clip(product.vendor, 255),
        "description": product.description or None,
        "price": product.price,
        "currency": product.currency if product.currency and len(product.currency) == 3 else None,
        "price_text": _clip(product.price_text, 100),
        "image_url": product.image_url,
        "category": _clip(product.category, 255),
        "tags": list(product.tags),
        "raw_data": dict(product.raw),
        "cached_at": cached_at,
        "expires_at": expires_at,
    }


def product_from_row(row: CachedProduct) -> Product:
    """A Product from its cached row; the URL and lowest price are derived from the raw record."""
    raw: dict[str, Any] = dict(row.raw_data or {})
    return Product(
        external_id=row.external_id,
        name=row.name,
        vendor=row.vendor,
        description=row.description or "",
        price=_trim(row.price),
        currency=row.currency,
        price_text=row.price_text,
        image_url=row.image_url,
        category=row.category,
        tags=tuple(str(tag) for tag in (row.tags or [])),
        url=_product_url(row.source, raw),
        min_price=_first_not_none(shopify_min_price(raw), _trim(row.price)),
        raw=raw,
    )


def _product_url(source: str, raw: Mapping[str, Any]) -> str | None:
    if not is_file_source(source):
        handle = raw.get("handle")
        return f"{source}/products/{handle}" if isinstance(handle, str) and handle else None
    fields = {header_key(str(key)): value for key, value in raw.items()}
    for alias in COLUMN_ALIASES["url"]:
        value = fields.get(alias)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _voice(entry: BrandVoiceCacheEntry, now: dt.datetime) -> CachedVoice:
    return CachedVoice(
        url=entry.url,
        analysis=dict(entry.analysis_result),
        model=entry.model,
        cached_at=entry.cached_at,
        expires_at=entry.expires_at,
        age=max(now - entry.cached_at, dt.timedelta(0)),
    )


def _trim(amount: Decimal | None) -> Decimal | None:
    """A stored amount without the column's padding: 25.000000 reads 25.00, 0.125000 0.125."""
    if amount is None:
        return None
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def _first_not_none(*values: Decimal | None) -> Decimal | None:
    return next((value for value in values if value is not None), None)


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("the cache clock must return timezone-aware datetimes")
    return moment.astimezone(dt.UTC)
