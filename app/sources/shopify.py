"""A Shopify store's public catalog: /products.json, read page by page."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx

from app.sources.catalog import Product, objects, parse_decimal, split_tags, text_or_none
from app.sources.errors import CatalogError, HttpStatusError
from app.sources.extract import html_to_text
from app.sources.fetch import MiB, fetch_body, new_client, site_origin

SHOPIFY_PAGE_SIZE = 250
DEFAULT_MAX_PAGES = 40
# 250 products with long HTML bodies stay well under this.
MAX_CATALOG_PAGE_BYTES = 20 * MiB


def fetch_shopify_products(
    store_url: str,
    *,
    client: httpx.Client | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    on_page: Callable[[int, int], None] | None = None,
) -> list[Product]:
    """Every product of a Shopify store, read page by page until a page comes back empty.

    ``on_page(page, products_so_far)`` reports progress. Products repeated across pages
    (the catalog changing while it is read) are kept once.
    """
    origin = site_origin(store_url)
    if client is None:
        with new_client() as own_client:
            return fetch_shopify_products(
                origin, client=own_client, max_pages=max_pages, on_page=on_page
            )
    products: dict[str, Product] = {}
    for page in range(1, max_pages + 1):
        items = _fetch_catalog_page(origin, page, client)
        if not items:
            if page == 1:
                raise CatalogError(
                    f"{origin} has an empty catalog: /products.json lists no products",
                    store_url=origin,
                    page=page,
                )
            break
        new = 0
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise CatalogError(
                    f"Page {page} of {origin}'s catalog is malformed: "
                    f"product {position} is not an object",
                    store_url=origin,
                    page=page,
                )
            product = product_from_shopify(item, store_origin=origin)
            if product is None:
                raise CatalogError(
                    f"Page {page} of {origin}'s catalog is malformed: "
                    f"product {position} has neither an id nor a title",
                    store_url=origin,
                    page=page,
                )
            if product.external_id not in products:
                products[product.external_id] = product
                new += 1
        if on_page is not None:
            on_page(page, len(products))
        # A store that ignores ?page= serves page 1 forever; stop rather than loop.
        if new == 0:
            break
    return list(products.values())


def product_from_shopify(
    item: Mapping[str, Any], *, store_origin: str | None = None
) -> Product | None:
    """A Product from one Shopify product object, or None when it has no id and no title."""
    raw_id = item.get("id")
    handle = text_or_none(item.get("handle"))
    name = text_or_none(item.get("title")) or handle
    external_id = text_or_none(raw_id) or handle
    if not external_id or not name:
        return None
    prices = [
        price
        for variant in objects(item.get("variants"))
        if (price := parse_decimal(variant.get("price"))) is not None
    ]
    first_price = prices[0] if prices else None
    min_price = min(prices) if prices else None
    currency = next(
        (
            code.upper()
            for variant in objects(item.get("variants"))
            if isinstance(code := variant.get("price_currency"), str) and len(code) == 3
        ),
        None,
    )
    images = objects(item.get("images"))
    image = images[0] if images else item.get("image")
    image_url = text_or_none(image.get("src")) if isinstance(image, Mapping) else None
    return Product(
        external_id=external_id,
        name=name,
        vendor=text_or_none(item.get("vendor")),
        description=html_to_text(str(item.get("body_html") or "")),
        price=first_price,
        currency=currency,
        price_text=_price_range_text(prices),
        image_url=image_url,
        category=text_or_none(item.get("product_type")),
        tags=split_tags(item.get("tags")),
        url=f"{store_origin}/products/{handle}" if store_origin and handle else None,
        min_price=min_price,
        raw=dict(item),
    )


def shopify_min_price(raw: Mapping[str, Any]) -> Decimal | None:
    """The lowest variant price of a raw Shopify product (None for other sources)."""
    prices = [
        price
        for variant in objects(raw.get("variants"))
        if (price := parse_decimal(variant.get("price"))) is not None
    ]
    return min(prices) if prices else None


def _fetch_catalog_page(origin: str, page: int, client: httpx.Client) -> list[Any]:
    url = f"{origin}/products.json?limit={SHOPIFY_PAGE_SIZE}&page={page}"
    try:
        fetched = fetch_body(
            url, client=client, max_bytes=MAX_CATALOG_PAGE_BYTES, accept="application/json"
        )
    except HttpStatusError as exc:
        if page == 1 and exc.status in (401, 403, 404):
            raise CatalogError(
                f"{origin} does not look like a Shopify store: /products.json answered "
                f"HTTP {exc.status}. Import a CSV or JSON file of the products instead.",
                store_url=origin,
                page=page,
            ) from None
        raise
    try:
        data = json.loads(fetched.body.decode(fetched.charset or "utf-8", errors="replace"))
    except (json.JSONDecodeError, LookupError) as exc:
        kind = fetched.content_type or "no content type"
        raise CatalogError(
            f"Page {page} of {origin}'s catalog is not JSON ({kind}; {exc})",
            store_url=origin,
            page=page,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("products"), list):
        raise CatalogError(
            f'Page {page} of {origin}\'s catalog has no "products" list; is this a Shopify store?',
            store_url=origin,
            page=page,
        )
    products: list[Any] = data["products"]
    return products


def _price_range_text(prices: list[Decimal]) -> str | None:
    if not prices:
        return None
    low, high = min(prices), max(prices)
    return f"{low}" if low == high else f"{low}–{high}"
