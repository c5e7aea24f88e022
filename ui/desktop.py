"""The long-lived objects of one desktop session, created once and passed to the windows
that need them (never looked up through the application object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ui.backend import ApiKeys
from ui.preferences import Preferences, PreferencesStore
from ui.tasks import TaskRunner
from ui.window_state import WindowState

if TYPE_CHECKING:
    from app.config import Config
    from app.notifications import ErrorRouter


@dataclass
class Desktop:
    config: Config
    router: ErrorRouter
    tasks: TaskRunner
    prefs_store: PreferencesStore
    prefs: Preferences
    window_state: WindowState
    keys: ApiKeys = field(default_factory=ApiKeys)

    @classmethod
    def create(cls, config: Config, router: ErrorRouter) -> Desktop:
        store = PreferencesStore(config.paths.settings_file)
        prefs = store.load()
        tasks = TaskRunner(lambda exc, context: router.report(exc, context=context))
        return cls(
            config=config,
            router=router,
            tasks=tasks,
            prefs_store=store,
            prefs=prefs,
            window_state=WindowState(config.paths.config_dir),
        )

    def save_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        self.prefs_store.save(prefs)
