"""Typed errors of the sources package; each message says what went wrong and where."""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """A page, catalog or file could not be used. ``message`` is meant for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidUrl(SourceError):
    """The text given is not an http(s) address that can be fetched."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url!r} is not a usable web address: {reason}")
        self.url = url
        self.reason = reason


class UnreachableUrl(SourceError):
    """No answer came back: the host is unknown, refused the connection, or timed out."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"Could not reach {url}: {reason}")
        self.url = url
        self.reason = reason


class TooManyRedirects(SourceError):
    """The address redirects in a loop or through more hops than allowed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"Could not load {url}: {reason}")
        self.url = url
        self.reason = reason


class HttpStatusError(SourceError):
    """The server answered with an error status (404, 500, …)."""

    def __init__(self, url: str, status: int, reason_phrase: str = "") -> None:
        shown = f"{status} {reason_phrase}".strip()
        super().__init__(f"{url} answered HTTP {shown}")
        self.url = url
        self.status = status


class NotHtml(SourceError):
    """The address serves something other than a web page (a PDF, JSON, an image …)."""

    def __init__(self, url: str, content_type: str) -> None:
        super().__init__(f"{url} is not a web page ({content_type or 'unknown content type'})")
        self.url = url
        self.content_type = content_type


class PageTooLarge(SourceError):
    """The body is bigger than the limit; reading stopped at the limit."""

    def __init__(self, url: str, limit_text: str) -> None:
        super().__init__(f"{url}: page is larger than {limit_text}")
        self.url = url
        self.limit_text = limit_text


class CatalogError(SourceError):
    """A store's product catalog is missing, malformed or empty."""

    def __init__(self, message: str, *, store_url: str, page: int | None = None) -> None:
        super().__init__(message)
        self.store_url = store_url
        self.page = page


class ImportFileError(SourceError):
    """A product file is not what its name claims, or a row in it cannot be read."""

    def __init__(self, path: Path | str, problem: str, *, line: int | None = None) -> None:
        name = Path(path).name
        where = f"{name}, line {line}" if line is not None else name
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.line = line
        self.problem = problem


class EmptyPage(SourceError):
    """The page was fetched but has no readable text."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url} has no readable text to analyse")
        self.url = url
