"""Renders one Scenario as the answer to one chat request: a JSON completion or an SSE stream
in OpenRouter's shape (or a local server's, in local mode)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tests.fakes.openrouter_defaults import message_text
from tests.fakes.openrouter_scenarios import Scenario

if TYPE_CHECKING:
    from tests.fakes.openrouter_server import _Handler

KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
_FINISHED = object()  # marks the end of the generation inside the event sequence


class PeerGoneError(Exception):
    """The client closed the connection (or the server is stopping) mid-response."""


class Completion:
    """Renders one Scenario for one chat request, streamed or not."""

    def __init__(self, handler: _Handler, scenario: Scenario, request: dict[str, Any]) -> None:
        self.handler = handler
        self.scenario = scenario
        self.request = request
        self.local = handler.fake.local_mode
        self.stream = bool(request.get("stream"))
        self.model = scenario.model or _requested_model(request) or self._first_model()
        self.generation_id = scenario.generation_id or _new_generation_id(self.local)
        self.created = int(time.time())
        self.chunks = _split(scenario.text, scenario.chunk_size)
        self.reasoning_chunks = _split(scenario.reasoning or "", scenario.chunk_size)
        self.started = time.monotonic()

    def run(self) -> None:
        kind = self.scenario.kind
        if kind == "error":
            self.handler._send_error(self.scenario)
        elif kind == "drop" and not (self.stream and self.scenario.respond_before_drop):
            self.handler.drop()
        elif kind == "hang" and not self.stream:
            self.handler.hang()
        elif self.stream:
            self._run_stream()
        else:
            self._run_json()

    # non-streaming -----------------------------------------------------------------------
    def _run_json(self) -> None:
        s = self.scenario
        self.handler.pause(s.first_token_delay + s.delay * len(self.chunks))
        failed = s.kind == "failed"
        message: dict[str, Any] = {"role": "assistant", "content": s.text}
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": s.finish_reason}
        if not self.local:
            message.update(refusal=None, reasoning=s.reasoning)
            choice.update(native_finish_reason=s.finish_reason, logprobs=None)
        elif s.reasoning:
            message["reasoning_content"] = s.reasoning
        if failed:
            choice["error"] = self._error_object()
        body = self._envelope("chat.completion", [choice])
        usage = self._usage()
        if usage is not None and s.usage_shape != "none":
            body["usage"] = usage
        self.handler._send_json(200, body, self._headers())
        self._remember(cancelled=False, finish_reason=s.finish_reason)

    # streaming ---------------------------------------------------------------------------
    def _run_stream(self) -> None:
        h = self.handler
        headers = {"Cache-Control": "no-cache", "Transfer-Encoding": "chunked"}
        headers.update(self._headers())
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            for name, value in headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.flush()
        except OSError as exc:
            raise PeerGoneError from exc
        finished = False  # the finish (or error) chunk is out: a close now cancels nothing
        try:
            for piece in self._events():
                if piece is _FINISHED:
                    finished = True
                elif isinstance(piece, float):
                    h.pause(piece)
                elif isinstance(piece, bytes):
                    self._write_event(piece)
            if self.scenario.kind in ("reply", "failed"):
                h.write_raw(b"0\r\n\r\n")  # end of the chunked body
        except PeerGoneError:
            if not finished:
                self._remember(cancelled=True, finish_reason=None)
                raise
            h.close_connection = True  # e.g. the client stopped reading at [DONE]
        kind = self.scenario.kind
        if kind == "hang":
            try:
                h.hang()
            finally:
                self._remember(cancelled=True, finish_reason=None)
        elif kind == "drop":
            h.drop()
        else:
            self._remember(cancelled=False, finish_reason=self.scenario.finish_reason)

    def _write_event(self, payload: bytes) -> None:
        step = self.scenario.split_bytes or len(payload)
        for start in range(0, len(payload), step):
            fragment = payload[start : start + step]
            self.handler.write_raw(b"%X\r\n%b\r\n" % (len(fragment), fragment))

    def _events(self) -> Iterator[bytes | float | object]:
        """The SSE byte events, with floats for pauses and _FINISHED once the generation ends."""
        s = self.scenario
        keepalives = 0 if self.local else s.keepalives
        for _ in range(keepalives):
            yield KEEPALIVE
            if s.first_token_delay:
                yield s.first_token_delay / keepalives
        if not keepalives and s.first_token_delay:
            yield float(s.first_token_delay)
        if not self.local:
            yield self._chunk([self._choice({"role": "assistant", "content": ""})])
        reasoning_key = "reasoning_content" if self.local else "reasoning"
        for piece in self.reasoning_chunks:
            yield self._chunk(
                [self._choice({"role": "assistant", "content": "", reasoning_key: piece})]
            )
        middle = len(self.chunks) // 2
        for index, piece in enumerate(self.chunks):
            if index and s.delay:
                yield float(s.delay)
            yield self._chunk([self._choice({"role": "assistant", "content": piece})])
            if s.midstream_keepalive and index == middle and not self.local:
                yield KEEPALIVE
        if s.midstream_keepalive and not self.chunks and not self.local:
            yield KEEPALIVE
        if s.kind == "failed":
            choices = [] if s.empty_choices else [self._choice({"content": ""}, "error")]
            yield self._chunk(choices, error=self._error_object())
            yield _FINISHED
        elif s.kind == "reply":
            yield self._chunk([self._choice({"role": "assistant", "content": ""}, s.finish_reason)])
            yield _FINISHED
            usage = self._usage()
            if usage is not None and self._streams_usage():
                if s.usage_shape == "empty_choices":
                    yield self._chunk([], usage=usage)
                else:
                    yield self._chunk(
                        [self._choice({"role": "assistant", "content": ""})], usage=usage
                    )
        if s.kind in ("reply", "failed") and s.done:
            yield b"data: [DONE]\n\n"

    def _streams_usage(self) -> bool:
        if self.scenario.usage_shape == "none":
            return False
        if not self.local:
            return True  # OpenRouter always reports usage now
        options = self.request.get("stream_options")
        return isinstance(options, dict) and options.get("include_usage") is True

    # pieces ------------------------------------------------------------------------------
    def _envelope(self, obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.generation_id}
        if not self.local:
            body["provider"] = self.scenario.provider
        body.update(model=self.model, object=obj, created=self.created, choices=choices)
        if self.local:
            body["system_fingerprint"] = "fp_ollama"
        return body

    def _chunk(self, choices: list[dict[str, Any]], **extra: Any) -> bytes:
        body = self._envelope("chat.completion.chunk", choices)
        body.update(extra)
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=json_default)
        return b"data: " + text.encode() + b"\n\n"

    def _choice(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        if not self.local:
            choice.update(native_finish_reason=finish_reason, logprobs=None)
        return choice

    def _error_object(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "code": s.error_code,
            "message": s.error_message,
            "metadata": {"error_type": s.error_type, "provider_name": s.provider},
        }

    def _headers(self) -> dict[str, str]:
        headers = {} if self.local else {"X-Generation-Id": self.generation_id}
        headers.update(self.scenario.headers)
        return headers

    def _usage(self) -> dict[str, Any] | None:
        s = self.scenario
        if s.usage is not None:
            return dict(s.usage)
        prompt_chars = sum(
            len(message_text(m.get("content")))
            for m in self.request.get("messages") or []
            if isinstance(m, dict)
        )
        prompt = max(1, prompt_chars // 4, s.cached_tokens)
        completion = len(self.chunks) + s.reasoning_tokens
        usage: dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        if self.local:
            if s.cached_tokens:
                usage["prompt_tokens_details"] = {"cached_tokens": s.cached_tokens}
            if s.reasoning_tokens:
                usage["completion_tokens_details"] = {"reasoning_tokens": s.reasoning_tokens}
            return usage
        if s.cost is not None:
            cost = Decimal(str(s.cost))
            usage["cost"] = cost
            usage["is_byok"] = False
        usage["prompt_tokens_details"] = {
            "cached_tokens": s.cached_tokens,
            "cache_write_tokens": 0,
            "audio_tokens": 0,
        }
        if s.cost is not None:
            usage["cost_details"] = {
                "upstream_inference_cost": None,
                "upstream_inference_prompt_cost": cost * prompt / max(1, prompt + completion),
                "upstream_inference_completions_cost": cost
                * completion
                / max(1, prompt + completion),
            }
        usage["completion_tokens_details"] = {
            "reasoning_tokens": s.reasoning_tokens,
            "image_tokens": 0,
        }
        return usage

    def _remember(self, *, cancelled: bool, finish_reason: str | None) -> None:
        """Make the answer visible at GET /generation, as OpenRouter does (not in local mode)."""
        if self.local:
            return
        usage = self._usage() or {}
        elapsed_ms = int((time.monotonic() - self.started) * 1000)
        details_prompt = usage.get("prompt_tokens_details") or {}
        details_completion = usage.get("completion_tokens_details") or {}
        self.handler.fake._store_generation(
            self.generation_id,
            {
                "id": self.generation_id,
                "total_cost": usage.get("cost", 0),
                "created_at": datetime.now(UTC).isoformat(),
                "model": self.model,
                "provider_name": self.scenario.provider,
                "streamed": self.stream,
                "cancelled": cancelled,
                "latency": elapsed_ms,
                "generation_time": elapsed_ms,
                "finish_reason": finish_reason,
                "native_finish_reason": finish_reason,
                "tokens_prompt": usage.get("prompt_tokens"),
                "tokens_completion": usage.get("completion_tokens"),
                "native_tokens_prompt": usage.get("prompt_tokens"),
                "native_tokens_completion": usage.get("completion_tokens"),
                "native_tokens_reasoning": details_completion.get("reasoning_tokens", 0),
                "native_tokens_cached": details_prompt.get("cached_tokens", 0),
                "is_byok": False,
            },
        )

    def _first_model(self) -> str:
        models = self.handler.fake.models
        if models and isinstance(models[0], dict) and models[0].get("id"):
            return str(models[0]["id"])
        return "openrouter/auto"


def _requested_model(request: dict[str, Any]) -> str | None:
    model = request.get("model")
    if isinstance(model, str) and model:
        return model
    fallbacks = request.get("models")
    if isinstance(fallbacks, list) and fallbacks and isinstance(fallbacks[0], str):
        return fallbacks[0]
    return None


def _new_generation_id(local: bool) -> str:
    if local:
        return f"chatcmpl-{secrets.randbelow(10**9)}"
    return f"gen-{int(time.time())}-{secrets.token_urlsafe(15)[:20]}"


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # JSON has one number type; clients parse it as they see fit
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
