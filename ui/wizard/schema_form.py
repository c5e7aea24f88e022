"""A form generated from a skill's ``template_inputs`` JSON Schema (a flat object).

Strings become line edits (a date picker for ``format: date``, a list for ``enum``),
integers and numbers spin boxes, booleans check boxes, arrays of strings comma-separated
lists. Values come back typed; ``problems`` checks them against the schema itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

_INT_LIMIT = 2_000_000_000


class _Field:
    def __init__(
        self, widget: QWidget, read: Callable[[], Any], write: Callable[[Any], None]
    ) -> None:
        self.widget = widget
        self.read = read
        self.write = write


class SchemaForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._schema: dict[str, Any] = {}
        self._fields: dict[str, _Field] = {}

    @property
    def empty(self) -> bool:
        return not self._fields

    def field_widget(self, name: str) -> QWidget | None:
        found = self._fields.get(name)
        return found.widget if found else None

    def set_schema(self, schema: dict[str, Any] | None, values: dict[str, Any]) -> None:
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self._fields = {}
        self._schema = schema or {}
        properties = self._schema.get("properties") or {}
        if not properties:
            note = QLabel("This skill asks for nothing more.")
            note.setEnabled(False)
            self._layout.addRow(note)
            return
        required = set(self._schema.get("required") or ())
        for name, spec in properties.items():
            if not isinstance(spec, dict):
                continue
            built = self._build(name, spec, name in required)
            self._fields[name] = built
            title = str(spec.get("title") or name.replace("_", " ").capitalize())
            label = QLabel(f"{title}{' *' if name in required else ''}:")
            label.setBuddy(built.widget)
            if spec.get("description"):
                built.widget.setToolTip(str(spec["description"]))
            built.widget.setAccessibleName(title)
            if name in values:
                built.write(values[name])
            self._layout.addRow(label, built.widget)

    def values(self) -> dict[str, Any]:
        """Entered values, typed as the schema says; empty optional fields are left out."""
        result: dict[str, Any] = {}
        for name, built in self._fields.items():
            value = built.read()
            if value is None or value == "" or value == []:
                continue
            result[name] = value
        return result

    def problems(self) -> list[str]:
        """What is wrong with the entered values, each naming the field."""
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(
            self._schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        properties = self._schema.get("properties") or {}
        messages = []
        for error in sorted(validator.iter_errors(self.values()), key=lambda e: list(e.path)):
            name = str(error.path[0]) if error.path else ""
            if error.validator == "required":
                name = str(error.message.split("'")[1]) if "'" in error.message else name
                title = (properties.get(name) or {}).get("title") or name
                messages.append(f"{title}: required")
                continue
            title = (properties.get(name) or {}).get("title") or name or "Inputs"
            messages.append(f"{title}: {error.message}")
        return messages

    # -- widgets ---------------------------------------------------------------------------

    def _build(self, name: str, spec: dict[str, Any], required: bool) -> _Field:
        kind = spec.get("type")
        if "enum" in spec:
            return self._choice(spec, required)
        if kind == "boolean":
            box = QCheckBox()
            box.setChecked(bool(spec.get("default", False)))
            box.toggled.connect(lambda _on: self.changed.emit())
            return _Field(box, box.isChecked, lambda v: box.setChecked(bool(v)))
        if kind == "integer":
            return self._integer(spec, required)
        if kind == "number":
            return self._number(spec, required)
        if kind == "array":
            return self._list(spec)
        if spec.get("format") == "date" and required:
            return self._date(spec)
        return self._text(spec)

    def _choice(self, spec: dict[str, Any], required: bool) -> _Field:
        box = QComboBox()
        if not required:
            box.addItem("—", None)
        for option in spec["enum"]:
            box.addItem(str(option).replace("-", " ").capitalize(), option)
        if "default" in spec:
            box.setCurrentIndex(max(box.findData(spec["default"]), 0))
        box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return _Field(box, box.currentData, lambda v: box.setCurrentIndex(max(box.findData(v), 0)))

    def _integer(self, spec: dict[str, Any], required: bool) -> _Field:
        spin = QSpinBox()
        low = int(spec.get("minimum", 0))
        high = int(spec.get("maximum", _INT_LIMIT))
        optional = not required and "default" not in spec
        spin.setRange(low - 1 if optional else low, high)
        if optional:
            spin.setSpecialValueText("—")
            spin.setValue(low - 1)
        else:
            spin.setValue(int(spec.get("default", low)))
        spin.valueChanged.connect(lambda _v: self.changed.emit())

        def read() -> int | None:
            return None if optional and spin.value() == low - 1 else spin.value()

        return _Field(spin, read, lambda v: spin.setValue(int(v)))

    def _number(self, spec: dict[str, Any], required: bool) -> _Field:
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setRange(float(spec.get("minimum", 0)), float(spec.get("maximum", 1e9)))
        spin.setValue(float(spec.get("default", spin.minimum())))
        spin.valueChanged.connect(lambda _v: self.changed.emit())
        return _Field(spin, spin.value, lambda v: spin.setValue(float(v)))

    def _list(self, spec: dict[str, Any]) -> _Field:
        edit = QLineEdit()
        edit.setPlaceholderText("Separate entries with commas")
        edit.textChanged.connect(lambda _t: self.changed.emit())

        def read() -> list[str]:
            return [part.strip() for part in edit.text().split(",") if part.strip()]

        return _Field(edit, read, lambda v: edit.setText(", ".join(str(x) for x in v or [])))

    def _date(self, spec: dict[str, Any]) -> _Field:
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.dateChanged.connect(lambda _d: self.changed.emit())
        return _Field(
            edit,
            lambda: edit.date().toString(Qt.DateFormat.ISODate),
            lambda v: edit.setDate(QDate.fromString(str(v), Qt.DateFormat.ISODate)),
        )

    def _text(self, spec: dict[str, Any]) -> _Field:
        edit = QLineEdit()
        if spec.get("format") == "date":
            edit.setPlaceholderText("YYYY-MM-DD")
        elif spec.get("description"):
            edit.setPlaceholderText(str(spec["description"]))
        if isinstance(spec.get("maxLength"), int):
            edit.setMaxLength(spec["maxLength"])
        if "default" in spec:
            edit.setText(str(spec["default"]))
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return _Field(edit, lambda: edit.text().strip(), lambda v: edit.setText(str(v)))
