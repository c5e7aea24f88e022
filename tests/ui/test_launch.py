"""`uv run copydesk` starts the desktop app: it shows the window, creates and migrates the
SQLite file in the user data directory, and quits cleanly on SIGTERM."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_MS = 90_000


def _command() -> list[str]:
    uv = shutil.which("uv")
    if uv is not None:
        return [uv, "run", "--project", str(ROOT), "copydesk"]
    return [str(Path(sys.executable).with_name("copydesk"))]


def test_copydesk_starts_shows_the_window_and_creates_its_database(
    qtbot: QtBot, isolated_home: Path, openrouter: FakeOpenRouter
) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(isolated_home / "data"),
        "XDG_CONFIG_HOME": str(isolated_home / "config"),
        "XDG_CACHE_HOME": str(isolated_home / "cache"),
        "XDG_STATE_HOME": str(isolated_home / "state"),
        "OPENROUTER_API_KEY": TEST_KEY,  # no key dialog to block the start
        "OPENROUTER_BASE_URL": openrouter.base_url,
    }
    database = isolated_home / "data" / "Copydesk" / "copydesk.sqlite3"
    log_file = isolated_home / "state" / "Copydesk" / "log" / "copydesk.log"

    def log_text() -> str:
        return log_file.read_text(encoding="utf-8") if log_file.exists() else ""

    process = subprocess.Popen(
        _command(), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        qtbot.waitUntil(lambda: "Database ready" in log_text(), timeout=START_TIMEOUT_MS)
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        text = log_text()
        assert "window shown" in text and "Window painted" in text
        assert database.is_file() and database.stat().st_size > 0
        assert TEST_KEY not in text
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    assert process.returncode == 0, output
    assert "Copydesk closed" in log_text()
