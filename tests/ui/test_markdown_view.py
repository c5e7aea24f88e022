"""Drafts render from Markdown without fetching anything; links open only when clicked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from ui.markdown_view import SafeTextBrowser, draft_to_html, markdown_to_html

DRAFT = """# Summer linen

Our **linen** dresses, sewn in [Porto](https://example.com/porto).

![The studio](http://tracker.example.com/pixel.png)

<img src="http://tracker.example.com/raw.png"><script>alert(1)</script>

| Size | Fit |
|------|-----|
| S    | Relaxed |
"""


def test_markdown_becomes_html_with_raw_html_escaped() -> None:
    html = markdown_to_html(DRAFT)
    assert "<h1>Summer linen</h1>" in html
    assert "<strong>linen</strong>" in html
    assert "<table>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "[image: The studio]" in html


def test_json_drafts_are_shown_as_text() -> None:
    assert (
        draft_to_html('{"a": "<b>"}', "json") == "<pre>{&quot;a&quot;: &quot;&lt;b&gt;&quot;}</pre>"
    )


def test_the_browser_loads_no_resource_and_opens_links_only_on_click(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    with qtbot.waitExposed(browser):
        browser.show()

    browser.setHtml('<p>x</p><img src="http://tracker.example.com/a.png"><img src="/etc/passwd">')
    assert {url.toString() for url in browser.blocked} >= {
        "http://tracker.example.com/a.png",
        "/etc/passwd",
    }
    assert opened == []

    browser.show_markdown(DRAFT)
    assert "Summer linen" in browser.toPlainText()
    assert opened == []
    browser.anchorClicked.emit(QUrl("https://example.com/porto"))
    browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == ["https://example.com/porto"]
