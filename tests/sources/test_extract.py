"""Readable text and metadata from HTML."""

from __future__ import annotations

from app.sources.extract import extract_content, html_to_text, truncate_text
from app.sources.fetch import fetch_page
from tests.fakes.store_server import (
    BRAND_NAME,
    BRAND_PARAGRAPHS,
    BRAND_TAGLINE,
    INJECTION_TEXT,
    FakeStore,
    home_html,
)


def test_main_text_title_description_and_site_name() -> None:
    content = extract_content(home_html())
    assert content.title == f"{BRAND_NAME} — {BRAND_TAGLINE}"
    assert content.description == BRAND_TAGLINE
    assert content.site_name == BRAND_NAME
    assert BRAND_PARAGRAPHS[1] in content.text
    assert "window.analytics" not in content.text
    assert "font-family" not in content.text
    assert not content.truncated


def test_extracts_a_fetched_page(store: FakeStore) -> None:
    page = fetch_page(store.url_for("/injected"))
    content = extract_content(page.text, url=page.url)
    assert INJECTION_TEXT.split(".")[0] in content.text
    assert BRAND_PARAGRAPHS[0] in content.text


def test_falls_back_to_visible_text_when_trafilatura_finds_nothing() -> None:
    # trafilatura discards footers as boilerplate; a page with nothing else still says something.
    html = (
        "<html><head><title>Tiny</title><script>var secret = 1;</script></head>"
        "<body><footer><div>Hand-made</div><div>in Porto</div></footer></body></html>"
    )
    content = extract_content(html)
    assert content.title == "Tiny"
    assert content.text == "Hand-made\nin Porto"


def test_an_empty_page_gives_empty_text() -> None:
    content = extract_content("<html><head></head><body></body></html>")
    assert content.text == ""
    assert content.title == ""


def test_og_tags_stand_in_for_missing_title_and_description() -> None:
    html = (
        '<html><head><meta property="og:title" content="OG title">'
        '<meta property="og:description" content="OG description"></head>'
        "<body><p>x</p></body></html>"
    )
    content = extract_content(html)
    assert (content.title, content.description) == ("OG title", "OG description")


def test_caps_the_text_length() -> None:
    html = "<html><body>" + "".join(f"<p>{'word ' * 200}</p>" for _ in range(40)) + "</body></html>"
    content = extract_content(html, max_chars=3000)
    assert content.truncated
    assert 2400 <= len(content.text) <= 3000
    assert not content.text.endswith(" ")


def test_truncate_text_prefers_boundaries() -> None:
    assert truncate_text("short", 10) == ("short", False)
    assert truncate_text("aaaa bbbb cccc", 11) == ("aaaa bbbb", True)
    assert truncate_text("x" * 20, 10) == ("x" * 10, True)


def test_html_to_text_keeps_blocks_and_drops_scripts() -> None:
    fragment = (
        "<p>The <strong>best</strong> dress.</p><ul><li>silk</li><li>lace</li></ul>"
        "<script>x()</script>"
    )
    assert html_to_text(fragment) == "The best dress.\nsilk\nlace"
    assert html_to_text("Fish &amp; chips") == "Fish & chips"
    assert html_to_text("plain   text") == "plain text"
    assert html_to_text("") == ""
