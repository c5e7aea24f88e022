"""Start the desktop app: QApplication, the database (created and migrated), the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from app.cli.errors import message_for
from app.config import load_config
from app.logging_setup import configure_logging

log = logging.getLogger(__name__)


def run_app(database: str | None = None) -> int:
    config = load_config(database)
    configure_logging(config.paths.log_file)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Copydesk")
    app.setOrganizationName("Copydesk")
    app.setApplicationVersion(__version__)

    from app.db.engine import open_database

    try:
        db = open_database(config.database_url)
    except Exception as exc:
        if not type(exc).__module__.startswith("app."):
            raise
        QMessageBox.critical(None, "Copydesk cannot open its database", message_for(exc))
        return 1

    from app.db.seed import seed_defaults
    from ui.main_window import MainWindow

    seed_defaults(db)
    window = MainWindow(config, db)
    window.show()
    try:
        return app.exec()
    finally:
        db.dispose()
