"""Importing products from CSV and JSON files, and refusing files that are not what they claim."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.sources.errors import ImportFileError
from app.sources.products import load_products_file, parse_price, split_tags
from tests.fakes.store_server import make_product


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def import_error(path: Path) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        load_products_file(path)
    return caught.value


def test_csv_with_header_aliases(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "catalog.csv",
        "SKU,Title,Brand,Body,Price,Image URL,Product Type,Tags\n"
        'JV-1,Linen Dress,Juniper,"<p>Soft <b>linen</b>.</p>","$1,299.00",https://x/1.jpg,Dress,'
        "summer|linen\n"
        'JV-2,Silk Scarf,Vale,Plain text,45,,Scarf,"silk, gift"\n',
    )
    first, second = load_products_file(path)
    assert (first.external_id, first.name, first.vendor) == ("JV-1", "Linen Dress", "Juniper")
    assert first.description == "Soft linen."
    assert (first.price, first.currency, first.price_text) == (
        Decimal("1299.00"),
        "USD",
        "$1,299.00",
    )
    assert (first.image_url, first.category, first.tags) == (
        "https://x/1.jpg",
        "Dress",
        ("summer", "linen"),
    )
    assert first.raw["Title"] == "Linen Dress"
    assert (second.price, second.currency, second.tags) == (Decimal("45"), None, ("silk", "gift"))
    assert second.image_url is None


def test_semicolon_csv_with_decimal_commas_and_currency_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "eu.csv", "id;name;designer;price;currency\n7;Robe;Atelier;12,50 €;eur\n"
    )
    (product,) = load_products_file(path)
    assert (product.external_id, product.vendor) == ("7", "Atelier")
    assert (product.price, product.currency) == (Decimal("12.50"), "EUR")


def test_shopify_export_continuation_rows_are_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shopify_export.csv",
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Variant Price,Image Src\n"
        "linen-dress,Linen Dress,<p>Cut from deadstock.</p>,Juniper,Dress,summer,120.00,https://x/a.jpg\n"
        "linen-dress,,,,,,110.00,https://x/b.jpg\n"
        "silk-scarf,Silk Scarf,,Vale,Scarf,,45.00,\n",
    )
    products = load_products_file(path)
    assert [p.external_id for p in products] == ["linen-dress", "silk-scarf"]
    assert products[0].description == "Cut from deadstock."
    assert products[0].price == Decimal("120.00")


def test_ids_are_made_from_names_when_the_file_has_none(tmp_path: Path) -> None:
    path = write(tmp_path, "names.csv", "name\nLinen Dress\nLinen Dress\nScarf!\n")
    assert [p.external_id for p in load_products_file(path)] == [
        "linen-dress",
        "linen-dress-2",
        "scarf",
    ]


def test_windows_1252_csv_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", "name,price\nCafé crème,€4\n".encode("cp1252"))
    (product,) = load_products_file(path)
    assert product.name == "Café crème"
    assert (product.price, product.currency) == (Decimal("4"), "EUR")


def test_csv_without_a_name_column(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "bad.csv", "sku,cost,colour\n1,2,red\n"))
    assert error.line == 1
    assert str(error) == (
        "bad.csv, line 1: the header has no name column (expected one of: name, title, "
        "product_name, product); found: sku, cost, colour"
    )


def test_csv_row_without_a_name_names_its_line(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "gap.csv", "id,name\n1,Dress\n\n2,\n"))
    assert error.line == 4
    assert "the product has no name" in str(error)


def test_csv_repeated_id(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "dup.csv", "id,name\n1,Dress\n2,Scarf\n1,Shirt\n"))
    assert "id '1' is used again (first on line 2)" in str(error)
    assert "line 4" in str(error)


def test_csv_row_with_too_many_cells(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "wide.csv", "id,name\n1,Dress,oops,more\n"))
    assert error.line == 2
    assert "the row has 4 cells but the header has 2" in str(error)


def test_csv_bad_currency(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "cur.csv", "name,currency\nDress,dollars\n"))
    assert error.line == 2
    assert "currency 'dollars' is not a three-letter code" in str(error)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'[{"name": "Dress"}]', "this is not a CSV file: it looks like JSON"),
        (b"<html><body>shop</body></html>", "this is not a CSV file: it looks like HTML or XML"),
        (b"%PDF-1.7\n...", "this is not a CSV file: it is a PDF document"),
        (b"PK\x03\x04\x14\x00", "this is not a CSV file: it is a ZIP archive"),
        (b"name\nab\x00\x01\x02cd\n", "this is not a CSV file: it contains binary data"),
        (b"", "the file is empty"),
        (b"id,name\n", "the file has no products"),
    ],
)
def test_csv_that_is_not_a_csv(tmp_path: Path, content: bytes, problem: str) -> None:
    assert problem in str(import_error(write(tmp_path, "products.csv", content)))


def test_json_list_of_objects(tmp_path: Path) -> None:
    items = [
        {"id": 1, "title": "Dress", "brand": "Vale", "price": 120.5, "tags": ["a", "b"]},
        {"sku": "S-2", "name": "Scarf", "price": "£30", "category": "Scarf"},
    ]
    first, second = load_products_file(write(tmp_path, "p.json", json.dumps(items)))
    assert (first.external_id, first.name, first.vendor) == ("1", "Dress", "Vale")
    assert (first.price, first.tags) == (Decimal("120.5"), ("a", "b"))
    assert (second.external_id, second.price, second.currency) == ("S-2", Decimal("30"), "GBP")
    assert first.raw == items[0]


def test_json_in_shopify_shape(tmp_path: Path) -> None:
    data = {"products": [make_product(0), make_product(1)]}
    products = load_products_file(write(tmp_path, "products.json", json.dumps(data)))
    assert [p.external_id for p in products] == ["7000000", "7000001"]
    assert products[0].description.startswith("A hand-finished linen dress.")
    assert products[0].min_price == Decimal("90.50")


def test_json_that_is_not_json(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "p.json", "id,name\n1,Dress\n"))
    assert error.line == 1
    assert "this is not valid JSON (it looks like CSV)" in str(error)


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "p.json", '[\n  {"name": "Dress"},\n  {"name": }\n]'))
    assert error.line == 3
    assert str(error).startswith("p.json, line 3: this is not valid JSON")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"items": []}, 'expected a list of products, or an object with a "products" list'),
        ([{"name": "ok"}, "oops"], "product 2 is not an object"),
        ([{"price": 3}], "product 1: no name"),
        (
            [{"id": 1, "name": "A"}, {"id": 1, "name": "B"}],
            "id '1' is used again (first on product 1)",
        ),
        ([], "the file has no products"),
    ],
)
def test_json_with_the_wrong_shape(tmp_path: Path, data: object, problem: str) -> None:
    assert problem in str(import_error(write(tmp_path, "p.json", json.dumps(data))))


def test_binary_json_file(tmp_path: Path) -> None:
    error = import_error(write(tmp_path, "p.json", b"\x89PNG\r\n\x1a\n\x00\x00"))
    assert "this is not a JSON file: it is a PNG image" in str(error)


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    assert "unsupported file type .xlsx" in str(import_error(write(tmp_path, "p.xlsx", b"x")))
    assert "no such file" in str(import_error(tmp_path / "absent.csv"))


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$1,299.00", Decimal("1299.00"), "USD"),
        ("1.299,00 €", Decimal("1299.00"), "EUR"),
        ("12,50", Decimal("12.50"), None),
        ("1,299", Decimal("1299"), None),
        ("45 GBP", Decimal("45"), "GBP"),
        ("1 299.90", Decimal("1299.90"), None),
        ("1.299", Decimal("1299"), None),
        ("Call us", None, None),
    ],
)
def test_parse_price(text: str, amount: Decimal | None, currency: str | None) -> None:
    assert parse_price(text) == (amount, currency)


def test_split_tags() -> None:
    assert split_tags("a, b ,a,,C") == ("a", "b", "C")
    assert split_tags("x|y, z") == ("x", "y, z")
    assert split_tags(["One", "one", " two "]) == ("One", "two")
    assert split_tags(None) == ()
