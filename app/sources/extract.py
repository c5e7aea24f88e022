"""Readable text and basic metadata from HTML, for prompts and product descriptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import trafilatura

DEFAULT_MAX_CHARS = 12_000

# Their text is never meant to be read.
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object"}
)
# Tags that end a line of text, so "<p>a</p><p>b</p>" reads "a\nb", not "ab".
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class PageContent:
    """What a page says, reduced to text a prompt can quote."""

    title: str
    description: str
    site_name: str
    text: str
    truncated: bool


def extract_content(
    html: str, *, url: str | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> PageContent:
    """The main text of a page (trafilatura, else every visible text) plus title and meta tags."""
    parser = _TextCollector()
    parser.feed_all(html)
    text = ""
    if html.strip():
        extracted = trafilatura.extract(
            html, url=url, include_comments=False, include_tables=False, favor_recall=True
        )
        text = _tidy(extracted or "")
    if not text:
        text = parser.text()
    title = parser.title or parser.meta.get("og:title", "")
    description = parser.meta.get("description") or parser.meta.get("og:description", "")
    text, truncated = truncate_text(text, max_chars)
    return PageContent(
        title=_one_line(title),
        description=_one_line(description),
        site_name=_one_line(parser.meta.get("og:site_name", "")),
        text=text,
        truncated=truncated,
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a product's body_html), keeping paragraph breaks."""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    parser = _TextCollector()
    parser.feed_all(fragment)
    return parser.text()


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<\s*/?\s*[A-Za-z][A-Za-z0-9]*[\s/>]", text))


def truncate_text(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut at max_chars, preferably at a paragraph or word boundary; say whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars]
    for boundary in ("\n", " "):
        position = cut.rfind(boundary)
        if position >= max_chars * 0.8:
            cut = cut[:position]
            break
    return cut.rstrip(), True


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy(text: str) -> str:
    """Collapse runs of spaces, strip lines, and keep at most one blank line in a row."""
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


class _TextCollector(HTMLParser):
    """Visible text with line breaks at block elements, the <title>, and <meta> values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._skip_depth = 0
        self._in_title = False
        self._parts: list[str] = []
        self._title_parts: list[str] = []
        self.meta: dict[str, str] = {}

    @property
    def title(self) -> str:
        return "".join(self._title_parts)

    def feed_all(self, html: str) -> None:
        self.feed(html)
        self.close()

    def text(self) -> str:
        return _tidy("".join(self._parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._record_meta(dict(attrs))
        elif tag == "title":
            self._in_title = True
        if tag in _VOID_TAGS:
            if tag in _BLOCK_TAGS:
                self._break_line()
            return
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._break_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._record_meta(dict(attrs))
        elif tag in _BLOCK_TAGS:
            self._break_line()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._break_line()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
        elif not self._skip_depth:
            self._parts.append(data)

    def _break_line(self) -> None:
        if not self._skip_depth and self._parts and not self._parts[-1].endswith("\n"):
            self._parts.append("\n")

    def _record_meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
        content = attrs.get("content")
        if key and content and key not in self.meta:
            self.meta[key] = content.strip()
