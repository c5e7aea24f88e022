"""The OpenRouter client: chat completions (streamed or not), structured output, the model
list, key checks and generation lookups, for OpenRouter or any OpenAI-compatible server.

Synchronous and safe to share between worker threads. Every attempt of every chat call is
reported to the ledger as one row, success or failure, with a request id shared by its
retries. See OPENROUTER.md for the protocol facts this follows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from app import __version__
from app.keystore import key_hash
from app.llm.cancel import CancelToken
from app.llm.errors import (
    BadKey,
    Cancelled,
    InvalidResponse,
    LLMError,
    NetworkError,
    OutOfCredits,
    RateLimited,
    StreamStalled,
    StructuredOutputInvalid,
)
from app.llm.http_errors import Redactor, error_for_status, error_in_stream
from app.llm.ledger import CHAT_ENDPOINT, CallRecord, LedgerSink
from app.llm.model_ids import normalise_model_id, normalise_model_ids
from app.llm.requests import CallContext, ChatRequest
from app.llm.results import (
    Completion,
    KeyInfo,
    ModelInfo,
    ModelPrices,
    Usage,
    parse_key_info,
    parse_model_info,
    parse_usage,
)
from app.llm.retry import RetryPolicy
from app.llm.sse import SSEDecoder, SSEEvent
from app.llm.structured import (
    parse_json_answer,
    repair_request,
    structured_request,
    validator_for,
)
from app.llm.transport import ConnectionInterrupter, InterruptibleTransport, interruptible

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"

PriceLookup = Callable[[str], ModelPrices | None]
DeltaCallback = Callable[[str], None]


@dataclass
class _Attempt:
    """What one attempt has learned so far; turned into a Completion or a ledger row."""

    started: float = field(default_factory=time.monotonic)
    called_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    http_status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    generation_id: str | None = None
    model_used: str | None = None
    provider: str | None = None
    parts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    reported_cost: Decimal | None = None
    ttft_ms: int | None = None
    done: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def delivered(self) -> bool:
        """Content reached the caller: from here on the attempt must not be repeated."""
        return bool(self.parts)

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


class OpenRouterClient:
    """A client of OpenRouter's API (or of a local OpenAI-compatible server).

    ``local_server`` defaults to "the host is not openrouter.ai": such servers get
    ``stream_options.include_usage`` and are not expected to report cost. ``price_lookup``
    estimates a cost when the server reports none; it is called on the calling thread, so it
    should answer from memory (see catalog.PriceBook).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        ledger: LedgerSink | None = None,
        price_lookup: PriceLookup | None = None,
        app_url: str = "https://copydesk.app",
        app_title: str = "Copydesk",
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        local_server: bool | None = None,
    ) -> None:
        url = httpx.URL(base_url.rstrip("/") + "/")
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"{base_url!r} is not an http(s) URL of an OpenAI-compatible API")
        self.base_url = str(url).rstrip("/")
        self.host = url.host
        self.local_server = local_server if local_server is not None else not is_openrouter(url)
        self.ledger = ledger
        self.price_lookup = price_lookup
        self.read_timeout = read_timeout
        self.retry_policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._api_key = api_key.strip() if api_key else None
        self._key_hash = key_hash(self._api_key) if self._api_key else None
        self._redact = Redactor(self._api_key)
        self._last_key_info: KeyInfo | None = None
        headers = {
            "HTTP-Referer": app_url,
            "X-Title": app_title,
            "X-OpenRouter-Title": app_title,
            "User-Agent": f"Copydesk/{__version__}",
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        self._http = httpx.Client(
            base_url=str(url),
            headers=headers,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            transport=InterruptibleTransport(),
        )

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OpenRouterClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def key_hash(self) -> str | None:
        return self._key_hash

    # -- chat ------------------------------------------------------------------------------

    def complete(
        self,
        request: ChatRequest,
        *,
        cancel: CancelToken | None = None,
        on_delta: DeltaCallback | None = None,
        context: CallContext | None = None,
    ) -> Completion:
        """Run one chat completion, with retries, and return the finished answer.

        With ``request.stream`` (the default) text reaches ``on_delta`` as it arrives and
        ``cancel`` closes the connection at once, which stops the generation. Errors are
        typed (app.llm.errors); a failure after text arrived keeps it in ``partial_text``.
        ``Completion.total_ms`` covers the whole call, retries included; ``ttft_ms`` is the
        time to first token of the attempt that answered.
        """
        body = self._chat_body(request)
        model = str(body["model"])
        request_id = uuid.uuid4().hex
        # Backoff waits go through a token so that a cancel ends them at once.
        waiter = cancel or CancelToken()
        started = time.monotonic()
        retry_number = 0
        while True:
            if cancel is not None and cancel.cancelled:
                raise Cancelled("The request was cancelled.", request_id=request_id)
            attempt = _Attempt()
            try:
                self._chat_attempt(body, request.stream, attempt, cancel, on_delta)
            except BaseException as exc:
                error = self._as_llm_error(exc, attempt, cancel)
                self._record(
                    attempt, request_id, model, request.stream, context, retry_number, error or exc
                )
                if error is None:
                    raise
                error.request_id = request_id
                delay = self._retry_delay(error, attempt, retry_number, cancel)
                if delay is None:
                    if retry_number:
                        _note_attempts(error, retry_number + 1)
                    self._add_known_limit(error)
                    if error is exc:
                        raise
                    raise error from exc
                log.info(
                    "Retrying %s after %s (%.2f s, retry %d)",
                    model,
                    error.kind,
                    delay,
                    retry_number + 1,
                )
                if waiter.wait(delay):
                    raise Cancelled(
                        "The request was cancelled while waiting to retry.", request_id=request_id
                    ) from exc
                retry_number += 1
                continue
            cost, estimated = self._cost(attempt)
            self._record(attempt, request_id, model, request.stream, context, retry_number, None)
            return Completion(
                text=attempt.text,
                model_requested=model,
                model_used=attempt.model_used,
                provider=attempt.provider,
                generation_id=attempt.generation_id,
                finish_reason=attempt.finish_reason,
                usage=attempt.usage or Usage(),
                cost=cost,
                cost_estimated=estimated,
                ttft_ms=attempt.ttft_ms,
                total_ms=int((time.monotonic() - started) * 1000),
                attempts=retry_number + 1,
                request_id=request_id,
            )

    def complete_json(
        self,
        request: ChatRequest,
        schema: Mapping[str, Any],
        *,
        schema_name: str = "result",
        cancel: CancelToken | None = None,
        on_delta: DeltaCallback | None = None,
        context: CallContext | None = None,
    ) -> tuple[dict[str, Any], Completion]:
        """Ask for a JSON object matching ``schema``; validate it, and on failure ask the
        model once to repair it. The Completion returned accounts for both calls then.

        Raises StructuredOutputInvalid when the repaired answer is still invalid.
        """
        validator = validator_for(schema)
        asked = structured_request(request, schema, schema_name, openrouter=not self.local_server)
        first = self.complete(asked, cancel=cancel, on_delta=on_delta, context=context)
        data, problem = parse_json_answer(first.text, validator)
        if data is not None:
            return data, first
        log.info("Structured answer invalid (%s); asking the model to repair it", problem)
        second = self.complete(
            repair_request(asked, first.text, problem),
            cancel=cancel,
            on_delta=on_delta,
            context=context,
        )
        data, problem = parse_json_answer(second.text, validator)
        combined = _combine(first, second)
        if data is not None:
            return data, combined
        raise StructuredOutputInvalid(
            f"The model's answer did not match the {schema_name!r} schema, even after it was "
            f"asked to fix it: {problem}. Try again or choose a model that supports "
            "structured outputs.",
            raw_text=second.text,
            validation_error=problem,
            partial_text=second.text,
            request_id=second.request_id,
        )

    # -- other endpoints -------------------------------------------------------------------

    def list_models(self) -> list[ModelInfo]:
        """``GET /models``: every model the server offers, with prices where it gives them."""
        data = self._get_json("/models").get("data")
        if not isinstance(data, list):
            raise InvalidResponse(f"{self.host} answered /models without a list of models.")
        return [parse_model_info(item) for item in data if isinstance(item, dict) and "id" in item]

    def key_info(self) -> KeyInfo:
        """``GET /key``: validates the key (BadKey when rejected) and reports its limits."""
        if not self._api_key:
            raise BadKey(
                "No OpenRouter key is set. Save one in the key dialog or set OPENROUTER_API_KEY."
            )
        data = self._get_json("/key").get("data")
        if not isinstance(data, dict):
            raise InvalidResponse(f"{self.host} answered /key without key details.")
        info = parse_key_info(data)
        self._last_key_info = info
        return info

    def generation(self, generation_id: str) -> dict[str, Any]:
        """``GET /generation?id=…``: cost and timing of a finished generation."""
        data = self._get_json("/generation", params={"id": generation_id}).get("data")
        if not isinstance(data, dict):
            raise InvalidResponse(f"{self.host} answered /generation without details.")
        return data

    # -- one attempt -----------------------------------------------------------------------

    def _chat_body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": normalise_model_id(request.model),
            "messages": [dict(message) for message in request.messages],
            "stream": request.stream,
        }
        if request.models:
            body["models"] = normalise_model_ids(list(request.models))
        optional = {
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stop": list(request.stop) if request.stop is not None else None,
            "seed": request.seed,
            "top_p": request.top_p,
            "response_format": dict(request.response_format) if request.response_format else None,
            "provider": dict(request.provider) if request.provider else None,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        if request.stream and self.local_server:
            # Local servers report usage while streaming only when asked to.
            body["stream_options"] = {"include_usage": True}
        body.update(request.extra)
        return body

    def _chat_attempt(
        self,
        body: Mapping[str, Any],
        stream: bool,
        attempt: _Attempt,
        cancel: CancelToken | None,
        on_delta: DeltaCallback | None,
    ) -> None:
        interrupter = ConnectionInterrupter()
        unregister = cancel.on_cancel(interrupter.interrupt) if cancel is not None else None
        try:
            with (
                interruptible(interrupter),
                self._http.stream("POST", "chat/completions", json=body) as response,
            ):
                attempt.http_status = response.status_code
                attempt.headers = response.headers
                attempt.generation_id = response.headers.get("x-generation-id")
                if not response.is_success:
                    response.read()
                    raise self._status_error(response, str(body["model"]))
                if stream:
                    self._read_stream(response, attempt, cancel, on_delta, str(body["model"]))
                else:
                    response.read()
                    self._read_body(response, attempt, str(body["model"]))
        finally:
            if unregister is not None:
                unregister()

    def _read_stream(
        self,
        response: httpx.Response,
        attempt: _Attempt,
        cancel: CancelToken | None,
        on_delta: DeltaCallback | None,
        model: str,
    ) -> None:
        decoder = SSEDecoder()
        for chunk in response.iter_bytes():
            for event in decoder.feed(chunk):
                if self._take_event(event, attempt, on_delta, model):
                    return
            if cancel is not None and cancel.cancelled:
                raise Cancelled("The request was cancelled.", partial_text=attempt.text)
        for event in decoder.finish():
            if self._take_event(event, attempt, on_delta, model):
                return
        if attempt.finish_reason is None:
            raise NetworkError(
                f"The connection to {self.host} ended before the answer was complete.",
                retryable=not attempt.delivered,
                partial_text=attempt.text,
            )

    def _take_event(
        self,
        event: SSEEvent,
        attempt: _Attempt,
        on_delta: DeltaCallback | None,
        model: str,
    ) -> bool:
        """Apply one event; True at the end of the stream."""
        if event.is_done:
            attempt.done = True
            return True
        try:
            chunk = json.loads(event.data)
        except ValueError:
            log.warning("Skipping an event from %s that is not JSON", self.host)
            return False
        if not isinstance(chunk, dict):
            return False
        self._take_metadata(chunk, attempt)
        error = chunk.get("error")
        for choice in _main_choices(chunk):
            delta = choice.get("delta")
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str) and content:
                if attempt.ttft_ms is None:
                    attempt.ttft_ms = attempt.elapsed_ms()
                attempt.parts.append(content)
                if on_delta is not None:
                    on_delta(content)
            finish = choice.get("finish_reason")
            if isinstance(finish, str) and finish:
                attempt.finish_reason = finish
                if finish == "error" and error is None:
                    error = choice.get("error") or {"message": "finish_reason error"}
        if error is not None:
            attempt.finish_reason = "error"
            raise error_in_stream(
                error, model=model, host=self.host, partial_text=attempt.text, redact=self._redact
            )
        return False

    def _read_body(self, response: httpx.Response, attempt: _Attempt, model: str) -> None:
        try:
            data = response.json()
        except ValueError:
            raise InvalidResponse(
                f"{self.host} answered a chat request with something that is not JSON."
            ) from None
        if not isinstance(data, dict):
            raise InvalidResponse(f"{self.host} answered a chat request with unexpected JSON.")
        self._take_metadata(data, attempt)
        error = data.get("error")
        for choice in _main_choices(data):
            message = choice.get("message")
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, str):
                attempt.parts.append(content)
            finish = choice.get("finish_reason")
            if isinstance(finish, str) and finish:
                attempt.finish_reason = finish
                if finish == "error" and error is None:
                    error = choice.get("error") or {"message": "finish_reason error"}
        if error is not None:
            attempt.finish_reason = "error"
            # Nothing reached the caller yet, but the text is kept for the error.
            failure = error_in_stream(
                error, model=model, host=self.host, partial_text="", redact=self._redact
            )
            failure.partial_text = attempt.text
            raise failure
        if attempt.finish_reason is None and not attempt.parts:
            raise InvalidResponse(f"{self.host} answered a chat request without any choice.")

    @staticmethod
    def _take_metadata(chunk: Mapping[str, Any], attempt: _Attempt) -> None:
        if attempt.generation_id is None and isinstance(chunk.get("id"), str):
            attempt.generation_id = chunk["id"]
        if isinstance(chunk.get("model"), str) and chunk["model"]:
            attempt.model_used = chunk["model"]
        if isinstance(chunk.get("provider"), str) and chunk["provider"]:
            attempt.provider = chunk["provider"]
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            attempt.usage, attempt.reported_cost = parse_usage(usage)

    def _status_error(self, response: httpx.Response, model: str | None) -> LLMError:
        return error_for_status(
            response.status_code,
            response.headers,
            response.content,
            model=model,
            host=self.host,
            policy=self.retry_policy,
            redact=self._redact,
        )

    # -- failures and retries --------------------------------------------------------------

    def _as_llm_error(
        self, exc: BaseException, attempt: _Attempt, cancel: CancelToken | None
    ) -> LLMError | None:
        """The typed error for whatever ended an attempt; None for the caller's own bugs."""
        cancelled = cancel is not None and cancel.cancelled
        if (
            cancelled
            and isinstance(exc, httpx.HTTPError | LLMError)
            and not isinstance(exc, Cancelled)
        ):
            return Cancelled("The request was cancelled.", partial_text=attempt.text)
        if isinstance(exc, LLMError):
            if not exc.partial_text and attempt.parts:
                exc.partial_text = attempt.text
            if attempt.delivered:
                exc.retryable = False
            return exc
        if isinstance(exc, httpx.HTTPError):
            return self._transport_error(exc, attempt)
        return None

    def _transport_error(self, exc: httpx.HTTPError, attempt: _Attempt) -> LLMError:
        retryable = not attempt.delivered
        reason = self._redact(str(exc)) or type(exc).__name__
        if isinstance(exc, httpx.ReadTimeout):
            return StreamStalled(
                f"{self.host} sent nothing for {self.read_timeout:g} s, so the request was "
                "abandoned. The model or its provider may be overloaded; try again.",
                retryable=retryable,
                partial_text=attempt.text,
            )
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return NetworkError(
                f"Could not reach {self.host} ({reason}). Check the internet connection, "
                "or that the server at this address is running.",
                retryable=retryable,
            )
        if isinstance(exc, httpx.TimeoutException):
            return NetworkError(
                f"{self.host} did not respond in time ({type(exc).__name__}).",
                retryable=retryable,
                partial_text=attempt.text,
            )
        if isinstance(exc, httpx.TransportError):
            return NetworkError(
                f"The connection to {self.host} broke ({reason}).",
                retryable=retryable,
                partial_text=attempt.text,
            )
        return NetworkError(f"The request to {self.host} failed ({reason}).", retryable=False)

    def _retry_delay(
        self,
        error: LLMError,
        attempt: _Attempt,
        retry_number: int,
        cancel: CancelToken | None,
    ) -> float | None:
        """Seconds to wait before retrying, or None to give up with ``error``."""
        if isinstance(error, Cancelled) or not error.retryable or attempt.delivered:
            return None
        if retry_number >= self.retry_policy.max_retries:
            return None
        if attempt.http_status is not None and attempt.http_status >= 400:
            delay = self.retry_policy.delay(retry_number + 1, attempt.headers)
            if delay is None:
                # The server asked for a wait beyond what a caller should sit through.
                error.retryable = False
            return delay
        return self.retry_policy.backoff(retry_number + 1)

    def _add_known_limit(self, error: LLMError) -> None:
        if isinstance(error, OutOfCredits) and error.limit is None and self._last_key_info:
            error.limit = self._last_key_info.limit

    def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        retry_number = 0
        while True:
            attempt = _Attempt()
            try:
                response = self._http.get(path.lstrip("/"), params=params)
                attempt.http_status = response.status_code
                attempt.headers = response.headers
                if not response.is_success:
                    raise self._status_error(response, None)
                data = response.json()
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                return data
            except ValueError:
                raise InvalidResponse(
                    f"{self.host} answered {path} with something that is not a JSON object."
                ) from None
            except LLMError as exc:
                error: LLMError = exc
            except httpx.HTTPError as exc:
                error = self._transport_error(exc, attempt)
                error.__cause__ = exc
            delay = self._retry_delay(error, attempt, retry_number, None)
            if delay is None:
                raise error
            time.sleep(delay)
            retry_number += 1

    # -- accounting ------------------------------------------------------------------------

    def _cost(self, attempt: _Attempt) -> tuple[Decimal | None, bool]:
        if attempt.reported_cost is not None:
            return attempt.reported_cost, False
        if attempt.usage is None or self.price_lookup is None:
            return None, False
        model = attempt.model_used
        prices = self.price_lookup(model) if model else None
        if prices is None or not prices.known:
            return None, False
        return prices.cost_of(attempt.usage), True

    def _record(
        self,
        attempt: _Attempt,
        request_id: str,
        model: str,
        streamed: bool,
        context: CallContext | None,
        retry_number: int,
        failure: BaseException | None,
    ) -> None:
        if self.ledger is None:
            return
        try:
            usage = attempt.usage or Usage()
            cost, estimated = self._cost(attempt)
            context = context or CallContext()
            error_type = error_message = None
            if failure is not None:
                error_type = getattr(failure, "kind", None) or type(failure).__name__
                error_message = self._redact(
                    getattr(failure, "message", None) or str(failure) or type(failure).__name__
                )
            self.ledger.record(
                CallRecord(
                    request_id=request_id,
                    model_requested=model,
                    success=failure is None,
                    called_at=attempt.called_at,
                    generation_id=attempt.generation_id,
                    piece_id=context.piece_id,
                    step_id=context.step_id,
                    project_id=context.project_id,
                    agent_id=context.agent_id,
                    content_type=context.content_type,
                    endpoint=CHAT_ENDPOINT,
                    model_used=attempt.model_used,
                    provider=attempt.provider,
                    streamed=streamed,
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    cached_tokens=usage.cached_tokens,
                    reasoning_tokens=usage.reasoning_tokens,
                    cost=cost,
                    cost_estimated=estimated,
                    ttft_ms=attempt.ttft_ms,
                    total_ms=attempt.elapsed_ms(),
                    http_status=attempt.http_status,
                    error_type=error_type,
                    error_message=error_message,
                    retry_number=retry_number,
                    cache_hit=usage.cached_tokens > 0,
                    key_hash=self._key_hash,
                )
            )
        except Exception:
            # Accounting must never break a call that worked.
            log.exception("Could not record a usage row")


def is_openrouter(base_url: str | httpx.URL) -> bool:
    """Whether ``base_url`` is OpenRouter itself rather than a local or other compatible server."""
    host = httpx.URL(base_url).host
    return host == "openrouter.ai" or host.endswith(".openrouter.ai")


def _main_choices(chunk: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The choices of the first (index 0) completion; there may be none at all."""
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return
    for choice in choices:
        if isinstance(choice, dict) and choice.get("index", 0) in (0, None):
            yield choice


def _note_attempts(error: LLMError, attempts: int) -> None:
    error.message = f"{error.message} (gave up after {attempts} attempts)"
    error.args = (error.message,)


def _combine(first: Completion, second: Completion) -> Completion:
    """One Completion accounting for a call and its repair."""
    costs = [c.cost for c in (first, second)]
    return dataclasses.replace(
        second,
        usage=Usage(
            input_tokens=first.usage.input_tokens + second.usage.input_tokens,
            output_tokens=first.usage.output_tokens + second.usage.output_tokens,
            cached_tokens=first.usage.cached_tokens + second.usage.cached_tokens,
            cache_write_tokens=first.usage.cache_write_tokens + second.usage.cache_write_tokens,
            reasoning_tokens=first.usage.reasoning_tokens + second.usage.reasoning_tokens,
        ),
        cost=None if None in costs else sum((c for c in costs if c is not None), Decimal(0)),
        cost_estimated=first.cost_estimated or second.cost_estimated,
        ttft_ms=first.ttft_ms,
        total_ms=first.total_ms + second.total_ms,
        attempts=first.attempts + second.attempts,
    )


__all__ = [
    "DEFAULT_BASE_URL",
    "CallContext",
    "ChatRequest",
    "Completion",
    "KeyInfo",
    "ModelInfo",
    "OpenRouterClient",
    "PriceLookup",
    "RateLimited",
    "Usage",
    "is_openrouter",
]
