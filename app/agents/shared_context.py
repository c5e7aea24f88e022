"""The piece's shared context block: rendered once, recorded as a piece-wide step, and sent
first by every agent of the piece, in every run, byte for byte."""

from __future__ import annotations

import uuid

from app.agents import checkpoints
from app.agents.brief import PieceBrief, load_brief
from app.agents.prompts import CONTEXT, SHARED_AGENT, PromptSet, load_prompt_set
from app.db.engine import Database


def ensure_shared_context(
    db: Database, piece_id: uuid.UUID, brief: PieceBrief, prompts: PromptSet
) -> str:
    """The recorded block, else the block rendered now and recorded."""
    with db.session() as session:
        existing = checkpoints.shared_context(session, piece_id)
        if existing is not None and existing.output:
            return existing.output
    text = prompts.render(SHARED_AGENT, CONTEXT, brief.variables())
    with db.session() as session:
        # Another lane may have recorded it meanwhile; the first one recorded wins.
        existing = checkpoints.shared_context(session, piece_id)
        if existing is not None and existing.output:
            return existing.output
        checkpoints.record_shared_context(session, piece_id, text)
    return text


def shared_context_for(db: Database, piece_id: uuid.UUID) -> str:
    with db.session() as session:
        brief = load_brief(session, piece_id)
        prompts = load_prompt_set(session, brief.project_id, brief.skill_id)
    return ensure_shared_context(db, piece_id, brief, prompts)
