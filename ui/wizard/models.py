"""Item models of the wizard's panes: skills (suggested first) and a checkable product table
whose search filters in place without losing what was ticked."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from ui.wizard.jobs import ProductRow
from ui.wizard.request import SkillChoice

Index = QModelIndex | QPersistentModelIndex


class SkillListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.skills: list[SkillChoice] = []

    def set_skills(self, skills: list[SkillChoice]) -> None:
        self.beginResetModel()
        self.skills = list(skills)
        self.endResetModel()

    def row_of(self, name: str) -> int:
        return next((i for i, skill in enumerate(self.skills) if skill.name == name), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.skills)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        skill = self.skills[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if skill.suggested:
                return f"★ {skill.label} — matches “{', '.join(skill.matched)}”"
            return skill.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return skill.description
        if role == Qt.ItemDataRole.FontRole and skill.suggested:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return skill
        return None


PRODUCT_HEADERS = ("Product", "Vendor", "Category", "Price", "Id")
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_DIGITS = re.compile(r"\d+")


def natural_key(text: str) -> str:
    """Sorts "Dress No. 8" before "Dress No. 80": numbers padded to a common width."""
    return _DIGITS.sub(lambda match: match.group(0).zfill(12), text.casefold())


class ProductTableModel(QAbstractTableModel):
    """Products with a check box each; the ticked ids survive searches and reloads."""

    selection_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.products: list[ProductRow] = []
        self.checked: list[str] = []  # in the order they were ticked

    def set_products(self, products: tuple[ProductRow, ...] | list[ProductRow]) -> None:
        self.beginResetModel()
        self.products = list(products)
        self.endResetModel()

    def set_checked(self, ids: list[str]) -> None:
        self.checked = list(dict.fromkeys(ids))
        if self.products:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.products) - 1, 0))
        self.selection_changed.emit(len(self.checked))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.products)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(PRODUCT_HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PRODUCT_HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 0:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        product = self.products[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                product.name,
                product.vendor,
                product.category,
                product.price,
                product.external_id,
            )[index.column()]
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            checked = product.external_id in self.checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and product.tags:
            return "Tags: " + ", ".join(product.tags)
        if role == Qt.ItemDataRole.UserRole:
            return product
        if role == SORT_ROLE:
            return natural_key(str(self.data(index, Qt.ItemDataRole.DisplayRole)))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole or index.column() != 0:
            return False
        product_id = self.products[index.row()].external_id
        on = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        if on and product_id not in self.checked:
            self.checked.append(product_id)
        elif not on and product_id in self.checked:
            self.checked.remove(product_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.selection_changed.emit(len(self.checked))
        return True


class ProductFilter(QSortFilterProxyModel):
    """Every word of the search must appear in the name, vendor, category or tags."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._words:
            return True
        model = self.sourceModel()
        if not isinstance(model, ProductTableModel):
            return True
        return model.products[source_row].matches(self._words)
