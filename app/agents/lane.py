"""One platform of one piece, step after step: what a worker thread runs.

Each step is three units of work: mark it running (with what it is given), call the model
outside any transaction, then store its draft or evaluation and mark it completed in one
transaction, so a step is either finished with its result or not finished at all. Nothing
from the database crosses into another thread: the lane reads plain copies.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.agents import checkpoints
from app.agents.agent_call import AgentCall, DraftInput, LaneSetup, StepInputs
from app.agents.brief import load_brief
from app.agents.cancellation import cancel_requested
from app.agents.errors import (
    AgentNotConfigured,
    AgentOutputInvalid,
    PieceNotRunnable,
    PipelineError,
)
from app.agents.events import (
    Event,
    PlatformFinished,
    StepFailed,
    StepFinished,
    StepStarted,
    TextDelta,
)
from app.agents.options import PipelineOptions
from app.agents.outcomes import record_outcome, step_row
from app.agents.platforms import platform_spec
from app.agents.prompts import load_prompt_set
from app.agents.results import PlatformResult
from app.agents.roles import REVIEWER, SENIOR_EDITOR, WRITER, AgentRole, Output, role_for
from app.agents.shared_context import ensure_shared_context
from app.db.engine import Database
from app.db.models import PlatformState
from app.domain.status import PieceStatus, PlatformStatus, StepStatus
from app.llm.cancel import CancelToken
from app.llm.client import OpenRouterClient
from app.llm.errors import Cancelled, LLMError
from app.services.agent_configs import agent_settings
from app.services.drafts import active_draft
from app.services.errors import NotFound, ServiceError
from app.services.evaluations import latest_evaluation
from app.services.pieces import get_piece, get_platform_state, set_platform_status
from app.services.transitions import PLATFORM_TRANSITIONS

log = logging.getLogger(__name__)

Emit = Callable[[Event], None]

# Platform states a finished lane leaves alone: a person has taken over from there.
_REVIEWED = frozenset(
    {
        PlatformStatus.AWAITING_REVIEW,
        PlatformStatus.ACCEPTED,
        PlatformStatus.REJECTED,
        PlatformStatus.PUBLISHED,
    }
)
# Failures with a message meant for people; anything else is a bug and is logged as one.
_EXPECTED_ERRORS = (LLMError, ServiceError, PipelineError)


class PlatformLane:
    def __init__(
        self,
        *,
        db: Database,
        llm: OpenRouterClient,
        emit: Emit,
        piece_id: uuid.UUID,
        platform: str,
        token: CancelToken,
        options: PipelineOptions,
        shared_context: str | None = None,
    ) -> None:
        self.db = db
        self.llm = llm
        self.emit = emit
        self.piece_id = piece_id
        self.platform = platform
        self.token = token
        self.base_options = options
        self.shared_context = shared_context
        self._partial: list[str] = []

    # the loop ----------------------------------------------------------------------------

    def run(self) -> PlatformResult:
        try:
            setup = self._prepare()
        except Exception as exc:
            return self._fail_lane(exc)
        while True:
            try:
                step = self._next_step(setup)
            except Exception as exc:
                return self._fail_lane(exc)
            if step is None:
                return self._finish()
            if self.token.cancelled:
                return self._cancel_lane()
            stopped = self._execute(step, setup)
            if stopped is not None:
                return stopped

    def _prepare(self) -> LaneSetup:
        spec = platform_spec(self.platform)
        with self.db.session() as session:
            piece = get_piece(session, self.piece_id)
            if piece.status == PieceStatus.ARCHIVED:
                raise PieceNotRunnable("The piece is archived; restore it before generating.")
            get_platform_state(session, self.piece_id, self.platform)
            options = PipelineOptions.from_piece(piece.options, self.base_options)
            checkpoints.ensure_plan(session, self.piece_id, self.platform)
            brief = load_brief(session, self.piece_id)
            prompts = load_prompt_set(session, brief.project_id, brief.skill_id)
        shared = self.shared_context or ensure_shared_context(
            self.db, self.piece_id, brief, prompts
        )
        return LaneSetup(brief, prompts, options, shared, spec)

    def _next_step(self, setup: LaneSetup) -> checkpoints.PlannedStep | None:
        """The first unfinished step; after a low review score, a new revision round."""
        with self.db.session() as session:
            if cancel_requested(session, self.piece_id):
                # Seen here at once, rather than at the watcher's next poll mid-step.
                self.token.cancel()
            steps = checkpoints.platform_steps(session, self.piece_id, self.platform)
            step = checkpoints.first_unfinished(steps)
            if step is not None:
                return checkpoints.planned(step)
            review = checkpoints.last_review(steps)
            if review is None:
                return None
            score = checkpoints.review_score(review)
            options = setup.options
            if (
                score is not None
                and score < options.score_threshold
                and review.iteration < options.max_iterations
            ):
                added = checkpoints.append_round(
                    session, self.piece_id, self.platform, review.iteration + 1
                )
                return checkpoints.planned(added[0])
            return None

    # one step ----------------------------------------------------------------------------

    def _execute(self, step: checkpoints.PlannedStep, setup: LaneSetup) -> PlatformResult | None:
        role = role_for(step.agent_id)
        self._partial = []
        try:
            inputs = self._begin(step, role, setup)
        except Exception as exc:
            return self._stop(step, role, exc)
        self._send(
            StepStarted(
                self.piece_id,
                self.platform,
                step.id,
                step.agent_id,
                step.ordinal,
                step.iteration,
                inputs.settings.model_id,
            )
        )
        started = time.monotonic()
        call = AgentCall(
            self.llm,
            piece_id=self.piece_id,
            platform=self.platform,
            token=self.token,
            on_delta=self._on_delta(step.id),
        )
        try:
            outcome = call.run(step, role, inputs, setup)
            with self.db.session() as session:
                events = record_outcome(
                    session,
                    piece_id=self.piece_id,
                    platform=self.platform,
                    step=step,
                    role=role,
                    inputs=inputs,
                    outcome=outcome,
                )
        except Exception as exc:
            return self._stop(step, role, exc)
        self._flush_ledger()
        for event in events:
            self._send(event)
        self._send(
            StepFinished(
                self.piece_id,
                self.platform,
                step.id,
                step.agent_id,
                outcome.input_tokens,
                outcome.output_tokens,
                outcome.cost,
                int((time.monotonic() - started) * 1000),
            )
        )
        return None

    def _begin(
        self, step: checkpoints.PlannedStep, role: AgentRole, setup: LaneSetup
    ) -> StepInputs:
        with self.db.session() as session:
            try:
                settings = agent_settings(session, role.agent_id)
            except NotFound:
                raise AgentNotConfigured(
                    f"No model is configured for the agent {role.agent_id!r}. Restore the "
                    "default agents (start the app once) or add it in the settings."
                ) from None
            draft = None
            if role is not WRITER:
                current = active_draft(session, self.piece_id, self.platform)
                if current is None:
                    raise AgentOutputInvalid(
                        f"The {role.label.lower()} has no draft to work on: the piece has "
                        f"no {self.platform} draft yet."
                    )
                draft = DraftInput(current.id, current.version, current.title, current.content)
            evaluation = None
            if role is SENIOR_EDITOR and step.iteration > 0 and draft is not None:
                found = latest_evaluation(session, draft.id)
                if found is not None:
                    evaluation = {
                        "score": found.score,
                        "criteria": dict(found.criteria_scores or {}),
                        "feedback": found.feedback or "",
                    }
            violations: tuple[str, ...] = ()
            if role in (SENIOR_EDITOR, REVIEWER) and draft is not None:
                violations = tuple(setup.spec.violations(draft.content))
            target = (
                PlatformStatus.EVALUATING
                if role.output is Output.EVALUATION
                else PlatformStatus.GENERATING
            )
            state = _move_platform(session, self.piece_id, self.platform, target)
            state.iteration = max(state.iteration, step.iteration + 1)
            row = step_row(session, step.id)
            checkpoints.start(
                row,
                model=settings.model_id,
                input_summary=_summary(role, draft, evaluation, violations),
            )
        return StepInputs(settings, draft, evaluation, violations)

    # endings -----------------------------------------------------------------------------

    def _stop(
        self, step: checkpoints.PlannedStep, role: AgentRole, exc: Exception
    ) -> PlatformResult:
        """A failed or cancelled step: keep its partial output, and stop the lane."""
        cancelled = isinstance(exc, Cancelled) or self.token.cancelled
        partial = getattr(exc, "partial_text", "") or "".join(self._partial)
        error_type, message = _describe(exc, cancelled)
        if not cancelled and not isinstance(exc, _EXPECTED_ERRORS):
            log.error("Step %s (%s) failed unexpectedly", step.id, role.agent_id, exc_info=exc)
        status = StepStatus.CANCELLED if cancelled else StepStatus.FAILED
        platform_status = PlatformStatus.CANCELLED if cancelled else PlatformStatus.FAILED
        lane_message = f"{role.label} ({role.agent_id}): {message}"
        try:
            with self.db.session() as session:
                row = step_row(session, step.id)
                checkpoints.stop(
                    row, status=status, error_type=error_type, message=message, partial=partial
                )
                _move_platform(
                    session, self.piece_id, self.platform, platform_status, message=lane_message
                )
        except Exception:
            log.exception("Could not record the end of step %s", step.id)
        self._flush_ledger()
        self._send(
            StepFailed(
                self.piece_id, self.platform, step.id, role.agent_id, error_type, message, partial
            )
        )
        self._send(PlatformFinished(self.piece_id, self.platform, platform_status.value))
        return PlatformResult(
            self.piece_id,
            self.platform,
            platform_status.value,
            error_type=error_type,
            error_message=lane_message,
        )

    def _fail_lane(self, exc: Exception) -> PlatformResult:
        """The lane could not even start a step (bad template, unknown piece …)."""
        error_type, message = _describe(exc, cancelled=False)
        if not isinstance(exc, _EXPECTED_ERRORS):
            log.error("Lane %s/%s failed unexpectedly", self.piece_id, self.platform, exc_info=exc)
        try:
            with self.db.session() as session:
                _move_platform(
                    session, self.piece_id, self.platform, PlatformStatus.FAILED, message=message
                )
        except Exception:
            log.exception("Could not record the failure of %s/%s", self.piece_id, self.platform)
        self._send(PlatformFinished(self.piece_id, self.platform, PlatformStatus.FAILED.value))
        return PlatformResult(
            self.piece_id,
            self.platform,
            PlatformStatus.FAILED.value,
            error_type=error_type,
            error_message=message,
        )

    def _cancel_lane(self) -> PlatformResult:
        try:
            with self.db.session() as session:
                _move_platform(session, self.piece_id, self.platform, PlatformStatus.CANCELLED)
        except Exception:
            log.exception("Could not record the cancel of %s/%s", self.piece_id, self.platform)
        self._send(PlatformFinished(self.piece_id, self.platform, PlatformStatus.CANCELLED.value))
        return PlatformResult(
            self.piece_id,
            self.platform,
            PlatformStatus.CANCELLED.value,
            error_type="cancelled",
            error_message="Cancelled before the next step started.",
        )

    def _finish(self) -> PlatformResult:
        with self.db.session() as session:
            state = get_platform_state(session, self.piece_id, self.platform)
            if PlatformStatus(state.status) not in _REVIEWED:
                state = _move_platform(
                    session, self.piece_id, self.platform, PlatformStatus.AWAITING_REVIEW
                )
            steps = checkpoints.platform_steps(session, self.piece_id, self.platform)
            review = checkpoints.last_review(steps)
            score = checkpoints.review_score(review) if review is not None else None
            result = PlatformResult(
                self.piece_id, self.platform, state.status, state.active_draft_id, score
            )
        self._send(PlatformFinished(self.piece_id, self.platform, result.status))
        return result

    # helpers -----------------------------------------------------------------------------

    def _on_delta(self, step_id: uuid.UUID) -> Callable[[str], None]:
        def deliver(text: str) -> None:
            self._partial.append(text)
            self._send(TextDelta(self.piece_id, self.platform, step_id, text))

        return deliver

    def _send(self, event: Event) -> None:
        try:
            self.emit(event)
        except Exception:
            # A listener's bug must not break (or half-record) a run.
            log.exception("An event listener failed on %s", type(event).__name__)

    def _flush_ledger(self) -> None:
        """Usage rows are written in the background; make them durable with each step, so
        even a killed process leaves an exact account of what was paid for."""
        flush = getattr(self.llm.ledger, "flush", None)
        if callable(flush):
            try:
                flush(5.0)
            except Exception:
                log.warning("Could not flush the usage ledger", exc_info=True)


def _move_platform(
    session: Session,
    piece_id: uuid.UUID,
    platform: str,
    target: PlatformStatus,
    *,
    message: str | None = None,
) -> PlatformState:
    """Move a platform state to ``target`` through the transition table, via
    ``generating`` when there is no direct way (e.g. pending → awaiting_review)."""
    state = get_platform_state(session, piece_id, platform)
    current = PlatformStatus(state.status)
    if current == target:
        if message is not None and target == PlatformStatus.FAILED:
            state.error_message = message
        return state
    if target not in PLATFORM_TRANSITIONS[current]:
        set_platform_status(session, piece_id, platform, PlatformStatus.GENERATING.value)
    return set_platform_status(session, piece_id, platform, target.value, error_message=message)


def _describe(exc: BaseException, cancelled: bool) -> tuple[str, str]:
    if cancelled:
        return "cancelled", "Cancelled."
    kind = getattr(exc, "kind", None)
    message = str(exc).strip() or type(exc).__name__
    if isinstance(kind, str) and kind:
        return kind, message
    if isinstance(exc, ServiceError):
        return "invalid_input", message
    return "internal_error", f"Unexpected error ({type(exc).__name__}): {message}"


def _summary(
    role: AgentRole,
    draft: DraftInput | None,
    evaluation: dict[str, Any] | None,
    violations: tuple[str, ...],
) -> str:
    parts = []
    if draft is None:
        parts.append("The brief and the shared context")
    else:
        parts.append(f"Draft v{draft.version} ({len(draft.content)} characters)")
    if evaluation is not None:
        parts.append(f"review score {evaluation['score']} with feedback")
    if violations:
        parts.append(f"{len(violations)} platform rule problem(s)")
    return f"{role.label}: " + ", ".join(parts)
