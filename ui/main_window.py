"""The main window shell: navigation, status bar with the database and key state."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from app.config import Config, mask_url
from app.db.engine import Database
from app.keystore import KeySource, key_state


class MainWindow(QMainWindow):
    def __init__(self, config: Config, db: Database) -> None:
        super().__init__()
        self.config = config
        self.db = db
        self.setWindowTitle("Copydesk")
        self.resize(1200, 800)
        tabs = QTabWidget()
        for name in ("Library", "Review", "Feedback", "Usage"):
            tabs.addTab(QLabel(f"{name} — coming soon"), name)
        self.setCentralWidget(tabs)
        self._db_label = QLabel(f"Database: {mask_url(config.database_url)}")
        self._key_label = QLabel()
        self.statusBar().addWidget(self._db_label)
        self.statusBar().addPermanentWidget(self._key_label)
        self.refresh_key_state()

    def refresh_key_state(self) -> None:
        state = key_state()
        text = {
            KeySource.ENVIRONMENT: "Key: from environment",
            KeySource.KEYRING: "Key: in keyring",
            KeySource.NONE: "Key: not set",
        }[state.source]
        self._key_label.setText(text)
