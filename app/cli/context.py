"""What every subcommand is handed: configuration, the database, the key, the LLM client."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from app.config import Config
from app.keystore import load_api_key

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.llm.client import OpenRouterClient


class MissingKey(RuntimeError):
    """No OpenRouter key in the keyring or the environment."""


@dataclass
class CliContext:
    config: Config
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _db: Database | None = None

    @property
    def database_url(self) -> str:
        return self.config.database_url

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def open_db(self, *, migrate: bool = True) -> Database:
        """The database of this invocation, created and migrated on first use."""
        if self._db is None:
            from app.db.engine import open_database

            self._db = open_database(self.config.database_url, migrate=migrate)
        return self._db

    def api_key(self) -> str | None:
        return load_api_key()

    def require_api_key(self) -> str:
        key = self.api_key()
        if not key:
            raise MissingKey(
                "No OpenRouter key is configured. Save one with the app's key dialog "
                "(stored in the OS keyring) or set OPENROUTER_API_KEY."
            )
        return key

    def make_llm_client(self, *, with_ledger: bool = True) -> OpenRouterClient:
        from app.llm.client import OpenRouterClient
        from app.llm.ledger import DatabaseLedger

        ledger = DatabaseLedger(self.open_db()) if with_ledger else None
        return OpenRouterClient(self.base_url, self.require_api_key(), ledger=ledger)

    def echo(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def warn(self, text: str) -> None:
        print(text, file=self.stderr)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
