"""Seeding: the built-in agents, skills and local user; idempotent; admin edits survive."""

from __future__ import annotations

from decimal import Decimal

from jsonschema import Draft202012Validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.models import AgentModelConfig, Skill, User
from app.db.seed import load_agent_seeds, load_skill_seeds, seed_defaults
from app.services import agent_configs, skills

SEED_TEMPERATURES = {
    "brand-voice-analyzer": Decimal("0.50"),
    "blog-writer": Decimal("0.80"),
    "blog-editor": Decimal("0.50"),
    "seo-specialist": Decimal("0.40"),
    "senior-editor": Decimal("0.50"),
    "blog-reviewer": Decimal("0.30"),
}


def _snapshot(session: Session) -> dict[str, object]:
    agents = session.execute(
        select(AgentModelConfig.agent_id, AgentModelConfig.updated_at, AgentModelConfig.version)
    ).all()
    skill_rows = session.execute(select(Skill.name, Skill.updated_at)).all()
    users = session.execute(select(User.username)).all()
    return {"agents": sorted(agents), "skills": sorted(skill_rows), "users": sorted(users)}


def test_first_seed_adds_the_six_agents_with_seed_000_settings(db: Database) -> None:
    report = seed_defaults(db)

    assert report.agents_added == tuple(SEED_TEMPERATURES)
    with db.session() as session:
        configs = agent_configs.list_agent_configs(session)
        assert [c.agent_id for c in configs] == list(SEED_TEMPERATURES)
        for config in configs:
            assert config.temperature == SEED_TEMPERATURES[config.agent_id]
            assert config.model_id == "anthropic/claude-sonnet-4.5"
            assert config.max_tokens == 4096
            assert config.version == 1
            assert config.user_modified is False


def test_first_seed_adds_the_skills_library_and_a_local_admin(db: Database) -> None:
    report = seed_defaults(db)

    assert {"blog-post", "linkedin-post", "x-thread", "product-description"} <= set(
        report.skills_added
    )
    assert report.users_added == ("local",)
    with db.session() as session:
        launch = skills.get_skill(session, "product-launch-announcement")
        assert launch.is_builtin and not launch.user_modified
        assert launch.template_inputs is not None
        assert {"launch_date", "offer", "audience"} <= set(launch.template_inputs["properties"])
        assert launch.default_platforms == ["blog", "linkedin", "x"]
        user = session.scalar(select(User))
        assert user is not None and user.role == "admin"


def test_seeding_twice_changes_nothing(db: Database) -> None:
    seed_defaults(db)
    with db.session() as session:
        before = _snapshot(session)

    report = seed_defaults(db)

    assert not report.changed
    with db.session() as session:
        assert _snapshot(session) == before


def test_reseeding_keeps_an_admins_edits(db: Database) -> None:
    seed_defaults(db)
    with db.session() as session:
        writer = agent_configs.get_agent_config(session, "blog-writer")
        agent_configs.update_agent_config(
            session, "blog-writer", expected_version=writer.version, temperature="1.1"
        )
        skills.update_skill(session, "x-thread", rules="Only three posts.", trigger_keywords=["x"])
    with db.session() as session:
        before = _snapshot(session)

    seed_defaults(db)

    with db.session() as session:
        writer = agent_configs.get_agent_config(session, "blog-writer")
        assert writer.temperature == Decimal("1.10")
        thread = skills.get_skill(session, "x-thread")
        assert thread.rules == "Only three posts."
        assert thread.trigger_keywords == ["x"]
        assert _snapshot(session) == before


def test_reseeding_restores_only_what_is_missing(db: Database) -> None:
    seed_defaults(db)
    with db.session() as session:
        session.delete(skills.get_skill(session, "email-sequence"))
        session.delete(agent_configs.get_agent_config(session, "seo-specialist"))

    report = seed_defaults(db)

    assert report.skills_added == ("email-sequence",)
    assert report.agents_added == ("seo-specialist",)
    assert report.users_added == ()


def test_no_local_user_when_users_exist(db: Database) -> None:
    with db.session() as session:
        session.add(User(username="maria", role="editor"))

    report = seed_defaults(db)

    assert report.users_added == ()
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_bundled_seed_data_is_consistent() -> None:
    agents = load_agent_seeds()
    skill_rows = load_skill_seeds()
    names = {row["name"] for row in skill_rows}

    assert len(agents) == 6
    assert len(names) == len(skill_rows) >= 10
    for row in skill_rows:
        assert set(row["related_skills"]) <= names
        assert row["rules"] and row["rules"].startswith("# ")
        for schema in (row["template_inputs"], row["output_schema"]):
            if schema is not None:
                Draft202012Validator.check_schema(schema)
        if row["output_format"] == "json":
            assert row["output_schema"] is not None, row["name"]
