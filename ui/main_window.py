"""The main window: navigation, menus and shortcuts, notices, and a status bar that says which
database is in use and where the API key comes from.

The window shows at once; the database opens on a worker and the pages fill in when it is
ready. Closing during a run asks first, then cancels the run and waits for its workers
without freezing the window.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from app.config import mask_url
from app.notifications import CREDITS_URL, Action, Notice, Severity, retrying_notice
from ui.desktop import Desktop
from ui.library.pane import LibraryPane
from ui.markdown_view import markdown_parser
from ui.notices import NoticeArea, NoticeBus
from ui.piece_view import PieceView
from ui.preferences import Preferences
from ui.run.manager import RunManager
from ui.run.monitor import RunsPage
from ui.theme import apply_appearance, nav_style

if TYPE_CHECKING:
    from app.llm.results import KeyInfo
    from ui.backend import Backend

log = logging.getLogger(__name__)

PAGES = ("Library", "Runs", "Review", "Feedback", "Usage")
COMING = {
    "Review": "Compare two versions side by side, score them, accept or ask for another round.",
    "Feedback": "Reviewer feedback per skill: scores, what worked, issues and suggested rules.",
    "Usage": "What the agents cost: per day, per model, per project, and the slowest calls.",
}
LIBRARY, RUNS = 0, 1
# A run shorter than this finished while the editor was still looking: no notification.
NOTIFY_AFTER_SECONDS = 20


def _coming_page(name: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    title = QLabel(f"<h2>{name}</h2>")
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    text = QLabel(f"{COMING[name]}<br><br><i>Coming in a later version.</i>")
    text.setAlignment(Qt.AlignmentFlag.AlignCenter)
    text.setWordWrap(True)
    layout.addStretch(1)
    layout.addWidget(title)
    layout.addWidget(text)
    layout.addStretch(2)
    return page


class MainWindow(QMainWindow):
    database_ready = Signal(object)  # Backend
    database_failed = Signal(object)  # BaseException
    shut_down = Signal()

    def __init__(self, desktop: Desktop) -> None:
        super().__init__()
        self.desktop = desktop
        self.backend: Backend | None = None
        self._closing = False
        self._key_info: KeyInfo | None = None
        self._wizard: QWidget | None = None
        self._key_dialog: QWidget | None = None
        self._preferences_dialog: QWidget | None = None
        self.setWindowTitle("Copydesk")
        self.setObjectName("mainWindow")
        self.resize(1280, 820)
        self.setMinimumSize(720, 480)

        self.notice_bus = NoticeBus(self)
        self.notice_bus.listen(desktop.router)
        self.notices = NoticeArea()
        self.notice_bus.posted.connect(self._on_notice)
        self.notices.action_requested.connect(self.run_action)

        self.runs = RunManager(desktop, parent=self)
        self.library = LibraryPane(desktop.tasks, page_size=desktop.prefs.library_page_size)
        self.piece_view = PieceView(desktop.tasks)
        self.library_split = QSplitter(Qt.Orientation.Vertical)
        self.library_split.setObjectName("librarySplit")
        self.library_split.addWidget(self.library)
        self.library_split.addWidget(self.piece_view)
        self.library_split.setStretchFactor(0, 2)
        self.library_split.setStretchFactor(1, 3)
        self.library_split.setChildrenCollapsible(False)
        self.runs_page = RunsPage(self.runs)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.library_split)
        self.pages.addWidget(self.runs_page)
        for name in PAGES[2:]:
            self.pages.addWidget(_coming_page(name))

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setFixedWidth(self.nav.fontMetrics().horizontalAdvance("Feedback (99)") + 48)
        for name in PAGES:
            item = QListWidgetItem(name)
            if name in COMING:
                item.setToolTip("Coming soon")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(LIBRARY)

        self.nav.setStyleSheet(nav_style())
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.VLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(rule)
        body.addWidget(self.pages, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.notices)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self._tray: QSystemTrayIcon | None = None

        self.library.piece_selected.connect(self._piece_selected)
        self.library.piece_activated.connect(self.show_piece)
        self.piece_view.resume_requested.connect(self.resume_piece)
        self.piece_view.monitor_requested.connect(self._show_run)
        self.runs.run_started.connect(self._run_started)
        self.runs.run_finished.connect(self._run_finished)
        self.runs.active_changed.connect(self._active_runs_changed)
        self.database_ready.connect(self.use_backend)
        self.database_failed.connect(self._database_failed)
        desktop.tasks.busy_changed.connect(self.busy.setVisible)
        self._restore_layout()

    # -- start-up --------------------------------------------------------------------------

    def start(self) -> None:
        """Open the database, look at the key and build the Markdown parser, all off the GUI
        thread (called once the window has painted)."""
        from ui.backend import open_backend

        config, keys = self.desktop.config, self.desktop.keys
        self.statusBar().showMessage("Opening the database…")
        self.desktop.tasks.submit(
            lambda: open_backend(config, keys),
            on_result=self.database_ready.emit,
            on_error=self.database_failed.emit,
            owner=self,
        )
        self.desktop.tasks.submit(self._probe_key, on_result=self._key_probed, owner=self)
        # Built here rather than on the first draft shown, which would wait for it.
        self.desktop.tasks.submit(markdown_parser)

    @staticmethod
    def _probe_key() -> tuple[str, str]:
        from app.keystore import key_state

        state = key_state()
        return state.source.value, state.backend.name if state.backend.usable else ""

    def _key_probed(self, probe: tuple[str, str]) -> None:
        source, backend = probe
        self._show_key_state(source, backend)
        if source == "none" and not self.desktop.keys.has_session_key:
            self.open_key_dialog(first_run=True)

    def use_backend(self, backend: Backend) -> None:
        """Work with this opened database from now on."""
        if self._closing:
            backend.close()
            return
        self.backend = backend
        router = self.desktop.router
        backend.on_server_wait = lambda at: router.publish(retrying_notice(at))
        self.runs.set_backend(backend)
        self.library.set_database(backend.db)
        self.piece_view.set_database(backend.db)
        self.new_piece_action.setEnabled(True)
        self.statusBar().showMessage("Database ready", 3000)
        log.info("Database ready: %s", mask_url(backend.db.url))
        self.desktop.tasks.submit(backend.refresh_catalog, on_error=self._catalog_failed)
        self.check_credit()

    def check_credit(self) -> None:
        """Ask the server what the key may still spend (shown in the status bar)."""
        backend = self.backend
        if backend is None:
            return

        def credit() -> KeyInfo | None:
            return backend.check_key() if backend.keys.current() else None

        self.desktop.tasks.submit(
            credit,
            on_result=lambda info: self._show_credit(info) if info is not None else None,
            on_error=self._credit_failed,
            owner=self,
        )

    def _credit_failed(self, exc: BaseException) -> None:
        from app.llm.errors import BadKey, OutOfCredits

        if isinstance(exc, BadKey | OutOfCredits):
            self.desktop.router.report(exc, context="Checking the API key")
        else:  # offline, or a local server without /key: nothing the editor must act on
            log.info("Key details not available: %s", exc)
            self.credit_label.setText("")

    def _catalog_failed(self, exc: BaseException) -> None:
        # Prices are only needed for estimates; a missing key is asked for separately.
        from app.llm.errors import BadKey

        if not isinstance(exc, BadKey):
            log.warning("Model catalog not refreshed: %s", exc)

    def _database_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage("The database could not be opened")
        self.library.empty_label.setText(
            "Copydesk could not open its database. See the notice above; fix the problem, "
            "then start Copydesk again."
        )
        self.desktop.router.report(exc, context="Opening the database")

    # -- status bar ------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(80)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.busy.setToolTip("Working in the background")
        self.runs_label = QLabel()
        self.db_label = QLabel(f"Database: {mask_url(self.desktop.config.database_url)}")
        self.db_label.setToolTip("The database in use (any password hidden)")
        self.key_label = QLabel("Key: …")
        self.credit_label = QLabel()
        for widget in (
            self.busy,
            self.runs_label,
            self.db_label,
            self.key_label,
            self.credit_label,
        ):
            bar.addPermanentWidget(widget)

    def _show_key_state(self, source: str, backend: str) -> None:
        text = {
            "environment": "Key: from OPENROUTER_API_KEY",
            "keyring": "Key: in the keyring",
            "none": "Key: not set",
        }.get(source, "Key: ?")
        if source == "none" and self.desktop.keys.has_session_key:
            text = "Key: this session only"
        self.key_label.setText(text)
        self.key_label.setToolTip(f"Stored in {backend}" if source == "keyring" else "")

    def refresh_key_state(self) -> None:
        self.desktop.tasks.submit(
            self._probe_key,
            on_result=lambda probe: self._show_key_state(*probe),
            owner=self,
        )

    def _show_credit(self, info: KeyInfo) -> None:
        from ui.key_dialog import credit_text

        self._key_info = info
        self.credit_label.setText(credit_text(info).capitalize())

    # -- menus -----------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        self.new_piece_action = self._action(
            "&New piece…", self.new_piece, QKeySequence.StandardKey.New
        )
        self.new_piece_action.setEnabled(False)
        self.find_action = self._action("&Find…", self.find_pieces, QKeySequence.StandardKey.Find)
        self.refresh_action = self._action(
            "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh
        )
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_piece_action)
        file_menu.addAction(self.find_action)
        file_menu.addAction(self.refresh_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        preferences = QKeySequence(QKeySequence.StandardKey.Preferences)
        self.preferences_action = self._action(
            "&Preferences…",
            self.open_preferences,
            preferences if not preferences.isEmpty() else "Ctrl+,",
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.key_action = self._action("OpenRouter &key…", lambda: self.open_key_dialog())
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self.preferences_action)
        edit_menu.addAction(self.key_action)

        view_menu = self.menuBar().addMenu("&View")
        for number, name in enumerate(PAGES):
            action = self._action(
                name,
                lambda _checked=False, n=number: self.nav.setCurrentRow(n),
                f"Ctrl+{number + 1}",
            )
            view_menu.addAction(action)

        self.resume_action = self._action("&Resume run", self._resume_current)
        self.cancel_action = self._action("&Cancel run", self._cancel_current, "Ctrl+.")
        run_menu = self.menuBar().addMenu("&Run")
        run_menu.addAction(self.resume_action)
        run_menu.addAction(self.cancel_action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("Open the &log folder", self.open_log_folder))
        about = self._action("&About Copydesk", self.about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    # -- actions ---------------------------------------------------------------------------

    def new_piece(self) -> None:
        if self.backend is None:
            self.statusBar().showMessage("The database is still opening…", 3000)
            return
        from ui.wizard.wizard import NewPieceWizard

        wizard = NewPieceWizard(self.desktop, self.backend, parent=self)
        wizard.launched.connect(self._piece_launched)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.open()
        self._wizard = wizard

    def _piece_launched(self, piece_id: uuid.UUID) -> None:
        self.library.refresh()
        self.runs.start(piece_id)

    def find_pieces(self) -> None:
        self.nav.setCurrentRow(LIBRARY)
        self.library.focus_search()

    def refresh(self) -> None:
        self.library.refresh()
        self.piece_view.reload()

    def show_piece(self, piece_id: uuid.UUID) -> None:
        self.nav.setCurrentRow(LIBRARY)
        self.piece_view.set_running(self.runs.is_running(piece_id))
        self.piece_view.show_piece(piece_id)

    def _piece_selected(self, piece_id: uuid.UUID | None) -> None:
        if piece_id is None:
            self.piece_view.clear()
        else:
            self.show_piece(piece_id)

    def resume_piece(self, piece_id: uuid.UUID) -> None:
        if self.backend is None:
            return
        self.runs.start(piece_id, resume=True)

    def _resume_current(self) -> None:
        piece_id = self.piece_view.piece_id
        if piece_id is not None and not self.runs.is_running(piece_id):
            self.resume_piece(piece_id)

    def _cancel_current(self) -> None:
        piece_id = self.runs_page.current_piece_id() if self.pages.currentIndex() == RUNS else None
        piece_id = piece_id or self.piece_view.piece_id
        if piece_id is not None and self.runs.is_running(piece_id):
            self.runs.cancel(piece_id)

    def _show_run(self, piece_id: uuid.UUID) -> None:
        self.nav.setCurrentRow(RUNS)
        self.runs_page.show_run(piece_id)

    def _run_started(self, piece_id: uuid.UUID) -> None:
        self._show_run(piece_id)
        if self.piece_view.piece_id == piece_id:
            self.piece_view.set_running(True)

    def _run_finished(self, piece_id: uuid.UUID, status: str, title: str, seconds: float) -> None:
        self.library.refresh()
        if self.piece_view.piece_id == piece_id:
            self.piece_view.set_running(False)
            self.piece_view.reload()
        from ui.formatting import status_label

        message = f"Run finished: “{title}” is {status_label(status).lower()}"
        self.statusBar().showMessage(message, 8000)
        long_run = seconds >= NOTIFY_AFTER_SECONDS
        if self.desktop.prefs.notify_when_done and long_run and not self.isActiveWindow():
            self.notify_desktop("Copydesk", message)

    def _active_runs_changed(self, count: int) -> None:
        self.runs_label.setText(
            f"{count} run{'s' if count != 1 else ''} in progress" if count else ""
        )
        item = self.nav.item(RUNS)
        if item is not None:
            item.setText(f"Runs ({count})" if count else "Runs")

    def notify_desktop(self, title: str, message: str) -> None:
        """A desktop notification where the system has a tray; the status bar otherwise."""
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                icon = self.windowIcon()
                if icon.isNull():
                    icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
                self._tray = QSystemTrayIcon(icon, self)
                self._tray.messageClicked.connect(self._bring_to_front)
                self._tray.show()
            self._tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
        else:
            self.statusBar().showMessage(message, 15000)
        QApplication.alert(self)

    def _bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def open_key_dialog(self, *, first_run: bool = False) -> None:
        from ui.key_dialog import KeyDialog

        existing = self._key_dialog
        if existing is not None and shiboken6.isValid(existing) and existing.isVisible():
            existing.raise_()
            return
        dialog = KeyDialog(self.desktop.tasks, self.desktop.config.base_url, parent=self)
        if first_run:
            dialog.setWindowTitle("Welcome to Copydesk — OpenRouter API key")
        dialog.key_saved.connect(self._key_saved)
        dialog.session_key.connect(self._session_key)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._key_dialog = dialog
        dialog.open()

    def _key_saved(self, info: KeyInfo) -> None:
        self._show_credit(info)
        self.refresh_key_state()
        self._after_new_key()

    def _session_key(self, key: str, info: KeyInfo) -> None:
        self.desktop.keys.use_for_session(key)
        self._show_credit(info)
        self._show_key_state("none", "")
        self._after_new_key()

    def _after_new_key(self) -> None:
        self.notices.clear()
        if self.backend is not None:
            self.desktop.tasks.submit(self.backend.refresh_catalog, on_error=self._catalog_failed)

    def open_preferences(self) -> None:
        from ui.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(
            self.desktop.tasks,
            self.desktop.prefs,
            db=self.backend.db if self.backend else None,
            database_label=mask_url(self.desktop.config.database_url),
            server_label=self.desktop.config.base_url,
            key_label=self.key_label.text().removeprefix("Key: "),
            parent=self,
        )
        dialog.preferences_changed.connect(self.apply_preferences)
        dialog.change_key_requested.connect(lambda: self.open_key_dialog())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self._preferences_dialog = dialog

    def apply_preferences(self, prefs: Preferences) -> None:
        appearance_changed = prefs.appearance != self.desktop.prefs.appearance
        try:
            self.desktop.save_preferences(prefs)
        except OSError as exc:
            self.desktop.router.report(exc, context="Saving the preferences")
        if appearance_changed:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_appearance(app, prefs.appearance)

    def run_action(self, action: Action) -> None:
        if action is Action.OPEN_KEY_DIALOG:
            self.open_key_dialog()
        elif action is Action.OPEN_CREDITS_PAGE:
            QDesktopServices.openUrl(QUrl(CREDITS_URL))
        elif action is Action.OPEN_PREFERENCES:
            self.open_preferences()
        elif action is Action.OPEN_LOG:
            self.open_log_folder()

    def open_log_folder(self) -> None:
        folder = self.desktop.config.paths.log_dir
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about(self) -> None:
        from app import __version__

        QMessageBox.about(
            self,
            "About Copydesk",
            f"<b>Copydesk {__version__}</b><br>A desktop studio that turns a brand, its "
            "products and a goal into reviewed, publish-ready posts.",
        )

    def _on_notice(self, notice: Notice) -> None:
        self.notices.show_notice(notice)
        if notice.severity is Severity.ERROR:
            self.statusBar().showMessage(notice.title, 8000)

    # -- layout ----------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        state = self.desktop.window_state
        if (geometry := state.bytes("main/geometry")) is not None:
            self.restoreGeometry(geometry)
        if (window := state.bytes("main/state")) is not None:
            self.restoreState(window)
        if (split := state.bytes("main/librarySplit")) is not None:
            self.library_split.restoreState(split)
        else:
            self.library_split.setSizes([320, 480])
        if (header := state.bytes("main/libraryHeader")) is not None:
            self.library.restore_header_state(header)
        page = state.text("main/page", "0")
        self.nav.setCurrentRow(int(page) if page.isdigit() and int(page) < len(PAGES) else 0)

    def save_layout(self) -> None:
        state = self.desktop.window_state
        state.set_bytes("main/geometry", self.saveGeometry())
        state.set_bytes("main/state", self.saveState())
        state.set_bytes("main/librarySplit", self.library_split.saveState())
        header = self.library.header_state()
        if isinstance(header, QByteArray):
            state.set_bytes("main/libraryHeader", header)
        state.set_text("main/page", str(max(self.nav.currentRow(), 0)))
        state.sync()

    # -- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._closing:
            if self.runs.active_count:
                event.ignore()  # still waiting for the workers to stop
                return
            event.accept()
            return
        if self.runs.active_count:
            answer = QMessageBox.question(
                self,
                "Stop the running agents?",
                f"{self.runs.active_count} run(s) are still in progress. Quitting cancels them; "
                "what they finished is kept, and you can resume them next time.",
                QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Yes,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._closing = True
        self.save_layout()
        if self.runs.active_count:
            event.ignore()
            self.statusBar().showMessage("Stopping the running agents…")
            self.setEnabled(False)
            self.runs.all_stopped.connect(self._close_after_stop)
            self.runs.cancel_all()
            return
        event.accept()

    def _close_after_stop(self) -> None:
        QTimer.singleShot(0, self.close)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self.nav.setStyleSheet(nav_style())
        super().changeEvent(event)

    def shutdown(self) -> None:
        """Release everything once the event loop is over (the runs have stopped by now)."""
        self.runs.stop_all_and_wait()
        self.desktop.tasks.wait_for_done(15000)
        self.notice_bus.close()
        if self._tray is not None:
            self._tray.hide()
        if self.backend is not None:
            self.backend.close()
            self.backend = None
        self.shut_down.emit()
