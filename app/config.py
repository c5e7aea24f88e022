"""Runtime configuration: which database, which OpenAI-compatible server.

Precedence for the database: `--database URL`, then `COPYDESK_DATABASE_URL`, then the SQLite
file in the user data directory. The API key is not configuration: see `app.keystore`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from app.paths import AppPaths, app_paths

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DATABASE_ENV = "COPYDESK_DATABASE_URL"
BASE_URL_ENV = "OPENROUTER_BASE_URL"


@dataclass(frozen=True)
class Config:
    database_url: str
    base_url: str
    paths: AppPaths

    @property
    def uses_default_database(self) -> bool:
        return self.database_url == sqlite_url_for(self.paths)


def sqlite_url_for(paths: AppPaths) -> str:
    return f"sqlite:///{paths.default_database_file}"


def resolve_database_url(cli_value: str | None, paths: AppPaths) -> str:
    for candidate in (cli_value, os.environ.get(DATABASE_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    return sqlite_url_for(paths)


def resolve_base_url() -> str:
    value = os.environ.get(BASE_URL_ENV, "").strip()
    return (value or DEFAULT_BASE_URL).rstrip("/")


def load_config(database: str | None = None) -> Config:
    paths = app_paths()
    return Config(
        database_url=resolve_database_url(database, paths),
        base_url=resolve_base_url(),
        paths=paths,
    )


# A plain URL (only characters SQLAlchemy's parse-then-render leaves as they are, no query, no
# escapes) is masked without SQLAlchemy, whose import costs most of a second and would hold up
# the window's first paint; anything else is parsed properly.
_PLAIN_URL = re.compile(
    r"""
    [A-Za-z0-9_+]+://
    (?:[A-Za-z0-9_.~-]*(?P<password>:[^@/?%\s]*)?@)?
    [A-Za-z0-9_.-]*
    (?::[1-9][0-9]{0,4})?
    (?:/[A-Za-z0-9_.~ +/-]*)?
    """,
    re.X,
)


def mask_url(url: str) -> str:
    """A database URL fit for display and logs: the password replaced by ***."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        start, end = plain.span("password")
        return url if start < 0 else f"{url[:start]}:***{url[end:]}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable database URL>"
