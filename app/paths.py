"""Where Copydesk keeps its files: platformdirs' per-user directories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "Copydesk"
APP_AUTHOR = "Copydesk"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def default_database_file(self) -> Path:
        return self.data_dir / "copydesk.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "copydesk.log"


def app_paths() -> AppPaths:
    """Resolved on each call so tests (and users) can redirect them through XDG variables."""
    dirs = PlatformDirs(APP_NAME, APP_AUTHOR)
    return AppPaths(
        data_dir=Path(dirs.user_data_dir),
        config_dir=Path(dirs.user_config_dir),
        cache_dir=Path(dirs.user_cache_dir),
        log_dir=Path(dirs.user_log_dir),
    )
