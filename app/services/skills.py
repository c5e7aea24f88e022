"""The skills library: kinds of content, their rules, and which one fits an editor's goal."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Skill
from app.domain.status import OUTPUT_FORMATS, PLATFORMS, SKILL_TYPES, OutputFormat
from app.services import _checks
from app.services._keep import KEEP, Keep
from app.services.errors import AlreadyExists, InvalidInput, NotFound


class SkillSuggestion(NamedTuple):
    skill: Skill
    score: float


def list_skills(session: Session, *, type: str | None = None) -> list[Skill]:
    query = select(Skill).order_by(Skill.name)
    if type is not None:
        query = query.where(Skill.type == _checks.one_of("skill type", type, SKILL_TYPES))
    return list(session.scalars(query))


def get_skill(session: Session, name: str) -> Skill:
    """The skill called ``name``; the error suggests close names for a typo."""
    name = _checks.required_text("skill name", name).lower()
    skill = session.scalar(select(Skill).where(Skill.name == name))
    if skill is None:
        known = list(session.scalars(select(Skill.name)))
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise NotFound(f"no skill named {name!r}{hint}")
    return skill


def suggest_skills(session: Session, goal_text: str, *, limit: int = 5) -> list[SkillSuggestion]:
    """Skills whose trigger keywords occur in ``goal_text``, best match first.

    A keyword matches as a whole phrase, case-insensitively, with any run of spaces between its
    words and an optional plural ending ("blog posts" matches "blog post"). Each matched keyword
    scores its number of words, so specific phrases outweigh single words; mentioning the
    skill's own name adds one more. Ties are broken by name.
    """
    suggestions: list[SkillSuggestion] = []
    for skill in session.scalars(select(Skill)):
        matched = matched_keywords(skill, goal_text)
        if not matched:
            continue
        score = float(sum(len(keyword.split()) for keyword in matched))
        if _phrase_pattern(skill.name.replace("-", " ")).search(goal_text):
            score += 1.0
        suggestions.append(SkillSuggestion(skill, score))
    suggestions.sort(key=lambda item: (-item.score, item.skill.name))
    return suggestions[:limit]


def matched_keywords(skill: Skill, goal_text: str) -> list[str]:
    """The trigger keywords of ``skill`` that occur in ``goal_text``."""
    return [
        keyword
        for keyword in skill.trigger_keywords or []
        if keyword.strip() and _phrase_pattern(keyword).search(goal_text)
    ]


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in phrase.lower().split()]
    # (?<!\w) / (?!\w) instead of \b, so keywords that end in punctuation still match.
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?:s|es)?(?!\w)", re.IGNORECASE)


def create_skill(
    session: Session,
    name: str,
    *,
    description: str,
    type: str,
    trigger_keywords: Sequence[str],
    label: str | None = None,
    related_skills: Sequence[str] = (),
    rules: str | None = None,
    default_platforms: Sequence[str] = (),
    output_format: str = OutputFormat.MARKDOWN.value,
    output_schema: dict[str, Any] | None = None,
    template_inputs: dict[str, Any] | None = None,
    is_builtin: bool = False,
) -> Skill:
    """A new skill. ``name`` becomes a slug (``Press release`` -> ``press-release``)."""
    slug = _checks.slug_for("skill", _checks.required_text("skill name", name), None)
    if session.scalar(select(Skill.id).where(Skill.name == slug)) is not None:
        raise AlreadyExists(f"a skill named {slug!r} already exists")
    skill = Skill(
        name=slug,
        label=_checks.optional_text("label", label, max_length=255),
        description=_checks.required_text("description", description),
        type=_checks.one_of("skill type", type, SKILL_TYPES),
        trigger_keywords=_keywords(trigger_keywords),
        related_skills=_checks.string_list("related skills", related_skills),
        rules=_checks.optional_text("rules", rules),
        default_platforms=_checks.string_list(
            "default platforms", default_platforms, allowed=PLATFORMS
        ),
        output_format=_checks.one_of("output format", output_format, OUTPUT_FORMATS),
        output_schema=_checks.json_schema("output schema", output_schema),
        template_inputs=_checks.json_schema("template inputs", template_inputs),
        is_builtin=is_builtin,
    )
    session.add(skill)
    session.flush()
    return skill


def update_skill(
    session: Session,
    name: str,
    *,
    label: str | Keep | None = KEEP,
    description: str | Keep = KEEP,
    type: str | Keep = KEEP,
    trigger_keywords: Sequence[str] | Keep = KEEP,
    related_skills: Sequence[str] | Keep = KEEP,
    rules: str | Keep | None = KEEP,
    default_platforms: Sequence[str] | Keep = KEEP,
    output_format: str | Keep = KEEP,
    output_schema: dict[str, Any] | Keep | None = KEEP,
    template_inputs: dict[str, Any] | Keep | None = KEEP,
) -> Skill:
    """Change the given fields and mark the skill as edited, so seeding leaves it alone."""
    skill = get_skill(session, name)
    if not isinstance(label, Keep):
        skill.label = _checks.optional_text("label", label, max_length=255)
    if not isinstance(description, Keep):
        skill.description = _checks.required_text("description", description)
    if not isinstance(type, Keep):
        skill.type = _checks.one_of("skill type", type, SKILL_TYPES)
    if not isinstance(trigger_keywords, Keep):
        skill.trigger_keywords = _keywords(trigger_keywords)
    if not isinstance(related_skills, Keep):
        skill.related_skills = _checks.string_list("related skills", related_skills)
    if not isinstance(rules, Keep):
        skill.rules = _checks.optional_text("rules", rules)
    if not isinstance(default_platforms, Keep):
        skill.default_platforms = _checks.string_list(
            "default platforms", default_platforms, allowed=PLATFORMS
        )
    if not isinstance(output_format, Keep):
        skill.output_format = _checks.one_of("output format", output_format, OUTPUT_FORMATS)
    if not isinstance(output_schema, Keep):
        skill.output_schema = _checks.json_schema("output schema", output_schema)
    if not isinstance(template_inputs, Keep):
        skill.template_inputs = _checks.json_schema("template inputs", template_inputs)
    skill.user_modified = True
    session.flush()
    return skill


def _keywords(keywords: Sequence[str]) -> list[str]:
    result = _checks.string_list("trigger keywords", keywords)
    if not result:
        raise InvalidInput("a skill needs at least one trigger keyword")
    # Stored lowercase: matching ignores case anyway, and duplicates differing in case go.
    return list(dict.fromkeys(keyword.lower() for keyword in result))
