"""Preferences: appearance and run defaults (saved as preferences), the models each agent uses
(saved in the database, safely against a colleague's concurrent edit), and where Copydesk
is connected (database, server, key)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.status import PLATFORMS
from ui import formatting
from ui.preferences import Appearance, Preferences
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.services.agent_configs import AgentSettings


@dataclass(frozen=True)
class AgentEdit:
    agent_id: str
    expected_version: int
    model_id: str
    temperature: Decimal
    max_tokens: int


def load_agents(db: Database) -> list[AgentSettings]:
    from app.services.agent_configs import list_agent_configs, to_settings

    with db.session() as session:
        return [to_settings(config) for config in list_agent_configs(session)]


def save_agents(db: Database, edits: list[AgentEdit]) -> int:
    from app.services.agent_configs import update_agent_config

    with db.session() as session:
        for edit in edits:
            update_agent_config(
                session,
                edit.agent_id,
                expected_version=edit.expected_version,
                model_id=edit.model_id,
                temperature=edit.temperature,
                max_tokens=edit.max_tokens,
            )
    return len(edits)


class _AgentRow:
    def __init__(self, settings: AgentSettings) -> None:
        self.settings = settings
        self.model = QLineEdit(settings.model_id)
        self.model.setAccessibleName(f"Model of {settings.agent_label}")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setValue(float(settings.temperature))
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 1_000_000)
        self.max_tokens.setSingleStep(256)
        self.max_tokens.setValue(settings.max_tokens)

    def edit(self) -> AgentEdit | None:
        temperature = Decimal(str(round(self.temperature.value(), 2)))
        model = self.model.text().strip()
        if (
            model == self.settings.model_id
            and temperature == self.settings.temperature
            and self.max_tokens.value() == self.settings.max_tokens
        ):
            return None
        return AgentEdit(
            self.settings.agent_id,
            self.settings.version,
            model,
            temperature,
            self.max_tokens.value(),
        )


class PreferencesDialog(QDialog):
    preferences_changed = Signal(object)  # Preferences
    change_key_requested = Signal()

    def __init__(
        self,
        tasks: TaskRunner,
        prefs: Preferences,
        *,
        db: Database | None,
        database_label: str,
        server_label: str,
        key_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._db = db
        self._prefs = prefs
        self._agent_rows: list[_AgentRow] = []
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(640)

        # general
        self.appearance = QComboBox()
        for appearance, name in (
            (Appearance.SYSTEM, "Follow the system"),
            (Appearance.LIGHT, "Light"),
            (Appearance.DARK, "Dark"),
        ):
            self.appearance.addItem(name, appearance)
        self.appearance.setCurrentIndex(self.appearance.findData(prefs.appearance))
        self.platform_boxes: dict[str, QCheckBox] = {}
        platform_row = QHBoxLayout()
        for platform in PLATFORMS:
            box = QCheckBox(formatting.platform_label(platform))
            box.setChecked(platform in prefs.default_platforms)
            self.platform_boxes[platform] = box
            platform_row.addWidget(box)
        platform_row.addStretch(1)
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 100)
        self.threshold.setValue(prefs.score_threshold)
        self.threshold.setToolTip("A reviewer score below this sends the draft back for revision")
        self.iterations = QSpinBox()
        self.iterations.setRange(0, 20)
        self.iterations.setValue(prefs.max_iterations)
        self.parallel = QSpinBox()
        self.parallel.setRange(1, 8)
        self.parallel.setValue(prefs.max_parallel)
        self.notify = QCheckBox("Notify me when a run finishes while Copydesk is in the background")
        self.notify.setChecked(prefs.notify_when_done)
        general = QWidget()
        form = QFormLayout(general)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Appearance:", self.appearance)
        form.addRow("Default platforms:", platform_row)
        form.addRow("Revise below score:", self.threshold)
        form.addRow("Revision rounds at most:", self.iterations)
        form.addRow("Platforms in parallel:", self.parallel)
        form.addRow("", self.notify)

        # agents
        agents = QWidget()
        self.agents_grid = QGridLayout()
        for column, title in enumerate(("Agent", "Model", "Temperature", "Max tokens")):
            header = QLabel(f"<b>{title}</b>")
            self.agents_grid.addWidget(header, 0, column)
        self.agents_grid.setColumnStretch(1, 1)
        self.agents_status = QLabel("Loading the agents…" if db is not None else "No database.")
        self.agents_status.setWordWrap(True)
        agents_layout = QVBoxLayout(agents)
        agents_layout.addLayout(self.agents_grid)
        agents_layout.addWidget(self.agents_status)
        agents_layout.addStretch(1)

        # connection
        connection = QWidget()
        connection_form = QFormLayout(connection)
        for label, value in (
            ("Database:", database_label),
            ("Model server:", server_label),
            ("API key:", key_label),
        ):
            text = QLabel(value)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setWordWrap(True)
            connection_form.addRow(label, text)
        change_key = QPushButton("Change key…")
        change_key.clicked.connect(self.change_key_requested.emit)
        connection_form.addRow("", change_key)

        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        self.tabs.addTab(agents, "Agents")
        self.tabs.addTab(connection, "Connection")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        if db is not None:
            self._tasks.submit(
                lambda: load_agents(db),
                on_result=self._show_agents,
                on_error=lambda exc: self.agents_status.setText(str(exc)),
                owner=self,
            )

    def chosen_preferences(self) -> Preferences:
        platforms = tuple(p for p, box in self.platform_boxes.items() if box.isChecked())
        return replace(
            self._prefs,
            appearance=Appearance(self.appearance.currentData()),
            default_platforms=platforms or self._prefs.default_platforms,
            score_threshold=self.threshold.value(),
            max_iterations=self.iterations.value(),
            max_parallel=self.parallel.value(),
            notify_when_done=self.notify.isChecked(),
        )

    def _show_agents(self, agents: list[AgentSettings]) -> None:
        self._agent_rows = []
        for number, settings in enumerate(agents, start=1):
            row = _AgentRow(settings)
            self._agent_rows.append(row)
            self.agents_grid.addWidget(QLabel(settings.agent_label), number, 0)
            self.agents_grid.addWidget(row.model, number, 1)
            self.agents_grid.addWidget(row.temperature, number, 2)
            self.agents_grid.addWidget(row.max_tokens, number, 3)
        self.agents_status.setText(
            "Model ids as OpenRouter names them, e.g. anthropic/claude-sonnet-4.5. "
            "Changes apply to the next step that starts."
        )

    def _save(self) -> None:
        edits = [edit for row in self._agent_rows if (edit := row.edit()) is not None]
        prefs = self.chosen_preferences()
        if not edits or self._db is None:
            self._finish(prefs)
            return
        db = self._db
        self.buttons.setEnabled(False)
        self.error.setText("Saving the agents…")
        self._tasks.submit(
            lambda: save_agents(db, edits),
            on_result=lambda _count: self._finish(prefs),
            on_error=self._save_failed,
            owner=self,
        )

    def _save_failed(self, exc: BaseException) -> None:
        from app.notifications import describe

        notice = describe(exc)
        self.buttons.setEnabled(True)
        self.tabs.setCurrentIndex(1)
        self.error.setText(f"✗ {notice.title}: {notice.cause} {notice.next_step}")

    def _finish(self, prefs: Preferences) -> None:
        if prefs != self._prefs:
            self.preferences_changed.emit(prefs)
        self.accept()
