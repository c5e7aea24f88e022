"""Light and dark appearance: follow the system's scheme unless the editor chose one, and the
few semantic colours (done, failed, running) picked to read well on either."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ui.preferences import Appearance


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


@dataclass(frozen=True)
class Tones:
    ok: QColor
    failed: QColor
    running: QColor
    muted: QColor
    warning: QColor


_TONES: dict[int, Tones] = {}


def tones(palette: QPalette | None = None) -> Tones:
    """The semantic colours for ``palette`` (the application's by default); cheap enough to
    ask for in a model's ``data()``, so views pick up a change of scheme on their own."""
    palette = palette or QGuiApplication.palette()
    key = palette.cacheKey()
    found = _TONES.get(key)
    if found is None:
        if len(_TONES) > 32:
            _TONES.clear()
        found = _TONES[key] = _tones_for(palette)
    return found


def _tones_for(palette: QPalette) -> Tones:
    muted = blend(
        palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window), 0.4
    )
    if is_dark(palette):
        return Tones(
            QColor("#5cc98a"), QColor("#ff7b72"), QColor("#6cb6ff"), muted, QColor("#e3b341")
        )
    return Tones(QColor("#1a7f37"), QColor("#cf222e"), QColor("#0969da"), muted, QColor("#9a6700"))


def blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    """``a`` moved ``share_of_b`` of the way towards ``b`` (secondary text: text towards
    the background, still readable in both schemes)."""
    keep = 1 - share_of_b
    return QColor(
        round(a.red() * keep + b.red() * share_of_b),
        round(a.green() * keep + b.green() * share_of_b),
        round(a.blue() * keep + b.blue() * share_of_b),
    )


def nav_style() -> str:
    """The navigation list's look; built again when the scheme changes, because a style
    sheet resolves palette() references once, when it is set."""
    scheme = "dark" if is_dark() else "light"
    return f"""
/* {scheme} */
QListWidget#navigation {{ border: none; background: transparent; padding-top: 6px; }}
QListWidget#navigation::item {{ padding: 7px 14px; border-radius: 4px; margin: 1px 6px; }}
QListWidget#navigation::item:selected {{ background: palette(highlight);
    color: palette(highlighted-text); }}
"""


def _dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dfe1e5")
    highlight = QColor("#3574f0")
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor("#26282b")),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, QColor("#8c8f94")),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, QColor("#393b40")),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ff6b6b")),
        (QPalette.ColorRole.Highlight, highlight),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#6cb6ff")),
        (QPalette.ColorRole.Mid, QColor("#43454a")),
        (QPalette.ColorRole.Dark, QColor("#1a1b1e")),
    ):
        palette.setColor(role, color)
    disabled = QColor("#6f737a")
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_appearance(app: QApplication, appearance: Appearance) -> None:
    """Use the system's palette, or force light/dark where the platform cannot."""
    hints = QGuiApplication.styleHints()
    wanted = {
        Appearance.SYSTEM: Qt.ColorScheme.Unknown,
        Appearance.LIGHT: Qt.ColorScheme.Light,
        Appearance.DARK: Qt.ColorScheme.Dark,
    }[appearance]
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+: the platform theme does the work
        hints.setColorScheme(wanted)
    app.setPalette(QPalette())  # back to what the platform and style provide
    if appearance is Appearance.SYSTEM or is_dark() == (appearance is Appearance.DARK):
        return
    # The platform could not switch; Fusion honours a custom palette everywhere.
    app.setStyle("Fusion")
    app.setPalette(
        _dark_palette() if appearance is Appearance.DARK else app.style().standardPalette()
    )
