"""ProductCache and BrandVoiceCache on SQLite and PostgreSQL, with a clock the tests move."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from app.db.engine import Database
from app.db.models import BrandVoiceCacheEntry, CachedProduct
from app.sources.cache import BrandVoiceCache, ProductCache, file_source, store_source
from app.sources.errors import CatalogError, SourceError
from tests.fakes.store_server import FakeStore

START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
CATALOG = "/products.json"
# Two catalog pages (250 + 11 with one repeated product) and the empty page that ends them:
# enough to exercise paging while keeping the upserts quick.
PRODUCTS = 260
PAGE_REQUESTS = 3


class Clock:
    """A clock that moves only when told to."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@contextmanager
def counting_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def stored_count(db: Database, source: str) -> int:
    with db.session() as session:
        count = session.scalar(
            select(func.count()).select_from(CachedProduct).where(CachedProduct.source == source)
        )
        return int(count or 0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _smaller_catalog(store: FakeStore) -> None:
    store.product_count = PRODUCTS


def test_first_use_fetches_then_the_hot_layer_answers_without_the_database(
    db: Database, store: FakeStore, clock: Clock
) -> None:
    cache = ProductCache(db, clock=clock)
    products = cache.get_products(store.url)
    assert len(products) == PRODUCTS
    assert store.count(CATALOG) == PAGE_REQUESTS
    assert stored_count(db, store.url) == PRODUCTS

    with counting_queries(db) as queries:
        again = cache.get_products(store.url + "/?utm_source=newsletter")
    assert again == products
    assert queries == []
    assert store.count(CATALOG) == PAGE_REQUESTS


def test_durable_rows_serve_a_new_process_without_fetching(
    db: Database, store: FakeStore, clock: Clock
) -> None:
    fetched = ProductCache(db, clock=clock).get_products(store.url)
    store.clear_log()

    fresh_process = ProductCache(db, clock=clock)
    with counting_queries(db) as queries:
        loaded = fresh_process.get_products(store.url)
    assert queries, "the durable layer is read from the database"
    assert store.count() == 0
    assert loaded == fetched
    dress = next(p for p in loaded if p.external_id == "7000004")
    assert dress.url == f"{store.url}/products/dress-no-4"
    assert dress.min_price == next(p for p in fetched if p.external_id == "7000004").min_price
    assert dress.raw["variants"][0]["price"] == "104.00"


def test_hot_layer_expires_after_five_minutes(db: Database, store: FakeStore, clock: Clock) -> None:
    cache = ProductCache(db, clock=clock)
    cache.get_products(store.url)
    clock.advance(minutes=4)
    with counting_queries(db) as queries:
        cache.get_products(store.url)
    assert queries == []
    clock.advance(minutes=2)
    with counting_queries(db) as queries:
        cache.get_products(store.url)
    assert queries
    assert store.count(CATALOG) == PAGE_REQUESTS


def test_expired_rows_are_fetched_again(db: Database, store: FakeStore, clock: Clock) -> None:
    cache = ProductCache(db, clock=clock)
    cache.get_products(store.url)
    clock.advance(hours=23, minutes=59)
    ProductCache(db, clock=clock).get_products(store.url)
    assert store.count(CATALOG) == PAGE_REQUESTS

    clock.advance(minutes=2)
    store.product_count = 200  # the store sold out of half its catalog meanwhile
    products = cache.get_products(store.url)
    assert len(products) == 200
    assert store.count(CATALOG) == PAGE_REQUESTS + 2
    # Upserted in place, and products gone from the store are gone from the cache.
    assert stored_count(db, store.url) == 200
    with db.session() as session:
        expiries = set(
            session.scalars(
                select(CachedProduct.expires_at).where(CachedProduct.source == store.url)
            )
        )
    assert expiries == {clock.now + dt.timedelta(hours=24)}


def test_refresh_ignores_both_layers(db: Database, store: FakeStore, clock: Clock) -> None:
    cache = ProductCache(db, clock=clock)
    cache.get_products(store.url)
    store.product_count = 5
    assert len(cache.refresh(store.url)) == 5
    assert len(cache.get_products(store.url)) == 5
    assert stored_count(db, store.url) == 5


def test_a_failed_fetch_caches_nothing(db: Database, store: FakeStore, clock: Clock) -> None:
    store.catalog_mode = "empty"
    cache = ProductCache(db, clock=clock)
    with pytest.raises(CatalogError):
        cache.get_products(store.url)
    store.catalog_mode = "shopify"
    assert len(cache.get_products(store.url)) == PRODUCTS


def test_concurrent_first_uses_fetch_once(db: Database, store: FakeStore, clock: Clock) -> None:
    cache = ProductCache(db, clock=clock)
    start = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def use() -> None:
        start.wait()
        try:
            results.append(len(cache.get_products(store.url)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == [PRODUCTS] * 4
    assert store.count(CATALOG) == PAGE_REQUESTS


def test_search_matches_every_word(db: Database, store: FakeStore, clock: Clock) -> None:
    cache = ProductCache(db, clock=clock)
    dresses = cache.search(store.url, "DRESS")
    assert len(dresses) == PRODUCTS // 4
    narrowed = cache.search(store.url, "dress studio porto")
    assert narrowed and all(p.vendor == "Studio Porto" and p.category == "Dress" for p in narrowed)
    assert cache.search(store.url, "dress batch-3 linen") != []
    assert cache.search(store.url, "velvet") == []
    assert len(cache.search(store.url, "  ")) == PRODUCTS


def test_file_imports_are_cached_under_their_name(
    db: Database, clock: Clock, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("id,name,price,url\n1,Linen Dress,120,https://shop.test/p/1\n2,Scarf,30,\n")
    cache = ProductCache(db, clock=clock)
    imported = cache.import_file(path, "spring")
    assert [p.name for p in imported] == ["Linen Dress", "Scarf"]
    assert stored_count(db, "file:spring") == 2

    clock.advance(days=3)  # nothing to fetch again: a file's rows stay until re-imported
    loaded = ProductCache(db, clock=clock).get_products(file_source("spring"))
    assert [(p.external_id, p.price, p.url) for p in loaded] == [
        ("1", imported[0].price, "https://shop.test/p/1"),
        ("2", imported[1].price, None),
    ]

    path.write_text("id,name\n2,Scarf\n")
    cache.import_file(path, "spring")
    assert [p.external_id for p in cache.get_products("file:spring")] == ["2"]
    assert stored_count(db, "file:spring") == 1


def test_unknown_and_unrefreshable_file_sources(db: Database, clock: Clock) -> None:
    cache = ProductCache(db, clock=clock)
    with pytest.raises(SourceError, match="No products have been imported as 'autumn'"):
        cache.get_products("file:autumn")
    with pytest.raises(SourceError, match="import the file again"):
        cache.refresh("file:autumn")
    with pytest.raises(SourceError, match="needs a name"):
        file_source("  ")


def test_store_source_is_the_normalised_origin() -> None:
    assert store_source("Shop.Example.com/collections/all/") == "https://shop.example.com"


def test_brand_voice_cache_hit_and_expiry(db: Database, clock: Clock) -> None:
    cache = BrandVoiceCache(db, clock=clock)
    assert cache.get("https://juniper.test") is None
    analysis = {"tone": "warm", "dos": ["be plain"]}
    stored = cache.put("Juniper.test/?utm_source=x", analysis, "anthropic/claude-sonnet-4.5")
    assert stored.url == "https://juniper.test"

    clock.advance(days=6, hours=23)
    hit = cache.get("https://juniper.test/")
    assert hit is not None
    assert hit.analysis == analysis
    assert hit.model == "anthropic/claude-sonnet-4.5"
    assert hit.cached_at == START
    assert hit.age == dt.timedelta(days=6, hours=23)

    clock.advance(hours=2)
    assert cache.get("https://juniper.test") is None


def test_brand_voice_put_replaces_the_entry(db: Database, clock: Clock) -> None:
    cache = BrandVoiceCache(db, clock=clock)
    cache.put("https://juniper.test", {"tone": "old"}, "m1")
    clock.advance(days=8)
    cache.put("https://juniper.test", {"tone": "new"}, "m2")
    hit = cache.get("https://juniper.test")
    assert hit is not None
    assert (hit.analysis, hit.model, hit.age) == ({"tone": "new"}, "m2", dt.timedelta(0))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(BrandVoiceCacheEntry)) == 1
    assert cache.invalidate("juniper.test") is True
    assert cache.get("https://juniper.test") is None
    assert cache.invalidate("juniper.test") is False


def test_a_naive_clock_is_refused(db: Database) -> None:
    cache = BrandVoiceCache(db, clock=lambda: dt.datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        cache.get("https://juniper.test")
