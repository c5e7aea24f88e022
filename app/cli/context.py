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
    from app.llm.ledger import DatabaseLedger


class MissingKey(RuntimeError):
    """No OpenRouter key in the keyring or the environment."""


@dataclass
class CliContext:
    config: Config
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _db: Database | None = None
    _clients: list[OpenRouterClient] = field(default_factory=list)
    _ledgers: list[DatabaseLedger] = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return self.config.database_url

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def open_db(self, *, migrate: bool = True) -> Database:
        """The database of this invocation, created, migrated and seeded on first use."""
        if self._db is None:
            from app.db.engine import open_database
            from app.db.seed import seed_defaults

            self._db = open_database(self.config.database_url, migrate=migrate)
            if migrate:
                seed_defaults(self._db)  # adds only what is missing; an admin's edits stay
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
        """A client recording every attempt in the ledger, with costs estimated from stored
        prices when the server gives none; closed (and the ledger drained) by `close()`."""
        from app.llm.catalog import PriceBook
        from app.llm.client import OpenRouterClient, is_openrouter
        from app.llm.ledger import DatabaseLedger

        # Local OpenAI-compatible servers (Ollama, LM Studio …) need no key; OpenRouter does.
        key = self.require_api_key() if is_openrouter(self.base_url) else self.api_key()
        ledger = prices = None
        if with_ledger:
            db = self.open_db()
            ledger, prices = DatabaseLedger(db), PriceBook.from_database(db)
            self._ledgers.append(ledger)
        client = OpenRouterClient(self.base_url, key, ledger=ledger, price_lookup=prices)
        self._clients.append(client)
        return client

    def echo(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def warn(self, text: str) -> None:
        print(text, file=self.stderr)

    def close(self) -> None:
        for client in self._clients:
            client.close()
        for ledger in self._ledgers:
            if not ledger.close():
                self.warn("copydesk: some usage rows could not be saved (see the log).")
        self._clients.clear()
        self._ledgers.clear()
        if self._db is not None:
            self._db.dispose()
            self._db = None
