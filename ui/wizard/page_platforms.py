"""Page 4: platforms, instructions, the skill's own inputs and the revision options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from app.domain.status import PLATFORMS
from ui import formatting
from ui.wizard.page_base import AsyncPage
from ui.wizard.schema_form import SchemaForm

if TYPE_CHECKING:
    from ui.wizard.wizard import NewPieceWizard


# -- 4. platforms and options ----------------------------------------------------------------


class PlatformsPage(AsyncPage):
    def __init__(self, wizard: NewPieceWizard) -> None:
        super().__init__(wizard)
        self.setTitle("Platforms and instructions")
        self.setSubTitle("Where the piece will appear, and anything the writer should know.")
        self.platform_boxes: dict[str, QCheckBox] = {}
        platforms_row = QHBoxLayout()
        for platform in PLATFORMS:
            box = QCheckBox(formatting.platform_label(platform))
            box.toggled.connect(lambda _on: self.completeChanged.emit())
            self.platform_boxes[platform] = box
            platforms_row.addWidget(box)
        platforms_row.addStretch(1)
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText(
            "e.g. Mention free shipping over €80. Avoid the word 'luxury'."
        )
        self.instructions.setAccessibleName("Instructions")
        self.instructions.setMaximumHeight(self.instructions.fontMetrics().height() * 6)
        self.form = SchemaForm()
        self.form_box = QGroupBox("Details the skill asks for")
        form_layout = QVBoxLayout(self.form_box)
        form_layout.addWidget(self.form)
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 100)
        self.threshold.setToolTip("A reviewer score below this sends the draft back for revision")
        self.iterations = QSpinBox()
        self.iterations.setRange(0, 20)
        options = QHBoxLayout()
        options.addWidget(QLabel("Revise below score:"))
        options.addWidget(self.threshold)
        options.addSpacing(16)
        options.addWidget(QLabel("Revision rounds at most:"))
        options.addWidget(self.iterations)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Platforms:"))
        layout.addLayout(platforms_row)
        layout.addWidget(QLabel("Instructions:"))
        layout.addWidget(self.instructions)
        layout.addWidget(self.form_box, 1)
        layout.addLayout(options)
        layout.addWidget(self.error)
        self._skill: str | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        skill = self.request.skill
        name = skill.name if skill else None
        if name == self._skill:
            return
        self._skill = name
        defaults = (
            self.request.platforms
            or list(skill.default_platforms if skill and skill.default_platforms else ())
            or list(self.owner.desktop.prefs.default_platforms)
        )
        for platform, box in self.platform_boxes.items():
            box.setChecked(platform in defaults)
        self.form.set_schema(skill.template_inputs if skill else None, self.request.template_inputs)
        self.form_box.setTitle(f"Details for “{skill.label}”" if skill else "Details")
        self.threshold.setValue(self.request.score_threshold)
        self.iterations.setValue(self.request.max_iterations)

    def ready(self) -> bool:
        return any(box.isChecked() for box in self.platform_boxes.values())

    def problem(self) -> str | None:
        problems = self.form.problems()
        if problems:
            return "Please complete the details: " + "; ".join(problems) + "."
        return None

    def before_leaving(self) -> Any:
        self.request.platforms = [p for p, box in self.platform_boxes.items() if box.isChecked()]
        self.request.instructions = self.instructions.toPlainText().strip()
        self.request.template_inputs = self.form.values()
        self.request.score_threshold = self.threshold.value()
        self.request.max_iterations = self.iterations.value()
        return None
