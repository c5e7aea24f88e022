"""The Product record shared by every catalog source, and the parsing helpers they use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.sources.extract import html_to_text, looks_like_html

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW"}
_NUMBER_RE = re.compile(r"\d[\d.,'\s]*")


@dataclass(frozen=True)
class Product:
    """One product, whatever its origin; ``raw`` keeps the source record as it came."""

    external_id: str
    name: str
    vendor: str | None = None
    description: str = ""
    price: Decimal | None = None
    currency: str | None = None
    price_text: str | None = None
    image_url: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    url: str | None = None
    min_price: Decimal | None = None  # lowest variant price, when variants differ
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def matches(self, query: str) -> bool:
        """Whether every word of ``query`` appears in the name, vendor, category, tags or text."""
        haystack = " ".join(
            [self.name, self.vendor or "", self.category or "", self.description, *self.tags]
        ).casefold()
        return all(word in haystack for word in query.casefold().split())


def split_tags(value: Any) -> tuple[str, ...]:
    """Tags from a list, or from text separated by "|" (when present) or commas."""
    if value is None:
        return ()
    if isinstance(value, str):
        separator = "|" if "|" in value else ","
        items: Iterable[Any] = value.split(separator)
    elif isinstance(value, list | tuple):
        items = value
    else:
        items = [value]
    seen: dict[str, None] = {}
    for item in items:
        tag = str(item).strip()
        if tag and tag.casefold() not in {t.casefold() for t in seen}:
            seen[tag] = None
    return tuple(seen)


def parse_decimal(value: Any) -> Decimal | None:
    """A plain decimal number ("12.50", 12.5, 12); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def parse_price(text: str) -> tuple[Decimal | None, str | None]:
    """Amount and currency from a price as people write it: "$1,299.00", "1.299,00 €", "45 GBP"."""
    stripped = text.strip()
    currency = next((code for sym, code in _CURRENCY_SYMBOLS.items() if sym in stripped), None)
    code = re.search(r"\b([A-Z]{3})\b", stripped)
    if code:
        currency = code.group(1)
    match = _NUMBER_RE.search(stripped)
    if not match:
        return None, currency
    digits = re.sub(r"[\s']", "", match.group(0)).rstrip(".,")
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "," in digits:
        # "1,299" groups thousands; "12,50" is a decimal comma.
        decimal_mark = "." if re.fullmatch(r"\d{1,3}(,\d{3})+", digits) else ","
    else:
        # "1.299" groups thousands (as in much of Europe); "12.5" and "0.125" are decimals.
        decimal_mark = "," if re.fullmatch(r"[1-9]\d{0,2}(\.\d{3})+", digits) else "."
    thousands = "," if decimal_mark == "." else "."
    normalised = digits.replace(thousands, "").replace(decimal_mark, ".")
    return parse_decimal(normalised), currency


def description_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return html_to_text(text) if looks_like_html(text) else text.strip()


def objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text_or_none(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None
