"""The error router: each expected failure gets a title, a cause and a next step (with an
action where one helps); anything else is reported as a bug, never silently."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

from app.llm.errors import BadKey, OutOfCredits, RateLimited
from app.notifications import Action, ErrorRouter, Notice, Severity, describe, describe_failure
from app.services.errors import StaleEdit


def test_a_refused_key_offers_the_key_dialog() -> None:
    notice = describe(BadKey("User not found."))
    assert notice.action is Action.OPEN_KEY_DIALOG
    assert notice.action_label == "Enter key…"
    assert "User not found." in notice.cause


def test_out_of_credits_states_the_limit() -> None:
    notice = describe(OutOfCredits("Add credits.", limit=Decimal("25")))
    assert "$25.00" in notice.cause
    assert notice.action is Action.OPEN_CREDITS_PAGE


def test_rate_limited_says_when_it_retries() -> None:
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    notice = describe(RateLimited("Slow down.", retry_at=at))
    assert notice.severity is Severity.WARNING
    assert notice.next_step == f"Retrying at {at.astimezone().strftime('%H:%M:%S')}."


def test_a_failure_known_by_its_kind_gets_the_same_wording() -> None:
    assert describe_failure("bad_key", "401").action is Action.OPEN_KEY_DIALOG
    assert describe_failure("output_invalid", "no JSON").title == "The step could not run"
    assert describe_failure("made_up_kind", "odd").cause == "odd"


def test_bugs_are_logged_and_reported_from_any_thread() -> None:
    router = ErrorRouter()
    seen: list[Notice] = []
    router.subscribe(seen.append)
    restore = router.install_excepthooks()
    try:
        thread = threading.Thread(target=lambda: 1 / 0)
        thread.start()
        thread.join()
    finally:
        restore()
    assert [notice.title for notice in seen] == ["Something went wrong"]
    assert seen[0].action is Action.OPEN_LOG
    assert "ZeroDivisionError" in seen[0].cause


def test_context_names_what_was_being_done() -> None:
    notice = describe(StaleEdit("changed meanwhile"), context="Saving the agents")
    assert notice.title == "Saving the agents: Someone else changed this first"
