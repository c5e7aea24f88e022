"""What every wizard page shares: a "Next" that may first wait for a worker, an error line,
and a relay for progress messages from worker threads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QWizardPage,
)

from ui.wizard.request import PieceRequest

if TYPE_CHECKING:
    from ui.wizard.wizard import NewPieceWizard


class ProgressRelay(QObject):
    """Carries progress messages from a worker thread to the GUI thread."""

    message = Signal(str)


def note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AsyncPage(QWizardPage):
    """A page whose "Next" may first need a job on a worker thread."""

    def __init__(self, wizard: NewPieceWizard) -> None:
        super().__init__()
        self.owner = wizard
        self._may_leave = False
        self._busy = False
        self.error = note()
        self.error.setVisible(False)

    @property
    def request(self) -> PieceRequest:
        return self.owner.request

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.owner.set_busy(busy)
        self.completeChanged.emit()

    def show_error(self, exc: BaseException | str) -> None:
        if isinstance(exc, str):
            text = exc
        else:
            from app.notifications import describe

            notice = describe(exc)
            text = f"{notice.title}: {notice.cause} {notice.next_step}".strip()
        self.error.setText(f"✗ {text}")
        self.error.setVisible(True)

    def clear_error(self) -> None:
        self.error.clear()
        self.error.setVisible(False)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self._busy and self.ready()

    def ready(self) -> bool:
        return True

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        if self._may_leave:
            self._may_leave = False
            return True
        self.clear_error()
        problem = self.problem()
        if problem:
            self.show_error(problem)
            return False
        job = self.before_leaving()
        if job is None:
            return True
        self.set_busy(True)
        self.owner.desktop.tasks.submit(
            job, on_result=self._job_done, on_error=self._job_failed, owner=self
        )
        return False

    def problem(self) -> str | None:
        """What stops the editor from moving on, said so they can fix it; None if nothing."""
        return None

    def before_leaving(self) -> Any:
        """A function to run on a worker before moving on, or None to move on at once."""
        return None

    def after_job(self, result: Any) -> None:
        """Called with the job's result before the page is left."""

    def _job_done(self, result: Any) -> None:
        self.set_busy(False)
        self.after_job(result)
        self._may_leave = True
        self.owner.continue_from(self)

    def _job_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.show_error(exc)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
