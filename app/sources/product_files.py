"""Products from a CSV or JSON file, checked against what the file name claims."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.sources.catalog import (
    Product,
    description_text,
    parse_decimal,
    parse_price,
    split_tags,
    text_or_none,
)
from app.sources.errors import ImportFileError
from app.sources.fetch import MiB, format_size
from app.sources.shopify import product_from_shopify

MAX_FILE_BYTES = 50 * MiB
SUPPORTED_SUFFIXES = (".csv", ".json")

# Header spellings accepted for each field, in order of preference. Headers are compared
# after lower-casing and turning every run of other characters into "_", so Shopify's own
# export ("Body (HTML)", "Variant Price", "Image Src") is understood too.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "external_id", "product_id", "sku", "handle"),
    "name": ("name", "title", "product_name", "product"),
    "vendor": ("vendor", "brand", "designer", "manufacturer"),
    "description": ("description", "body", "body_html", "details"),
    "price": ("price", "variant_price", "amount"),
    "currency": ("currency", "currency_code"),
    "image_url": ("image_url", "image", "image_src", "picture"),
    "category": ("category", "product_type", "type"),
    "tags": ("tags", "keywords"),
    "url": ("url", "link", "product_url"),
}

_BINARY_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx spreadsheet? export it as CSV)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (an .xls spreadsheet? export it as CSV)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)
_CURRENCY_RE = re.compile(r"[A-Za-z]{3}")


def load_products_file(path: Path | str) -> list[Product]:
    """Read products from a .csv or .json file; any problem names the file and line."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError(
            path, f"unsupported file type {suffix or '(no extension)'}; use a .csv or .json file"
        )
    if not path.is_file():
        raise ImportFileError(path, "no such file" if not path.exists() else "not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFileError(path, f"the file is larger than {format_size(MAX_FILE_BYTES)}")
    text = _decode(path, path.read_bytes(), suffix)
    products = _parse_json(path, text) if suffix == ".json" else _parse_csv(path, text)
    if not products:
        raise ImportFileError(path, "the file has no products")
    return products


def _decode(path: Path, data: bytes, suffix: str) -> str:
    kind = "a JSON file" if suffix == ".json" else "a CSV file"
    for signature, description in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(path, f"this is not {kind}: it is {description}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:8192]:
        raise ImportFileError(path, f"this is not {kind}: it contains binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Spreadsheets on Windows often save CSV as cp1252.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFileError(
                path, "the text is neither UTF-8 nor Windows-1252", line=line
            ) from None


def _parse_json(path: Path, text: str) -> list[Product]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = " (it looks like CSV)" if _looks_like_csv(text) else ""
        raise ImportFileError(
            path, f"this is not valid JSON{hint}: {exc.msg} at column {exc.colno}", line=exc.lineno
        ) from None
    if isinstance(data, Mapping) and isinstance(data.get("products"), list):
        items: list[Any] = data["products"]
    elif isinstance(data, list):
        items = data
    else:
        raise ImportFileError(
            path, 'expected a list of products, or an object with a "products" list'
        )
    products = _Collector(path)
    for position, item in enumerate(items, start=1):
        where = f"product {position}"
        if not isinstance(item, Mapping):
            raise ImportFileError(path, f"{where} is not an object")
        if "body_html" in item or "variants" in item:
            shopify = product_from_shopify(item)
            if shopify is None:
                raise ImportFileError(path, f"{where} has neither an id nor a title")
            products.add(shopify, where=where, has_own_id=True)
            continue
        fields = {header_key(str(key)): value for key, value in item.items()}
        product = _product_from_fields(
            path, _alias_lookup(fields), raw=dict(item), where=where, line=None
        )
        if product is not None:
            products.add(product, where=where, has_own_id=_has_id(fields))
    return products.products


def _parse_csv(path: Path, text: str) -> list[Product]:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        raise ImportFileError(path, "this is not a CSV file: it looks like JSON")
    if stripped.startswith("<"):
        raise ImportFileError(path, "this is not a CSV file: it looks like HTML or XML")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:8192], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(keepends=True), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(path, "the file is empty") from None
    except csv.Error as exc:
        raise ImportFileError(path, f"the header cannot be read ({exc})", line=1) from None
    keys = [header_key(cell) for cell in header]
    columns = {field: _find_column(keys, aliases) for field, aliases in COLUMN_ALIASES.items()}
    if columns["name"] is None:
        found = ", ".join(cell.strip() for cell in header if cell.strip()) or "nothing"
        raise ImportFileError(
            path,
            f"the header has no name column (expected one of: "
            f"{', '.join(COLUMN_ALIASES['name'])}); found: {found}",
            line=1,
        )
    products = _Collector(path)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFileError(path, f"unreadable row ({exc})", line=reader.line_num) from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise ImportFileError(
                path, f"the row has {len(row)} cells but the header has {len(header)}", line=line
            )

        def cell(name: str, row: list[str] = row) -> Any:
            index = columns[name]
            return row[index] if index is not None and index < len(row) else None

        raw = {title: row[i] if i < len(row) else "" for i, title in enumerate(header)}
        product = _product_from_fields(path, cell, raw=raw, where=None, line=line)
        if product is None:
            # Shopify's export repeats the handle on extra variant/image rows with no title.
            repeated_id = text_or_none(cell("external_id"))
            if repeated_id is not None and products.seen(repeated_id):
                continue
            raise ImportFileError(path, "the product has no name", line=line)
        products.add(product, where=f"line {line}", has_own_id=columns["external_id"] is not None)
    return products.products


def _product_from_fields(
    path: Path,
    get: Callable[[str], Any],
    *,
    raw: dict[str, Any],
    where: str | None,
    line: int | None,
) -> Product | None:
    def fail(problem: str) -> ImportFileError:
        return ImportFileError(path, f"{where}: {problem}" if where else problem, line=line)

    name = text_or_none(get("name"))
    if name is None:
        if where is not None:
            raise fail(f"no name (expected one of: {', '.join(COLUMN_ALIASES['name'])})")
        return None
    price_value = get("price")
    price_text: str | None
    symbol_currency: str | None
    if isinstance(price_value, int | float) and not isinstance(price_value, bool):
        price, symbol_currency, price_text = parse_decimal(price_value), None, str(price_value)
    else:
        price_text = text_or_none(price_value)
        price, symbol_currency = parse_price(price_text) if price_text else (None, None)
    currency = text_or_none(get("currency")) or symbol_currency
    if currency is not None and not _CURRENCY_RE.fullmatch(currency):
        raise fail(f"currency {currency!r} is not a three-letter code such as USD or EUR")
    return Product(
        external_id=text_or_none(get("external_id")) or "",
        name=name,
        vendor=text_or_none(get("vendor")),
        description=description_text(get("description")),
        price=price,
        currency=currency.upper() if currency else None,
        price_text=price_text,
        image_url=text_or_none(get("image_url")),
        category=text_or_none(get("category")),
        tags=split_tags(get("tags")),
        url=text_or_none(get("url")),
        min_price=price,
        raw=raw,
    )


class _Collector:
    """Products in file order with unique ids: given ids must not repeat; made-up ids get -2, -3."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._where_by_id: dict[str, str] = {}
        self.products: list[Product] = []

    def seen(self, external_id: str) -> bool:
        return external_id in self._where_by_id

    def add(self, product: Product, *, where: str, has_own_id: bool) -> None:
        external_id = product.external_id
        if has_own_id and external_id:
            if external_id in self._where_by_id:
                raise ImportFileError(
                    self._path,
                    f"{where}: id {external_id!r} is used again "
                    f"(first on {self._where_by_id[external_id]})",
                )
        else:
            base = _slug(product.name) or "product"
            external_id, number = base, 1
            while external_id in self._where_by_id:
                number += 1
                external_id = f"{base}-{number}"
            product = replace(product, external_id=external_id)
        self._where_by_id[external_id] = where
        self.products.append(product)


def _alias_lookup(fields: Mapping[str, Any]) -> Callable[[str], Any]:
    """Look a field up in a JSON object under any of its accepted names."""

    def get(field: str) -> Any:
        for alias in COLUMN_ALIASES[field]:
            value = fields.get(alias)
            if value is not None and value != "":
                return value
        return None

    return get


def _has_id(fields: Mapping[str, Any]) -> bool:
    return any(text_or_none(fields.get(alias)) for alias in COLUMN_ALIASES["external_id"])


def _find_column(keys: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in keys:
            return keys.index(alias)
    return None


def header_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.strip().lower()).strip("_")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200]


def _looks_like_csv(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    return "," in first and not first.startswith(("{", "["))
