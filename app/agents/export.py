"""Exporting a platform's current draft as Markdown (with front matter) or as HTML.

HTML is rendered by markdown-it-py with raw HTML disabled (so a draft's ``<script>`` comes
out as text), images turned into plain links and a Content-Security-Policy that forbids
loading anything: opening the file never contacts another server.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from app.db.engine import Database
from app.db.models import Draft
from app.domain.status import Platform
from app.services.drafts import active_draft, latest_draft
from app.services.errors import InvalidInput, NotFound
from app.services.pieces import get_piece, get_platform_state

ExportFormat = Literal["md", "html"]
FORMATS: tuple[str, ...] = ("md", "html")

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def export_piece(db: Database, piece_id: uuid.UUID, platform: str, fmt: str) -> str:
    """The piece's active draft on ``platform`` (its newest, if none is active)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"cannot export as {fmt!r}; choose one of: {', '.join(FORMATS)}")
    with db.session() as session:
        piece = get_piece(session, piece_id)
        get_platform_state(session, piece_id, platform)
        draft = active_draft(session, piece_id, platform) or latest_draft(
            session, piece_id, platform
        )
        if draft is None:
            raise NotFound(f"the piece has no {platform} draft to export yet")
        seo = dict(piece.seo_metadata or {}) if platform == Platform.BLOG else {}
        meta = _front_matter(draft, seo, piece.title)
        content = draft.content
    if fmt == "md":
        return _markdown(meta, content)
    return _html(meta, content)


def _front_matter(draft: Draft, seo: dict[str, Any], piece_title: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": seo.get("title") or draft.title or piece_title or "",
    }
    if seo.get("description"):
        meta["description"] = seo["description"]
    if seo.get("keywords"):
        meta["keywords"] = list(seo["keywords"])
    if seo.get("slug"):
        meta["slug"] = seo["slug"]
    meta["platform"] = draft.platform
    meta["piece"] = str(draft.piece_id)
    meta["version"] = draft.version
    meta["exported_from"] = "Copydesk"
    return meta


def _markdown(meta: dict[str, Any], content: str) -> str:
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {_yaml_value(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + content.strip() + "\n"


def _yaml_value(value: Any) -> str:
    """Scalars as JSON strings (valid YAML); lists in flow style."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(json.dumps(str(item), ensure_ascii=False) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    md.add_render_rule("image", _image_as_link)
    return md


def _image_as_link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image would be fetched when the file opens; a link is not."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{html.escape(src, quote=True)}">{html.escape(alt)}</a>'


def _html(meta: dict[str, Any], content: str) -> str:
    body: str = _renderer().render(content)
    title = html.escape(str(meta.get("title") or "Untitled"))
    head = [
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{title}</title>",
    ]
    if meta.get("description"):
        head.append(
            f'<meta name="description" content="{html.escape(str(meta["description"]), True)}">'
        )
    if meta.get("keywords"):
        keywords = ", ".join(str(k) for k in meta["keywords"])
        head.append(f'<meta name="keywords" content="{html.escape(keywords, True)}">')
    head.append('<meta name="generator" content="Copydesk">')
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        + "\n".join(head)
        + "\n</head>\n<body>\n<article>\n"
        + body
        + "</article>\n</body>\n</html>\n"
    )
