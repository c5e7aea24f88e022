"""The new-piece wizard: five pages over one PieceRequest; "Launch" creates the queued piece
and hands its id to the caller, which starts the run."""

from __future__ import annotations

import sys
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard, QWizardPage

from ui.wizard.page_platforms import PlatformsPage
from ui.wizard.page_project import ProjectSkillPage
from ui.wizard.page_sources import SourcesPage
from ui.wizard.page_summary import SummaryPage
from ui.wizard.page_voice import BrandVoicePage
from ui.wizard.request import PieceRequest

if TYPE_CHECKING:
    from ui.backend import Backend
    from ui.desktop import Desktop


class NewPieceWizard(QWizard):
    launched = Signal(object)  # uuid.UUID of the queued piece

    def __init__(self, desktop: Desktop, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desktop = desktop
        self.backend = backend
        self.request = PieceRequest(
            score_threshold=desktop.prefs.score_threshold,
            max_iterations=desktop.prefs.max_iterations,
        )
        self.piece_id: uuid.UUID | None = None
        self._busy = 0
        self.setWindowTitle("New piece")
        if sys.platform != "darwin":
            self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Launch")
        self.setMinimumSize(860, 640)
        self.project_page = ProjectSkillPage(self)
        self.voice_page = BrandVoicePage(self)
        self.sources_page = SourcesPage(self)
        self.platforms_page = PlatformsPage(self)
        self.summary_page = SummaryPage(self)
        for page in (
            self.project_page,
            self.voice_page,
            self.sources_page,
            self.platforms_page,
            self.summary_page,
        ):
            self.addPage(page)

    def set_busy(self, busy: bool) -> None:
        """While a page waits for a worker, going back or cancelling would lose its result."""
        self._busy = max(0, self._busy + (1 if busy else -1))
        waiting = self._busy > 0
        self.button(QWizard.WizardButton.BackButton).setEnabled(not waiting)
        if waiting:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def continue_from(self, page: QWizardPage) -> None:
        """A page's job is done: move on (or finish, on the last page)."""
        if self.currentPage() is not page:
            return
        if page is self.summary_page:
            self.accept()
        else:
            self.next()

    def piece_launched(self, piece_id: uuid.UUID) -> None:
        self.piece_id = piece_id
        self.launched.emit(piece_id)

    def reject(self) -> None:
        if self.piece_id is None and self.request.touched:
            answer = QMessageBox.question(
                self,
                "Discard this piece?",
                "What you entered in the wizard will be lost.",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        event.ignore()
        self.reject()
