"""`copydesk ask` and `copydesk models`: talk to the configured model server from a shell.

`ask` streams the answer to stdout as it arrives and reports usage and cost on stderr; every
attempt lands in the usage ledger. Ctrl+C closes the connection (which stops the generation)
and exits with 130. Errors exit with the codes of app.cli.errors (3 bad or missing key,
4 out of credits, 5 rate limited, 6 unknown model, 7 moderation, 8 provider or network).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
from decimal import Decimal
from typing import Any

from app.cli.context import CliContext
from app.llm import catalog
from app.llm.cancel import CancelToken
from app.llm.catalog import PriceBook
from app.llm.client import OpenRouterClient, is_openrouter
from app.llm.errors import Cancelled, ModelNotFound
from app.llm.ledger import DatabaseLedger
from app.llm.model_ids import InvalidModelId, normalise_model_id
from app.llm.requests import ChatRequest, system_message, user_message
from app.llm.results import Completion, ModelInfo

log = logging.getLogger(__name__)

DEFAULT_MODEL = "anthropic/claude-sonnet-4.5"
EXIT_USAGE = 2
EXIT_CANCELLED = 130
_PER_MILLION = Decimal(1_000_000)


def register(sub: Any) -> None:
    ask_parser = sub.add_parser(
        "ask",
        help="send one prompt to the model server and stream the answer",
        description="Send PROMPT (or '-' to read it from stdin) and stream the answer to "
        "stdout; usage and cost go to stderr.",
    )
    ask_parser.add_argument("prompt", metavar="PROMPT", help="the prompt, or '-' for stdin")
    ask_parser.add_argument(
        "--model",
        metavar="ID",
        help=f"model id, e.g. {DEFAULT_MODEL} (default: that one on OpenRouter, the first "
        "model a local server lists otherwise)",
    )
    ask_parser.add_argument("--system", metavar="TEXT", help="a system message")
    ask_parser.add_argument(
        "--no-stream", action="store_true", help="wait for the whole answer (cannot be stopped)"
    )
    ask_parser.add_argument(
        "--json", action="store_true", help="print the answer and its accounting as one JSON object"
    )
    ask_parser.set_defaults(func=ask)

    models_parser = sub.add_parser(
        "models",
        help="list the models the server offers, with prices",
        description="List models from the stored catalog, fetching it when older than a day.",
    )
    models_parser.add_argument("--refresh", action="store_true", help="fetch the catalog now")
    models_parser.add_argument(
        "--search", metavar="TEXT", help="only models whose id or name contain every word"
    )
    models_parser.set_defaults(func=models)


# -- ask -------------------------------------------------------------------------------------


def ask(args: argparse.Namespace, ctx: CliContext) -> int:
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        ctx.warn("copydesk: the prompt is empty.")
        return EXIT_USAGE
    model = args.model
    if model is not None:
        try:
            model = normalise_model_id(model)
        except InvalidModelId as exc:
            ctx.warn(f"copydesk: {exc}")
            return EXIT_USAGE
    # Local servers (Ollama, LM Studio …) need no key; OpenRouter does.
    key = ctx.require_api_key() if is_openrouter(ctx.base_url) else ctx.api_key()

    ledger, prices = _open_accounting(ctx)
    client = OpenRouterClient(ctx.base_url, key, ledger=ledger, price_lookup=prices)
    try:
        if model is None:
            model = _default_model(client)
        messages = [system_message(args.system)] if args.system else []
        messages.append(user_message(prompt))
        request = ChatRequest(model, messages, stream=not args.no_stream)
        completion = _run_cancellable(client, request, ctx, echo=not args.json)
    finally:
        client.close()
        if ledger is not None and not ledger.close():
            ctx.warn("copydesk: some usage rows could not be saved (see the log).")
    if args.json:
        ctx.echo(json.dumps(_as_json(completion), ensure_ascii=False, indent=2))
    ctx.warn(_summary(completion))
    return 0


def _open_accounting(ctx: CliContext) -> tuple[DatabaseLedger | None, PriceBook | None]:
    """The ledger and the stored prices; the call still runs when the database does not."""
    try:
        db = ctx.open_db()
        return DatabaseLedger(db), PriceBook.from_database(db)
    except Exception as exc:
        if not type(exc).__module__.startswith(("app.", "sqlalchemy.")):
            raise
        ctx.warn(f"copydesk: usage will not be recorded: {getattr(exc, 'message', exc)}")
        return None, None


def _default_model(client: OpenRouterClient) -> str:
    if not client.local_server:
        return DEFAULT_MODEL
    listed = client.list_models()
    if not listed:
        raise ModelNotFound(
            f"{client.host} lists no models; name one with --model (e.g. llama3.2:3b)."
        )
    return listed[0].id


def _run_cancellable(
    client: OpenRouterClient, request: ChatRequest, ctx: CliContext, *, echo: bool
) -> Completion:
    """Run the call on a worker thread so Ctrl+C can cancel it cleanly from this one."""
    token = CancelToken()
    outcome: dict[str, Any] = {}
    shown: list[str] = []

    def on_delta(text: str) -> None:
        shown.append(text)
        ctx.stdout.write(text)
        ctx.stdout.flush()

    finished = threading.Event()

    def work() -> None:
        try:
            outcome["completion"] = client.complete(
                request, cancel=token, on_delta=on_delta if echo else None
            )
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=work, name="copydesk-ask", daemon=True).start()
    try:
        # Short waits keep this thread responsive to Ctrl+C. (An Event, not Thread.join:
        # a join interrupted by Ctrl+C can report a live thread as finished.)
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        token.cancel()
        finished.wait(5)
        outcome.setdefault("error", Cancelled("Cancelled.", partial_text="".join(shown)))
    if shown and not "".join(shown).endswith("\n"):
        ctx.stdout.write("\n")
        ctx.stdout.flush()
    error = outcome.get("error")
    if error is not None:
        raise error
    completion: Completion = outcome["completion"]
    if echo and not request.stream:
        ctx.echo(completion.text)
    return completion


def _summary(completion: Completion) -> str:
    usage = completion.usage
    model = completion.model_used or completion.model_requested
    parts = [model + (f" via {completion.provider}" if completion.provider else "")]
    parts.append(f"{usage.input_tokens} in / {usage.output_tokens} out tokens")
    if usage.cached_tokens:
        parts.append(f"{usage.cached_tokens} cached")
    if completion.cost is None:
        parts.append("cost unknown")
    else:
        parts.append(
            f"${completion.cost:f}" + (" (estimated)" if completion.cost_estimated else "")
        )
    ms = completion.total_ms
    parts.append(f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s")
    if completion.attempts > 1:
        parts.append(f"{completion.attempts} attempts")
    return " · ".join(parts)


def _as_json(completion: Completion) -> dict[str, Any]:
    usage = completion.usage
    return {
        "text": completion.text,
        "model_requested": completion.model_requested,
        "model_used": completion.model_used,
        "provider": completion.provider,
        "generation_id": completion.generation_id,
        "request_id": completion.request_id,
        "finish_reason": completion.finish_reason,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cached_tokens": usage.cached_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
            "reasoning_tokens": usage.reasoning_tokens,
        },
        # A string keeps every digit of the Decimal.
        "cost": None if completion.cost is None else f"{completion.cost:f}",
        "cost_estimated": completion.cost_estimated,
        "ttft_ms": completion.ttft_ms,
        "total_ms": completion.total_ms,
        "attempts": completion.attempts,
    }


# -- models ----------------------------------------------------------------------------------


def models(args: argparse.Namespace, ctx: CliContext) -> int:
    db = ctx.open_db()
    with OpenRouterClient(ctx.base_url, ctx.api_key()) as client:
        snapshot = (
            catalog.refresh(db, client) if args.refresh else catalog.refresh_if_stale(db, client)
        )
    if snapshot.offline_error is not None:
        when = f"{snapshot.fetched_at:%Y-%m-%d %H:%M} UTC" if snapshot.fetched_at else "earlier"
        ctx.warn(f"copydesk: showing the catalog stored {when}; {snapshot.offline_error.message}")
    listed = catalog.search(db, args.search) if args.search else snapshot.models
    if not listed:
        ctx.warn("copydesk: no model matches." if args.search else "copydesk: no models listed.")
        return 0
    ctx.echo(_models_table(listed))
    return 0


def _models_table(listed: list[ModelInfo]) -> str:
    rows = [("MODEL", "CONTEXT", "INPUT $/M", "OUTPUT $/M", "NAME")]
    for model in listed:
        rows.append(
            (
                model.id,
                f"{model.context_length:,}" if model.context_length else "-",
                _per_million(model.prices.prompt),
                _per_million(model.prices.completion),
                model.name or "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(cell.rjust(w) for cell, w in zip(row[1:4], widths[1:], strict=True)),
                row[4],
            ]
        ).rstrip()
        for row in rows
    )


def _per_million(price: Decimal | None) -> str:
    if price is None:
        return "-"
    value = (price * _PER_MILLION).normalize()
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:f}"
