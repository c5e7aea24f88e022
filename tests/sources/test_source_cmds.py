"""`copydesk brand-voice` and `copydesk products …` end to end: real database, store and API."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.context import CliContext
from app.cli.errors import EXIT_INPUT, EXIT_SOURCE
from app.cli.main import parse_args, run_command
from app.config import load_config
from app.db.engine import Database
from app.db.models import LlmCall, Project
from app.services import clients, projects
from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, reply
from tests.fakes.store_server import FakeStore


@dataclass
class Outcome:
    code: int
    out: str
    err: str


Run = Callable[..., Outcome]


@pytest.fixture
def cli(db: Database, openrouter: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter.base_url)

    def run(*argv: str) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        ctx = CliContext(load_config(db.url), stdout=out, stderr=err, _db=db)
        code = run_command(parse_args(list(argv)), ctx)
        return Outcome(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def shop(db: Database, store: FakeStore) -> str:
    """A project for the fake store; returns its client/project reference."""
    store.product_count = 30
    with db.session() as session:
        client = clients.ensure_client(session, "Juniper")
        projects.create_project(session, client.id, "Shop", store_url=store.url)
    return "juniper/shop"


def stored_project(db: Database) -> Project:
    with db.session() as session:
        project = session.scalars(select(Project)).one()
        return project


def test_brand_voice_json_then_cached(
    cli: Run, db: Database, store: FakeStore, openrouter: FakeOpenRouter
) -> None:
    openrouter.enqueue(reply(json_content={"tone": "warm"} | _profile_rest()))
    first = cli("brand-voice", store.url, "--json")
    assert first.code == 0, first.err
    data = json.loads(first.out)
    assert (data["url"], data["cached"], data["profile"]["tone"]) == (store.url, False, "warm")
    assert "Reading" in first.err

    second = cli("brand-voice", store.url, "--json")
    assert json.loads(second.out)["cached"] is True
    assert len(openrouter.chat_requests) == 1
    with db.session() as session:
        calls = session.execute(select(LlmCall.agent_id, LlmCall.content_type)).all()
    assert [tuple(call) for call in calls] == [("brand-voice-analyzer", "brand_voice")]


def test_brand_voice_for_a_project_uses_its_store_and_can_confirm(
    cli: Run, db: Database, shop: str, openrouter: FakeOpenRouter
) -> None:
    openrouter.enqueue(reply(json_content={"tone": "calm"} | _profile_rest()))
    outcome = cli("brand-voice", "--project", shop, "--confirm")
    assert outcome.code == 0, outcome.err
    assert "Tone: calm" in outcome.out
    assert "Personality traits:\n  - unhurried" in outcome.out
    project = stored_project(db)
    assert project.brand_voice is not None and project.brand_voice["tone"] == "calm"
    assert project.brand_voice_confirmed_at is not None


def test_brand_voice_needs_an_address(cli: Run) -> None:
    outcome = cli("brand-voice")
    assert outcome.code == 2
    assert "give the address of the site" in outcome.err
    assert cli("brand-voice", "https://x.test", "--confirm").code == 2


def test_brand_voice_of_a_pdf_is_a_source_error(cli: Run, store: FakeStore) -> None:
    outcome = cli("brand-voice", store.url_for("/catalog.pdf"))
    assert outcome.code == EXIT_SOURCE
    assert "is not a web page (application/pdf)" in outcome.err


def test_import_a_store_and_a_file_then_list(
    cli: Run, db: Database, shop: str, store: FakeStore, tmp_path: Path
) -> None:
    imported = cli("products", "import", store.url, "--project", shop)
    assert imported.code == 0, imported.err
    assert imported.out.strip() == f"Imported 30 products from {store.url} into {shop}."

    catalog = tmp_path / "extras.csv"
    catalog.write_text("sku,title,price\nX-1,Gift card,$25.00\n")
    from_file = cli("products", "import", str(catalog), "--project", shop)
    assert from_file.code == 0, from_file.err
    assert "Imported 1 products from extras.csv" in from_file.out
    settings = stored_project(db).settings or {}
    assert settings["product_sources"] == [store.url, f"file:{shop}/extras.csv"]

    listing = cli("products", "list", "--project", shop)
    assert listing.code == 0
    assert listing.out.splitlines()[0].split() == ["ID", "NAME", "VENDOR", "PRICE", "CATEGORY"]
    assert "Gift card" in listing.out and "Dress No. 4" in listing.out
    assert listing.out.rstrip().endswith("31 products")
    assert store.count("/products.json") == 2  # the listing came from the cache

    searched = cli("products", "list", "--project", shop, "--search", "gift", "--json")
    (only,) = json.loads(searched.out)
    assert (only["id"], only["price"], only["currency"]) == ("X-1", "25.00", "USD")


def test_a_bad_file_is_a_source_error(cli: Run, shop: str, tmp_path: Path) -> None:
    bad = tmp_path / "catalog.csv"
    bad.write_text("sku,cost\n1,2\n")
    outcome = cli("products", "import", str(bad), "--project", shop)
    assert outcome.code == EXIT_SOURCE
    assert "catalog.csv, line 1: the header has no name column" in outcome.err


def test_an_unknown_project(cli: Run) -> None:
    outcome = cli("products", "list", "--project", "nobody")
    assert outcome.code == EXIT_INPUT
    assert "no project" in outcome.err


def test_a_project_without_products(cli: Run, db: Database) -> None:
    with db.session() as session:
        client = clients.ensure_client(session, "Juniper")
        projects.create_project(session, client.id, "Empty")
    outcome = cli("products", "list", "--project", "juniper/empty")
    assert outcome.code == 0
    assert "has no products yet" in outcome.err


def _profile_rest() -> dict[str, object]:
    return {
        "personality_traits": ["unhurried"],
        "audience": "people who buy fewer things",
        "vocabulary_use": ["linen"],
        "vocabulary_avoid": ["deal"],
        "dos": ["be plain"],
        "donts": ["no hype"],
        "sample_phrases": ["Good cloth."],
        "summary": "Calm.",
    }
