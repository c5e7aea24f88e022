"""`copydesk brand-voice` and `copydesk products import|list`: a store's voice and catalog."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cli.context import CliContext
from app.services import agent_configs, projects
from app.services.errors import NotFound
from app.sources.brand_voice import (
    AGENT_ID,
    AgentModel,
    BrandVoiceEvent,
    ModelSettings,
    analyze_brand_voice,
)
from app.sources.cache import ProductCache, file_source, store_source
from app.sources.catalog import Product
from app.sources.product_files import SUPPORTED_SUFFIXES

# Where a project lists the catalogs imported for it (store origins and file:… names).
PRODUCT_SOURCES_SETTING = "product_sources"


def register(sub: Any) -> None:
    voice = sub.add_parser(
        "brand-voice", help="analyse a website's brand voice (cached for 7 days)"
    )
    voice.add_argument(
        "url", nargs="?", metavar="URL", help="the site to read (default: the project's store URL)"
    )
    voice.add_argument(
        "--project", metavar="P", help="the project (id, client/project, slug or name)"
    )
    voice.add_argument("--refresh", action="store_true", help="analyse again, ignoring the cache")
    voice.add_argument(
        "--confirm", action="store_true", help="save the result as the project's brand voice"
    )
    voice.add_argument("--json", action="store_true", help="print the result as JSON")
    voice.set_defaults(func=brand_voice)

    group = sub.add_parser("products", help="product catalogs: import a store or a file, list")
    actions = group.add_subparsers(dest="products_command", metavar="ACTION")
    importing = actions.add_parser(
        "import", help="import a Shopify store's catalog (URL) or a .csv/.json file"
    )
    importing.add_argument("source", metavar="URL|FILE", help="a store address or a file path")
    importing.add_argument("--project", required=True, metavar="P", help="the project")
    importing.set_defaults(func=import_products)

    listing = actions.add_parser("list", help="list a project's products")
    listing.add_argument("--project", required=True, metavar="P", help="the project")
    listing.add_argument("--search", metavar="TEXT", help="only products matching every word")
    listing.add_argument("--json", action="store_true", help="print the products as JSON")
    listing.set_defaults(func=list_products)


@dataclass(frozen=True)
class _ProjectRef:
    """The few facts the commands need, read inside one unit of work."""

    id: uuid.UUID
    ref: str  # client/project
    store_url: str | None
    sources: tuple[str, ...]


def brand_voice(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.confirm and not args.project:
        ctx.warn("copydesk: --confirm needs --project (whose brand voice to set)")
        return 2
    db = ctx.open_db()
    project = _find_project(ctx, args.project) if args.project else None
    url = args.url or (project.store_url if project else None)
    if not url:
        where = f"project {project.ref} has no store URL; " if project else ""
        ctx.warn(f"copydesk: {where}give the address of the site to analyse")
        return 2
    with db.session() as session:
        try:
            model: ModelSettings = agent_configs.agent_settings(session, AGENT_ID)
        except NotFound:
            model = AgentModel()
    llm = ctx.make_llm_client()
    try:
        result = analyze_brand_voice(
            url,
            db=db,
            llm=llm,
            model_config=model,
            force=args.refresh,
            on_event=lambda event: _progress(ctx, event),
            project_id=project.id if project else None,
        )
    finally:
        # The ledger writes usage rows on its own thread: let it finish before exiting.
        close_ledger = getattr(llm.ledger, "close", None)
        if callable(close_ledger):
            close_ledger()
        llm.close()
    if args.confirm and project is not None:
        with db.session() as session:
            projects.set_brand_voice(session, project.id, result.profile)
    if args.json:
        ctx.echo(
            json.dumps(
                {
                    "url": result.url,
                    "cached": result.cached,
                    "cached_at": result.cached_at.isoformat(),
                    "model": result.model,
                    "profile": result.profile,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        _print_profile(ctx, result.url, result.profile)
    if args.confirm and project is not None:
        ctx.warn(f"Saved as the brand voice of {project.ref}.")
    return 0


def import_products(args: argparse.Namespace, ctx: CliContext) -> int:
    db = ctx.open_db()
    project = _find_project(ctx, args.project)
    cache = ProductCache(db)
    if _is_file(args.source):
        path = Path(args.source).expanduser()
        source = file_source(f"{project.ref}/{path.name}")
        products = cache.import_file(path, source)
        origin = path.name
    else:
        source = store_source(args.source)
        products = cache.import_store(
            source, on_page=lambda page, total: ctx.warn(f"  page {page}: {total} products")
        )
        origin = source
    if source not in project.sources:
        with db.session() as session:
            projects.update_settings(
                session, project.id, {PRODUCT_SOURCES_SETTING: [*project.sources, source]}
            )
    ctx.echo(f"Imported {len(products)} products from {origin} into {project.ref}.")
    return 0


def list_products(args: argparse.Namespace, ctx: CliContext) -> int:
    project = _find_project(ctx, args.project)
    sources = list(project.sources)
    if project.store_url and store_source(project.store_url) not in sources:
        sources.insert(0, store_source(project.store_url))
    if not sources:
        ctx.warn(
            f"Project {project.ref} has no products yet. Import some with: "
            f"copydesk products import URL|FILE --project {project.ref}"
        )
        return 0
    cache = ProductCache(ctx.open_db())
    found = [
        (source, product)
        for source in sources
        for product in cache.search(source, args.search or "")
    ]
    if args.json:
        ctx.echo(json.dumps([_product_json(s, p) for s, p in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        ctx.echo("No products match.")
        return 0
    rows = [
        (p.external_id, _clip(p.name, 40), p.vendor or "", _price(p), p.category or "")
        for _, p in found
    ]
    _table(ctx, ("ID", "NAME", "VENDOR", "PRICE", "CATEGORY"), rows)
    ctx.echo(f"{len(found)} products")
    return 0


def _find_project(ctx: CliContext, ref: str) -> _ProjectRef:
    with ctx.open_db().session() as session:
        project = projects.find_project(session, ref)
        stored = (project.settings or {}).get(PRODUCT_SOURCES_SETTING) or []
        return _ProjectRef(
            id=project.id,
            ref=f"{project.client.slug}/{project.slug}",
            store_url=project.store_url,
            sources=tuple(str(source) for source in stored),
        )


def _is_file(source: str) -> bool:
    """A path to an existing file, or a name ending in .csv/.json without a scheme."""
    if "://" in source:
        return False
    path = Path(source).expanduser()
    return path.is_file() or path.suffix.lower() in SUPPORTED_SUFFIXES


def _progress(ctx: CliContext, event: BrandVoiceEvent) -> None:
    ctx.warn(event.message)


def _print_profile(ctx: CliContext, url: str, profile: dict[str, Any]) -> None:
    ctx.echo(f"Brand voice of {url}")
    for key, value in profile.items():
        label = key.replace("_", " ").capitalize()
        if isinstance(value, list):
            ctx.echo(f"{label}:")
            for item in value:
                ctx.echo(f"  - {item}")
        else:
            ctx.echo(f"{label}: {value}")


def _product_json(source: str, product: Product) -> dict[str, Any]:
    return {
        "source": source,
        "id": product.external_id,
        "name": product.name,
        "vendor": product.vendor,
        "description": product.description,
        "price": str(product.price) if product.price is not None else None,
        "currency": product.currency,
        "price_text": product.price_text,
        "image_url": product.image_url,
        "category": product.category,
        "tags": list(product.tags),
        "url": product.url,
    }


def _price(product: Product) -> str:
    if product.price_text:
        return product.price_text
    if product.price is None:
        return ""
    return f"{product.price.normalize():f} {product.currency or ''}".strip()


def _table(ctx: CliContext, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        ctx.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
