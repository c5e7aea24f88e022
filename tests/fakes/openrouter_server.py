"""A real HTTP server on 127.0.0.1 that speaks OpenRouter's API as /work/shared/OPENROUTER.md
describes it, for tests and for running the app offline.

    with FakeOpenRouter() as fake:
        fake.enqueue(reply("Hello"), rate_limited(retry_after_ms=10))
        ...  # point a client at fake.base_url with the key TEST_KEY

Chat requests take the next queued Scenario, else the responder (default: default_responder,
which answers anything plausibly). local_mode=True behaves like Ollama / llama.cpp instead.

Run by hand:  python -m tests.fakes.openrouter_server [--port N] [--local]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.openrouter_completion import Completion, PeerGoneError, json_default
from tests.fakes.openrouter_defaults import (
    default_key_info,
    default_local_models,
    default_models,
    default_responder,
)
from tests.fakes.openrouter_scenarios import (
    DEFAULT_COST,
    Scenario,
    bad_key,
    drop_connection,
    error,
    finish_error,
    hang_after,
    in_flight_budget,
    midstream_error,
    model_not_found,
    moderation,
    no_credits,
    no_endpoints,
    provider_down,
    rate_limited,
    reply,
)

__all__ = [
    "DEFAULT_COST",
    "TEST_KEY",
    "FakeOpenRouter",
    "RecordedRequest",
    "Scenario",
    "bad_key",
    "default_responder",
    "drop_connection",
    "error",
    "finish_error",
    "hang_after",
    "in_flight_budget",
    "midstream_error",
    "model_not_found",
    "moderation",
    "no_credits",
    "no_endpoints",
    "provider_down",
    "rate_limited",
    "reply",
]

TEST_KEY = "sk-or-test-key"
API_PREFIX = "/api/v1"
_POLL_SECONDS = 0.05

Responder = Callable[[dict[str, Any]], Scenario]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # without the query string, e.g. "/api/v1/chat/completions"
    headers: dict[str, str]  # names lower-cased
    json: Any  # the parsed body, None when empty or not JSON
    query: dict[str, str]


class FakeOpenRouter:
    """The server and everything a test scripts or inspects. Thread-safe."""

    def __init__(
        self,
        *,
        local_mode: bool = False,
        valid_keys: Collection[str] | None = frozenset({TEST_KEY}),
        port: int = 0,
    ) -> None:
        self.local_mode = local_mode
        # None accepts any request, with or without a key.
        self.valid_keys: set[str] | None = None if valid_keys is None else set(valid_keys)
        self.models: list[dict[str, Any]] = (
            default_local_models() if local_mode else default_models()
        )
        self.key_info: dict[str, Any] = default_key_info()
        self.generations: dict[str, dict[str, Any]] = {}
        self._port = port
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[Scenario] = deque()
        self._responder: Responder = default_responder
        self._requests: list[RecordedRequest] = []
        self._disconnects = 0
        self._handler_errors: list[str] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeOpenRouter:
        if self._server is not None:
            raise RuntimeError("FakeOpenRouter is already started")
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self._port), self)
        self._base_url = f"http://127.0.0.1:{self._server.server_address[1]}{API_PREFIX}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # how quickly stop() returns
            name="fake-openrouter",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()  # hanging streams end without counting as client disconnects
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join(timeout=5)
        server.join_handlers(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenRouter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/api/v1 — still known after stop(), when it refuses connections."""
        if self._base_url is None:
            raise RuntimeError("start() the FakeOpenRouter before asking for its base_url")
        return self._base_url

    # scripting ---------------------------------------------------------------------------
    def enqueue(self, *scenarios: Scenario) -> None:
        with self._lock:
            self._queue.extend(scenarios)

    def set_responder(self, fn: Responder | None) -> None:
        """Answer chat requests with fn(request_json) when the queue is empty (None: default)."""
        with self._lock:
            self._responder = default_responder if fn is None else fn

    @property
    def pending(self) -> int:
        """Queued scenarios not yet consumed."""
        with self._lock:
            return len(self._queue)

    # inspection --------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == f"{API_PREFIX}/chat/completions"]

    @property
    def disconnects(self) -> int:
        with self._lock:
            return self._disconnects

    @property
    def handler_errors(self) -> list[str]:
        """Unexpected exceptions inside the fake itself (a bug in it, not in the client)."""
        with self._lock:
            return list(self._handler_errors)

    def wait_for_disconnect(self, timeout: float, *, count: int = 1) -> bool:
        """Wait until `count` responses in total were cut short by the client closing."""
        with self._changed:
            return self._changed.wait_for(lambda: self._disconnects >= count, timeout)

    def wait_for_requests(self, n: int, timeout: float) -> bool:
        """Wait until n requests (to any endpoint, chat or not) have arrived in total."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._requests) >= n, timeout)

    # used by the request handler ---------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def _note_disconnect(self) -> None:
        if self._stopping.is_set():
            return
        with self._changed:
            self._disconnects += 1
            self._changed.notify_all()

    def _note_handler_error(self, description: str) -> None:
        with self._lock:
            self._handler_errors.append(description)

    def _next_scenario(self, request_json: dict[str, Any]) -> Scenario:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            responder = self._responder
        return responder(request_json)

    def _store_generation(self, generation_id: str, record: dict[str, Any]) -> None:
        with self._lock:
            self.generations.setdefault(generation_id, record)

    def _generation(self, generation_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self.generations.get(generation_id)


class _Server(ThreadingHTTPServer):
    """Keeps track of its connections so stop() can end hanging streams and idle keep-alives."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], fake: FakeOpenRouter) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._handlers: list[threading.Thread] = []
        self._track_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Small writes must leave at once so split_bytes really fragments the stream.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="fake-openrouter-connection",
            daemon=True,
        )
        with self._track_lock:
            self._connections.add(request)
            self._handlers = [t for t in self._handlers if t.is_alive()]
            self._handlers.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._track_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._track_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._track_lock:
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError) and (
            isinstance(exc, ConnectionError) or self.fake._stopping.is_set()
        ):
            return  # the client went away; nothing to report
        self.fake._note_handler_error(repr(exc))
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # routing -----------------------------------------------------------------------------
    @property
    def fake(self) -> FakeOpenRouter:
        return self.server.fake

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self._read_body()
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = None
        self.fake._record(
            RecordedRequest(
                method=method,
                path=url.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                json=parsed,
                query=dict(parse_qsl(url.query)),
            )
        )
        route = url.path.removeprefix(API_PREFIX) if url.path.startswith(API_PREFIX) else None
        try:
            if route == "/chat/completions" and method == "POST":
                self._chat(body, parsed)
            elif route == "/models" and method == "GET":
                self._models()
            elif route == "/key" and method == "GET" and not self.fake.local_mode:
                self._key()
            elif route == "/generation" and method == "GET" and not self.fake.local_mode:
                self._generation(dict(parse_qsl(url.query)))
            else:
                self._not_found()
        except PeerGoneError:
            self.close_connection = True
            self.fake._note_disconnect()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _auth_failure(self) -> Scenario | None:
        valid = self.fake.valid_keys
        if valid is None:
            return None
        header = self.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return error(401, "No auth credentials found")
        return None if key.strip() in valid else bad_key()

    # endpoints ---------------------------------------------------------------------------
    def _chat(self, body: bytes, request: Any) -> None:
        failure = self._auth_failure()
        if failure is not None:
            self._send_error(failure)
            return
        if not isinstance(request, dict):
            self._send_error(error(400, "Invalid JSON body" if body else "Empty request body"))
            return
        try:
            scenario = self.fake._next_scenario(request)
        except Exception as exc:  # a broken responder is a test bug: say so loudly
            self.fake._note_handler_error(f"responder failed: {exc!r}")
            self._send_error(error(500, f"fake responder failed: {exc!r}"))
            return
        Completion(self, scenario, request).run()

    def _models(self) -> None:
        body: dict[str, Any] = {"data": self.fake.models}
        if self.fake.local_mode:
            body = {"object": "list", **body}
        self._send_json(200, body)

    def _key(self) -> None:
        failure = self._auth_failure()
        if failure is not None:
            self._send_error(failure)
            return
        self._send_json(200, {"data": self.fake.key_info})

    def _generation(self, query: dict[str, str]) -> None:
        failure = self._auth_failure()
        if failure is not None:
            self._send_error(failure)
            return
        generation_id = query.get("id")
        if not generation_id:
            self._send_error(error(400, "Missing required query parameter: id"))
            return
        record = self.fake._generation(generation_id)
        if record is None:
            self._send_error(error(404, f"Generation {generation_id} not found"))
            return
        self._send_json(200, {"data": record})

    def _not_found(self) -> None:
        if self.fake.local_mode:  # Ollama / llama.cpp answer unknown routes in plain text
            self._send_bytes(404, b"404 page not found", "text/plain; charset=utf-8", {})
        else:
            self._send_error(error(404, "Not Found"))

    # writing -----------------------------------------------------------------------------
    def _send_error(self, scenario: Scenario) -> None:
        payload: dict[str, Any] = {"code": scenario.error_code, "message": scenario.error_message}
        if scenario.error_metadata is not None:
            payload["metadata"] = dict(scenario.error_metadata)
        body: dict[str, Any] = {"error": payload}
        if scenario.status != 401:
            body["user_id"] = "user_fake"
        self._send_json(scenario.status, body, dict(scenario.headers))

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False, default=json_default).encode()
        self._send_bytes(status, data, "application/json", headers or {})

    def _send_bytes(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError as exc:
            raise PeerGoneError from exc

    def peer_closed(self, timeout: float) -> bool:
        """True once the client has closed its side (recv would return b'') or we are stopping."""
        if self.fake._stopping.is_set():
            return True
        try:
            readable, _, _ = select.select([self.connection], [], [], timeout)
            if not readable:
                return False
            peeked = self.connection.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return False
        except (OSError, ValueError):
            return True
        if peeked:  # unexpected bytes from the client: not a close; don't spin on them
            self.fake._stopping.wait(timeout)
            return False
        return True

    def pause(self, seconds: float) -> None:
        """Wait, but notice at once if the client leaves (raises PeerGoneError)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.peer_closed(min(remaining, _POLL_SECONDS)):
                raise PeerGoneError

    def hang(self) -> None:
        """Send nothing until the client disconnects or the server stops."""
        while not self.peer_closed(_POLL_SECONDS):
            pass
        raise PeerGoneError

    def write_raw(self, data: bytes) -> None:
        if self.peer_closed(0):
            raise PeerGoneError
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError as exc:
            raise PeerGoneError from exc

    def drop(self) -> None:
        """Close the socket with nothing more: the client sees a connection error."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.openrouter_server",
        description="Serve a fake OpenRouter API on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any)")
    parser.add_argument(
        "--local", action="store_true", help="behave like a local Ollama / llama.cpp server"
    )
    args = parser.parse_args(argv)
    fake = FakeOpenRouter(local_mode=args.local, valid_keys=None, port=args.port)
    with fake:
        print(fake.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
