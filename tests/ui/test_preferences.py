"""Preferences keep only what differs from the defaults, survive a damaged file, and never
hold the key; window state lives in a file of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui.preferences import Appearance, Preferences, PreferencesStore


def test_only_changed_values_are_saved(tmp_path: Path) -> None:
    store = PreferencesStore(tmp_path / "settings.json")
    store.save(Preferences(appearance=Appearance.DARK, default_platforms=("blog", "x")))

    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved == {"appearance": "dark", "default_platforms": ["blog", "x"]}
    assert store.load() == Preferences(appearance=Appearance.DARK, default_platforms=("blog", "x"))


def test_a_damaged_file_is_set_aside_and_the_defaults_apply(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{ not json")
    store = PreferencesStore(path)

    assert store.load() == Preferences()
    assert store.problem is not None and "settings.json.damaged" in store.problem
    assert (tmp_path / "settings.json.damaged").read_text() == "{ not json"


def test_wrong_values_are_ignored_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"score_threshold": 300, "max_parallel": 2, "api_key": "sk-or-x"}))

    prefs = PreferencesStore(path).load()
    assert prefs.score_threshold == Preferences().score_threshold
    assert prefs.max_parallel == 2
    assert not hasattr(prefs, "api_key")


def test_out_of_range_preferences_are_refused() -> None:
    with pytest.raises(ValueError, match="default_platforms"):
        Preferences(default_platforms=("myspace",))
