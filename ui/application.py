"""Start the desktop app: the window first, then the database (created and migrated) and the
key check on worker threads, so the window paints at once and never waits on them."""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import __version__
from app.config import load_config, mask_url
from app.logging_setup import configure_logging

log = logging.getLogger(__name__)

START_ANYWAY_MS = 1500


class _FirstPaint(QObject):
    """Logs how long the window took to appear, then starts the background work: opening the
    database on a worker competes with the first paint for the interpreter, so it waits."""

    def __init__(self, started: float, then: Callable[[], None]) -> None:
        super().__init__()
        self._started = started
        self._then: Callable[[], None] | None = then
        # Should the window never paint (started minimised), start anyway.
        QTimer.singleShot(START_ANYWAY_MS, self, self._go)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and self._then is not None:
            watched.removeEventFilter(self)
            elapsed = (time.monotonic() - self._started) * 1000
            log.info("Window painted %.0f ms after start-up", elapsed)
            QTimer.singleShot(0, self, self._go)
        return False

    def _go(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            then()


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if existing is None:
        # Fractional scale factors as the screen reports them (sharp text at 125 %, 150 %).
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv)
    app.setApplicationName("Copydesk")
    app.setApplicationDisplayName("Copydesk")
    app.setOrganizationName("Copydesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("copydesk")
    return app


def _quit_on_signals(app: QApplication) -> None:
    """SIGTERM (a logout, a service manager) and Ctrl+C quit cleanly: runs are cancelled and
    settled by the shutdown that follows the event loop, so they stay resumable."""

    def request_quit(signum: int, _frame: object) -> None:
        log.info("Quitting on signal %d", signum)
        app.quit()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_quit)
    # Python runs signal handlers between bytecodes; an idle timer gives it the chance.
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)


def run_app(database: str | None = None) -> int:
    started = time.monotonic()
    config = load_config(database)
    configure_logging(config.paths.log_file)
    app = create_application()

    from app.notifications import ErrorRouter
    from ui.desktop import Desktop
    from ui.main_window import MainWindow
    from ui.theme import apply_appearance

    router = ErrorRouter()
    restore_hooks = router.install_excepthooks()
    desktop = Desktop.create(config, router)
    if desktop.prefs.appearance.value != "system":
        apply_appearance(app, desktop.prefs.appearance)
    window = MainWindow(desktop)
    painted = _FirstPaint(started, window.start)
    window.installEventFilter(painted)
    window.show()
    log.info(
        "Copydesk %s window shown (database %s)",
        __version__,
        mask_url(config.database_url),
    )
    if desktop.prefs_store.problem:
        from app.notifications import Notice, Severity

        router.publish(
            Notice("Preferences reset", desktop.prefs_store.problem, "", Severity.WARNING)
        )
    _quit_on_signals(app)
    try:
        return app.exec()
    finally:
        window.shutdown()
        restore_hooks()
        log.info("Copydesk closed")
