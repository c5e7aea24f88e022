"""Client overhead per streamed call: OpenRouterClient.complete() against plain httpx
streaming the same answer from the same local fake OpenRouter.

Both sides parse every event as JSON and join the text; the client additionally decodes SSE
incrementally, tracks usage and cost, registers the call for cancellation and writes a
ledger row (to memory here). Calls alternate between the two so server and machine load
affect both alike.

    uv run python bench/bench_client_overhead.py [--calls N] [--chunks N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import httpx

from app.llm.cancel import CancelToken
from app.llm.client import OpenRouterClient
from app.llm.ledger import MemoryLedger
from app.llm.requests import ChatRequest, user_message
from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter, reply

MODEL = "openai/gpt-4o-mini"


def plain_httpx_call(http: httpx.Client, body: dict[str, object]) -> str:
    parts: list[str] = []
    with http.stream("POST", "chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            payload = line[6:]
            if payload == "[DONE]":
                break
            chunk = json.loads(payload)
            for choice in chunk.get("choices") or []:
                parts.append(choice.get("delta", {}).get("content") or "")
    return "".join(parts)


def timed(call: Callable[[], str]) -> tuple[float, str]:
    started = time.perf_counter()
    text = call()
    return time.perf_counter() - started, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=50, help="content events per answer")
    args = parser.parse_args()

    text = "".join(f"word{n:03d} " for n in range(args.chunks))  # 8 characters per chunk
    with FakeOpenRouter() as fake:
        fake.set_responder(lambda request: reply(text, chunk_size=8, keepalives=1))
        ledger = MemoryLedger()
        client = OpenRouterClient(fake.base_url, TEST_KEY, ledger=ledger, local_server=False)
        http = httpx.Client(
            base_url=fake.base_url + "/",
            headers={"Authorization": f"Bearer {TEST_KEY}"},
            timeout=60,
        )
        request = ChatRequest(MODEL, [user_message("Benchmark me.")])
        body: dict[str, object] = {
            "model": MODEL,
            "messages": [user_message("Benchmark me.")],
            "stream": True,
        }
        ours: list[float] = []
        plain: list[float] = []
        for number in range(args.calls + 10):
            a = timed(lambda: client.complete(request, cancel=CancelToken()).text)
            b = timed(lambda: plain_httpx_call(http, body))
            assert a[1] == b[1] == text
            if number >= 10:  # warm-up: connections, caches, imports
                ours.append(a[0])
                plain.append(b[0])
        client.close()
        http.close()

    ours_ms = statistics.median(ours) * 1000
    plain_ms = statistics.median(plain) * 1000
    print(f"{args.calls} streamed calls of {args.chunks} content events each (median per call)")
    print(f"OpenRouterClient.complete : {ours_ms:8.2f} ms")
    print(f"plain httpx streaming     : {plain_ms:8.2f} ms")
    print(f"overhead per call         : {ours_ms - plain_ms:8.2f} ms")
    print(f"ratio client/plain        : {ours_ms / plain_ms:8.2f}")
    print(f"ledger rows recorded      : {len(ledger.rows)}")


if __name__ == "__main__":
    main()
