"""The scheduler's sans-IO core driven by hand: ``Stop.stopped`` and
``Attempts`` are told the time and the cancel signal's state and how each
attempt failed, and answer what to do next — ``Send``, ``Pause``,
``Return`` or ``Raise`` — without sending, sleeping or reading the clock
(both are made to fail here, and every time is made up)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    WriteOutcomeUnknownError,
)
from dynamorm.retry import (
    Attempts,
    Deadline,
    Pause,
    Raise,
    Resend,
    RetryPolicy,
    Return,
    Send,
    Stop,
)

from tests._support.retry_faults import (
    condition_failed,
    connect_timeout,
    cut_off,
    invalid,
    lost,
    read_timeout,
    throttle,
)

POLICY = RetryPolicy(max_retries=3, initial_delay=0.1, backoff_factor=2.0, jitter=0)
MINE = {"pk": {"S": "a"}}


def deadline_at(at: float, seconds: float = 1.0) -> Deadline:
    """A deadline of ``seconds`` that falls at the made-up time ``at``."""
    deadline = Deadline(None)
    deadline.seconds, deadline.at = seconds, at
    return deadline


@pytest.fixture(autouse=True)
def no_clock_no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core may neither read the clock nor sleep."""

    def refused(*args: Any) -> float:
        raise AssertionError("the core read the clock or slept")

    monkeypatch.setattr(time, "monotonic", refused)
    monkeypatch.setattr(time, "sleep", refused)


def attempts(
    policy: RetryPolicy | None = POLICY, stop: Stop | None = None, write: Resend | None = None
) -> Attempts:
    """The core of a request whose first attempt just failed."""
    return Attempts(policy, stop or Stop(), what="PutItem on User", partial=["p"], write=write)


def raised(step: object) -> Exception:
    """The error of a ``Raise`` step."""
    assert isinstance(step, Raise), step
    return step.error


# -- Stop.stopped ----------------------------------------------------------------


def test_stopped_is_none_before_the_deadline_and_without_a_cancel() -> None:
    assert Stop().stopped("op", None, now=1e9, cancelled=False) is None
    assert Stop(Deadline(None)).stopped("op", None, now=1e9, cancelled=False) is None
    assert Stop(deadline_at(100.0)).stopped("op", None, now=99.999, cancelled=False) is None


def test_stopped_at_the_deadline_is_a_timeout_carrying_partial_and_the_cause() -> None:
    cause = throttle()
    error = Stop(deadline_at(100.0, 0.5)).stopped("op", [1], cause, now=100.0, cancelled=False)
    assert type(error) is OperationTimeoutError
    assert error.partial == [1] and error.__cause__ is cause and error.__suppress_context__
    assert "op: stopped at the 0.5s deadline (the last attempt failed with Throttling" in str(error)


def test_stopped_when_cancelled_is_a_cancel_even_past_the_deadline() -> None:
    error = Stop(deadline_at(100.0)).stopped("op", "so far", now=200.0, cancelled=True)
    assert type(error) is OperationCancelledError
    assert error.partial == "so far" and error.__cause__ is None
    assert str(error) == "op: cancelled; the results so far are in .partial"


def test_stopped_goes_by_the_state_it_is_told_not_by_the_signal() -> None:
    cancel = threading.Event()
    cancel.set()
    assert Stop(None, cancel).stopped("op", None, now=0.0, cancelled=False) is None


def test_stopped_logs_the_stop(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    Stop().stopped("op", None, now=0.0, cancelled=True)
    Stop(deadline_at(1.0, 0.3)).stopped("op", None, now=2.0, cancelled=False)
    assert [r.getMessage() for r in caplog.records] == [
        "op: cancelled",
        "op: stopped at the 0.3s deadline",
    ]


# -- reads -------------------------------------------------------------------------


def test_a_retryable_failure_pauses_per_the_policy_then_sends_again() -> None:
    core = attempts()
    assert core.failed(throttle(), now=0.0) == Pause(0.1)
    assert core.next(now=0.1, cancelled=False) == Send(resend=False)
    assert core.attempt == 2
    assert core.failed(lost(), now=0.2) == Pause(0.2)


def test_a_pause_is_cut_to_the_time_left_before_the_deadline() -> None:
    step = attempts(POLICY, Stop(deadline_at(100.0))).failed(throttle(), now=99.96)
    assert isinstance(step, Pause) and step.seconds == pytest.approx(0.04)
    assert attempts(POLICY, Stop(deadline_at(100.0))).failed(throttle(), now=150.0) == Pause(0.0)


def test_a_pause_of_the_slowest_policy_is_only_an_answer() -> None:
    slow = RetryPolicy(initial_delay=600.0, max_delay=600.0, jitter=0)
    assert attempts(slow).failed(throttle(), now=0.0) == Pause(600.0)


def test_the_deadline_passing_during_a_pause_ends_with_a_timeout_naming_the_failure() -> None:
    core = attempts(POLICY, Stop(deadline_at(100.0)))
    failure = throttle()
    core.failed(failure, now=99.99)
    error = raised(core.next(now=100.0, cancelled=False))
    assert type(error) is OperationTimeoutError
    assert error.__cause__ is failure and error.partial == ["p"]
    assert core.attempt == 1  # nothing more went out


def test_a_cancel_during_a_pause_ends_with_a_cancel_naming_the_failure() -> None:
    core = attempts()
    failure = throttle()
    core.failed(failure, now=0.0)
    error = raised(core.next(now=0.0, cancelled=True))
    assert type(error) is OperationCancelledError
    assert error.__cause__ is failure and "(the last attempt failed with Throttling" in str(error)


def test_a_final_failure_is_raised_as_it_came_without_a_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    failure = invalid()
    assert raised(attempts().failed(failure, now=0.0)) is failure
    assert caplog.records == []


def test_the_last_allowed_retry_failing_is_retry_exhausted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    core = attempts(RetryPolicy(max_retries=2, jitter=0))
    for _ in range(2):
        assert isinstance(core.failed(throttle(), now=0.0), Pause)
        assert core.next(now=0.0, cancelled=False) == Send()
    last = throttle()
    error = raised(core.failed(last, now=0.0))
    assert type(error) is RetryExhaustedError
    assert error.attempts == 3 and error.__cause__ is last
    assert "still failing with ThrottlingException after 3 attempts" in str(error)
    assert [r.levelno for r in caplog.records] == [logging.INFO] * 2 + [logging.WARNING]


@pytest.mark.parametrize("policy", [None, RetryPolicy(max_retries=0)], ids=["none", "zero"])
def test_with_retries_off_a_retryable_failure_is_raised_as_it_came(
    policy: RetryPolicy | None,
) -> None:
    failure = throttle()
    assert raised(attempts(policy).failed(failure, now=0.0)) is failure


def test_an_attempt_the_stop_cut_off_is_raised_as_it_came_for_a_read() -> None:
    failure = cut_off(read_timeout)()
    assert raised(attempts().failed(failure, now=0.0)) is failure


# -- writes ------------------------------------------------------------------------


def test_a_lost_answer_of_a_write_not_safe_to_resend_ends_unknown_at_once() -> None:
    failure = lost()
    core = attempts(write=Resend(allowed=False, reason="it appends to a list"))
    error = raised(core.failed(failure, now=0.0))
    assert type(error) is WriteOutcomeUnknownError
    assert error.attempts == 1 and error.__cause__ is failure
    assert "not sent again because it appends to a list" in str(error)


def test_a_refusal_of_a_write_not_safe_to_resend_is_retried_as_it_is() -> None:
    core = attempts(write=Resend(allowed=False, reason="r"))
    assert core.failed(throttle(), now=0.0) == Pause(0.1)
    assert core.next(now=0.0, cancelled=False) == Send(resend=False)


def test_after_a_lost_answer_every_attempt_is_a_resend() -> None:
    core = attempts(write=Resend())
    assert core.failed(lost(), now=0.0) == Pause(0.1)
    assert core.next(now=0.0, cancelled=False) == Send(resend=True)
    assert core.failed(throttle(), now=0.0) == Pause(0.2)
    assert core.next(now=0.0, cancelled=False) == Send(resend=True)


def test_a_resend_failing_its_condition_on_the_write_s_own_item_returns_its_response() -> None:
    core = attempts(write=Resend(recognise=lambda item: {"Attributes": item}))
    core.failed(lost(), now=0.0)
    core.next(now=0.0, cancelled=False)
    assert core.failed(condition_failed(MINE)(), now=0.0) == Return({"Attributes": MINE})


@pytest.mark.parametrize(
    "recognise", [lambda item: None, None], ids=["not its item", "nothing to recognise with"]
)
def test_a_resend_failing_its_condition_otherwise_ends_unknown_with_the_item(
    recognise: Any,
) -> None:
    first = lost()
    core = attempts(write=Resend(recognise=recognise))
    core.failed(first, now=0.0)
    core.next(now=0.0, cancelled=False)
    error = raised(core.failed(condition_failed(MINE)(), now=0.0))
    assert type(error) is WriteOutcomeUnknownError
    assert error.item == MINE and error.__cause__ is first and error.attempts == 2


def test_a_resend_failing_for_good_ends_unknown_naming_its_failure() -> None:
    first = lost()
    core = attempts(write=Resend())
    core.failed(first, now=0.0)
    core.next(now=0.0, cancelled=False)
    error = raised(core.failed(invalid(), now=0.0))
    assert type(error) is WriteOutcomeUnknownError and error.__cause__ is first
    assert "a resend failed with ValidationException" in str(error)


def test_a_write_out_of_retries_after_a_lost_answer_ends_unknown() -> None:
    first = lost()
    core = attempts(RetryPolicy(max_retries=1, jitter=0), write=Resend())
    core.failed(first, now=0.0)
    core.next(now=0.0, cancelled=False)
    error = raised(core.failed(throttle(), now=0.0))
    assert type(error) is WriteOutcomeUnknownError
    assert error.__cause__ is first and error.attempts == 2
    assert "attempt 2, the last allowed, failed with ThrottlingException" in str(error)


@pytest.mark.parametrize(
    ("cancelled", "now", "why"),
    [
        (False, 100.0, "the deadline stopped it before a resend could tell"),
        (True, 0.0, "it was cancelled before a resend could tell"),
    ],
    ids=["deadline", "cancel"],
)
def test_a_stop_after_a_lost_answer_ends_unknown(cancelled: bool, now: float, why: str) -> None:
    first = lost()
    core = attempts(POLICY, Stop(deadline_at(100.0)), write=Resend())
    core.failed(first, now=0.0)
    error = raised(core.next(now=now, cancelled=cancelled))
    assert type(error) is WriteOutcomeUnknownError
    assert error.__cause__ is first and error.attempts == 1 and why in str(error)


@pytest.mark.parametrize(
    ("deadline", "why"),
    [
        (True, "the deadline stopped it before a resend could tell"),
        (False, "it was cancelled before a resend could tell"),
    ],
    ids=["deadline", "cancel"],
)
def test_a_write_the_stop_cut_off_after_it_was_sent_ends_unknown(deadline: bool, why: str) -> None:
    failure = cut_off(read_timeout, deadline=deadline)()
    error = raised(attempts(write=Resend()).failed(failure, now=0.0))
    assert type(error) is WriteOutcomeUnknownError
    assert error.__cause__ is failure.__cause__ and why in str(error)


def test_a_write_the_stop_cut_off_before_it_was_sent_is_raised_as_it_came() -> None:
    failure = cut_off(connect_timeout)()
    assert raised(attempts(write=Resend()).failed(failure, now=0.0)) is failure


def test_a_failed_condition_without_a_lost_answer_is_raised_as_it_came() -> None:
    failure = condition_failed(MINE)()
    core = attempts(write=Resend(recognise=lambda item: {"Attributes": item}))
    assert raised(core.failed(failure, now=0.0)) is failure
