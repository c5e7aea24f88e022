"""Window geometry and layout, restored on the next start.

Kept in its own INI file under the user config directory, apart from the preferences: it
changes on every move and resize, means nothing to a person, and losing it costs nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


class WindowState:
    FILE_NAME = "window-state.ini"

    def __init__(self, config_dir: Path) -> None:
        config_dir.mkdir(parents=True, exist_ok=True)
        self.path = config_dir / self.FILE_NAME
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(key, value)

    def text(self, key: str, default: str = "") -> str:
        value = self._settings.value(key, default)
        return value if isinstance(value, str) else default

    def set_text(self, key: str, value: str) -> None:
        self._settings.setValue(key, value)

    def sync(self) -> None:
        self._settings.sync()
