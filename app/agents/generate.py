"""Starting a piece: check what was asked for, snapshot the brand voice, queue it.

The piece is created ``queued`` with one pending platform state per platform; a
PipelineRunner then does the writing. Every mistake in the request is reported before
anything is stored, with a message that says what to change.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from app.agents.brief import find_products
from app.agents.errors import GenerationInputError
from app.agents.options import PipelineOptions
from app.db.engine import Database
from app.domain.status import PieceMode, PieceStatus
from app.services.pieces import create_piece, set_piece_status
from app.services.projects import find_project
from app.services.skills import get_skill


def start_piece(
    db: Database,
    *,
    project_ref: str,
    skill_name: str | None = None,
    platforms: Sequence[str] | None = None,
    product_ids: Sequence[str] = (),
    instructions: str | None = None,
    template_inputs: Mapping[str, Any] | None = None,
    mode: str = PieceMode.TEMPLATE.value,
    source_content: str | None = None,
    goal: str | None = None,
    options: PipelineOptions | Mapping[str, Any] | None = None,
    title: str | None = None,
    created_by: uuid.UUID | None = None,
) -> uuid.UUID:
    """Create a queued piece and return its id.

    Raises app.services.errors.NotFound (unknown project or skill), InvalidInput (bad
    platforms, template inputs that do not match the skill's schema, a manual piece without
    source text, options out of range) or GenerationInputError (products not in the cache).
    """
    with db.session() as session:
        project = find_project(session, project_ref)
        skill = get_skill(session, skill_name) if skill_name else None
        ids = _product_ids(product_ids)
        _, missing = find_products(session, ids, project.store_url)
        if missing:
            raise GenerationInputError(
                f"{_count(len(missing), 'product')} not in the product cache: "
                f"{', '.join(missing)}. Import the store's catalog (or the product file) "
                "first, then pick products by their id."
            )
        # Only a voice an editor confirmed goes into the prompts; {} means "none".
        voice = project.brand_voice if project.brand_voice_confirmed_at else None
        stored_options = options.as_dict() if isinstance(options, PipelineOptions) else options
        piece = create_piece(
            session,
            project.id,
            skill_id=skill.id if skill else None,
            platforms=list(platforms) if platforms else None,
            mode=mode,
            title=title,
            goal=goal,
            brand_voice=dict(voice) if voice else {},
            selected_product_ids=ids,
            instructions=instructions,
            source_content=source_content,
            template_inputs=dict(template_inputs) if template_inputs else None,
            options=dict(stored_options) if stored_options else None,
            created_by=created_by,
        )
        set_piece_status(session, piece.id, PieceStatus.QUEUED.value)
        return piece.id


def parse_inputs(pairs: Sequence[str], schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """``key=value`` pairs from a command line, typed by the skill's input schema: integers,
    numbers and booleans are converted, arrays and objects are read as JSON."""
    properties = (schema or {}).get("properties") or {}
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GenerationInputError(f"{pair!r} is not an input: write it as key=value")
        kind = (properties.get(key) or {}).get("type")
        values[key] = _typed(key, raw, kind)
    return values


def _typed(key: str, raw: str, kind: object) -> Any:
    text = raw.strip()
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
        if kind in ("array", "object"):
            return json.loads(text)
    except ValueError:
        raise GenerationInputError(
            f"the input {key!r} must be {'an' if kind in ('integer', 'array', 'object') else 'a'} "
            f"{kind}, not {raw!r}"
        ) from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "yes", "1", "on"):
            return True
        if lowered in ("false", "no", "0", "off"):
            return False
        raise GenerationInputError(f"the input {key!r} must be true or false, not {raw!r}")
    return raw


def _product_ids(product_ids: Sequence[str]) -> list[str]:
    ids: list[str] = []
    for value in product_ids:
        text = str(value).strip()
        if not text:
            raise GenerationInputError("a product id is empty")
        if text not in ids:
            ids.append(text)
    return ids


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'} {'is' if n == 1 else 'are'}"
