"""The OpenRouter key: asked for on first run (and from the menu), checked with ``GET /key``
in a worker, then stored in the OS keyring. Where no keyring exists, the dialog says so,
explains the alternatives, and can keep the key for this session only (in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.keystore import BackendInfo
    from app.llm.results import KeyInfo

KEYS_URL = "https://openrouter.ai/keys"


@dataclass(frozen=True)
class KeyCheck:
    info: KeyInfo
    backend: BackendInfo | None  # where the key was saved; None when it could not be
    keyring_problem: str | None = None


def check_and_save(base_url: str, text: str) -> KeyCheck:
    """Validate the key with the server, then store it in the keyring (worker thread)."""
    from app.keystore import KeyringUnavailable, normalise_key, save_api_key
    from app.llm.client import OpenRouterClient

    key = normalise_key(text)
    with OpenRouterClient(base_url, key, max_retries=1) as client:
        info = client.key_info()
    try:
        backend = save_api_key(key)
    except KeyringUnavailable as exc:
        return KeyCheck(info, None, str(exc))
    return KeyCheck(info, backend)


def probe_keyring() -> tuple[BackendInfo, bool]:
    from app.keystore import KeySource, backend_info, key_state

    return backend_info(), key_state().source is KeySource.ENVIRONMENT


def credit_text(info: KeyInfo) -> str:
    if info.limit_remaining is not None and info.limit is not None:
        return (
            f"{formatting.money(info.limit_remaining)} of {formatting.money(info.limit)} "
            "credit left"
        )
    if info.limit is None:
        used = f", {formatting.money(info.usage)} used so far" if info.usage is not None else ""
        return f"no spending limit on this key{used}"
    return f"limit {formatting.money(info.limit)}"


class KeyDialog(QDialog):
    """Emits ``key_saved`` after the keyring took the key, ``session_key`` when the editor
    chose to keep it in memory only."""

    key_saved = Signal(object)  # KeyInfo
    session_key = Signal(str, object)  # the key, KeyInfo

    def __init__(self, tasks: TaskRunner, base_url: str, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._base_url = base_url
        self._checked: KeyCheck | None = None
        self._busy = False
        self.setWindowTitle("OpenRouter API key")
        self.setMinimumWidth(560)

        intro = QLabel(
            "<b>Connect Copydesk to OpenRouter</b><br>"
            "The agents call their models through OpenRouter with your API key. The key is "
            "checked with OpenRouter, then kept in your system keyring: never in a file, the "
            f"database or a log. Create one at <a href='{KEYS_URL}'>openrouter.ai/keys</a>."
        )
        intro.setWordWrap(True)
        intro.setOpenExternalLinks(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.keyring_label = QLabel("Looking for the system keyring…")
        self.keyring_label.setWordWrap(True)

        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("sk-or-v1-…")
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
        )
        self.show_action = QAction("Show", self)
        self.show_action.setCheckable(True)
        self.show_action.setToolTip("Show the key while typing")
        self.show_action.toggled.connect(self._toggle_visible)
        self.key_edit.addAction(self.show_action, QLineEdit.ActionPosition.TrailingPosition)
        self.key_edit.textChanged.connect(self._key_edited)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.check_button = QPushButton("Check and save")
        self.check_button.setDefault(True)
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self._check)
        self.session_button = QPushButton("Use for this session only")
        self.session_button.setToolTip("Keep the key in memory until Copydesk quits")
        self.session_button.setVisible(False)
        self.session_button.clicked.connect(self._use_for_session)
        self.done_button = QPushButton("Done")
        self.done_button.setVisible(False)
        self.done_button.clicked.connect(self.accept)
        self.buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.session_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.done_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        # Adding a button to the box shows it: hide these only now.
        self.session_button.setVisible(False)
        self.done_button.setVisible(False)

        field_row = QHBoxLayout()
        field_row.addWidget(QLabel("API key:"))
        field_row.addWidget(self.key_edit, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.keyring_label)
        layout.addLayout(field_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(600, 300)
        self._fit_height()

        self._tasks.submit(
            probe_keyring, on_result=self._show_keyring, owner=self, context="Checking the keyring"
        )

    def _fit_height(self) -> None:
        """Grow to show every line of the word-wrapped texts (they change as checks finish)."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    @property
    def busy(self) -> bool:
        return self._busy

    def _show_keyring(self, probe: tuple[BackendInfo, bool]) -> None:
        backend, from_environment = probe
        if backend.usable:
            text = f"The key will be stored in: {backend.name}."
        else:
            text = (
                f"⚠ No usable keyring ({backend.reason}). The key can be checked and used for "
                "this session, but not stored."
            )
        if from_environment:
            text += " OPENROUTER_API_KEY is set, and takes precedence over a stored key."
        self.keyring_label.setText(text)
        self._fit_height()

    def _toggle_visible(self, visible: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        )
        self.show_action.setText("Hide" if visible else "Show")

    def _key_edited(self, text: str) -> None:
        self._checked = None
        self.session_button.setVisible(False)
        self.done_button.setVisible(False)
        self.check_button.setVisible(True)
        self.check_button.setEnabled(bool(text.strip()) and not self._busy)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.key_edit.setReadOnly(busy)
        self.check_button.setEnabled(not busy and bool(self.key_edit.text().strip()))
        if message:
            self.status.setText(message)
            self._fit_height()

    def _check(self) -> None:
        text = self.key_edit.text()
        base_url = self._base_url
        self._set_busy(True, "Checking the key with the server…")
        self._tasks.submit(
            lambda: check_and_save(base_url, text),
            on_result=self._checked_ok,
            on_error=self._check_failed,
            owner=self,
        )

    def _checked_ok(self, result: KeyCheck) -> None:
        self._checked = result
        label = f" ({result.info.label})" if result.info.label else ""
        accepted = f"✓ Key accepted{label}: {credit_text(result.info)}."
        if result.backend is not None:
            self._set_busy(False, f"{accepted}<br>Saved in {result.backend.name}.")
            self.check_button.setVisible(False)
            self.cancel_button.setVisible(False)
            self.done_button.setVisible(True)
            self.done_button.setDefault(True)
            self.key_saved.emit(result.info)
        else:
            self._set_busy(
                False, f"{accepted}<br><br>⚠ It was not saved. {result.keyring_problem or ''}"
            )
            self.check_button.setVisible(False)
            self.session_button.setVisible(True)
            self.session_button.setDefault(True)

    def _check_failed(self, exc: BaseException) -> None:
        from app.notifications import describe

        notice = describe(exc)
        self._set_busy(False, f"✗ {notice.title}. {notice.cause}")

    def _use_for_session(self) -> None:
        if self._checked is None:
            return
        self.session_key.emit(self.key_edit.text().strip(), self._checked.info)
        self.accept()

    def reject(self) -> None:
        self.key_edit.clear()
        super().reject()

    def accept(self) -> None:
        self.key_edit.clear()
        super().accept()
