"""Agent model configs: normalised model ids, checked values, safe concurrent edits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.seed import seed_defaults
from app.services import agent_configs
from app.services.errors import InvalidInput, NotFound, StaleEdit


@pytest.fixture
def seeded(db: Database) -> Database:
    seed_defaults(db)
    return db


def test_update_normalises_ids_and_bumps_the_version(seeded: Database) -> None:
    with seeded.session() as session:
        updated = agent_configs.update_agent_config(
            session,
            "blog-writer",
            expected_version=1,
            model_id="openrouter/anthropic/claude-opus-4-1-20250805",
            fallback_models=["openai/gpt-4o", "openrouter/openai/gpt-4o", "openrouter/auto"],
            temperature=0.95,
            max_tokens=8192,
        )
        assert updated.version == 2
    with seeded.session() as session:
        settings = agent_configs.agent_settings(session, "blog-writer")
    assert settings.model_id == "anthropic/claude-opus-4.1"
    assert settings.fallback_models == ("openai/gpt-4o", "openrouter/auto")
    assert settings.temperature == Decimal("0.95")
    assert settings.max_tokens == 8192
    assert settings.user_modified is True
    assert settings.version == 2


def test_an_edit_of_an_old_version_is_refused(seeded: Database) -> None:
    with seeded.session() as session:
        agent_configs.update_agent_config(
            session, "blog-editor", expected_version=1, max_tokens=2000
        )

    with seeded.session() as session, pytest.raises(StaleEdit, match="reload"):
        agent_configs.update_agent_config(session, "blog-editor", expected_version=1, max_tokens=10)
    with seeded.session() as session:
        assert agent_configs.get_agent_config(session, "blog-editor").max_tokens == 2000


def test_a_save_that_lands_between_read_and_write_is_caught(seeded: Database) -> None:
    # Both editors loaded version 1; the first to save wins, the second gets StaleEdit on flush.
    with seeded.session() as slow:
        agent_configs.get_agent_config(slow, "seo-specialist")
        with seeded.session() as fast:
            agent_configs.update_agent_config(
                fast, "seo-specialist", expected_version=1, temperature=1
            )
        with pytest.raises(StaleEdit):
            agent_configs.update_agent_config(
                slow, "seo-specialist", expected_version=1, temperature="0.1"
            )
        slow.rollback()
    with seeded.session() as session:
        config = agent_configs.get_agent_config(session, "seo-specialist")
        assert (config.temperature, config.version) == (Decimal("1.00"), 2)


BAD_CHANGES: list[tuple[dict[str, object], str]] = [
    ({"temperature": "2.5"}, "from 0 to 2"),
    ({"temperature": "warm"}, "must be a number"),
    ({"temperature": True}, "must be a number"),
    ({"max_tokens": 0}, "max tokens must be from 1"),
    ({"model_id": "claude sonnet"}, "not a model id"),
    ({"fallback_models": "openai/gpt-4o"}, "not a single string"),
    ({"agent_label": " "}, "must not be empty"),
]


def test_bad_values_are_refused(seeded: Database) -> None:
    with seeded.session() as session:
        for change, message in BAD_CHANGES:
            with pytest.raises(InvalidInput, match=message):
                agent_configs.update_agent_config(
                    session,
                    "blog-reviewer",
                    expected_version=1,
                    **change,  # type: ignore[arg-type]
                )
        assert agent_configs.get_agent_config(session, "blog-reviewer").version == 1


def test_unknown_agent(session: Session) -> None:
    with pytest.raises(NotFound, match="ghost-writer"):
        agent_configs.get_agent_config(session, "ghost-writer")
