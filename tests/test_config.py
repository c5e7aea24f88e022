"""Configuration: which database, and how its URL is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.config import load_config, mask_url

URLS = [
    "sqlite:////home/ed/.local/share/Copydesk/copydesk.sqlite3",
    "sqlite:///relative.db",
    "postgresql+psycopg://ed:s3cret@db.example.com:5432/copydesk",
    "postgresql://ed@127.0.0.1/copydesk",
    "postgresql+psycopg://ed:p%40ss@host/db",
    "postgresql://ed:pw@host/db?sslmode=require",
    "postgresql://ed:with:colon@host:6543/db",
]


@pytest.mark.parametrize("url", URLS)
def test_masking_matches_sqlalchemy_and_hides_the_password(url: str) -> None:
    expected = make_url(url).render_as_string(hide_password=True)
    assert mask_url(url) == expected
    password = make_url(url).password
    if password:
        assert str(password) not in mask_url(url)


@pytest.mark.parametrize("url", ["postgresql://h:abc/db", "not a url", ""])
def test_unparseable_urls_are_shown_as_such(url: str) -> None:
    assert mask_url(url) == "<unparseable database URL>"


def test_database_precedence(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> None:
    default = load_config()
    assert default.database_url.startswith("sqlite:///")
    assert default.database_url.endswith("copydesk.sqlite3")
    assert str(isolated_home) in default.database_url
    assert default.uses_default_database
    monkeypatch.setenv("COPYDESK_DATABASE_URL", "postgresql://env@host/db")
    assert load_config().database_url == "postgresql://env@host/db"
    assert load_config("sqlite:///cli.db").database_url == "sqlite:///cli.db"
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:11434/v1/")
    assert load_config().base_url == "http://127.0.0.1:11434/v1"
