"""A large library written with bulk inserts, and the facts tests check the views against."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import insert, select

from app.db.engine import Database
from app.db.models import Client, Draft, Evaluation, LlmCall, Piece, PlatformState, Project, Skill
from app.domain.status import PIECE_STATUSES

WORDS = ("linen", "summer", "wedding", "autumn", "scarf", "studio", "porto", "gift")
PLATFORM_SETS = (("blog",), ("blog", "linkedin"), ("linkedin", "x"), ("blog", "linkedin", "x"))


@dataclass
class LibraryFacts:
    total: int
    project_ids: list[uuid.UUID]
    skill_ids: list[uuid.UUID]
    by_status: Counter[str] = field(default_factory=Counter)
    by_project: Counter[uuid.UUID] = field(default_factory=Counter)
    by_skill: Counter[uuid.UUID] = field(default_factory=Counter)
    with_word: Counter[str] = field(default_factory=Counter)
    scored: dict[uuid.UUID, int] = field(default_factory=dict)
    costs: dict[uuid.UUID, Decimal] = field(default_factory=dict)
    titles: dict[uuid.UUID, str] = field(default_factory=dict)
    status_of: dict[uuid.UUID, str] = field(default_factory=dict)
    project_of: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    skill_of: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)

    def visible(self, piece_id: uuid.UUID) -> bool:
        """Shown without a status filter (archived pieces are not)."""
        return self.status_of[piece_id] != "archived"


def fill_library(db: Database, count: int, *, scored_every: int = 97) -> LibraryFacts:
    """``count`` pieces over 2 clients × 3 projects and the seeded skills, with platform
    states; every ``scored_every``-th piece gets a draft, an evaluation and two paid calls."""
    now = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
    with db.session() as session:
        skill_ids = list(session.scalars(select(Skill.id).order_by(Skill.name)))
        client_rows = [
            {"id": uuid.uuid4(), "name": name, "slug": name.lower().replace(" ", "-")}
            for name in ("Northwind Studio", "Acme Bridal")
        ]
        session.execute(insert(Client), client_rows)
        project_rows = [
            {
                "id": uuid.uuid4(),
                "client_id": client["id"],
                "name": f"{label} {index}",
                "slug": f"{label.lower()}-{index}",
            }
            for client in client_rows
            for index, label in enumerate(("Store", "Journal", "Press"), start=1)
        ]
        session.execute(insert(Project), project_rows)
    facts = LibraryFacts(
        total=count, project_ids=[p["id"] for p in project_rows], skill_ids=skill_ids
    )
    pieces, states, drafts, evaluations, calls = [], [], [], [], []
    for n in range(count):
        piece_id = uuid.uuid4()
        project_id = facts.project_ids[n % len(facts.project_ids)]
        skill_id = skill_ids[n % len(skill_ids)] if skill_ids and n % 5 else None
        status = PIECE_STATUSES[n % len(PIECE_STATUSES)]
        words = (WORDS[n % len(WORDS)], WORDS[(n // len(WORDS)) % len(WORDS)])
        title = f"Piece {n:05d} about {words[0]} and {words[1]}"
        pieces.append(
            {
                "id": piece_id,
                "project_id": project_id,
                "skill_id": skill_id,
                "title": title,
                "goal": f"Write about {words[0]}",
                "status": status,
                "created_at": now - dt.timedelta(minutes=n),
                "updated_at": now - dt.timedelta(minutes=n),
            }
        )
        for platform in PLATFORM_SETS[n % len(PLATFORM_SETS)]:
            states.append({"id": uuid.uuid4(), "piece_id": piece_id, "platform": platform})
        facts.by_status[status] += 1
        facts.by_project[project_id] += 1
        if skill_id is not None:
            facts.by_skill[skill_id] += 1
        for word in set(words):
            facts.with_word[word] += 1
        facts.titles[piece_id] = title
        facts.status_of[piece_id] = status
        facts.project_of[piece_id] = project_id
        facts.skill_of[piece_id] = skill_id
        if n % scored_every == 0:
            draft_id = uuid.uuid4()
            score = (n * 7) % 101
            drafts.append(
                {
                    "id": draft_id,
                    "piece_id": piece_id,
                    "platform": "blog",
                    "version": 1,
                    "content": "text",
                    "source": "ai",
                }
            )
            evaluations.append({"id": uuid.uuid4(), "draft_id": draft_id, "score": score})
            facts.scored[piece_id] = score
            cost = Decimal(n % 1000 + 1) / Decimal(10000)
            for half in (cost / 2, cost - cost / 2):
                calls.append(
                    {
                        "request_id": uuid.uuid4().hex,
                        "piece_id": piece_id,
                        "model_requested": "openai/gpt-4o-mini",
                        "cost": half,
                        "success": True,
                        "called_at": now,
                    }
                )
            facts.costs[piece_id] = cost
    with db.session() as session:
        for model, rows in (
            (Piece, pieces),
            (PlatformState, states),
            (Draft, drafts),
            (Evaluation, evaluations),
            (LlmCall, calls),
        ):
            for start in range(0, len(rows), 5000):
                session.execute(insert(model), rows[start : start + 5000])
    return facts
