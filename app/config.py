"""Runtime configuration: which database, which OpenAI-compatible server.

Precedence for the database: `--database URL`, then `COPYDESK_DATABASE_URL`, then the SQLite
file in the user data directory. The API key is not configuration: see `app.keystore`.
"""

from __future__ import annotations

import os
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


def mask_url(url: str) -> str:
    """A database URL fit for display and logs: the password replaced by ***."""
    # Imported here: SQLAlchemy costs most of a second, and the window must paint before it.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"
