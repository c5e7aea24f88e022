"""Fixtures for the desktop tests: an offscreen QApplication (pytest-qt), the session objects
of the app wired to a real database and the fake OpenRouter, and a check that every test
closes the windows it opened."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.config import Config
from app.db.engine import Database
from app.db.seed import seed_defaults
from app.llm.catalog import PriceBook, refresh
from app.llm.client import OpenRouterClient
from app.llm.ledger import DatabaseLedger
from app.notifications import ErrorRouter, Notice
from app.paths import app_paths
from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter
from ui.backend import Backend
from ui.desktop import Desktop
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


def _flush_deletes() -> None:
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
    gc.collect()


@pytest.fixture(autouse=True)
def no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a top-level widget behind (shown or not)."""
    _flush_deletes()
    before = {id(widget) for widget in QApplication.topLevelWidgets()}
    yield
    _flush_deletes()
    leaked = [
        widget
        for widget in QApplication.topLevelWidgets()
        if id(widget) not in before and not _is_qt_internal(widget)
    ]
    for widget in leaked:  # clean up so one leak does not fail the next tests too
        widget.close()
        widget.deleteLater()
    _flush_deletes()
    assert not leaked, f"top-level widgets left open: {[type(w).__name__ for w in leaked]}"


def _is_qt_internal(widget: QWidget) -> bool:
    # Popups Qt creates (and keeps) for combo boxes and tool tips belong to their owner.
    return widget.metaObject().className() in {"QComboBoxPrivateContainer", "QTipLabel"}


class Notices:
    """Every notice the router published during a test."""

    def __init__(self, router: ErrorRouter) -> None:
        self.items: list[Notice] = []
        router.subscribe(self.items.append)

    @property
    def titles(self) -> list[str]:
        return [notice.title for notice in self.items]


@pytest.fixture
def router() -> ErrorRouter:
    return ErrorRouter()


@pytest.fixture
def notices(router: ErrorRouter) -> Notices:
    return Notices(router)


@pytest.fixture
def tasks(qapp: QApplication, router: ErrorRouter) -> Iterator[TaskRunner]:
    """The worker pool alone, for views tested without the whole app."""
    runner = TaskRunner(lambda exc, context: router.report(exc, context=context))
    yield runner
    runner.wait_for_done(30000)
    runner.deleteLater()


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """The fake server's valid key, given the way a headless run would (the environment)."""
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    return TEST_KEY


def make_config(database_url: str, base_url: str) -> Config:
    return Config(database_url=database_url, base_url=base_url, paths=app_paths())


@pytest.fixture
def desktop(
    qapp: QApplication, router: ErrorRouter, db: Database, openrouter: FakeOpenRouter
) -> Iterator[Desktop]:
    """The session objects of the app, pointed at the test database and the fake server."""
    created = Desktop.create(make_config(db.url, openrouter.base_url), router)
    yield created
    created.tasks.wait_for_done(30000)
    created.tasks.deleteLater()


@pytest.fixture
def backend(
    desktop: Desktop, db: Database, openrouter: FakeOpenRouter, api_key: str
) -> Iterator[Backend]:
    """A seeded database with the fake server's catalog, a ledger and the key."""
    seed_defaults(db)
    with OpenRouterClient(openrouter.base_url, api_key) as client:
        snapshot = refresh(db, client)
    ledger = DatabaseLedger(db)
    opened = Backend(
        config=desktop.config,
        db=db,
        ledger=ledger,
        prices=PriceBook.from_models(snapshot.models),
        keys=desktop.keys,
    )
    yield opened
    desktop.tasks.wait_for_done(30000)
    ledger.close()
