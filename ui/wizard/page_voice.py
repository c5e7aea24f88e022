"""Page 2: the brand voice, analysed from the store's site, edited and confirmed."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from ui.wizard import jobs
from ui.wizard.page_base import AsyncPage, ProgressRelay, note

if TYPE_CHECKING:
    from ui.wizard.wizard import NewPieceWizard


# -- 2. brand voice --------------------------------------------------------------------------

LIST_FIELDS = (
    ("personality_traits", "Personality"),
    ("vocabulary_use", "Words to use"),
    ("vocabulary_avoid", "Words to avoid"),
    ("dos", "Do"),
    ("donts", "Don't"),
    ("sample_phrases", "Sample phrases"),
)


class VoiceEditor(QWidget):
    """The brand-voice profile as editable fields (lists one item per line)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._extra: dict[str, Any] = {}
        self.tone = QLineEdit()
        self.audience = QLineEdit()
        self.summary = QPlainTextEdit()
        self.summary.setMaximumHeight(self.summary.fontMetrics().height() * 4)
        self.lists: dict[str, QPlainTextEdit] = {}
        form = QFormLayout(self)
        form.addRow("Tone:", self.tone)
        form.addRow("Audience:", self.audience)
        form.addRow("Summary:", self.summary)
        for key, label in LIST_FIELDS:
            edit = QPlainTextEdit()
            edit.setPlaceholderText("One per line")
            edit.setMaximumHeight(edit.fontMetrics().height() * 4)
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(label)
            self.lists[key] = edit
            form.addRow(f"{label}:", edit)
            edit.textChanged.connect(self.edited.emit)
        for widget in (self.tone, self.audience):
            widget.textChanged.connect(lambda _text: self.edited.emit())
        self.summary.textChanged.connect(self.edited.emit)

    def set_profile(self, profile: dict[str, Any] | None) -> None:
        profile = dict(profile or {})
        self.blockSignals(True)
        self.tone.setText(str(profile.pop("tone", "") or ""))
        self.audience.setText(str(profile.pop("audience", "") or ""))
        self.summary.setPlainText(str(profile.pop("summary", "") or ""))
        for key, edit in self.lists.items():
            value = profile.pop(key, []) or []
            edit.setPlainText("\n".join(str(item) for item in value))
        self._extra = profile
        self.blockSignals(False)

    def profile(self) -> dict[str, Any]:
        result: dict[str, Any] = dict(self._extra)
        result["tone"] = self.tone.text().strip()
        result["audience"] = self.audience.text().strip()
        result["summary"] = self.summary.toPlainText().strip()
        for key, edit in self.lists.items():
            result[key] = [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]
        return result

    def is_empty(self) -> bool:
        profile = self.profile()
        return not any(value for value in profile.values())


class BrandVoicePage(AsyncPage):
    def __init__(self, wizard: NewPieceWizard) -> None:
        super().__init__(wizard)
        self.setTitle("Brand voice")
        self.setSubTitle(
            "How the brand writes. Analyse the store's site, then edit and confirm the profile: "
            "every agent is told to write in this voice."
        )
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://shop.example.com")
        self.url.setAccessibleName("Site to analyse")
        self.analyse_button = QPushButton("Analyse the site")
        self.analyse_button.clicked.connect(lambda: self.analyse(force=False))
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self._stop)
        self.status = note()
        self.editor = VoiceEditor()
        self.editor.edited.connect(self._edited)
        self.confirm = QCheckBox("Confirm this voice for the project (new pieces use it)")
        self.confirm.toggled.connect(lambda _on: self.completeChanged.emit())
        row = QHBoxLayout()
        row.addWidget(QLabel("Site:"))
        row.addWidget(self.url, 1)
        row.addWidget(self.analyse_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.confirm)
        layout.addWidget(self.error)
        self._relay = ProgressRelay(self)
        self._relay.message.connect(self.status.setText)
        self._cancel: Any = None
        self._project_id: uuid.UUID | None = None
        self._saved_profile: dict[str, Any] | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        project = self.request.project
        if project is None or project.id == self._project_id:
            return  # back and forth on the same project keeps what was entered
        self._project_id = project.id
        self.url.setText(project.store_url or "")
        if project.brand_voice and project.voice_confirmed:
            self.editor.set_profile(project.brand_voice)
            self._saved_profile = self.editor.profile()
            self.confirm.setChecked(True)
            self.status.setText(f"The voice confirmed for {project.name}. Edit it if needed.")
            self.analyse_button.setText("Analyse again")
            return
        self._saved_profile = None
        self.editor.set_profile(None)
        self.confirm.setChecked(False)
        if not project.store_url:
            self.status.setText(
                "This project has no store URL: enter a site to analyse, or go on without a "
                "brand voice."
            )
            return
        db, url = self.owner.backend.db, project.store_url
        self.status.setText("Looking for an earlier analysis…")
        self.owner.desktop.tasks.submit(
            lambda: jobs.cached_voice(db, url), on_result=self._cached, owner=self
        )

    def _cached(self, result: jobs.VoiceResult | None) -> None:
        if result is None:
            self.status.setText(
                "No analysis of this site yet. Analysing reads the home page and makes one "
                "model call (a few cents)."
            )
            return
        self._show(result)

    def analyse(self, *, force: bool) -> None:
        from app.llm.cancel import CancelToken

        url = self.url.text().strip()
        if not url:
            self.show_error("Enter the address of the site to analyse.")
            return
        self.clear_error()
        backend, project_id, relay = self.owner.backend, self._project_id, self._relay
        force = force or self.analyse_button.text() == "Analyse again"
        token = CancelToken()
        self._cancel = token
        self.set_busy(True)
        self.analyse_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.status.setText(f"Reading {url}…")
        self.owner.desktop.tasks.submit(
            lambda: jobs.analyse_voice(
                backend, url, project_id, force=force, on_progress=relay.message.emit, cancel=token
            ),
            on_result=self._analysed,
            on_error=self._failed,
            owner=self,
        )

    def _stop(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def _analysed(self, result: jobs.VoiceResult) -> None:
        self._end_analysis()
        self._show(result)

    def _failed(self, exc: BaseException) -> None:
        self._end_analysis()
        self.status.clear()
        self.show_error(exc)

    def _end_analysis(self) -> None:
        self._cancel = None
        self.set_busy(False)
        self.analyse_button.setEnabled(True)
        self.cancel_button.setVisible(False)

    def _show(self, result: jobs.VoiceResult) -> None:
        import datetime as dt

        self.editor.set_profile(result.profile)
        age = formatting.age(dt.datetime.now(dt.UTC) - result.analysed_at)
        source = "from the cache" if result.cached else "just now"
        cost = f" for {formatting.money(result.cost)}" if result.cost is not None else ""
        model = f" by {result.model}" if result.model else ""
        self.status.setText(
            f"Analysed {age}{model} ({source}{cost}); kept for 7 days. Edit what is off, then "
            "confirm."
        )
        self.analyse_button.setText("Analyse again")
        self.confirm.setChecked(True)

    def _edited(self) -> None:
        self.completeChanged.emit()

    def before_leaving(self) -> Any:
        profile = self.editor.profile()
        empty = self.editor.is_empty()
        self.request.brand_voice = None if empty else profile
        self.request.voice_confirmed = self.confirm.isChecked() and not empty
        if not self.request.voice_confirmed or profile == self._saved_profile:
            return None
        db, project_id = self.owner.backend.db, self._project_id
        assert project_id is not None
        return lambda: jobs.confirm_voice(db, project_id, profile)

    def after_job(self, result: Any) -> None:
        self._saved_profile = self.editor.profile()
