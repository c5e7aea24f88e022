"""The fake's bytes on the wire: keep-alive comments, chunk fragmentation, and the CLI."""

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, reply

REPO_ROOT = Path(__file__).resolve().parents[2]


def _raw_stream(fake: FakeOpenRouter, request: dict[str, Any]) -> tuple[str, list[bytes]]:
    """POST over a bare socket; return the response head and the HTTP chunks as sent."""
    body = json.dumps({"model": "a/b", "messages": [], "stream": True, **request}).encode()
    port = int(fake.base_url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/chat/completions HTTP/1.1\r\nHost: fake\r\nConnection: close\r\n"
            + f"Authorization: Bearer {TEST_KEY}\r\nContent-Type: application/json\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    chunks = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2 :]
    return head.decode(), chunks


@pytest.mark.parametrize("split_bytes", [1, 2, 3])
def test_split_bytes_fragments_events_inside_utf8(
    openrouter: FakeOpenRouter, split_bytes: int
) -> None:
    openrouter.enqueue(reply("寿司 🍣", split_bytes=split_bytes))

    head, chunks = _raw_stream(openrouter, {})

    assert "Transfer-Encoding: chunked" in head
    assert "Content-Type: text/event-stream" in head
    assert all(len(chunk) <= split_bytes for chunk in chunks)
    undecodable = 0
    for chunk in chunks:
        try:
            chunk.decode()
        except UnicodeDecodeError:
            undecodable += 1
    assert undecodable > 0  # some fragment ends inside a multi-byte character
    assert "寿司 🍣" in b"".join(chunks).decode()


def test_keepalives_come_first_and_midstream(openrouter: FakeOpenRouter) -> None:
    openrouter.enqueue(reply("abcdefghij", chunk_size=2, keepalives=2, midstream_keepalive=True))

    _, chunks = _raw_stream(openrouter, {})

    events = b"".join(chunks).decode().split("\n\n")
    assert events[:2] == [": OPENROUTER PROCESSING"] * 2
    assert events[2].startswith("data: ")
    assert '"delta":{"role":"assistant","content":""}' in events[2]
    assert events.count(": OPENROUTER PROCESSING") == 3
    assert events[-2:] == ["data: [DONE]", ""]


def test_local_mode_sends_no_keepalives_no_provider_no_native_finish(
    openrouter_local: FakeOpenRouter,
) -> None:
    openrouter_local.enqueue(reply("abc", keepalives=3, midstream_keepalive=True))

    head, chunks = _raw_stream(openrouter_local, {"stream_options": {"include_usage": True}})

    text = b"".join(chunks).decode()
    assert ": OPENROUTER" not in text
    assert '"provider"' not in text
    assert "native_finish_reason" not in text
    assert '"cost"' not in text
    assert '"usage"' in text
    assert "X-Generation-Id" not in head


def test_first_token_delay_spreads_keepalives_before_the_first_token(
    openrouter: FakeOpenRouter,
) -> None:
    openrouter.enqueue(reply("late", keepalives=3, first_token_delay=0.06))

    _, chunks = _raw_stream(openrouter, {})

    assert chunks[:3] == [b": OPENROUTER PROCESSING\n\n"] * 3
    assert "late" in b"".join(chunks).decode()
    (generation,) = openrouter.generations.values()
    assert generation["latency"] >= 60


def test_command_line_serves_until_stopped() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openrouter_server", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            models = httpx.get(f"{base_url}/models", timeout=5)
            chat = httpx.post(
                f"{base_url}/chat/completions",
                json={"model": "a/b", "messages": [{"role": "user", "content": "hi"}]},
                headers={"Authorization": "Bearer any-key-will-do"},
                timeout=5,
            )
        finally:
            process.terminate()

    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v1")
    assert models.status_code == 200
    assert chat.json()["choices"][0]["message"]["content"]
