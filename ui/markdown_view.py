"""Drafts rendered from Markdown into a QTextBrowser that never fetches anything.

Model output and scraped text are untrusted: raw HTML in Markdown is escaped, images are
shown as their description instead of being loaded, ``loadResource`` returns nothing, and a
link opens in the browser only when the editor clicks it.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})

_STYLE = """
h1 { font-size: x-large; margin-top: 4px; margin-bottom: 8px; }
h2 { font-size: large; margin-top: 14px; margin-bottom: 6px; }
h3 { font-size: medium; margin-top: 12px; margin-bottom: 4px; }
p, li { line-height: 135%; }
p { margin-top: 0px; margin-bottom: 9px; }
code { font-family: monospace; }
pre { font-family: monospace; margin: 6px; }
blockquote { margin-left: 12px; font-style: italic; }
table { border-collapse: collapse; }
td, th { padding: 3px 6px; }
.image { font-style: italic; }
"""


@functools.cache
def markdown_parser() -> MarkdownIt:
    """The shared parser, built on first use: markdown-it's import is too slow to make the
    window wait for it (the main window warms it on a worker once it has painted)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def image(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = html.escape(token.content or "image")
        src = html.escape(str(token.attrGet("src") or ""))
        return f'<span class="image">[image: {alt}]</span> <small>{src}</small>'

    md.add_render_rule("image", image)
    return md


def markdown_to_html(text: str) -> str:
    return str(markdown_parser().render(text))


def draft_to_html(content: str, fmt: str) -> str:
    """HTML for a draft of the given output format (markdown, json or html)."""
    if fmt == "json":
        return f"<pre>{html.escape(content)}</pre>"
    if fmt == "html":
        return content  # resources stay blocked by SafeTextBrowser
    return markdown_to_html(content)


class SafeTextBrowser(QTextBrowser):
    """A read-only rich-text view that loads no resource and opens links only on click."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._open_link)
        self.document().setDefaultStyleSheet(_STYLE)
        self.document().setDocumentMargin(18)
        self.blocked: list[QUrl] = []

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 - Qt override
        # Nothing is fetched: not from the web, not from disk (a relative path could name a
        # local file). Remember what was refused so tests can check.
        self.blocked.append(QUrl(url))
        return None

    def show_markdown(self, text: str, fmt: str = "markdown") -> None:
        self.setHtml(draft_to_html(text, fmt))

    def _open_link(self, url: QUrl) -> None:
        if url.scheme().lower() in OPENABLE_SCHEMES:
            QDesktopServices.openUrl(url)
