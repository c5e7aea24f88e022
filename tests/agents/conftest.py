"""Fixtures of the pipeline tests: a seeded project, a client of the fake OpenRouter that
records usage in the test database, and a runner with fast cancel polling."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.agents.events import Event
from app.agents.generate import start_piece
from app.agents.options import PipelineOptions
from app.agents.runner import PipelineRunner
from app.db.engine import Database
from app.db.seed import seed_defaults
from app.domain.status import ResourceType, VocabularyUsage
from app.llm.client import OpenRouterClient
from app.llm.ledger import DatabaseLedger
from app.llm.retry import RetryPolicy
from app.services.clients import create_client
from app.services.project_metadata import set_metadata
from app.services.project_resources import add_resource
from app.services.projects import create_project, set_brand_voice
from app.services.vocabulary import add_term
from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter

PROJECT_REF = "juniper/shop"
BRAND_VOICE = {
    "tone": "warm, plain, unhurried",
    "audience": "people who buy fewer, better clothes",
    "words_to_avoid": ["hype", "must-have"],
}
STYLE_SAMPLE = "We cut every dress from deadstock linen. When the bolt runs out, so does the style."


@dataclass
class Studio:
    """What a pipeline test works with."""

    db: Database
    fake: FakeOpenRouter
    llm: OpenRouterClient
    ledger: DatabaseLedger
    project_id: uuid.UUID
    events: list[Event] = field(default_factory=list)

    def runner(self, **options: Any) -> PipelineRunner:
        return PipelineRunner(
            self.db,
            self.llm,
            on_event=self.events.append,
            options=PipelineOptions(cancel_poll_seconds=0.05, **options),
        )

    def start(self, **request: Any) -> uuid.UUID:
        request.setdefault("project_ref", PROJECT_REF)
        request.setdefault("skill_name", "blog-post")
        request.setdefault("platforms", ["blog"])
        request.setdefault("template_inputs", {"topic": "Linen for a hot summer"})
        return start_piece(self.db, **request)


def make_project(db: Database, *, store_url: str = "https://juniper.example") -> uuid.UUID:
    seed_defaults(db)
    with db.session() as session:
        client = create_client(session, "Juniper & Vale", slug="juniper")
        project = create_project(session, client.id, "Shop", slug="shop", store_url=store_url)
        set_brand_voice(session, project.id, dict(BRAND_VOICE))
        add_term(session, project.id, "deadstock linen", "leftover mill fabric", usage="prefer")
        add_term(session, project.id, "fast fashion", usage=VocabularyUsage.AVOID.value)
        add_resource(
            session,
            project.id,
            ResourceType.STYLE_SAMPLE.value,
            STYLE_SAMPLE,
            title="Studio note",
            meta={"platform": "blog"},
        )
        set_metadata(session, project.id, "tagline", "Linen clothes for slow summers")
        return project.id


def make_client(fake: FakeOpenRouter, db: Database) -> tuple[OpenRouterClient, DatabaseLedger]:
    ledger = DatabaseLedger(db)
    # No retry delays: a test scripts each failure it wants.
    client = OpenRouterClient(
        fake.base_url, TEST_KEY, ledger=ledger, retry_policy=RetryPolicy(max_retries=0)
    )
    return client, ledger


@pytest.fixture
def studio(db: Database, openrouter: FakeOpenRouter) -> Iterator[Studio]:
    project_id = make_project(db)
    llm, ledger = make_client(openrouter, db)
    try:
        yield Studio(db, openrouter, llm, ledger, project_id)
    finally:
        llm.close()
        ledger.close()
