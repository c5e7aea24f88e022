"""The SSE decoder on raw bytes: splits anywhere, keep-alives, line endings, [DONE]."""

from __future__ import annotations

import json
import random

import pytest

from app.llm.sse import SSEDecoder, SSEEvent, iter_events

TEXTS = ["Bonjour, ", "café — ", "日本語 ", "🎉🎉", " naïve"]


def openrouter_stream(newline: bytes = b"\n") -> bytes:
    """A stream shaped like OpenRouter's: keep-alives, role delta, content, usage, [DONE]."""
    nl = newline
    parts = [b": OPENROUTER PROCESSING" + nl + nl]
    chunks = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    chunks += [{"choices": [{"index": 0, "delta": {"content": text}}]} for text in TEXTS]
    chunks.append({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 5}})
    for number, chunk in enumerate(chunks):
        parts.append(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + nl + nl)
        if number == 2:
            parts.append(b": OPENROUTER PROCESSING" + nl + nl)
    parts.append(b"data: [DONE]" + nl + nl)
    return b"".join(parts)


def decode_all(chunks: list[bytes]) -> tuple[list[SSEEvent], int]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    events += decoder.finish()
    return events, decoder.keepalives


def content_of(events: list[SSEEvent]) -> str:
    text = ""
    for event in events:
        if event.is_done:
            break
        for choice in json.loads(event.data)["choices"]:
            text += choice["delta"].get("content", "")
    return text


@pytest.fixture(scope="module")
def reference() -> list[SSEEvent]:
    events, _ = decode_all([openrouter_stream()])
    return events


def test_whole_stream_decodes_to_events_and_done(reference: list[SSEEvent]) -> None:
    assert len(reference) == 8
    assert reference[-1].is_done
    assert not any(event.is_done for event in reference[:-1])
    assert content_of(reference) == "".join(TEXTS)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_every_split_point_gives_the_same_events(newline: bytes, reference: list[SSEEvent]) -> None:
    stream = openrouter_stream(newline)
    multibyte_offsets = 0
    for offset in range(1, len(stream)):
        events, keepalives = decode_all([stream[:offset], stream[offset:]])
        assert events == reference, f"split at byte {offset}"
        assert keepalives == 2
        if stream[offset] & 0xC0 == 0x80:  # the split falls inside a UTF-8 character
            multibyte_offsets += 1
    assert multibyte_offsets > 10


def test_one_byte_at_a_time(reference: list[SSEEvent]) -> None:
    stream = openrouter_stream(b"\r\n")
    events, keepalives = decode_all([stream[i : i + 1] for i in range(len(stream))])
    assert events == reference
    assert keepalives == 2


def test_random_chunkings() -> None:
    stream = openrouter_stream()
    expected, _ = decode_all([stream])
    rng = random.Random(1234)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(stream)), rng.randint(1, 40)))
        chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
        assert decode_all(chunks)[0] == expected


def test_multi_line_data_is_joined_with_newlines() -> None:
    events, _ = decode_all([b"data: first\ndata:second\ndata:  third\n\n"])
    assert events == [SSEEvent("first\nsecond\n third")]


def test_event_and_id_fields_are_kept_and_unknown_fields_ignored() -> None:
    events, _ = decode_all([b"event: ping\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\n"])
    assert events == [SSEEvent("x", event="ping", id="7")]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    events, keepalives = decode_all([b"\n\n: keep-alive\n\n\n"])
    assert events == []
    assert keepalives == 1


def test_finish_dispatches_a_complete_last_event_without_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a": 1}\n') == []
    assert decoder.finish() == [SSEEvent('{"a": 1}')]


def test_finish_drops_a_truncated_last_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a": 1}\n\ndata: {"trunc') == [SSEEvent('{"a": 1}')]
    assert decoder.finish() == []


def test_cr_at_chunk_end_followed_by_lf_is_one_line_ending() -> None:
    events, _ = decode_all([b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"])
    assert events == [SSEEvent("a"), SSEEvent("b")]


def test_done_is_exact() -> None:
    events = list(iter_events([b"data: [DONE]\n\ndata: [DONE] \n\n"]))
    assert events[0].is_done
    assert not events[1].is_done


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    events, _ = decode_all([b"data: \xff\xfe ok\n\n"])
    assert events[0].data.endswith(" ok")
    assert "\ufffd" in events[0].data
