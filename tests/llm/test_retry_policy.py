"""The retry policy as a pure function of status, headers and attempt number."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest

from app.llm.retry import IN_FLIGHT_BUDGET, RetryPolicy

NOW = dt.datetime(2025, 6, 1, 12, 0, 0, tzinfo=dt.UTC)
POLICY = RetryPolicy(jitter=0)


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (400, False),
        (401, False),
        (402, False),
        (403, False),
        (404, False),
        (408, True),
        (409, True),
        (422, False),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
    ],
)
def test_statuses(status: int, retry: bool) -> None:
    assert POLICY.should_retry_status(status, {}) is retry


def test_402_only_for_the_in_flight_budget() -> None:
    assert POLICY.should_retry_status(402, {}, {"limit_source": IN_FLIGHT_BUDGET})
    assert not POLICY.should_retry_status(402, {}, {"limit_source": "key_limit"})


@pytest.mark.parametrize("value", ["true", "TRUE", " true "])
def test_x_should_retry_true(value: str) -> None:
    assert POLICY.should_retry_status(400, {"X-Should-Retry": value})


def test_x_should_retry_false_and_nonsense() -> None:
    assert not POLICY.should_retry_status(503, {"x-should-retry": "false"})
    assert POLICY.should_retry_status(503, {"x-should-retry": "maybe"})


def test_server_delay_forms() -> None:
    date = email.utils.format_datetime(NOW + dt.timedelta(seconds=7), usegmt=True)
    assert POLICY.server_delay({"retry-after-ms": "1500"}, NOW) == 1.5
    assert POLICY.server_delay({"Retry-After": "3"}, NOW) == 3.0
    assert POLICY.server_delay({"Retry-After": "0.25"}, NOW) == 0.25
    assert POLICY.server_delay({"Retry-After": date}, NOW) == 7.0
    past = email.utils.format_datetime(NOW - dt.timedelta(seconds=7), usegmt=True)
    assert POLICY.server_delay({"Retry-After": past}, NOW) == 0.0
    assert POLICY.server_delay({"Retry-After": "soon"}, NOW) is None
    assert POLICY.server_delay({}, NOW) is None
    # retry-after-ms wins over Retry-After, as in the official client.
    assert POLICY.server_delay({"retry-after-ms": "10", "Retry-After": "9"}, NOW) == 0.01


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [POLICY.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_shortens_by_at_most_a_quarter() -> None:
    low = RetryPolicy(random=lambda: 1.0)
    high = RetryPolicy(random=lambda: 0.0)
    assert low.backoff(3) == 1.5 and high.backoff(3) == 2.0


def test_delay_prefers_the_server_and_refuses_long_waits() -> None:
    assert POLICY.delay(1, {"Retry-After": "2"}, NOW) == 2.0
    assert POLICY.delay(2, {}, NOW) == 1.0
    assert POLICY.delay(1, {"Retry-After": "0"}, NOW) == 0.5  # zero means "no advice"
    assert POLICY.delay(1, {"Retry-After": "61"}, NOW) is None
    assert RetryPolicy(max_retry_after=120).delay(1, {"Retry-After": "61"}, NOW) == 61.0


@pytest.mark.parametrize("options", [{"max_retries": -1}, {"base_delay": -1.0}, {"jitter": 2.0}])
def test_invalid_policies_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**options)  # type: ignore[arg-type]
