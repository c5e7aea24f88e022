"""Built-in data a new database starts with: the six agents, the skills library, a local user.

Seeding only adds what is missing. A row that exists is never touched, so an admin's edits
to an agent or a skill survive every start, and seeding twice changes nothing. Rows are
inserted with ON CONFLICT DO NOTHING, so two instances starting at once cannot clash.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources as package_files
from typing import Any, cast

from sqlalchemy import CursorResult, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.models import AgentModelConfig, Base, Skill, User
from app.domain.status import OUTPUT_FORMATS, PLATFORMS, SKILL_TYPES, Role
from app.llm.model_ids import InvalidModelId, normalise_model_id, normalise_model_ids

SEED_PACKAGE = "resources"
LOCAL_USERNAME = "local"


class SeedDataError(ValueError):
    """A bundled seed file is malformed: a packaging fault, not something a user did."""


@dataclass(frozen=True)
class SeedReport:
    agents_added: tuple[str, ...]
    skills_added: tuple[str, ...]
    users_added: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.agents_added or self.skills_added or self.users_added)


def seed_defaults(db: Database) -> SeedReport:
    """Add the missing built-in agents and skills, and a local admin if there are no users."""
    agents = load_agent_seeds()
    skills = load_skill_seeds()
    with db.session() as session:
        agents_added = tuple(
            row["agent_id"]
            for row in agents
            if _insert_if_absent(session, AgentModelConfig, row, key="agent_id")
        )
        skills_added = tuple(
            row["name"] for row in skills if _insert_if_absent(session, Skill, row, key="name")
        )
        users_added = _add_local_user(session)
    return SeedReport(agents_added, skills_added, users_added)


def load_agent_seeds() -> list[dict[str, Any]]:
    """The agents in ``resources/seed/agents.json`` as column values, checked."""
    rows = []
    for entry in _read("agents.json", "agents"):
        where = f"agents.json, agent {entry.get('agent_id')!r}"
        try:
            model_id = normalise_model_id(_text(entry, "model_id", where))
            fallbacks = normalise_model_ids(list(entry.get("fallback_models") or []))
            temperature = Decimal(str(entry["temperature"]))
        except (InvalidModelId, InvalidOperation, KeyError) as error:
            raise SeedDataError(f"{where}: {error}") from error
        max_tokens = entry.get("max_tokens")
        if not Decimal(0) <= temperature <= Decimal(2):
            raise SeedDataError(f"{where}: temperature {temperature} is outside 0–2")
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise SeedDataError(f"{where}: max_tokens must be a positive whole number")
        rows.append(
            {
                "agent_id": _text(entry, "agent_id", where),
                "agent_label": _text(entry, "agent_label", where),
                "model_id": model_id,
                "fallback_models": fallbacks,
                "temperature": temperature,
                "max_tokens": max_tokens,
                "user_modified": False,
                # Set by the mapper on ORM inserts; a Core insert must give the first version.
                "version": 1,
            }
        )
    return rows


def load_skill_seeds() -> list[dict[str, Any]]:
    """The skills in ``resources/seed/skills.json`` as column values, checked."""
    rows = []
    for entry in _read("skills.json", "skills"):
        where = f"skills.json, skill {entry.get('name')!r}"
        _member(entry, "type", SKILL_TYPES, where)
        _member(entry, "output_format", OUTPUT_FORMATS, where)
        keywords = entry.get("trigger_keywords")
        if not isinstance(keywords, list) or not keywords:
            raise SeedDataError(f"{where}: trigger_keywords must be a non-empty list")
        platforms = entry.get("default_platforms") or []
        if not set(platforms) <= set(PLATFORMS):
            raise SeedDataError(f"{where}: unknown platform in {platforms}")
        rows.append(
            {
                "name": _text(entry, "name", where),
                "label": entry.get("label"),
                "description": _text(entry, "description", where),
                "type": entry["type"],
                "trigger_keywords": [str(keyword).lower() for keyword in keywords],
                "related_skills": list(entry.get("related_skills") or []),
                "rules": entry.get("rules"),
                "default_platforms": list(platforms),
                "output_format": entry["output_format"],
                "output_schema": entry.get("output_schema"),
                "template_inputs": entry.get("template_inputs"),
                "is_builtin": True,
                "user_modified": False,
            }
        )
    names = {row["name"] for row in rows}
    for row in rows:
        unknown = set(row["related_skills"]) - names
        if unknown:
            raise SeedDataError(f"skills.json, skill {row['name']!r}: unknown related {unknown}")
    return rows


def _add_local_user(session: Session) -> tuple[str, ...]:
    if session.scalar(select(func.count()).select_from(User)):
        return ()
    row = {"username": LOCAL_USERNAME, "display_name": _os_user_name(), "role": Role.ADMIN.value}
    return (LOCAL_USERNAME,) if _insert_if_absent(session, User, row, key="username") else ()


def _insert_if_absent(
    session: Session, model: type[Base], values: dict[str, Any], *, key: str
) -> bool:
    """Insert a row unless one with the same ``key`` exists; True if it was inserted."""
    dialect = session.get_bind().dialect
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=[key])
    if dialect.insert_returning:
        # psycopg reports no row count for this statement; a returned key means inserted.
        returned = session.execute(statement.returning(getattr(model, key)))
        return returned.first() is not None
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount == 1


def _os_user_name() -> str:
    try:
        return getpass.getuser()[:100] or "Local user"
    except (KeyError, OSError):
        return "Local user"


def _read(file_name: str, key: str) -> list[dict[str, Any]]:
    resource = package_files.files(SEED_PACKAGE) / "seed" / file_name
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SeedDataError(f"cannot read the seed file {file_name}: {error}") from error
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SeedDataError(f"{file_name} must hold an object with a list {key!r} of objects")
    return entries


def _text(entry: dict[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise SeedDataError(f"{where}: {field} must be non-empty text")
    return value.strip()


def _member(entry: dict[str, Any], field: str, allowed: tuple[str, ...], where: str) -> None:
    if entry.get(field) not in allowed:
        raise SeedDataError(f"{where}: {field} must be one of {', '.join(allowed)}")
