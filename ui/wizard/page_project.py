"""Page 1: what to write (the goal), for which project, with which skill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.wizard import jobs
from ui.wizard.models import SkillListModel
from ui.wizard.page_base import AsyncPage, note
from ui.wizard.request import ProjectChoice, SkillChoice

if TYPE_CHECKING:
    from ui.wizard.wizard import NewPieceWizard

SUGGEST_DELAY_MS = 300


# -- 1. project and skill --------------------------------------------------------------------


class ProjectSkillPage(AsyncPage):
    def __init__(self, wizard: NewPieceWizard) -> None:
        super().__init__(wizard)
        self.setTitle("What to write, and for whom")
        self.setSubTitle(
            "Describe the piece in a sentence; the skills that fit it are suggested first."
        )
        self.goal = QPlainTextEdit()
        self.goal.setPlaceholderText(
            "e.g. A blog post announcing our summer linen collection for wedding guests"
        )
        self.goal.setAccessibleName("Goal")
        self.goal.setTabChangesFocus(True)
        self.goal.setMaximumHeight(self.goal.fontMetrics().height() * 4)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Optional; the writer proposes one otherwise")
        self.title_edit.setAccessibleName("Title")

        self.existing = QRadioButton("Existing project")
        self.new = QRadioButton("New project")
        self.existing.setChecked(True)
        self.project_box = QComboBox()
        self.project_box.setAccessibleName("Project")
        self.project_box.setMinimumContentsLength(30)
        self.client_box = QComboBox()
        self.client_box.setEditable(True)
        self.client_box.setAccessibleName("Client")
        client_line = self.client_box.lineEdit()
        if client_line is not None:
            client_line.setPlaceholderText("Client (existing or new)")
        self.project_name = QLineEdit()
        self.project_name.setPlaceholderText("Project name, e.g. Online store")
        self.project_name.setAccessibleName("Project name")
        self.store_url = QLineEdit()
        self.store_url.setPlaceholderText("https://shop.example.com (optional)")
        self.store_url.setAccessibleName("Store URL")
        new_form = QWidget()
        new_layout = QHBoxLayout(new_form)
        new_layout.setContentsMargins(20, 0, 0, 0)
        new_layout.addWidget(self.client_box, 2)
        new_layout.addWidget(self.project_name, 2)
        new_layout.addWidget(self.store_url, 3)
        self.new_form = new_form
        project_group = QGroupBox("Project")
        project_layout = QVBoxLayout(project_group)
        row = QHBoxLayout()
        row.addWidget(self.existing)
        row.addWidget(self.project_box, 1)
        project_layout.addLayout(row)
        project_layout.addWidget(self.new)
        project_layout.addWidget(new_form)

        self.skills = SkillListModel(self)
        self.skill_view = QListView()
        self.skill_view.setModel(self.skills)
        self.skill_view.setAccessibleName("Skills")
        self.skill_view.setSpacing(2)
        self.skill_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.skill_view.selectionModel().currentChanged.connect(lambda *_: self._skill_chosen())
        self.skill_view.clicked.connect(lambda _i: setattr(self, "_skill_picked", True))
        self.skill_note = note()
        skill_group = QGroupBox("Skill")
        skill_layout = QVBoxLayout(skill_group)
        skill_layout.addWidget(self.skill_view, 1)
        skill_layout.addWidget(self.skill_note)

        form = QFormLayout()
        form.addRow("Goal:", self.goal)
        form.addRow("Title:", self.title_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(project_group)
        layout.addWidget(skill_group, 1)
        layout.addWidget(self.error)

        self._skill_picked = False
        self._suggest = QTimer(self, singleShot=True, interval=SUGGEST_DELAY_MS)
        self._suggest.timeout.connect(self.reload_skills)
        self.goal.textChanged.connect(self._goal_changed)
        for widget in (self.existing, self.new):
            widget.toggled.connect(self._mode_changed)
        self.project_box.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self.project_name.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.client_box.editTextChanged.connect(lambda _t: self.completeChanged.emit())
        self._mode_changed()

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        db = self.owner.backend.db
        tasks = self.owner.desktop.tasks
        tasks.submit(lambda: jobs.load_projects(db), on_result=self._projects, owner=self)
        tasks.submit(lambda: jobs.load_clients(db), on_result=self._clients, owner=self)
        self.reload_skills()

    def _projects(self, projects: list[ProjectChoice]) -> None:
        current = self.request.project.id if self.request.project else None
        self.project_box.blockSignals(True)
        self.project_box.clear()
        for project in projects:
            self.project_box.addItem(project.label, project)
        if current is not None:
            for index in range(self.project_box.count()):
                if self.project_box.itemData(index).id == current:
                    self.project_box.setCurrentIndex(index)
        self.project_box.blockSignals(False)
        if not projects:
            self.new.setChecked(True)
            self.existing.setEnabled(False)
        self.completeChanged.emit()

    def _clients(self, names: list[str]) -> None:
        text = self.client_box.currentText()
        self.client_box.clear()
        self.client_box.addItems(names)
        self.client_box.setEditText(text)

    def _mode_changed(self) -> None:
        creating = self.new.isChecked()
        self.project_box.setEnabled(not creating)
        self.new_form.setEnabled(creating)
        self.completeChanged.emit()

    def _goal_changed(self) -> None:
        self.request.goal = self.goal.toPlainText().strip()
        self._suggest.start()
        self.completeChanged.emit()

    def reload_skills(self) -> None:
        db = self.owner.backend.db
        goal = self.goal.toPlainText()
        self.owner.desktop.tasks.submit(
            lambda: jobs.load_skills(db, goal), on_result=self._skills, owner=self
        )

    def _skills(self, skills: list[SkillChoice]) -> None:
        chosen = self.request.skill.name if self.request.skill else None
        self.skills.set_skills(skills)
        if not self._skill_picked and skills and skills[0].suggested:
            chosen = skills[0].name
        row = self.skills.row_of(chosen) if chosen else -1
        if row >= 0:
            self.skill_view.setCurrentIndex(self.skills.index(row))
        self._skill_chosen()

    def _skill_chosen(self) -> None:
        index = self.skill_view.currentIndex()
        skill = self.skills.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
        self.request.skill = skill
        self.skill_note.setText(skill.description if skill else "Choose the kind of content.")
        self.completeChanged.emit()

    def ready(self) -> bool:
        if not self.goal.toPlainText().strip() or self.request.skill is None:
            return False
        if self.new.isChecked():
            return bool(self.client_box.currentText().strip() and self.project_name.text().strip())
        return self.project_box.currentIndex() >= 0

    def before_leaving(self) -> Any:
        self.request.goal = self.goal.toPlainText().strip()
        self.request.title = self.title_edit.text().strip()
        if self.existing.isChecked():
            self.request.project = self.project_box.currentData()
            return None
        db = self.owner.backend.db
        client, name, url = (
            self.client_box.currentText(),
            self.project_name.text(),
            self.store_url.text(),
        )
        return lambda: jobs.create_project(db, client, name, url)

    def after_job(self, result: ProjectChoice) -> None:
        self.request.project = result
        self.project_box.addItem(result.label, result)
        self.project_box.setCurrentIndex(self.project_box.count() - 1)
        self.existing.setEnabled(True)
        self.existing.setChecked(True)
