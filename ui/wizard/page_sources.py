"""Page 3: the products (a checkable, searchable catalog with imports) or a pasted text,
and the project's style samples and references."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from ui.wizard import jobs
from ui.wizard.models import ProductFilter, ProductTableModel
from ui.wizard.page_base import AsyncPage, ProgressRelay, note

if TYPE_CHECKING:
    from ui.wizard.wizard import NewPieceWizard


# -- 3. sources ------------------------------------------------------------------------------


class ResourceDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a style sample or reference")
        self.kind = QComboBox()
        self.kind.addItem("Style sample (a text whose style to follow)", "style_sample")
        self.kind.addItem("Reference (facts to draw on)", "reference")
        self.title = QLineEdit()
        self.content = QPlainTextEdit()
        self.content.setPlaceholderText("Paste the text")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.content.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.content.toPlainText().strip()))
        )
        form = QFormLayout(self)
        form.addRow("Kind:", self.kind)
        form.addRow("Title:", self.title)
        form.addRow("Text:", self.content)
        form.addRow(buttons)
        self.resize(520, 380)


class SourcesPage(AsyncPage):
    def __init__(self, wizard: NewPieceWizard) -> None:
        super().__init__(wizard)
        self.setTitle("Sources")
        self.setSubTitle(
            "The products the piece is about, from the project's catalog, or a text to adapt."
        )
        self.catalog_mode = QRadioButton("Products from the catalog")
        self.manual_mode = QRadioButton("Adapt a text I paste (manual mode)")
        self.catalog_mode.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.catalog_mode)
        modes.addButton(self.manual_mode)
        self.catalog_mode.toggled.connect(self._mode_changed)

        # catalog
        self.source_box = QComboBox()
        self.source_box.setAccessibleName("Catalog")
        self.source_box.setMinimumContentsLength(28)
        self.source_box.currentIndexChanged.connect(self._source_chosen)
        self.import_store_button = QPushButton("Import from store")
        self.import_store_button.setToolTip("Fetch the store's whole catalog again")
        self.import_store_button.clicked.connect(self._import_store)
        self.import_file_button = QPushButton("Import file…")
        self.import_file_button.setToolTip("Products from a CSV or JSON file")
        self.import_file_button.clicked.connect(self._choose_file)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search products")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search products")
        self.products = ProductTableModel(self)
        self.filter = ProductFilter(self)
        self.filter.setSourceModel(self.products)
        self.search.textChanged.connect(self.filter.set_search)
        self.table = QTableView()
        self.table.setModel(self.filter)
        self.table.setAccessibleName("Products")
        # Catalog order until the editor sorts by a column.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._toggle_row)
        self.selected_label = QLabel("No product selected")
        self.products.selection_changed.connect(self._selection_changed)
        self.catalog_status = note()
        top = QHBoxLayout()
        top.addWidget(QLabel("Catalog:"))
        top.addWidget(self.source_box, 1)
        top.addWidget(self.import_store_button)
        top.addWidget(self.import_file_button)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.selected_label)
        catalog = QWidget()
        catalog_layout = QVBoxLayout(catalog)
        catalog_layout.setContentsMargins(0, 0, 0, 0)
        catalog_layout.addLayout(top)
        catalog_layout.addLayout(search_row)
        catalog_layout.addWidget(self.table, 1)
        catalog_layout.addWidget(self.catalog_status)

        # manual
        self.source_text = QPlainTextEdit()
        self.source_text.setPlaceholderText(
            "Paste the text to adapt: an article, notes, a press release…"
        )
        self.source_text.setAccessibleName("Source text")
        self.source_text.textChanged.connect(lambda: self.completeChanged.emit())

        self.stack = QStackedWidget()
        self.stack.addWidget(catalog)
        self.stack.addWidget(self.source_text)

        # style samples and references
        self.resources = QListWidget()
        self.resources.setAccessibleName("Style samples and references")
        self.resources.setMaximumHeight(self.resources.fontMetrics().height() * 5)
        add_resource = QPushButton("Add…")
        add_resource.clicked.connect(self._add_resource)
        resources_box = QGroupBox("Style samples and references of the project (all are used)")
        resources_layout = QHBoxLayout(resources_box)
        resources_layout.addWidget(self.resources, 1)
        resources_layout.addWidget(add_resource, 0, Qt.AlignmentFlag.AlignTop)

        modes_row = QHBoxLayout()
        modes_row.addWidget(self.catalog_mode)
        modes_row.addWidget(self.manual_mode)
        modes_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(modes_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(resources_box)
        layout.addWidget(self.error)
        self._project_id: uuid.UUID | None = None
        self._catalogs: dict[str, jobs.Catalog] = {}
        self._relay = ProgressRelay(self)
        self._relay.message.connect(self.catalog_status.setText)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        project = self.request.project
        if project is None or project.id == self._project_id:
            return
        self._project_id = project.id
        self.products.set_checked(self.request.product_ids)
        db = self.owner.backend.db
        self.owner.desktop.tasks.submit(
            lambda: jobs.load_resources(db, project.id), on_result=self._show_resources, owner=self
        )
        self.source_box.blockSignals(True)
        self.source_box.clear()
        self.source_box.blockSignals(False)
        if project.store_url:
            self._load(
                lambda: jobs.load_catalog(db, project.store_url or ""), "Loading the catalog…"
            )
        else:
            self.catalog_status.setText(
                "This project has no store: import a product file, or paste a text instead."
            )
            self.import_store_button.setEnabled(False)

    def _load(self, job: Any, message: str) -> None:
        self.catalog_status.setText(message)
        self.set_busy(True)
        self.owner.desktop.tasks.submit(
            job, on_result=self._catalog_loaded, on_error=self._catalog_failed, owner=self
        )

    def _catalog_loaded(self, catalog: jobs.Catalog) -> None:
        self.set_busy(False)
        self._catalogs[catalog.source] = catalog
        index = self.source_box.findData(catalog.source)
        if index < 0:
            self.source_box.addItem(catalog.label, catalog.source)
            index = self.source_box.count() - 1
        if self.source_box.currentIndex() == index:
            self._source_chosen(index)
        else:
            self.source_box.setCurrentIndex(index)
        self.catalog_status.setText(f"{formatting.count(len(catalog.products))} products")

    def _catalog_failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        self.catalog_status.clear()
        self.show_error(exc)

    def _source_chosen(self, index: int) -> None:
        catalog = self._catalogs.get(self.source_box.itemData(index))
        if catalog is not None:
            self.products.set_products(catalog.products)
            self.table.resizeColumnsToContents()
            self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _import_store(self) -> None:
        project = self.request.project
        if project is None or not project.store_url:
            return
        db, url, relay = self.owner.backend.db, project.store_url, self._relay

        def on_page(page: int, count: int) -> None:
            relay.message.emit(f"Importing… page {page}, {count:,} products so far")

        self.clear_error()
        self._load(lambda: jobs.import_store(db, url, on_page), f"Importing the catalog of {url}…")

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Import products", "", "Product files (*.csv *.json)"
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        db = self.owner.backend.db
        self.clear_error()
        self._load(lambda: jobs.import_file(db, path), f"Importing {path.name}…")

    def _toggle_row(self, index: Any) -> None:
        source = self.filter.mapToSource(self.filter.index(index.row(), 0))
        checked = self.products.data(source, Qt.ItemDataRole.CheckStateRole)
        self.products.setData(
            source,
            Qt.CheckState.Unchecked if checked == Qt.CheckState.Checked else Qt.CheckState.Checked,
            Qt.ItemDataRole.CheckStateRole,
        )

    def _selection_changed(self, count: int) -> None:
        self.selected_label.setText("No product selected" if count == 0 else f"{count} selected")

    def _mode_changed(self) -> None:
        self.stack.setCurrentIndex(0 if self.catalog_mode.isChecked() else 1)
        self.completeChanged.emit()

    def _show_resources(self, rows: list[jobs.ResourceRow]) -> None:
        self.resources.clear()
        for row in rows:
            kind = "Style sample" if row.type == "style_sample" else "Reference"
            item = QListWidgetItem(f"{kind}: {row.title} — {row.excerpt}")
            self.resources.addItem(item)
        if not rows:
            self.resources.addItem("None yet. Samples of the brand's writing help the writer.")

    def _add_resource(self) -> None:
        project = self.request.project
        if project is None:
            return
        dialog = ResourceDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        db = self.owner.backend.db
        kind, title, text = (
            dialog.kind.currentData(),
            dialog.title.text(),
            dialog.content.toPlainText(),
        )
        self.owner.desktop.tasks.submit(
            lambda: jobs.add_resource(db, project.id, kind, title, text),
            on_result=lambda _row: self.owner.desktop.tasks.submit(
                lambda: jobs.load_resources(db, project.id),
                on_result=self._show_resources,
                owner=self,
            ),
            on_error=self.show_error,
            owner=self,
        )

    def ready(self) -> bool:
        if self.manual_mode.isChecked():
            return bool(self.source_text.toPlainText().strip())
        return True

    def before_leaving(self) -> Any:
        manual = self.manual_mode.isChecked()
        self.request.mode = "manual" if manual else "template"
        self.request.source_content = self.source_text.toPlainText().strip() if manual else ""
        self.request.product_ids = [] if manual else list(self.products.checked)
        return None
