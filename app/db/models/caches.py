"""Durable caches of things fetched from the web: brand-voice analyses and store products."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import JSONType, Money, UTCDateTime


class BrandVoiceCacheEntry(Base):
    """A brand-voice analysis of a site, reused for seven days."""

    __tablename__ = "brand_voice_cache"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Normalised URL, so trivially different spellings share one entry.
    url: Mapped[str] = mapped_column(Text, unique=True)
    analysis_result: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    model: Mapped[str | None] = mapped_column(String(200))
    cached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CachedProduct(Base):
    """A product from a store catalog or an imported file, reused for 24 hours."""

    __tablename__ = "cached_products"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Normalised store URL, or "file:<name>" for an imported file.
    source: Mapped[str] = mapped_column(String(500))
    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    price_text: Mapped[str | None] = mapped_column(String(100))
    image_url: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(255))
    tags: Mapped[list[str] | None] = mapped_column(JSONType)
    raw_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    cached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
