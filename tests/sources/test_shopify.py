"""Importing a Shopify catalog from the fake store."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.sources.errors import CatalogError, HttpStatusError, InvalidUrl
from app.sources.products import Product, fetch_shopify_products, product_from_shopify
from tests.fakes.store_server import FakeStore, make_product


def test_reads_every_page_until_an_empty_one(store: FakeStore) -> None:
    pages: list[tuple[int, int]] = []
    products = fetch_shopify_products(store.url, on_page=lambda p, n: pages.append((p, n)))
    assert len(products) == 600
    catalog_requests = [r.query for r in store.requests if r.path == "/products.json"]
    assert catalog_requests == [{"limit": "250", "page": str(n)} for n in (1, 2, 3, 4)]
    assert pages == [(1, 250), (2, 499), (3, 600)]


def test_a_product_repeated_across_pages_is_kept_once(store: FakeStore) -> None:
    assert len(store.served_sequence()) == 601
    products = fetch_shopify_products(store.url)
    ids = [p.external_id for p in products]
    assert len(ids) == len(set(ids)) == 600
    assert ids[:3] == ["7000000", "7000001", "7000002"]


def test_maps_shopify_fields(store: FakeStore) -> None:
    store.product_count = 3
    first = fetch_shopify_products(store.url + "/collections/all?utm_source=x")[1]
    assert first == Product(
        external_id="7000001",
        name="Shirt No. 1",
        vendor="Studio Porto",
        description=(
            "A hand-finished washed linen shirt.\nMade in Porto\nNumber 1 of the collection"
        ),
        price=Decimal("101.00"),
        currency=None,
        price_text="91.50–101.00",
        image_url="https://cdn.example.test/products/1.jpg",
        category="Shirt",
        tags=("summer", "washed linen", "batch-1"),
        url=f"{store.url}/products/shirt-no-1",
        min_price=Decimal("91.50"),
    )
    assert first.raw["handle"] == "shirt-no-1"
    assert "<strong>" in first.raw["body_html"]
    assert "alert" not in first.description


def test_a_store_without_products_json_is_not_shopify(store: FakeStore) -> None:
    store.catalog_mode = "missing"
    with pytest.raises(CatalogError) as caught:
        fetch_shopify_products(store.url)
    assert "does not look like a Shopify store" in str(caught.value)
    assert "HTTP 404" in str(caught.value)
    assert caught.value.page == 1


def test_a_page_that_is_not_json_names_the_page(store: FakeStore) -> None:
    store.catalog_mode = "malformed"
    with pytest.raises(CatalogError) as caught:
        fetch_shopify_products(store.url)
    assert caught.value.page == 2
    assert str(caught.value).startswith(f"Page 2 of {store.url}'s catalog is not JSON")


def test_json_without_products(store: FakeStore) -> None:
    store.catalog_mode = "no_products_key"
    with pytest.raises(CatalogError, match='has no "products" list'):
        fetch_shopify_products(store.url)


def test_an_empty_catalog(store: FakeStore) -> None:
    store.catalog_mode = "empty"
    with pytest.raises(CatalogError, match="has an empty catalog"):
        fetch_shopify_products(store.url)


def test_a_server_error_is_reported(store: FakeStore) -> None:
    store.catalog_mode = "error"
    with pytest.raises(HttpStatusError) as caught:
        fetch_shopify_products(store.url)
    assert caught.value.status == 500
    assert "page=1" in str(caught.value)


def test_a_store_that_ignores_the_page_parameter_stops(store: FakeStore) -> None:
    store.catalog_mode = "static"
    products = fetch_shopify_products(store.url)
    assert len(products) == 250
    assert store.count("/products.json") == 2


def test_max_pages_bounds_the_requests(store: FakeStore) -> None:
    products = fetch_shopify_products(store.url, max_pages=1)
    assert len(products) == 250
    assert store.count("/products.json") == 1


def test_rejects_an_unusable_store_address() -> None:
    with pytest.raises(InvalidUrl):
        fetch_shopify_products("ftp://store.example")


def test_product_from_shopify_tolerates_sparse_objects() -> None:
    sparse = product_from_shopify({"handle": "plain-tee", "tags": "cotton, basics"})
    assert sparse is not None
    assert (sparse.external_id, sparse.name, sparse.price, sparse.tags) == (
        "plain-tee",
        "plain-tee",
        None,
        ("cotton", "basics"),
    )
    assert product_from_shopify({"body_html": "<p>no id</p>"}) is None
    with_image = product_from_shopify({**make_product(2), "images": [], "image": {"src": "x.jpg"}})
    assert with_image is not None and with_image.image_url == "x.jpg"
