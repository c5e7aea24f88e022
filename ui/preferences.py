"""The editor's preferences: typed, saved as JSON with only the values that differ from the
defaults, and read back even from a damaged file (which is set aside, never lost).

Preferences hold no secret: the API key lives in the OS keyring only. Window geometry and
other layout state live apart, in ``window_state``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain.status import PLATFORMS

log = logging.getLogger(__name__)


class Appearance(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True)
class Preferences:
    appearance: Appearance = Appearance.SYSTEM
    default_platforms: tuple[str, ...] = ("blog",)
    score_threshold: int = 80
    max_iterations: int = 2
    max_parallel: int = 3
    notify_when_done: bool = True
    library_page_size: int = 200

    def __post_init__(self) -> None:
        problems = [
            name
            for name, ok in (
                ("score_threshold", 0 <= self.score_threshold <= 100),
                ("max_iterations", 0 <= self.max_iterations <= 20),
                ("max_parallel", 1 <= self.max_parallel <= 8),
                ("library_page_size", 20 <= self.library_page_size <= 1000),
                (
                    "default_platforms",
                    bool(self.default_platforms)
                    and all(p in PLATFORMS for p in self.default_platforms),
                ),
            )
            if not ok
        ]
        if problems:
            raise ValueError(f"preferences out of range: {', '.join(problems)}")

    def changes_from_default(self) -> dict[str, Any]:
        """The values that differ from the defaults, as JSON-ready data."""
        default = Preferences()
        return {
            f.name: _plain(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return value.value
    return value


_FIELDS = {f.name: f for f in fields(Preferences)}


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, Appearance):
        return Appearance(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{name} must be a list of names")
        return tuple(value)
    return value


@dataclass
class PreferencesStore:
    """Reads and writes ``path``; ``problem`` says why a file could not be used, if so."""

    path: Path
    problem: str | None = field(default=None, init=False)

    def load(self) -> Preferences:
        self.problem = None
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Preferences()
        except OSError as exc:
            self.problem = f"Could not read {self.path}: {exc.strerror}; using the defaults."
            log.warning(self.problem)
            return Preferences()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise TypeError("the file does not hold a JSON object")
        except (ValueError, TypeError) as exc:
            self._set_aside(f"it is not valid JSON ({exc})")
            return Preferences()
        prefs = Preferences()
        for name, value in data.items():
            spec = _FIELDS.get(name)
            if spec is None:
                continue  # a preference from a newer or older version: ignored, kept on disk
            try:
                prefs = replace(prefs, **{name: _coerce(name, value, getattr(prefs, name))})
            except (ValueError, TypeError) as exc:
                log.warning("Ignoring the preference %s in %s: %s", name, self.path, exc)
        return prefs

    def save(self, prefs: Preferences) -> None:
        """Write only the non-default values, atomically (a crash never leaves half a file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        temporary.write_text(
            json.dumps(prefs.changes_from_default(), indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        temporary.replace(self.path)

    def _set_aside(self, reason: str) -> None:
        backup = self.path.with_suffix(self.path.suffix + ".damaged")
        try:
            self.path.replace(backup)
            where = f"it was kept as {backup.name}"
        except OSError:
            where = "it was left in place"
        self.problem = (
            f"The preferences file {self.path} could not be used: {reason}; {where} "
            "and the defaults apply."
        )
        log.warning(self.problem)
