"""Exporting drafts: Markdown with front matter, and HTML that is escaped and self-contained."""

from __future__ import annotations

import pytest

from app.agents.export import export_piece
from app.db.engine import Database
from app.services.drafts import add_draft
from app.services.errors import InvalidInput, NotFound
from app.services.pieces import set_seo_metadata
from tests.agents.conftest import Studio

HOSTILE = (
    '# Summer "linen" & you\n\n'
    "Read <script>alert('x')</script> this.\n\n"
    "![A dress](https://tracker.example/pixel.png)\n\n"
    "[Shop](https://juniper.example/linen) and [bad](javascript:alert(1))\n"
)


def _piece_with_draft(studio: Studio, content: str) -> object:
    piece_id = studio.start(platforms=["blog", "x"])
    with studio.db.session() as session:
        add_draft(session, piece_id, "blog", content, source="human", title="Summer linen")
        set_seo_metadata(
            session,
            piece_id,
            {
                "title": 'Linen "for" summer',
                "description": "Why linen <works>",
                "keywords": ["linen", "summer dress"],
                "slug": "linen-summer",
            },
        )
    return piece_id


def test_markdown_export_has_front_matter_with_the_seo_metadata(studio: Studio) -> None:
    piece_id = _piece_with_draft(studio, HOSTILE)

    text = export_piece(studio.db, piece_id, "blog", "md")  # type: ignore[arg-type]

    head, _, body = text.partition("---\n\n")
    assert head.startswith("---\n")
    assert 'title: "Linen \\"for\\" summer"\n' in head
    assert 'description: "Why linen <works>"\n' in head
    assert 'keywords: ["linen", "summer dress"]\n' in head
    assert 'slug: "linen-summer"\n' in head and "version: 1\n" in head
    assert body == HOSTILE.strip() + "\n"


def test_html_export_escapes_markup_and_loads_nothing_remote(studio: Studio) -> None:
    piece_id = _piece_with_draft(studio, HOSTILE)

    page = export_piece(studio.db, piece_id, "blog", "html")  # type: ignore[arg-type]

    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page
    assert '<a href="https://tracker.example/pixel.png">A dress</a>' in page
    assert 'href="javascript:' not in page
    assert '<a href="https://juniper.example/linen">Shop</a>' in page
    assert "<h1>Summer &quot;linen&quot; &amp; you</h1>" in page
    assert "default-src 'none'" in page
    assert "<title>Linen &quot;for&quot; summer</title>" in page
    assert 'content="Why linen &lt;works&gt;"' in page


def test_export_errors_are_specific(studio: Studio, db: Database) -> None:
    piece_id = _piece_with_draft(studio, "Hello")

    with pytest.raises(NotFound, match="no x draft to export yet"):
        export_piece(db, piece_id, "x", "md")  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="not being written for 'linkedin'"):
        export_piece(db, piece_id, "linkedin", "md")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="cannot export as 'pdf'"):
        export_piece(db, piece_id, "blog", "pdf")  # type: ignore[arg-type]
