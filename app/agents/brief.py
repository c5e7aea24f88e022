"""Everything the agents are told about a piece, read once from the database as plain data.

The brief is what the shared context block is rendered from: the piece's brand-voice
snapshot, the skill and its rules, the project's vocabulary, metadata, style samples and
references, the selected products' facts, the instructions and template inputs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import CachedProduct, Piece, Project, Skill
from app.domain.status import ResourceType, VocabularyUsage
from app.services.pieces import get_piece, list_platform_states
from app.services.project_metadata import get_metadata
from app.services.project_resources import list_resources
from app.services.vocabulary import list_terms
from app.sources.cache import product_from_row, store_source
from app.sources.errors import SourceError

log = logging.getLogger(__name__)

# Bounds that keep the shared context a sensible size whatever a project has collected.
MAX_STYLE_SAMPLES = 5
MAX_REFERENCES = 5
MAX_RESOURCE_CHARS = 4000
MAX_PRODUCT_DESCRIPTION_CHARS = 1500


@dataclass(frozen=True)
class PieceBrief:
    """Plain data, safe to hand to another thread; ``variables()`` feeds the templates."""

    piece_id: uuid.UUID
    project_id: uuid.UUID
    skill_id: uuid.UUID | None
    platforms: tuple[str, ...]
    project: dict[str, Any]
    skill: dict[str, Any] | None
    brand_voice: dict[str, Any] | None
    vocabulary: dict[str, list[dict[str, str]]]
    project_notes: dict[str, Any]
    products: list[dict[str, Any]]
    missing_products: list[str]
    style_samples: list[dict[str, Any]]
    references: list[dict[str, Any]]
    goal: str | None
    instructions: str | None
    template_inputs: dict[str, Any]
    mode: str
    source_content: str | None
    title: str | None = None

    def variables(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "skill": self.skill,
            "brand_voice": self.brand_voice,
            "vocabulary": self.vocabulary,
            "project_notes": self.project_notes,
            "products": self.products,
            "missing_products": self.missing_products,
            "style_samples": self.style_samples,
            "references": self.references,
            "goal": self.goal,
            "instructions": self.instructions,
            "template_inputs": self.template_inputs,
            "mode": self.mode,
            "source_content": self.source_content,
            "title": self.title,
        }


def load_brief(session: Session, piece_id: uuid.UUID) -> PieceBrief:
    piece = get_piece(session, piece_id)
    project = session.get(Project, piece.project_id)
    assert project is not None  # a foreign key guarantees it
    skill = session.get(Skill, piece.skill_id) if piece.skill_id else None
    products, missing = _products(session, piece)
    terms = list_terms(session, project.id)
    vocabulary: dict[str, list[dict[str, str]]] = {usage.value: [] for usage in VocabularyUsage}
    for term in terms:
        vocabulary[term.usage].append(
            {"term": term.term, "definition": term.definition, "category": term.category or ""}
        )
    return PieceBrief(
        piece_id=piece.id,
        project_id=project.id,
        skill_id=piece.skill_id,
        platforms=tuple(state.platform for state in list_platform_states(session, piece.id)),
        project={
            "name": project.name,
            "client": project.client.name,
            "store_url": piece.store_url or project.store_url or "",
        },
        skill=(
            {
                "name": skill.name,
                "label": skill.label or skill.name,
                "description": skill.description,
                "rules": skill.rules or "",
            }
            if skill is not None
            else None
        ),
        brand_voice=dict(piece.brand_voice) if piece.brand_voice else None,
        vocabulary=vocabulary,
        project_notes=get_metadata(session, project.id),
        products=products,
        missing_products=missing,
        style_samples=_resources(session, project.id, ResourceType.STYLE_SAMPLE, MAX_STYLE_SAMPLES),
        references=_resources(session, project.id, ResourceType.REFERENCE, MAX_REFERENCES),
        goal=piece.goal,
        instructions=piece.instructions,
        template_inputs=dict(piece.template_inputs or {}),
        mode=piece.mode,
        source_content=piece.source_content,
        title=piece.title,
    )


def find_products(
    session: Session, external_ids: Sequence[str], store_url: str | None
) -> tuple[list[CachedProduct], list[str]]:
    """Cached rows for ``external_ids`` (the piece's store first), and the ids not found."""
    if not external_ids:
        return [], []
    preferred = None
    if store_url:
        try:
            preferred = store_source(store_url)
        except SourceError:
            preferred = None
    rows = session.scalars(
        select(CachedProduct)
        .where(CachedProduct.external_id.in_(list(external_ids)))
        .order_by(CachedProduct.cached_at.desc(), CachedProduct.id.desc())
    ).all()
    chosen: dict[str, CachedProduct] = {}
    for row in rows:
        current = chosen.get(row.external_id)
        if current is None or (row.source == preferred and current.source != preferred):
            chosen[row.external_id] = row
    found = [chosen[i] for i in external_ids if i in chosen]
    missing = [i for i in external_ids if i not in chosen]
    return found, missing


def _products(session: Session, piece: Piece) -> tuple[list[dict[str, Any]], list[str]]:
    rows, missing = find_products(session, piece.selected_product_ids or [], piece.store_url)
    if missing:
        log.warning("Piece %s: products no longer cached: %s", piece.id, ", ".join(missing))
    products = []
    for row in rows:
        product = product_from_row(row)
        description = product.description
        if len(description) > MAX_PRODUCT_DESCRIPTION_CHARS:
            description = description[:MAX_PRODUCT_DESCRIPTION_CHARS].rstrip() + " …"
        price = product.price_text or (
            f"{product.price} {product.currency or ''}".strip() if product.price else ""
        )
        products.append(
            {
                "id": product.external_id,
                "name": product.name,
                "vendor": product.vendor or "",
                "price": price,
                "category": product.category or "",
                "tags": list(product.tags),
                "description": description,
                "url": product.url or "",
            }
        )
    return products, missing


def _resources(
    session: Session, project_id: uuid.UUID, kind: ResourceType, limit: int
) -> list[dict[str, Any]]:
    items = []
    for resource in list_resources(session, project_id, type=kind.value)[:limit]:
        content = resource.content
        if len(content) > MAX_RESOURCE_CHARS:
            content = content[:MAX_RESOURCE_CHARS].rstrip() + " …"
        meta = resource.meta or {}
        items.append(
            {
                "title": resource.title or "",
                "content": content,
                "platform": str(meta.get("platform") or ""),
            }
        )
    return items
