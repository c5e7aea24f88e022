"""Fetch web pages safely: normalised URLs, bounded bodies, typed errors.

Every network read streams and stops at a size limit, follows a bounded number of redirects
by hand (so loops are named as such), and turns transport failures into errors that say
whether the host was unknown, refused the connection, or timed out.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from app import __version__
from app.sources.errors import (
    HttpStatusError,
    InvalidUrl,
    NotHtml,
    PageTooLarge,
    TooManyRedirects,
    UnreachableUrl,
)

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 5 * MiB
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_REDIRECTS = 5

USER_AGENT = f"Copydesk/{__version__} (brand and catalog reader)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"})
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# "mailto:x", "javascript:…" — a scheme without "//"; "host:8080/…" is a port, not a scheme.
_BARE_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_START_RE = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)", re.I | re.S)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchedPage:
    """A web page that was fetched and decoded."""

    url: str  # final URL, after redirects
    status: int
    content_type: str
    text: str
    fetched_at: dt.datetime


@dataclass(frozen=True)
class FetchedBody:
    """The raw bytes of a successful response, read up to a limit."""

    url: str
    status: int
    content_type: str  # lower-case media type without parameters, "" when absent
    charset: str | None
    body: bytes


def normalise_url(url: str) -> str:
    """A canonical spelling of a web address, used for fetching and as a cache key.

    Adds https:// when no scheme is given, lower-cases the host, drops the fragment, the
    default port, a trailing slash and tracking parameters (utm_*, fbclid, …).
    """
    text = url.strip()
    if not text:
        raise InvalidUrl(url, "it is empty")
    if not _SCHEME_RE.match(text):
        if _BARE_SCHEME_RE.match(text):
            scheme = text.split(":", 1)[0].lower()
            raise InvalidUrl(url, f"only http and https addresses can be used, not {scheme}:")
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(url, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidUrl(url, f"only http and https addresses can be used, not {scheme}://")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidUrl(url, "it has no host name")
    if any(ch.isspace() for ch in host):
        raise InvalidUrl(url, "the host name contains spaces")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = parts.path.rstrip("/")
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
        ]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def site_origin(url: str) -> str:
    """scheme://host[:port] of a normalised address: where a store's catalog lives."""
    parts = urlsplit(normalise_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def format_size(n_bytes: int) -> str:
    if n_bytes >= MiB and n_bytes % MiB == 0:
        return f"{n_bytes // MiB} MB"
    if n_bytes >= MiB:
        return f"{n_bytes / MiB:.1f} MB"
    if n_bytes >= 1024:
        return f"{n_bytes // 1024} KB"
    return f"{n_bytes} bytes"


def new_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An HTTP client for reading public sites; redirects are followed by :func:`fetch_body`."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def fetch_body(
    url: str,
    *,
    client: httpx.Client | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    accept: str = "*/*",
    check_type: Callable[[str, str], None] | None = None,
) -> FetchedBody:
    """GET ``url`` (already normalised or not), following redirects, reading at most max_bytes.

    ``check_type(url, media_type)`` runs before the body is read, so a wrong kind of
    resource is refused without downloading it.
    """
    if client is None:
        with new_client(timeout) as own_client:
            return fetch_body(
                url,
                client=own_client,
                max_bytes=max_bytes,
                timeout=timeout,
                max_redirects=max_redirects,
                accept=accept,
                check_type=check_type,
            )
    current = normalise_url(url)
    visited = [current]
    for _hop in range(max_redirects + 1):
        try:
            with client.stream(
                "GET", current, headers={"Accept": accept}, timeout=timeout
            ) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECT_STATUSES and location:
                    target = _redirect_target(current, location)
                    if target in visited:
                        chain = " → ".join([*visited[visited.index(target) :], target])
                        raise TooManyRedirects(url, f"it redirects in a loop ({chain})")
                    visited.append(target)
                    current = target
                    continue
                if response.status_code >= 400:
                    raise HttpStatusError(current, response.status_code, response.reason_phrase)
                media_type, charset = _parse_content_type(response.headers.get("content-type"))
                if check_type is not None:
                    check_type(current, media_type)
                body = _read_limited(response, current, max_bytes)
                return FetchedBody(current, response.status_code, media_type, charset, body)
        except httpx.TimeoutException:
            raise UnreachableUrl(current, f"no answer within {timeout:g} s (timed out)") from None
        except httpx.TransportError as exc:
            raise UnreachableUrl(current, _describe_transport_error(exc)) from None
    raise TooManyRedirects(url, f"it redirects more than {max_redirects} times")


def fetch_page(
    url: str,
    *,
    client: httpx.Client | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> FetchedPage:
    """Fetch an HTML page and decode it with its declared or sniffed character set."""
    fetched = fetch_body(
        url,
        client=client,
        max_bytes=max_bytes,
        timeout=timeout,
        max_redirects=max_redirects,
        accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        check_type=_require_html,
    )
    if not fetched.content_type and not _HTML_START_RE.match(fetched.body[:4096]):
        raise NotHtml(fetched.url, "no content type, and the body does not look like HTML")
    return FetchedPage(
        url=fetched.url,
        status=fetched.status,
        content_type=fetched.content_type or "text/html",
        text=decode_html(fetched.body, fetched.charset),
        fetched_at=dt.datetime.now(dt.UTC),
    )


def decode_html(body: bytes, declared: str | None) -> str:
    """Decode with the BOM, the HTTP charset, the <meta> charset, then UTF-8, then cp1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace").lstrip("\ufeff")
    if body.startswith(codecs.BOM_UTF16_BE):
        return body.decode("utf-16", errors="replace").lstrip("\ufeff")
    candidates = [declared] if declared else []
    match = _META_CHARSET_RE.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", errors="ignore"))
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        # Browsers read "iso-8859-1" as windows-1252; so do we.
        if codec == "iso8859-1":
            codec = "cp1252"
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _require_html(url: str, media_type: str) -> None:
    if media_type and media_type not in HTML_TYPES:
        raise NotHtml(url, media_type)


def _parse_content_type(header: str | None) -> tuple[str, str | None]:
    if not header:
        return "", None
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _redirect_target(current: str, location: str) -> str:
    target = urljoin(current, location.strip())
    try:
        return normalise_url(target)
    except InvalidUrl as exc:
        raise TooManyRedirects(
            current, f"it redirects to an unusable address ({exc.reason})"
        ) from None


def _read_limited(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise PageTooLarge(url, format_size(max_bytes))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            # Leaving the stream context closes the connection; the rest is never read.
            raise PageTooLarge(url, format_size(max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


def _describe_transport_error(exc: httpx.TransportError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "the host name could not be found (DNS lookup failed)"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused (nothing is listening there)"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    lowered = text.lower()
    if any(
        marker in lowered
        for marker in ("name or service not known", "nodename nor servname", "name resolution")
    ):
        return "the host name could not be found (DNS lookup failed)"
    if "refused" in lowered:
        return "the connection was refused (nothing is listening there)"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({text or type(exc).__name__})"
    return f"the connection failed ({text or type(exc).__name__})"
