"""fetch_page and normalise_url against a real local server."""

from __future__ import annotations

import socket

import httpx
import pytest

from app.sources.errors import (
    HttpStatusError,
    InvalidUrl,
    NotHtml,
    PageTooLarge,
    TooManyRedirects,
    UnreachableUrl,
)
from app.sources.fetch import decode_html, fetch_page, normalise_url, site_origin
from tests.fakes.store_server import BRAND_TAGLINE, HUGE_SIZE, FakeStore


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("example.com", "https://example.com"),
        ("  HTTPS://Shop.Example.COM/  ", "https://shop.example.com"),
        ("http://example.com:80/a/", "http://example.com/a"),
        ("https://example.com:443/#top", "https://example.com"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("example.com/shop?utm_source=x&page=2&UTM_medium=y", "https://example.com/shop?page=2"),
        ("https://example.com/?fbclid=abc", "https://example.com"),
        ("localhost:8000/products", "https://localhost:8000/products"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("https://example.com/Path/Case", "https://example.com/Path/Case"),
    ],
)
def test_normalise_url(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("ftp://example.com/file", "not ftp://"),
        ("file:///etc/passwd", "not file://"),
        ("mailto:shop@example.com", "not mailto:"),
        ("javascript:alert(1)", "not javascript:"),
        ("https://", "has no host name"),
        ("http:///path", "has no host name"),
        ("https://example.com:99999", "out of range"),
    ],
)
def test_normalise_url_rejects_unusable_addresses(given: str, message: str) -> None:
    with pytest.raises(InvalidUrl) as caught:
        normalise_url(given)
    assert message in str(caught.value)


def test_site_origin_drops_path_and_query() -> None:
    assert site_origin("Shop.example.com/collections/all?utm_x=1") == "https://shop.example.com"


def test_fetches_the_home_page(store: FakeStore) -> None:
    page = fetch_page(store.url + "/?utm_campaign=spring#about")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.url == store.url
    assert BRAND_TAGLINE in page.text
    assert page.fetched_at.tzinfo is not None
    # The tracking parameter never reached the server.
    assert store.requests[-1].query == {}


def test_follows_a_redirect_chain_to_the_final_url(store: FakeStore) -> None:
    page = fetch_page(store.url_for("/redirect/3"))
    assert page.url == store.url
    assert BRAND_TAGLINE in page.text
    assert [r.path for r in store.requests] == ["/redirect/3", "/redirect/2", "/redirect/1", "/"]


def test_too_many_redirects(store: FakeStore) -> None:
    with pytest.raises(TooManyRedirects, match="more than 2 times"):
        fetch_page(store.url_for("/redirect/4"), max_redirects=2)
    assert store.count() == 3


def test_redirect_loop_is_named(store: FakeStore) -> None:
    with pytest.raises(TooManyRedirects) as caught:
        fetch_page(store.url_for("/loop/a"))
    message = str(caught.value)
    assert "redirects in a loop" in message
    assert "/loop/a → " in message and "/loop/b" in message
    assert store.count() == 2


def test_not_found_status(store: FakeStore) -> None:
    with pytest.raises(HttpStatusError) as caught:
        fetch_page(store.url_for("/nowhere"))
    assert caught.value.status == 404
    assert "answered HTTP 404 Not Found" in str(caught.value)


def test_server_error_status(store: FakeStore) -> None:
    with pytest.raises(HttpStatusError, match="HTTP 500"):
        fetch_page(store.url_for("/error"))


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/catalog.pdf", "application/pdf"),
        ("/api/status.json", "application/json"),
        ("/logo.png", "image/png"),
    ],
)
def test_refuses_what_is_not_a_web_page(store: FakeStore, path: str, kind: str) -> None:
    with pytest.raises(NotHtml) as caught:
        fetch_page(store.url_for(path))
    assert str(caught.value) == f"{store.url_for(path)} is not a web page ({kind})"


def test_a_page_without_content_type_is_sniffed(store: FakeStore) -> None:
    assert "No type" in fetch_page(store.url_for("/untyped")).text


def test_stops_reading_a_huge_streamed_page(store: FakeStore) -> None:
    with pytest.raises(PageTooLarge) as caught:
        fetch_page(store.url_for("/huge"))
    assert str(caught.value).endswith("page is larger than 5 MB")
    assert store.huge_finished.wait(timeout=30)
    # The client hung up long before the server could send the whole 40 MB.
    assert store.huge_bytes_sent < HUGE_SIZE / 2


def test_refuses_a_declared_size_over_the_limit_before_reading(store: FakeStore) -> None:
    with pytest.raises(PageTooLarge, match="larger than 1 MB"):
        fetch_page(store.url_for("/huge?declared=1"), max_bytes=1024 * 1024)
    assert store.huge_finished.wait(timeout=30)
    assert store.huge_bytes_sent < HUGE_SIZE / 2


def test_timeout_says_it_timed_out(store: FakeStore) -> None:
    with pytest.raises(UnreachableUrl) as caught:
        fetch_page(store.url_for("/slow"), timeout=0.3)
    assert "timed out" in str(caught.value)


def test_connection_refused_says_so() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port once the socket is closed.
    with pytest.raises(UnreachableUrl) as caught:
        fetch_page(f"http://127.0.0.1:{port}/")
    assert "connection was refused" in str(caught.value)


def test_unknown_host_says_dns() -> None:
    # .invalid never resolves (RFC 2606), so this needs no network.
    with pytest.raises(UnreachableUrl) as caught:
        fetch_page("http://no-such-store.invalid/")
    assert "host name could not be found" in str(caught.value)


def test_uses_a_given_client(store: FakeStore) -> None:
    with httpx.Client(headers={"User-Agent": "given-client"}) as client:
        page = fetch_page(store.url, client=client)
    assert BRAND_TAGLINE in page.text


def test_decodes_the_declared_charset(store: FakeStore) -> None:
    assert "Café crème, façonné à la main." in fetch_page(store.url_for("/latin1")).text


def test_decodes_a_meta_charset(store: FakeStore) -> None:
    assert "45 € — qualité" in fetch_page(store.url_for("/meta-charset")).text


def test_decode_html_falls_back_when_nothing_is_declared() -> None:
    assert decode_html("naïve".encode(), None) == "naïve"
    assert decode_html("naïve".encode("cp1252"), None) == "naïve"
    assert decode_html("naïve".encode("cp1252"), "no-such-charset") == "naïve"
    assert decode_html(b"\xef\xbb\xbf<p>bom</p>", "latin-1") == "<p>bom</p>"
