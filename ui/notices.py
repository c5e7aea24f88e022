"""Non-modal notices: the one place failures and news are shown, above the main content.

The error router (app.notifications) may report from any thread; ``NoticeBus`` carries its
notices to the GUI thread, where ``NoticeArea`` shows them as dismissible cards with at most
one action button (e.g. "Enter key…").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.notifications import Action, ErrorRouter, Notice, Severity
from ui.theme import tones

INFO_TIMEOUT_MS = 8000
MAX_VISIBLE = 3


class NoticeBus(QObject):
    """Relays notices from any thread to the GUI thread."""

    posted = Signal(object)

    def listen(self, router: ErrorRouter) -> None:
        self._unsubscribe = router.subscribe(self.posted.emit)

    def close(self) -> None:
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()


class NoticeCard(QFrame):
    dismissed = Signal()
    action_requested = Signal(object)

    def __init__(self, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = notice
        self.repeats = 1
        self.setObjectName("noticeCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(notice.title)
        icon = {
            Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
            Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
            Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
        }[notice.severity]
        icon_label = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon_label.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.title_label = QLabel(f"<b>{_escape(notice.title)}</b>")
        body = _escape(notice.cause)
        if notice.next_step:
            body += f"<br><i>{_escape(notice.next_step)}</i>"
        self.body_label = QLabel(body)
        for label in (self.title_label, self.body_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title_label)
        text.addWidget(self.body_label)

        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(icon_label)
        row.addLayout(text, 1)
        self.action_button: QPushButton | None = None
        if notice.action is not None and notice.action_label:
            self.action_button = QPushButton(notice.action_label)
            self.action_button.clicked.connect(lambda: self.action_requested.emit(notice.action))
            row.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss notice")
        close.clicked.connect(self.dismissed.emit)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._restyle()

    def repeat(self) -> None:
        self.repeats += 1
        self.title_label.setText(f"<b>{_escape(self.notice.title)}</b> (×{self.repeats})")

    def _restyle(self) -> None:
        colours = tones(self.palette())
        edge = {
            Severity.INFO: colours.running,
            Severity.WARNING: colours.warning,
            Severity.ERROR: colours.failed,
        }[self.notice.severity]
        sheet = (
            f"#noticeCard {{ border: 1px solid palette(mid); border-left: 4px solid {edge.name()};"
            " border-radius: 4px; background: palette(base); }"
        )
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._restyle()
        super().changeEvent(event)


class NoticeArea(QWidget):
    """A stack of notice cards; the newest on top, repeats folded into one card."""

    action_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 6, 8, 0)
        self._layout.setSpacing(4)
        self._cards: list[NoticeCard] = []
        self.setVisible(False)

    @property
    def notices(self) -> list[Notice]:
        return [card.notice for card in self._cards]

    @Slot(object)
    def show_notice(self, notice: Notice) -> None:
        for card in self._cards:
            if card.notice == notice:
                card.repeat()
                return
        card = NoticeCard(notice, self)
        card.dismissed.connect(lambda: self._remove(card))
        card.action_requested.connect(self._on_action)
        self._cards.insert(0, card)
        self._layout.insertWidget(0, card)
        while len(self._cards) > MAX_VISIBLE:
            self._remove(self._cards[-1])
        if notice.severity is Severity.INFO:
            QTimer.singleShot(INFO_TIMEOUT_MS, card, lambda: self._remove(card))
        self.setVisible(True)

    def clear(self) -> None:
        for card in list(self._cards):
            self._remove(card)

    def _on_action(self, action: Action) -> None:
        self.action_requested.emit(action)

    def _remove(self, card: NoticeCard) -> None:
        if card not in self._cards:
            return
        self._cards.remove(card)
        card.hide()
        card.deleteLater()
        self.setVisible(bool(self._cards))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
