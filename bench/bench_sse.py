"""SSE parsing throughput: app.llm.sse.SSEDecoder against a bare split-and-parse loop.

The bare loop only splits on b"\\n\\n" and json-loads each payload: it ignores CR line endings,
multi-line data and comments inside events, so it is the floor the decoder is measured
against. Both consume the same byte chunks, cut at fixed network-read sizes (which split
events and multi-byte characters anywhere).

    uv run python bench/bench_sse.py [--events N] [--chunk BYTES] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from app.llm.sse import SSEDecoder

WORDS = ["Linen ", "breathes ", "— ", "café ", "日本語 ", "🎉 ", "summer ", "weight "]


def make_stream(events: int) -> bytes:
    parts = [b": OPENROUTER PROCESSING\n\n"]
    for number in range(events):
        chunk = {
            "id": "gen-1750000000-abcdefghijklmnopqrst",
            "provider": "Anthropic",
            "model": "anthropic/claude-sonnet-4.5",
            "object": "chat.completion.chunk",
            "created": 1750000000,
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": WORDS[number % len(WORDS)]},
                    "finish_reason": None,
                    "native_finish_reason": None,
                    "logprobs": None,
                }
            ],
        }
        parts.append(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n")
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


def decoder_loop(chunks: list[bytes]) -> int:
    decoder = SSEDecoder()
    count = 0
    for chunk in chunks:
        for event in decoder.feed(chunk):
            if event.is_done:
                return count
            json.loads(event.data)
            count += 1
    return count


def raw_loop(chunks: list[bytes]) -> int:
    buffer = b""
    count = 0
    for chunk in chunks:
        buffer += chunk
        *complete, buffer = buffer.split(b"\n\n")
        for block in complete:
            if not block.startswith(b"data: "):
                continue
            payload = block[6:]
            if payload == b"[DONE]":
                return count
            json.loads(payload)
            count += 1
    return count


def best_rate(loop: Callable[[list[bytes]], int], chunks: list[bytes], repeat: int) -> float:
    best = float("inf")
    events = 0
    for _ in range(repeat):
        started = time.perf_counter()
        events = loop(chunks)
        best = min(best, time.perf_counter() - started)
    return events / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--chunk", type=int, default=1024, help="bytes per network read")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    stream = make_stream(args.events)
    chunks = [stream[i : i + args.chunk] for i in range(0, len(stream), args.chunk)]
    assert decoder_loop(chunks) == raw_loop(chunks) == args.events

    decoder = best_rate(decoder_loop, chunks, args.repeat)
    raw = best_rate(raw_loop, chunks, args.repeat)
    print(f"stream: {args.events} events, {len(stream) / 1e6:.1f} MB in {len(chunks)} reads")
    print(f"SSEDecoder + json.loads : {decoder:12,.0f} events/s")
    print(f"split + json.loads      : {raw:12,.0f} events/s")
    print(f"ratio decoder/raw       : {decoder / raw:12.2f}")


if __name__ == "__main__":
    main()
