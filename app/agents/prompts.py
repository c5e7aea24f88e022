"""Prompt templates: Jinja2 files in resources/prompts, overridable per project by admins.

Admins edit templates, so they are rendered in a sandbox with StrictUndefined: a template
cannot reach Python internals, and a misspelt variable is an error instead of silent
blank text. The lookup order for each (agent, name) is: a ``prompt_templates`` row for the
piece's project, then a global row (project NULL), then the bundled file
``resources/prompts/<agent>.<name>.j2``. Among rows of equal rank, one for the piece's skill
wins over one for no skill.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources as package_files
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.agents.errors import PromptTemplateError
from app.db.models import PromptTemplate

PROMPTS_PACKAGE = "resources"
PROMPTS_FOLDER = "prompts"
SHARED_AGENT = "shared"  # the pseudo-agent owning the shared context template
SYSTEM = "system"
TASK = "task"
CONTEXT = "context"

_TAG_LIKE = re.compile(r"[<>]")


def quote_data(value: object) -> str:
    """Text from the web or a catalog, made unable to close the tag that labels it as data."""
    text = "" if value is None else str(value)
    return _TAG_LIKE.sub(lambda m: "&lt;" if m.group() == "<" else "&gt;", text)


def as_text(value: object) -> str:
    """A JSON value as one line of prose: lists joined by commas, objects as ``key: value``."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {as_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    return str(value)


@dataclass(frozen=True, slots=True)
class TemplateSource:
    agent_id: str
    name: str
    text: str
    origin: str  # for messages: "the bundled file …", "the project's override" …


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["data"] = quote_data
    env.filters["as_text"] = as_text
    return env


_ENVIRONMENT = _environment()


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> jinja2.Template:
    """Compiling is far slower than rendering, and templates rarely change: keep them."""
    return _ENVIRONMENT.from_string(text)


class PromptSet:
    """The templates in force for one piece (overrides resolved); renders them."""

    def __init__(self, sources: Mapping[tuple[str, str], TemplateSource]) -> None:
        self._sources = dict(sources)

    def source(self, agent_id: str, name: str) -> TemplateSource:
        found = self._sources.get((agent_id, name))
        if found is None:
            found = _bundled(agent_id, name)
            self._sources[(agent_id, name)] = found
        return found

    def render(self, agent_id: str, name: str, variables: Mapping[str, Any]) -> str:
        source = self.source(agent_id, name)
        try:
            template = _compiled(source.text)
            return template.render(**variables).strip() + "\n"
        except jinja2.TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (line {line})" if line else ""
            raise PromptTemplateError(
                f"The {name} prompt of {agent_id} ({source.origin}) cannot be rendered"
                f"{where}: {exc}. Fix the template in the settings, then resume the piece."
            ) from exc


def load_prompt_set(
    session: Session, project_id: uuid.UUID | None, skill_id: uuid.UUID | None
) -> PromptSet:
    """The templates for a piece of ``project_id``, with the database's overrides applied."""
    query = select(PromptTemplate).where(
        or_(PromptTemplate.project_id.is_(None), PromptTemplate.project_id == project_id)
    )
    ranked: dict[tuple[str, str], tuple[int, TemplateSource]] = {}
    for row in session.scalars(query):
        if row.skill_id is not None and row.skill_id != skill_id:
            continue
        rank = (2 if row.project_id is not None else 0) + (1 if row.skill_id is not None else 0)
        scope = "the project's override" if row.project_id is not None else "the global template"
        source = TemplateSource(row.agent_id, row.name, row.template, f"{scope} v{row.version}")
        key = (row.agent_id, row.name)
        if key not in ranked or rank > ranked[key][0]:
            ranked[key] = (rank, source)
    return PromptSet({key: source for key, (_, source) in ranked.items()})


def warm_bundled_templates() -> int:
    """Compile every bundled template now (on a worker), so a run's first step does not
    hold the interpreter lock for the compile while the GUI is painting. Returns the count."""
    folder = package_files.files(PROMPTS_PACKAGE) / PROMPTS_FOLDER
    count = 0
    for entry in folder.iterdir():
        if entry.name.endswith(".j2"):
            _compiled(entry.read_text(encoding="utf-8"))
            count += 1
    return count


def bundled_template(agent_id: str, name: str) -> str:
    """The text of a bundled template file (what an admin's override starts from)."""
    return _bundled(agent_id, name).text


def _bundled(agent_id: str, name: str) -> TemplateSource:
    file_name = f"{agent_id}.{name}.j2"
    resource = package_files.files(PROMPTS_PACKAGE) / PROMPTS_FOLDER / file_name
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise PromptTemplateError(
            f"There is no {name} prompt for {agent_id}: the bundled file "
            f"{PROMPTS_FOLDER}/{file_name} is missing and no override is stored."
        ) from exc
    return TemplateSource(agent_id, name, text, f"the bundled file {PROMPTS_FOLDER}/{file_name}")
