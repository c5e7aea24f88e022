"""What the desktop app works with once its database is open: the database, the usage ledger,
the model prices and the API key. Qt-free, built on a worker thread at start-up."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Config
    from app.db.engine import Database
    from app.llm.catalog import PriceBook
    from app.llm.client import OpenRouterClient
    from app.llm.ledger import DatabaseLedger
    from app.llm.results import KeyInfo
    from app.llm.retry import RetryPolicy

log = logging.getLogger(__name__)


def announcing_policy(on_wait: Callable[[dt.datetime], None] | None) -> RetryPolicy:
    """The default retry policy, telling ``on_wait`` when a server-requested wait ends."""
    from app.llm.retry import RetryPolicy

    if on_wait is None:
        return RetryPolicy()
    announce: Callable[[dt.datetime], None] = on_wait

    class AnnouncingPolicy(RetryPolicy):
        def delay(
            self, retry_number: int, headers: Mapping[str, str], now: dt.datetime | None = None
        ) -> float | None:
            seconds = super().delay(retry_number, headers, now)
            if seconds is not None and self.server_delay(headers, now) is not None:
                announce(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))
            return seconds

    return AnnouncingPolicy()


@dataclass
class ApiKeys:
    """The key to use: OPENROUTER_API_KEY, else the keyring, else one given for this session.

    Reading the keyring may block on D-Bus, so ``current`` is for worker threads.
    """

    _session_key: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def use_for_session(self, key: str) -> None:
        with self._lock:
            self._session_key = key.strip() or None

    @property
    def has_session_key(self) -> bool:
        return self._session_key is not None

    def current(self) -> str | None:
        from app.keystore import load_api_key

        stored = load_api_key()
        if stored:
            return stored
        with self._lock:
            return self._session_key

    def require(self) -> str:
        key = self.current()
        if not key:
            from app.llm.errors import BadKey

            raise BadKey(
                "No OpenRouter key is set. Enter one in the key dialog (it is kept in the "
                "system keyring) or set OPENROUTER_API_KEY."
            )
        return key


@dataclass
class Backend:
    config: Config
    db: Database
    ledger: DatabaseLedger
    prices: PriceBook
    keys: ApiKeys

    on_server_wait: Callable[[dt.datetime], None] | None = None

    def make_llm(self) -> OpenRouterClient:
        """A client with the current key that records every call and prices it (any thread).

        When the server asks for a wait (429 with Retry-After), ``on_server_wait`` hears when
        the call will be tried again.
        """
        from app.llm.client import OpenRouterClient

        return OpenRouterClient(
            self.config.base_url,
            self.keys.require(),
            ledger=self.ledger,
            price_lookup=self.prices,
            retry_policy=announcing_policy(self.on_server_wait),
        )

    def refresh_catalog(self) -> int:
        """Fetch the model list when it is stale and load its prices; the number of models."""
        from app.llm.catalog import refresh_if_stale

        with self.make_llm() as client:
            snapshot = refresh_if_stale(self.db, client)
        self.prices.replace(snapshot.models)
        return len(snapshot.models)

    def check_key(self) -> KeyInfo:
        with self.make_llm() as client:
            return client.key_info()

    def close(self) -> None:
        if not self.ledger.close(timeout=10):
            log.error("Some usage rows could not be written before closing")
        self.db.dispose()


def open_backend(config: Config, keys: ApiKeys) -> Backend:
    """Open (create, migrate) the database and seed it: run this on a worker thread."""
    from app.agents.prompts import warm_bundled_templates
    from app.db.engine import open_database
    from app.db.seed import seed_defaults
    from app.llm.catalog import PriceBook
    from app.llm.ledger import DatabaseLedger

    db = open_database(config.database_url)
    try:
        report = seed_defaults(db)
        if report.changed:
            log.info(
                "Seeded %d agents, %d skills", len(report.agents_added), len(report.skills_added)
            )
        prices = PriceBook.from_database(db)
        ledger = DatabaseLedger(db)
        warm_bundled_templates()
    except BaseException:
        db.dispose()
        raise
    return Backend(config=config, db=db, ledger=ledger, prices=prices, keys=keys)
