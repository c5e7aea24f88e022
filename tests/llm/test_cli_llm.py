"""`copydesk ask` and `copydesk models` end to end, against the fake OpenRouter."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from app.cli.main import main
from app.db.engine import open_database
from app.db.models import LlmCall
from tests.fakes.openrouter_server import (
    TEST_KEY,
    FakeOpenRouter,
    bad_key,
    hang_after,
    midstream_error,
    model_not_found,
    moderation,
    no_credits,
    rate_limited,
    reply,
)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def cli_env(
    openrouter: FakeOpenRouter, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> FakeOpenRouter:
    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    monkeypatch.setenv("COPYDESK_DATABASE_URL", database_url)
    return openrouter


def ledger_rows(database_url: str) -> list[LlmCall]:
    db = open_database(database_url)
    try:
        with db.session() as session:
            return list(session.scalars(sql_select(LlmCall).order_by(LlmCall.id)))
    finally:
        db.dispose()


def test_ask_streams_the_answer_and_records_it(
    cli_env: FakeOpenRouter, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.enqueue(reply("Linen, but lighter.", cost=0.0005))
    code = main(["ask", "Describe linen", "--model", "openai/gpt-4o-mini", "--system", "Be brief"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "Linen, but lighter.\n"
    assert "openai/gpt-4o-mini via FakeProvider" in err and "$0.0005" in err
    assert TEST_KEY not in out + err
    body = cli_env.chat_requests[0].json
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["stream"] is True
    [row] = ledger_rows(database_url)
    assert row.success and row.cost is not None and float(row.cost) == 0.0005


def test_ask_json_output(cli_env: FakeOpenRouter, capsys: pytest.CaptureFixture[str]) -> None:
    cli_env.enqueue(reply("Short answer.", cost=0.25))
    assert main(["ask", "Hi", "--json", "--no-stream"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["text"] == "Short answer."
    assert data["cost"] == "0.25" and data["model_requested"] == "anthropic/claude-sonnet-4.5"
    assert cli_env.chat_requests[0].json["stream"] is False


def test_ask_reads_the_prompt_from_stdin(
    cli_env: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("from a pipe"))
    assert main(["ask", "-"]) == 0
    assert cli_env.chat_requests[0].json["messages"][-1]["content"] == "from a pipe"


@pytest.mark.parametrize(
    ("scenario", "code"),
    [
        (bad_key(), 3),
        (no_credits(), 4),
        (rate_limited(retry_after=600), 5),
        (model_not_found("acme/nope"), 6),
        (moderation(), 7),
        (midstream_error("half", code=502), 8),
    ],
    ids=["bad-key", "no-credits", "rate-limited", "model", "moderation", "provider"],
)
def test_ask_exit_codes(
    cli_env: FakeOpenRouter,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    scenario: object,
    code: int,
) -> None:
    cli_env.enqueue(scenario)  # type: ignore[arg-type]
    assert main(["ask", "Hello"]) == code
    err = capsys.readouterr().err
    assert err.startswith("copydesk: ") or "\ncopydesk: " in err
    assert TEST_KEY not in err
    rows = ledger_rows(database_url)
    assert len(rows) == 1 and not rows[0].success


def test_ask_usage_errors(cli_env: FakeOpenRouter, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "   "]) == 2
    assert main(["ask", "hi", "--model", "not a model"]) == 2
    with pytest.raises(SystemExit) as caught:
        main(["ask"])
    assert caught.value.code == 2
    assert cli_env.chat_requests == []


def test_ask_without_a_key_exits_3(
    no_keyring: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPYDESK_DATABASE_URL", database_url)
    assert main(["ask", "Hello"]) == 3


def test_ask_against_a_local_server_needs_no_key(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenRouter(local_mode=True, valid_keys=None) as local:
        monkeypatch.setenv("OPENROUTER_BASE_URL", local.base_url)
        monkeypatch.setenv("COPYDESK_DATABASE_URL", database_url)
        local.enqueue(reply("local words"))
        assert main(["ask", "Hello"]) == 0
        assert local.chat_requests[0].json["model"] == "llama3.2:3b"
    out, err = capsys.readouterr()
    assert out == "local words\n" and "cost unknown" in err


def test_models_lists_and_searches(
    cli_env: FakeOpenRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "anthropic/claude-sonnet-4.5" in out and "15.00" in out
    assert main(["models", "--search", "gemini"]) == 0
    out = capsys.readouterr().out
    assert "google/gemini-2.5-flash" in out and "claude" not in out
    assert main(["models", "--refresh"]) == 0
    capsys.readouterr()
    assert sum(r.path.endswith("/models") for r in cli_env.requests) == 2


def test_models_offline_uses_the_stored_catalog(
    cli_env: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models"]) == 0
    capsys.readouterr()
    cli_env.stop()
    assert main(["models", "--refresh"]) == 0
    out, err = capsys.readouterr()
    assert "openai/gpt-4o-mini" in out
    assert "showing the catalog stored" in err and "Could not reach 127.0.0.1" in err


def test_ctrl_c_cancels_the_stream(
    openrouter: FakeOpenRouter, database_url: str, tmp_path: Path
) -> None:
    openrouter.enqueue(hang_after("The first words"))
    env = dict(
        os.environ,
        OPENROUTER_BASE_URL=openrouter.base_url,
        OPENROUTER_API_KEY=TEST_KEY,
        COPYDESK_DATABASE_URL=database_url,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "ask", "Tell me about linen"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        shown = b""
        deadline = time.monotonic() + 30
        while b"The first words" not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                shown += os.read(process.stdout.fileno(), 1024)
        assert b"The first words" in shown
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 130
        assert openrouter.wait_for_disconnect(5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    [row] = ledger_rows(database_url)
    assert row.error_type == "cancelled" and not row.success
