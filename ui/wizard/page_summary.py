"""Page 5: what will run, on which models, at what estimated cost; then Launch."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
)

from ui import formatting
from ui.wizard import jobs
from ui.wizard.page_base import AsyncPage, escape, note
from ui.wizard.request import PieceRequest

if TYPE_CHECKING:
    from ui.wizard.wizard import NewPieceWizard


# -- 5. summary ------------------------------------------------------------------------------


class SummaryPage(AsyncPage):
    def __init__(self, wizard: NewPieceWizard) -> None:
        super().__init__(wizard)
        self.setTitle("Ready to launch")
        self.setSubTitle("What will run, on which models, and what it should cost.")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Launch")
        self.summary = note()
        self.steps = QTableWidget(0, 5)
        self.steps.setHorizontalHeaderLabels(["Platform", "Agent", "Model", "Tokens ≈", "Cost ≈"])
        self.steps.verticalHeader().setVisible(False)
        self.steps.verticalHeader().setDefaultSectionSize(self.steps.fontMetrics().height() + 8)
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.steps.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.steps.setAccessibleName("Planned steps")
        self.total = note()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.error)
        self.estimate: jobs.RunEstimate | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        request = self.request
        project = request.project
        products = (
            f"{len(request.product_ids)} product(s)"
            if request.mode == "template"
            else "the pasted text (manual mode)"
        )
        voice = (
            "the confirmed brand voice" if request.voice_confirmed else "no confirmed brand voice"
        )
        lines = [
            f"<b>{escape(request.title or request.goal)}</b>",
            f"For {escape(project.label if project else '?')}, as "
            f"{escape(request.skill.label if request.skill else 'no particular skill')}, "
            f"from {products}, with {voice}.",
            "Platforms: "
            + ", ".join(formatting.platform_label(p) for p in request.platforms)
            + " — each runs writer → editor → SEO specialist → senior editor → reviewer, in "
            "parallel.",
            f"Drafts scoring under {request.score_threshold} go back to the senior editor, "
            f"up to {request.max_iterations} time(s).",
        ]
        self.summary.setText("<br>".join(lines))
        self.total.setText("Estimating the cost…")
        backend = self.owner.backend
        context_chars = (
            len(request.goal)
            + len(request.instructions)
            + len(request.source_content)
            + len(str(request.brand_voice or ""))
            + 600 * len(request.product_ids)
        )
        snapshot = PieceRequest(**vars(request))
        self.owner.desktop.tasks.submit(
            lambda: jobs.estimate_run(backend, snapshot, context_chars),
            on_result=self._estimated,
            on_error=lambda exc: self.total.setText(f"No estimate: {exc}"),
            owner=self,
        )

    def _estimated(self, estimate: jobs.RunEstimate) -> None:
        self.estimate = estimate
        self.steps.setRowCount(len(estimate.steps))
        for row, step in enumerate(estimate.steps):
            cells = (
                formatting.platform_label(step.platform),
                step.agent_label,
                step.model,
                f"{step.input_tokens:,} + {step.output_tokens:,}",
                formatting.money(step.cost),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.steps.setItem(row, column, item)
        self.steps.resizeColumnsToContents()
        self.steps.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if estimate.first_pass is None:
            text = "Some prices are unknown, so no total can be given"
        else:
            text = f"Estimated cost: <b>≈ {formatting.money(estimate.first_pass)}</b>"
            if (
                estimate.with_revisions is not None
                and estimate.with_revisions > estimate.first_pass
            ):
                text += (
                    f", up to ≈ {formatting.money(estimate.with_revisions)} if every revision "
                    "round runs"
                )
        if estimate.unknown_models:
            text += f". No price for: {', '.join(estimate.unknown_models)}"
        when = (
            f"the catalog of {formatting.when(estimate.catalog_date)}"
            if estimate.catalog_date
            else "no catalog yet (prices unknown until the model list is fetched)"
        )
        text += f".<br><small>Rough figures from {when}; the run shows the real cost.</small>"
        self.total.setText(text)

    def before_leaving(self) -> Any:
        db, snapshot = self.owner.backend.db, PieceRequest(**vars(self.request))
        return lambda: jobs.launch(db, snapshot)

    def after_job(self, result: uuid.UUID) -> None:
        self.owner.piece_launched(result)
