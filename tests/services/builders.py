"""Small factories for the rows service tests need, built through the services themselves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.db.models import Piece, Project, Skill
from app.services import clients, pieces, projects, skills


def make_project(
    session: Session, name: str = "Main store", *, client: str = "Acme Bridal"
) -> Project:
    owner = clients.ensure_client(session, client)
    return projects.create_project(session, owner.id, name)


def make_skill(
    session: Session, name: str = "blog-post", keywords: Sequence[str] = ("blog post",)
) -> Skill:
    return skills.create_skill(
        session,
        name,
        description=f"{name} for tests",
        type="simple",
        trigger_keywords=keywords,
        default_platforms=["blog"],
    )


def make_piece(
    session: Session,
    project: Project | None = None,
    *,
    platforms: Sequence[str] = ("blog", "linkedin"),
    skill: Skill | None = None,
) -> Piece:
    project = project or make_project(session)
    return pieces.create_piece(
        session,
        project.id,
        skill_id=skill.id if skill else None,
        platforms=platforms,
        goal="Announce the summer collection",
    )
