"""The structured answers of the SEO specialist and the reviewer: their JSON Schemas (sent
to the model) and the local checks applied to what comes back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.agents.errors import AgentOutputInvalid

SEO_TITLE_MAX = 60
SEO_DESCRIPTION_MAX = 160
SEO_SLUG_MAX = 80
SEO_KEYWORDS_MAX = 12

CRITERIA = (
    "platform_appropriateness",
    "style_consistency",
    "clarity",
    "engagement",
    "grammar",
)

SEO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "content": {"type": "string", "minLength": 1, "description": "the revised full text"},
        "title": {"type": "string", "minLength": 1, "maxLength": SEO_TITLE_MAX},
        "description": {"type": "string", "minLength": 1, "maxLength": SEO_DESCRIPTION_MAX},
        "keywords": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 60},
            "minItems": 1,
            "maxItems": SEO_KEYWORDS_MAX,
        },
        "slug": {"type": "string", "minLength": 1, "maxLength": SEO_SLUG_MAX},
    },
    "required": ["content", "title", "description", "keywords", "slug"],
    "additionalProperties": False,
}

_SCORE = {"type": "integer", "minimum": 0, "maximum": 100}

EVALUATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "score": _SCORE,
        "criteria": {
            "type": "object",
            "properties": {name: _SCORE for name in CRITERIA},
            "required": list(CRITERIA),
            "additionalProperties": False,
        },
        "feedback": {"type": "string", "minLength": 1},
    },
    "required": ["score", "criteria", "feedback"],
    "additionalProperties": False,
}

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class SeoResult:
    content: str
    title: str
    description: str
    keywords: tuple[str, ...]
    slug: str

    def metadata(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "keywords": list(self.keywords),
            "slug": self.slug,
        }


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    score: int
    criteria: dict[str, int]
    feedback: str


def slugify(text: str) -> str:
    return _SLUG_JUNK.sub("-", text.lower()).strip("-")[:SEO_SLUG_MAX].strip("-")


def check_seo(data: Mapping[str, Any]) -> SeoResult:
    """The SEO answer, checked again here: a model that ignores response_format, or a
    server that does not enforce maxLength, must not get an overlong title into the piece."""
    problems = []
    content = _text(data.get("content"))
    title = " ".join(_text(data.get("title")).split())
    description = " ".join(_text(data.get("description")).split())
    if not content:
        problems.append("the revised text is empty")
    if not title:
        problems.append("the title is empty")
    elif len(title) > SEO_TITLE_MAX:
        problems.append(f"the title has {len(title)} characters (at most {SEO_TITLE_MAX})")
    if not description:
        problems.append("the meta description is empty")
    elif len(description) > SEO_DESCRIPTION_MAX:
        problems.append(
            f"the meta description has {len(description)} characters "
            f"(at most {SEO_DESCRIPTION_MAX})"
        )
    raw_keywords = data.get("keywords")
    keywords: list[str] = []
    if isinstance(raw_keywords, list):
        for item in raw_keywords:
            word = " ".join(_text(item).split())
            if word and word.lower() not in {k.lower() for k in keywords}:
                keywords.append(word)
    if not keywords:
        problems.append("there are no keywords")
    slug = slugify(_text(data.get("slug"))) or slugify(title)
    if problems:
        raise AgentOutputInvalid(
            "The SEO specialist's answer cannot be used: " + "; ".join(problems) + ".",
            output=str(dict(data)),
        )
    return SeoResult(content, title, description, tuple(keywords[:SEO_KEYWORDS_MAX]), slug)


def check_evaluation(data: Mapping[str, Any]) -> EvaluationResult:
    problems = []
    score = data.get("score")
    if not _is_score(score):
        problems.append(f"the score {score!r} is not a whole number from 0 to 100")
    raw = data.get("criteria")
    criteria: dict[str, int] = {}
    if not isinstance(raw, Mapping):
        problems.append("the criteria scores are missing")
    else:
        for name in CRITERIA:
            value = raw.get(name)
            if isinstance(value, int) and _is_score(value):
                criteria[name] = value
            else:
                problems.append(f"the {name} score {value!r} is not a whole number from 0 to 100")
    feedback = _text(data.get("feedback"))
    if not feedback:
        problems.append("the feedback is empty")
    if problems:
        raise AgentOutputInvalid(
            "The reviewer's evaluation cannot be used: " + "; ".join(problems) + ".",
            output=str(dict(data)),
        )
    assert isinstance(score, int)
    return EvaluationResult(score, criteria, feedback)


def _is_score(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
