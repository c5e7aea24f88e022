"""One path for every failure a person should hear about: exception → (title, cause, next step).

The router turns an exception into a :class:`Notice` and hands it to whoever listens (the
desktop app shows a non-modal notice; a test collects them). Expected failures (typed errors
of app/) get specific wording and, where one helps, an action such as "open the key dialog";
anything else is a bug, logged with its traceback and reported without hiding that.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING

from app.logging_setup import scrub

if TYPE_CHECKING:
    from app.agents.errors import PipelineError
    from app.llm.errors import LLMError

log = logging.getLogger(__name__)

CREDITS_URL = "https://openrouter.ai/settings/credits"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Action(StrEnum):
    """Something the notice can offer to do next."""

    OPEN_KEY_DIALOG = "open_key_dialog"
    OPEN_CREDITS_PAGE = "open_credits_page"
    OPEN_PREFERENCES = "open_preferences"
    OPEN_LOG = "open_log"


ACTION_LABELS = {
    Action.OPEN_KEY_DIALOG: "Enter key…",
    Action.OPEN_CREDITS_PAGE: "Add credits…",
    Action.OPEN_PREFERENCES: "Preferences…",
    Action.OPEN_LOG: "Open log",
}


@dataclass(frozen=True)
class Notice:
    title: str
    cause: str
    next_step: str
    severity: Severity = Severity.ERROR
    action: Action | None = None
    retry_at: dt.datetime | None = None

    @property
    def action_label(self) -> str | None:
        return ACTION_LABELS[self.action] if self.action is not None else None

    @property
    def text(self) -> str:
        """The notice as one paragraph (for a status bar or a log line)."""
        parts = [self.title + ".", self.cause]
        if self.next_step:
            parts.append(self.next_step)
        return " ".join(part.strip() for part in parts if part.strip())


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _local_time(moment: dt.datetime) -> str:
    local = moment.astimezone()
    if local.date() == dt.datetime.now().astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def _message(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return scrub(str(text))


def describe(exc: BaseException, *, context: str | None = None) -> Notice:
    """The notice for ``exc``; ``context`` says what was being done ("Analysing the store")."""
    notice = _describe(exc)
    if context:
        return Notice(
            title=f"{context}: {notice.title}",
            cause=notice.cause,
            next_step=notice.next_step,
            severity=notice.severity,
            action=notice.action,
            retry_at=notice.retry_at,
        )
    return notice


def _describe(exc: BaseException) -> Notice:
    # The error classes are imported on first use: the desktop app installs its router
    # before the window shows, and must not wait for every backend library to load.
    from app.agents.errors import PipelineError
    from app.db.errors import DatabaseError, DatabaseLocked
    from app.keystore import InvalidKey, KeyringUnavailable
    from app.llm.errors import (
        BadKey,
        Cancelled,
        LLMError,
        ModelNotFound,
        Moderation,
        NetworkError,
        OutOfCredits,
        ProviderDown,
        RateLimited,
        StreamStalled,
        StructuredOutputInvalid,
    )
    from app.services.errors import InvalidInput, NotFound, ServiceError, StaleEdit
    from app.sources.errors import SourceError

    cause = _message(exc)
    if isinstance(exc, BadKey):
        return Notice(
            "OpenRouter refused the API key",
            cause,
            "Enter a valid key; runs can be resumed afterwards.",
            action=Action.OPEN_KEY_DIALOG,
        )
    if isinstance(exc, OutOfCredits):
        limit = f" The key's limit is {_money(exc.limit)}." if exc.limit is not None else ""
        return Notice(
            "Out of OpenRouter credits",
            cause + limit,
            "Add credits or raise the key's limit, then resume the run.",
            action=Action.OPEN_CREDITS_PAGE,
        )
    if isinstance(exc, RateLimited):
        when = (
            f"Retrying at {_local_time(exc.retry_at)}."
            if exc.retry_at is not None
            else "Wait a minute, then resume the run."
        )
        return Notice(
            "Rate limited by OpenRouter", cause, when, Severity.WARNING, retry_at=exc.retry_at
        )
    if isinstance(exc, ModelNotFound):
        return Notice(
            "The model is not available",
            cause,
            "Choose another model for this agent in Preferences, then resume.",
            action=Action.OPEN_PREFERENCES,
        )
    if isinstance(exc, Moderation):
        return Notice(
            "The provider refused the request",
            cause,
            "Rephrase the instructions or sources, or choose another model.",
        )
    if isinstance(exc, NetworkError | StreamStalled | ProviderDown):
        return Notice(
            "The model could not be reached",
            cause,
            "Check the connection; the run can be resumed where it stopped.",
            Severity.WARNING,
        )
    if isinstance(exc, StructuredOutputInvalid):
        return Notice(
            "The model's answer was not usable",
            cause,
            "Retry the step, or choose a model that supports structured outputs.",
        )
    if isinstance(exc, Cancelled):
        return Notice("Cancelled", cause, "", Severity.INFO)
    if isinstance(exc, LLMError):
        return Notice("The model call failed", cause, "Retry the step or resume the run.")
    if isinstance(exc, PipelineError):
        return Notice("The step could not run", cause, "Retry the step or resume the run.")
    if isinstance(exc, KeyringUnavailable):
        return Notice("No keyring to keep the key", cause, "", Severity.WARNING)
    if isinstance(exc, InvalidKey):
        return Notice("That is not an API key", cause, "Paste the key exactly as issued.")
    if isinstance(exc, DatabaseLocked):
        return Notice("The database is busy", cause, "Try again in a moment.", Severity.WARNING)
    if isinstance(exc, DatabaseError):
        return Notice("Database problem", cause, "")
    if isinstance(exc, SourceError):
        return Notice(
            "Could not read the source", cause, "Check the address or the file and try again."
        )
    if isinstance(exc, StaleEdit):
        return Notice("Someone else changed this first", cause, "Reload and make the change again.")
    if isinstance(exc, NotFound):
        return Notice("Not found", cause, "It may have been deleted; reload the list.")
    if isinstance(exc, InvalidInput):
        return Notice("Please check the input", cause, "", Severity.WARNING)
    if isinstance(exc, ServiceError):
        return Notice("That did not work", cause, "")
    return Notice(
        "Something went wrong",
        f"{type(exc).__name__}: {cause}",
        "This is a bug; the details are in the log.",
        action=Action.OPEN_LOG,
    )


def _kinds() -> dict[str, type[LLMError] | type[PipelineError]]:
    from app.agents.errors import PipelineError
    from app.llm.errors import LLMError

    found: dict[str, type[LLMError] | type[PipelineError]] = {}
    pending: list[type[LLMError] | type[PipelineError]] = [LLMError, PipelineError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.kind, cls)
        pending.extend(cls.__subclasses__())
    return found


def describe_failure(kind: str, message: str, *, context: str | None = None) -> Notice:
    """The notice for a failure known only by its recorded kind (a step's or a call's
    ``error_type``) and message, e.g. one reported by a pipeline event."""
    from app.agents.errors import PipelineError

    cls = _kinds().get(kind)
    if cls is None:
        return describe(PipelineError(message), context=context)
    try:
        exc: BaseException = cls(message)
    except TypeError:  # a subclass that needs more than a message
        exc = PipelineError(message)
    return describe(exc, context=context)


def retrying_notice(retry_at: dt.datetime) -> Notice:
    """Said while a call waits because the server asked it to slow down."""
    return Notice(
        "Rate limited by OpenRouter",
        "The server asked Copydesk to slow down; the call waits and tries again.",
        f"Retrying at {_local_time(retry_at)}.",
        Severity.WARNING,
        retry_at=retry_at,
    )


def is_expected(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure app/ reports on purpose (as opposed to a bug)."""
    from app.agents.errors import PipelineError
    from app.db.errors import DatabaseError
    from app.keystore import InvalidKey, KeyringUnavailable
    from app.llm.errors import LLMError
    from app.services.errors import ServiceError
    from app.sources.errors import SourceError

    return isinstance(
        exc,
        LLMError
        | PipelineError
        | DatabaseError
        | SourceError
        | ServiceError
        | KeyringUnavailable
        | InvalidKey,
    )


Listener = Callable[[Notice], None]


class ErrorRouter:
    """Turns exceptions into notices and passes them to every listener (any thread)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def report(self, exc: BaseException, *, context: str | None = None) -> Notice:
        if is_expected(exc):
            log.warning("%s: %s", context or type(exc).__name__, _message(exc))
        else:
            log.error("Unexpected error%s", f" while {context}" if context else "", exc_info=exc)
        notice = describe(exc, context=context)
        self.publish(notice)
        return notice

    def publish(self, notice: Notice) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(notice)
            except Exception:
                log.exception("A notice listener failed")

    def install_excepthooks(self) -> Callable[[], None]:
        """Route uncaught exceptions (main and worker threads) here; returns an undo."""
        previous_sys = sys.excepthook
        previous_threading = threading.excepthook

        def on_uncaught(
            kind: type[BaseException], exc: BaseException, tb: TracebackType | None
        ) -> None:
            previous_sys(kind, exc, tb)  # the traceback still reaches stderr
            if not issubclass(kind, KeyboardInterrupt):
                self.report(exc.with_traceback(tb))

        def on_thread(args: threading.ExceptHookArgs) -> None:
            if args.exc_value is None or issubclass(args.exc_type, SystemExit):
                return
            self.report(args.exc_value.with_traceback(args.exc_traceback))

        sys.excepthook = on_uncaught
        threading.excepthook = on_thread

        def restore() -> None:
            sys.excepthook = previous_sys
            threading.excepthook = previous_threading

        return restore
