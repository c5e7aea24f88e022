"""The preferences dialog: run defaults saved as preferences, agent models saved in the
database, and a colleague's concurrent edit reported instead of overwritten."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.db.engine import Database
from app.db.models import AgentModelConfig
from app.db.seed import seed_defaults
from app.services.agent_configs import agent_settings
from ui.preferences import Appearance, Preferences
from ui.preferences_dialog import PreferencesDialog
from ui.tasks import TaskRunner

TIMEOUT_MS = 15_000

pytestmark = pytest.mark.parametrize("db", ["sqlite"], indirect=True)


def _dialog(qtbot: QtBot, tasks: TaskRunner, db: Database) -> PreferencesDialog:
    seed_defaults(db)
    dialog = PreferencesDialog(
        tasks,
        Preferences(),
        db=db,
        database_label="sqlite:///copydesk.sqlite3",
        server_label="https://openrouter.ai/api/v1",
        key_label="in the keyring",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: len(dialog._agent_rows) == 6, timeout=TIMEOUT_MS)
    return dialog


def test_choices_become_preferences_and_agent_models(
    qtbot: QtBot, tasks: TaskRunner, db: Database
) -> None:
    dialog = _dialog(qtbot, tasks, db)
    dialog.appearance.setCurrentIndex(dialog.appearance.findData(Appearance.DARK))
    dialog.platform_boxes["x"].setChecked(True)
    dialog.threshold.setValue(70)
    writer = next(r for r in dialog._agent_rows if r.settings.agent_id == "blog-writer")
    writer.model.setText("openrouter/openai/gpt-4o-mini")

    with qtbot.waitSignal(dialog.preferences_changed, timeout=TIMEOUT_MS) as changed:
        dialog.buttons.accepted.emit()

    prefs: Preferences = changed.args[0]
    assert prefs.appearance is Appearance.DARK
    assert prefs.default_platforms == ("blog", "x")
    assert prefs.score_threshold == 70
    with db.session() as session:
        saved = agent_settings(session, "blog-writer")
    assert saved.model_id == "openai/gpt-4o-mini"  # the routing prefix is normalised
    assert saved.user_modified


def test_a_colleagues_edit_meanwhile_is_reported_not_overwritten(
    qtbot: QtBot, tasks: TaskRunner, db: Database
) -> None:
    dialog = _dialog(qtbot, tasks, db)
    with db.session() as session:  # someone else saves the writer while the dialog is open
        session.execute(
            update(AgentModelConfig)
            .where(AgentModelConfig.agent_id == "blog-writer")
            .values(model_id="google/gemini-2.5-flash", version=AgentModelConfig.version + 1)
        )
    writer = next(r for r in dialog._agent_rows if r.settings.agent_id == "blog-writer")
    writer.model.setText("openai/gpt-4o-mini")

    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "✗" in dialog.error.text(), timeout=TIMEOUT_MS)

    assert "changed" in dialog.error.text()
    assert dialog.isVisible() and dialog.buttons.isEnabled()
    with db.session() as session:
        assert agent_settings(session, "blog-writer").model_id == "google/gemini-2.5-flash"
