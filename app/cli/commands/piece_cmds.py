"""`copydesk generate|resume|cancel|show|export`: the agent pipeline, headless.

``generate`` prints the new piece's id on stdout at once (so a script can keep it even if
the run is interrupted) and live progress on stderr; Ctrl-C cancels the run cleanly, and
``copydesk resume`` continues it later.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from app.cli import errors as exit_codes
from app.cli.context import CliContext
from app.domain.status import PLATFORMS, PieceMode, PieceStatus

if TYPE_CHECKING:
    from app.agents.events import Event, StepFailed
    from app.agents.results import RunResult
    from app.db.engine import Database
    from app.llm.cancel import CancelToken
    from app.llm.client import OpenRouterClient
    from app.services.piece_detail import PieceDetail

# The pipeline's modules are imported by the commands that use them, so that building the
# parser (done for every `copydesk` invocation) stays quick.
EXPORT_FORMATS = ("md", "html")
CANCEL_ACK_SECONDS = 3.0

# Exit codes by the error_type recorded on the failed step.
_FAILURE_CODES = {
    "bad_key": exit_codes.EXIT_BAD_KEY,
    "out_of_credits": exit_codes.EXIT_NO_CREDITS,
    "rate_limited": exit_codes.EXIT_RATE_LIMITED,
    "model_not_found": exit_codes.EXIT_MODEL_NOT_FOUND,
    "moderation": exit_codes.EXIT_MODERATION,
    "structured_output_invalid": exit_codes.EXIT_INVALID_OUTPUT,
    "output_invalid": exit_codes.EXIT_INVALID_OUTPUT,
}


def register(sub: Any) -> None:
    generate = sub.add_parser("generate", help="start a piece and run the agents on it")
    generate.add_argument(
        "--project", required=True, metavar="P", help="client/project, slug or id"
    )
    generate.add_argument("--skill", metavar="S", help="the kind of content, e.g. blog-post")
    generate.add_argument(
        "--platform",
        action="append",
        choices=PLATFORMS,
        metavar="X",
        help=f"a platform ({', '.join(PLATFORMS)}); repeat for several "
        "(default: the skill's platforms)",
    )
    generate.add_argument(
        "--product", action="append", default=[], metavar="ID", help="a cached product's id"
    )
    generate.add_argument("--instructions", metavar="TEXT", help="guidance for the agents")
    generate.add_argument("--goal", metavar="TEXT", help="what the piece is for")
    generate.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template input of the skill, e.g. topic='Linen in summer'",
    )
    generate.add_argument(
        "--source-file",
        type=Path,
        metavar="FILE",
        help="adapt this text instead of writing from a brief (manual mode)",
    )
    generate.add_argument("--threshold", type=int, metavar="N", help="review score to pass (0–100)")
    generate.add_argument(
        "--max-iterations", type=int, metavar="N", help="revision rounds at most after review"
    )
    generate.add_argument("--json", action="store_true", help="print the result as JSON")
    generate.set_defaults(func=generate_piece)

    resume = sub.add_parser("resume", help="continue a piece at its first unfinished step")
    resume.add_argument("piece", metavar="PIECE", help="the piece's id (or its first characters)")
    resume.add_argument("--json", action="store_true", help="print the result as JSON")
    resume.set_defaults(func=resume_piece)

    cancel = sub.add_parser("cancel", help="stop a running piece (it can be resumed)")
    cancel.add_argument("piece", metavar="PIECE", help="the piece's id (or its first characters)")
    cancel.set_defaults(func=cancel_piece)

    show = sub.add_parser("show", help="a piece's drafts, scores, steps and cost")
    show.add_argument("piece", metavar="PIECE", help="the piece's id (or its first characters)")
    show.add_argument("--steps", action="store_true", help="list every agent step as well")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(func=show_piece)

    export = sub.add_parser("export", help="write a platform's current draft to a file")
    export.add_argument("piece", metavar="PIECE", help="the piece's id (or its first characters)")
    export.add_argument("--platform", required=True, choices=PLATFORMS)
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, dest="fmt")
    export.add_argument("--out", required=True, metavar="FILE", help="the file ('-' for stdout)")
    export.set_defaults(func=export_command)


# commands --------------------------------------------------------------------------------


def generate_piece(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.agents.errors import GenerationInputError
    from app.agents.generate import parse_inputs, start_piece
    from app.services.skills import get_skill

    db = _prepared_db(ctx)
    llm = ctx.make_llm_client()
    source_content = None
    if args.source_file is not None:
        try:
            source_content = args.source_file.read_text(encoding="utf-8")
        except OSError as exc:
            ctx.warn(f"copydesk: cannot read {args.source_file}: {exc.strerror}")
            return exit_codes.EXIT_USAGE
    options: dict[str, Any] = {}
    if args.threshold is not None:
        options["score_threshold"] = args.threshold
    if args.max_iterations is not None:
        options["max_iterations"] = args.max_iterations
    try:
        inputs = None
        if args.input:
            schema = None
            if args.skill:
                with db.session() as session:
                    schema = get_skill(session, args.skill).template_inputs
            inputs = parse_inputs(args.input, schema)
        piece_id = start_piece(
            db,
            project_ref=args.project,
            skill_name=args.skill,
            platforms=args.platform,
            product_ids=args.product,
            instructions=args.instructions,
            template_inputs=inputs,
            mode=PieceMode.MANUAL.value if source_content is not None else PieceMode.TEMPLATE.value,
            source_content=source_content,
            goal=args.goal,
            options=options or None,
        )
    except GenerationInputError as exc:
        # A mistake in the request, like the services' InvalidInput: the input exit code.
        ctx.warn(f"copydesk: {exc}")
        return exit_codes.EXIT_INPUT
    if not args.json:
        ctx.echo(str(piece_id))
        ctx.stdout.flush()
    ctx.warn(f"Started piece {piece_id}.")
    return _run(ctx, db, llm, piece_id, as_json=args.json)


def resume_piece(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.pieces import resolve_piece_id

    db = _prepared_db(ctx)
    with db.session() as session:
        piece_id = resolve_piece_id(session, args.piece)
    llm = ctx.make_llm_client()
    ctx.warn(f"Resuming piece {piece_id}.")
    return _run(ctx, db, llm, piece_id, as_json=args.json)


def cancel_piece(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.agents.cancellation import request_cancel
    from app.services.pieces import get_piece, resolve_piece_id

    db = ctx.open_db()
    with db.session() as session:
        piece_id = resolve_piece_id(session, args.piece)
    request_cancel(db, piece_id)
    # The run polls the flag about twice a second; give it a moment to acknowledge.
    deadline = time.monotonic() + CANCEL_ACK_SECONDS
    while True:
        with db.session() as session:
            status = get_piece(session, piece_id).status
        if status not in (PieceStatus.GENERATING, PieceStatus.QUEUED):
            break
        if time.monotonic() >= deadline:
            ctx.echo(
                f"Cancel requested for {piece_id}, but no run has stopped yet. If its process "
                "was killed, the piece stays 'generating' until `copydesk resume` continues it."
            )
            return 0
        time.sleep(0.1)
    ctx.echo(f"Piece {piece_id} is {status}.")
    return 0


def show_piece(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.piece_detail import piece_detail
    from app.services.pieces import resolve_piece_id

    db = ctx.open_db()
    with db.session() as session:
        report = piece_detail(session, resolve_piece_id(session, args.piece))
    if args.json:
        ctx.echo(json.dumps(_report_json(report), indent=2, default=_json_default))
        return 0
    _print_report(ctx, report, steps=args.steps)
    return 0


def export_command(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.agents.export import export_piece
    from app.services.pieces import resolve_piece_id

    db = ctx.open_db()
    with db.session() as session:
        piece_id = resolve_piece_id(session, args.piece)
    text = export_piece(db, piece_id, args.platform, args.fmt)
    if args.out == "-":
        ctx.stdout.write(text)
        return 0
    path = Path(args.out)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        ctx.warn(f"copydesk: cannot write {path}: {exc.strerror}")
        return exit_codes.EXIT_USAGE
    ctx.warn(f"Wrote {path} ({len(text)} characters).")
    return 0


# running ---------------------------------------------------------------------------------


def _prepared_db(ctx: CliContext) -> Database:
    return ctx.open_db()  # migrated and seeded, so the agents exist


def _run(
    ctx: CliContext, db: Database, llm: OpenRouterClient, piece_id: uuid.UUID, *, as_json: bool
) -> int:
    from app.agents.runner import PipelineRunner
    from app.llm.cancel import CancelToken
    from app.services.piece_detail import piece_detail

    token = CancelToken()
    runner = PipelineRunner(db, llm, on_event=_progress_printer(ctx))
    outcome: list[RunResult] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(runner.run(piece_id, cancel=token))
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=work, name="copydesk-run")
    try:
        with _cancel_on_signals(token, ctx):
            worker.start()
            while worker.is_alive():
                try:
                    worker.join(0.2)
                except KeyboardInterrupt:
                    ctx.warn("Cancelling…")
                    token.cancel()
    finally:
        _close_client(llm)
    if failure:
        raise failure[0]
    result = outcome[0]
    if as_json:
        with db.session() as session:
            report = piece_detail(session, piece_id)
        ctx.echo(json.dumps(_report_json(report), indent=2, default=_json_default))
    ctx.warn(f"Piece {piece_id}: {result.status}.")
    return _exit_code(result)


@contextmanager
def _cancel_on_signals(token: CancelToken, ctx: CliContext) -> Iterator[None]:
    """SIGTERM (and SIGINT when not delivered as KeyboardInterrupt) cancel the run cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        ctx.warn("Cancelling…")
        token.cancel()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _close_client(llm: OpenRouterClient) -> None:
    close = getattr(llm.ledger, "close", None)
    if callable(close):
        close()
    llm.close()


def _exit_code(result: RunResult) -> int:
    if result.status == PieceStatus.CANCELLED:
        return exit_codes.EXIT_CANCELLED
    if result.status != PieceStatus.FAILED:
        return exit_codes.EXIT_OK
    for platform in result.platforms.values():
        if platform.error_type:
            return _FAILURE_CODES.get(platform.error_type, exit_codes.EXIT_PROVIDER)
    return exit_codes.EXIT_PROVIDER


def _progress_printer(ctx: CliContext) -> Callable[[Event], None]:
    from app.agents.events import (
        DraftCreated,
        EvaluationReady,
        PlatformFinished,
        RunFinished,
        StepFailed,
        StepFinished,
        StepStarted,
    )

    lock = threading.Lock()

    def say(text: str) -> None:
        with lock:
            print(text, file=ctx.stderr, flush=True)

    def on_event(event: Event) -> None:
        match event:
            case StepStarted():
                round_note = f", revision {event.iteration}" if event.iteration else ""
                say(f"[{event.platform}] {event.agent_id} started ({event.model}{round_note})")
            case StepFinished():
                cost = f", ${event.cost:.6f}" if event.cost is not None else ""
                say(
                    f"[{event.platform}] {event.agent_id} done in {event.duration_ms / 1000:.1f} s "
                    f"({event.input_tokens} in / {event.output_tokens} out tokens{cost})"
                )
            case StepFailed():
                say(f"[{event.platform}] {event.agent_id} {_stopped(event)}: {event.message}")
            case DraftCreated():
                say(f"[{event.platform}] draft v{event.version} by {event.agent_id}")
            case EvaluationReady():
                say(f"[{event.platform}] review score {event.score}/100")
            case PlatformFinished():
                say(f"[{event.platform}] {event.status}")
            case RunFinished():
                say(f"Run finished: {event.status}")
            case _:
                pass  # text deltas: too fine-grained for a terminal log

    return on_event


def _stopped(event: StepFailed) -> str:
    return "cancelled" if event.error_type == "cancelled" else "failed"


# display ---------------------------------------------------------------------------------


def _print_report(ctx: CliContext, report: PieceDetail, *, steps: bool) -> None:
    ctx.echo(f"Piece {report.id}  {report.title or '(untitled)'}")
    ctx.echo(
        f"Project: {report.project_ref}   Skill: {report.skill_name or '-'}   "
        f"Status: {report.status}"
    )
    if report.error_message:
        ctx.echo(f"Error: {report.error_message}")
    calls = report.calls
    unknown = f" ({calls.unpriced} without a price)" if calls.unpriced else ""
    ctx.echo(
        f"Usage: {calls.calls} calls ({calls.failed} failed), "
        f"{report.tokens_input} in / {report.tokens_output} out tokens, "
        f"${calls.cost:.6f}{unknown}"
    )
    if report.seo_metadata:
        seo = report.seo_metadata
        ctx.echo(f"SEO: {seo.get('title', '')!r} /{seo.get('slug', '')}")
    for platform in report.platforms:
        ctx.echo("")
        scores = [d.score for d in platform.versions if d.score is not None]
        best = f", best score {max(scores)}" if scores else ""
        ctx.echo(
            f"{platform.platform}: {platform.status}, round {platform.iteration}{best}"
            + (f" — {platform.error_message}" if platform.error_message else "")
        )
        for draft in platform.versions:
            marker = "*" if draft.id == platform.active_draft_id else " "
            parent = f"← v{draft.based_on_version}" if draft.based_on_version else "new"
            score = f"  score {draft.score}" if draft.score is not None else ""
            ctx.echo(
                f" {marker} v{draft.version:<3} {(draft.agent_id or draft.source):<16} "
                f"{parent:<6} {draft.words:>5} words{score}"
            )
        if steps:
            for step in report.steps_on(platform.platform):
                cost = f" ${step.cost:.6f}" if step.cost is not None else ""
                error = f" {step.error_type}: {step.error_message}" if step.error_message else ""
                ctx.echo(
                    f"     #{step.ordinal:<3} {step.agent_id:<16} r{step.iteration} "
                    f"{step.status:<10} {step.tokens_input}/{step.tokens_output} tok{cost}{error}"
                )


def _report_json(report: PieceDetail) -> dict[str, Any]:
    return {
        "id": report.id,
        "title": report.title,
        "status": report.status,
        "error": report.error_message,
        "project": report.project_ref,
        "skill": report.skill_name,
        "usage": {
            "calls": report.calls.calls,
            "failed_calls": report.calls.failed,
            "input_tokens": report.tokens_input,
            "output_tokens": report.tokens_output,
            "cost": report.calls.cost,
        },
        "seo": dict(report.seo_metadata) or None,
        "platforms": [
            {
                "platform": p.platform,
                "status": p.status,
                "round": p.iteration,
                "active_version": p.active_version,
                "error": p.error_message,
                "drafts": [
                    {
                        "id": d.id,
                        "version": d.version,
                        "agent": d.agent_id,
                        "source": d.source,
                        "based_on_version": d.based_on_version,
                        "words": d.words,
                        "score": d.score,
                        "criteria": dict(d.evaluation.criteria) if d.evaluation else {},
                    }
                    for d in p.versions
                ],
                "steps": [
                    {
                        "ordinal": s.ordinal,
                        "agent": s.agent_id,
                        "iteration": s.iteration,
                        "status": s.status,
                        "attempts": s.attempts,
                        "error_type": s.error_type,
                    }
                    for s in report.steps_on(p.platform)
                ],
            }
            for p in report.platforms
        ],
    }


def _json_default(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
