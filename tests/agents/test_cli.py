"""`copydesk generate|show|resume|export` run in-process against the fake OpenRouter."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from app.cli.main import main
from tests.agents.conftest import PROJECT_REF, Studio
from tests.agents.helpers import responder_for
from tests.fakes.openrouter_server import TEST_KEY, default_responder, model_not_found


@pytest.fixture
def cli_env(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> Studio:
    monkeypatch.setenv("COPYDESK_DATABASE_URL", studio.db.url)
    monkeypatch.setenv("OPENROUTER_BASE_URL", studio.fake.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    return studio


def test_generate_show_and_export(
    cli_env: Studio, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(
        [
            "generate", "--project", PROJECT_REF, "--skill", "blog-post",
            "--platform", "blog", "--platform", "linkedin",
            "--input", "topic=Linen for a hot summer", "--input", "target_word_count=900",
            "--instructions", "Mention the Porto studio.",
        ]
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 0, err
    piece_id = uuid.UUID(out.strip())
    assert "[blog] blog-writer started (anthropic/claude-sonnet-4.5)" in err
    assert "[linkedin] review score" in err and "Run finished: awaiting_review" in err

    assert main(["show", str(piece_id)[:8], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "awaiting_review" and shown["project"] == PROJECT_REF
    assert shown["usage"]["calls"] == len(cli_env.fake.chat_requests)
    blog = next(p for p in shown["platforms"] if p["platform"] == "blog")
    assert [d["version"] for d in blog["drafts"]] == [1, 2, 3, 4]
    assert blog["active_version"] == 4 and blog["drafts"][3]["score"] is not None

    assert main(["show", str(piece_id), "--steps"]) == 0
    text = capsys.readouterr().out
    assert "blog: awaiting_review" in text and "seo-specialist" in text

    target = tmp_path / "post.html"
    export = ["export", str(piece_id), "--platform", "blog", "--format", "html"]
    assert main([*export, "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_failed_run_exits_with_the_errors_code_and_resumes(
    cli_env: Studio, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env.fake.set_responder(
        responder_for(
            {"blog-editor": lambda n: model_not_found("anthropic/claude-sonnet-4.5")},
            default_responder,
        )
    )
    code = main(
        ["generate", "--project", PROJECT_REF, "--skill", "blog-post", "--input", "topic=Linen"]
    )

    out, err = capsys.readouterr()
    assert code == 6  # model not found
    assert "blog-editor failed:" in err and "not a valid model ID" in err
    piece_id = out.strip()

    cli_env.fake.set_responder(None)
    assert main(["resume", piece_id[:8], "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "awaiting_review"


def test_generate_reports_bad_input_without_starting(
    cli_env: Studio, capsys: pytest.CaptureFixture[str]
) -> None:
    request = ["--project", PROJECT_REF, "--skill", "blog-post"]
    code = main(["generate", *request, "--input", "target_word_count=many"])

    _, err = capsys.readouterr()
    assert code == 12
    assert "the input 'target_word_count' must be an integer, not 'many'" in err
    assert cli_env.fake.chat_requests == []


def test_show_refuses_an_unknown_piece(cli_env: Studio, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "0000"]) == 12
    assert "no piece id starts with '0000'" in capsys.readouterr().err
