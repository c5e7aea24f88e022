"""The key dialog: checked with GET /key on a worker, stored in the keyring (saying which),
and explained when no keyring exists. The key is never shown, logged or written to a file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.keystore import ACCOUNT, SERVICE, load_api_key
from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter
from tests.fixtures.keyrings import MemoryKeyring
from ui.key_dialog import KeyDialog
from ui.tasks import TaskRunner

TIMEOUT_MS = 15_000


def _dialog(qtbot: QtBot, tasks: TaskRunner, base_url: str) -> KeyDialog:
    dialog = KeyDialog(tasks, base_url)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(
        lambda: not dialog.keyring_label.text().startswith("Looking"), timeout=TIMEOUT_MS
    )
    return dialog


def _all_text_under(folder: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in folder.rglob("*") if path.is_file())


def test_a_good_key_is_checked_then_kept_in_the_keyring(
    qtbot: QtBot,
    tasks: TaskRunner,
    openrouter: FakeOpenRouter,
    memory_keyring: MemoryKeyring,
    isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    dialog = _dialog(qtbot, tasks, openrouter.base_url)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert "MemoryKeyring" in dialog.keyring_label.text()

    dialog.key_edit.setText(TEST_KEY)
    with qtbot.waitSignal(dialog.key_saved, timeout=TIMEOUT_MS) as saved:
        dialog.check_button.click()

    assert saved.args[0].limit_remaining is not None
    assert "$24.50 of $25.00 credit left" in dialog.status.text()
    assert "Saved in" in dialog.status.text() and "MemoryKeyring" in dialog.status.text()
    assert memory_keyring.secrets[(SERVICE, ACCOUNT)] == TEST_KEY
    assert [r.path for r in openrouter.requests] == ["/api/v1/key"]
    assert dialog.done_button.isVisible()
    dialog.done_button.click()
    assert dialog.key_edit.text() == ""  # the field does not keep the key
    assert TEST_KEY not in caplog.text
    assert TEST_KEY not in _all_text_under(isolated_home)


def test_a_bad_key_is_refused_and_not_stored(
    qtbot: QtBot, tasks: TaskRunner, openrouter: FakeOpenRouter, memory_keyring: MemoryKeyring
) -> None:
    dialog = _dialog(qtbot, tasks, openrouter.base_url)
    dialog.key_edit.setText("sk-or-v1-not-a-real-key-000000")
    dialog.check_button.click()
    qtbot.waitUntil(lambda: "✗" in dialog.status.text(), timeout=TIMEOUT_MS)

    assert "refused" in dialog.status.text()
    assert "sk-or-v1-not-a-real-key-000000" not in dialog.status.text()
    assert memory_keyring.secrets == {}
    assert not dialog.done_button.isVisible()
    assert dialog.check_button.isEnabled()


def test_without_a_keyring_the_dialog_explains_and_offers_this_session(
    qtbot: QtBot, tasks: TaskRunner, openrouter: FakeOpenRouter, no_keyring: None
) -> None:
    dialog = _dialog(qtbot, tasks, openrouter.base_url)
    assert "No usable keyring" in dialog.keyring_label.text()

    dialog.key_edit.setText(TEST_KEY)
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.session_button.isVisible(), timeout=TIMEOUT_MS)

    text = dialog.status.text()
    assert "Key accepted" in text and "not saved" in text
    assert "OPENROUTER_API_KEY" in text and "gnome-keyring" in text.lower()
    with qtbot.waitSignal(dialog.session_key) as chosen:
        dialog.session_button.click()
    assert chosen.args[0] == TEST_KEY
    assert load_api_key() is None  # nothing was stored anywhere
