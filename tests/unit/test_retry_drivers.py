"""One table of retry scenarios run through both drivers of the scheduler —
``Scheduler.call``, which blocks, and ``dynamorm.aio.retry.call``, which
awaits — with scripted sends and no server. Both take every decision from
the same core, so the same outcomes must end the same way: the same result
or error (type, cause, attempts, message, partial), the same sends and
resends, the same time spent pausing and the same log records."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    WriteOutcomeUnknownError,
)
from dynamorm.retry import Deadline, Resend, RetryPolicy, Scheduler, Stop

from tests._support.retry_faults import (
    DRIVERS,
    Driver,
    Outcome,
    Script,
    condition_failed,
    connect_timeout,
    connection_closed,
    cut_off,
    invalid,
    lost,
    ok,
    read_timeout,
    throttle,
    timed,
)

FAST = RetryPolicy(max_retries=3, initial_delay=0.02, max_delay=0.5, jitter=0)
SLOW = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
PARTIAL = ["read so far"]
MINE = {"pk": {"S": "a"}}
OTHER = {"pk": {"S": "b"}}
INFO, WARN = logging.INFO, logging.WARNING


def recognise_mine(item: Any) -> dict[str, Any] | None:
    """The write's response when ``item`` is the one it leaves."""
    return {"Attributes": item} if item == MINE else None


Made = Sequence[object]


def nth(i: int) -> Callable[[Made], object]:
    """What attempt ``i + 1`` made (its exception)."""
    return lambda made: made[i]


def inner(i: int) -> Callable[[Made], object]:
    """The ``__cause__`` of what attempt ``i + 1`` made."""
    return lambda made: getattr(made[i], "__cause__", None)


def nothing(made: Made) -> object:
    """No cause."""
    return None


@dataclass(frozen=True)
class Scenario:
    """How a request is run (``policy``, ``write``, a guarded ``resend``
    or not, a ``deadline`` in seconds, the cancel signal set during attempt
    ``cancel_at`` — 0: before the call — and ``check_first``), what each
    attempt does (``outcomes``), and how it ends: ``returns`` a value, or
    ``raised`` the exception attempt ``raised + 1`` made, or a new error of
    type ``raises`` whose ``__cause__`` is ``cause``, with ``attempts``,
    ``message`` fragments and ``item``. ``calls``: the sends in order;
    ``logs``: the levels of the ``dynamorm`` records; ``pausing``: seconds
    it spends at least (and under a second more)."""

    id: str
    outcomes: tuple[Outcome, ...]
    returns: object = None
    raised: int | None = None
    raises: type[BaseException] | None = None
    cause: Callable[[Made], object] = nothing
    attempts: int | None = None
    message: tuple[str, ...] = ()
    item: object = None
    policy: RetryPolicy | None = FAST
    write: Resend | None = None
    resend: bool = False
    deadline: float | None = None
    cancel_at: int | None = None
    check_first: bool = True
    calls: tuple[str, ...] = ("send",)
    logs: tuple[int, ...] = ()
    pausing: float = 0.0


SCENARIOS = [
    Scenario("success at once", (ok,), returns="ok"),
    Scenario(
        "retryable failures then success",
        (throttle, lost, ok),
        returns="ok",
        calls=("send",) * 3,
        logs=(INFO, INFO),
        pausing=0.06,
    ),
    Scenario(
        "retries exhausted",
        (throttle,) * 4,
        raises=RetryExhaustedError,
        cause=nth(3),
        attempts=4,
        message=("PutItem on User", "ThrottlingException", "after 4 attempts"),
        calls=("send",) * 4,
        logs=(INFO, INFO, INFO, WARN),
        pausing=0.14,
    ),
    Scenario("a final failure passes unchanged", (invalid,), raised=0),
    Scenario("retries off: no policy", (throttle,), raised=0, policy=None),
    Scenario(
        "retries off: max_retries=0", (throttle,), raised=0, policy=RetryPolicy(max_retries=0)
    ),
    Scenario(
        "a read's 5xx answers exhaust the retries",
        (lost,) * 4,
        raises=RetryExhaustedError,
        cause=nth(3),
        attempts=4,
        calls=("send",) * 4,
        logs=(INFO, INFO, INFO, WARN),
        pausing=0.14,
    ),
    # -- writes whose answer was lost
    Scenario(
        "lost answer of a write not safe to resend",
        (lost,),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=1,
        message=("InternalServerError", "not sent again because it adds to a number"),
        write=Resend(allowed=False, reason="it adds to a number"),
    ),
    Scenario(
        "a refusal of a write not safe to resend is retried",
        (throttle, ok),
        returns="ok",
        write=Resend(allowed=False, reason="it adds to a number"),
        calls=("send", "send"),
        logs=(INFO,),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: the guarded request goes out",
        (lost, ok),
        returns="ok",
        write=Resend(),
        resend=True,
        calls=("send", "resend"),
        logs=(INFO,),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: the same request goes out when there is no guarded one",
        (lost, ok),
        returns="ok",
        write=Resend(),
        calls=("send", "send"),
        logs=(INFO,),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: the resend's failed condition shows the write applied",
        (lost, condition_failed(MINE)),
        returns={"Attributes": MINE},
        write=Resend(recognise=recognise_mine),
        calls=("send", "send"),
        logs=(INFO, INFO),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: the resend's failed condition shows another item",
        (lost, condition_failed(OTHER)),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=2,
        message=("an item this write did not leave",),
        item=OTHER,
        write=Resend(recognise=recognise_mine),
        calls=("send", "send"),
        logs=(INFO, WARN),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: a failed condition and nothing to recognise it with",
        (lost, condition_failed(MINE)),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=2,
        item=MINE,
        write=Resend(),
        calls=("send", "send"),
        logs=(INFO, WARN),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: the resend fails for good",
        (lost, invalid),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=2,
        message=("a resend failed with ValidationException",),
        write=Resend(),
        resend=True,
        calls=("send", "resend"),
        logs=(INFO, WARN),
        pausing=0.02,
    ),
    Scenario(
        "lost answer: then out of retries",
        (lost, throttle, throttle, throttle),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=4,
        message=("attempt 4, the last allowed, failed with ThrottlingException",),
        write=Resend(),
        resend=True,
        calls=("send", "resend", "resend", "resend"),
        logs=(INFO, INFO, INFO, WARN),
        pausing=0.14,
    ),
    Scenario(
        "lost answer: a throttled resend is retried",
        (lost, throttle, ok),
        returns="ok",
        write=Resend(),
        resend=True,
        calls=("send", "resend", "resend"),
        logs=(INFO, INFO),
        pausing=0.06,
    ),
    Scenario(
        "a failed condition without a lost answer is a plain failure",
        (condition_failed(MINE),),
        raised=0,
        write=Resend(recognise=recognise_mine),
    ),
    # -- attempts the stop cut off in flight (the executor's OperationCancelledError)
    Scenario(
        "a write cut off by the deadline after it was sent",
        (cut_off(read_timeout),),
        raises=WriteOutcomeUnknownError,
        cause=inner(0),
        attempts=1,
        message=("ReadTimeoutError", "the deadline stopped it before a resend could tell"),
        write=Resend(),
        logs=(WARN,),
    ),
    Scenario(
        "a write cut off by a cancel after it was sent",
        (cut_off(connection_closed, deadline=False),),
        raises=WriteOutcomeUnknownError,
        cause=inner(0),
        attempts=1,
        message=("it was cancelled before a resend could tell",),
        write=Resend(),
        logs=(WARN,),
    ),
    Scenario(
        "a write cut off before it was sent passes unchanged",
        (cut_off(connect_timeout),),
        raised=0,
        write=Resend(),
    ),
    Scenario("a read cut off passes unchanged", (cut_off(read_timeout),), raised=0),
    # -- the deadline
    Scenario(
        "deadline passed before the first attempt",
        (ok,),
        raises=OperationTimeoutError,
        message=("PutItem on User: stopped at the 0s deadline",),
        deadline=0,
        calls=(),
        logs=(INFO,),
    ),
    Scenario(
        "deadline passed, check_first=False: the first attempt goes out",
        (ok,),
        returns="ok",
        deadline=0,
        check_first=False,
    ),
    Scenario(
        "deadline passed, check_first=False: no retry",
        (throttle, ok),
        raises=OperationTimeoutError,
        cause=nth(0),
        message=("the last attempt failed with ThrottlingException",),
        deadline=0,
        check_first=False,
        logs=(INFO, INFO),
    ),
    Scenario(
        "deadline during a pause",
        (throttle, ok),
        raises=OperationTimeoutError,
        cause=nth(0),
        message=("stopped at the 0.1s deadline (the last attempt failed with Throttling",),
        policy=SLOW,
        deadline=0.1,
        logs=(INFO, INFO),
        pausing=0.09,
    ),
    Scenario(
        "deadline during a pause after a lost answer",
        (lost, ok),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=1,
        message=("the deadline stopped it before a resend could tell",),
        policy=SLOW,
        write=Resend(),
        deadline=0.1,
        logs=(INFO, INFO, WARN),
        pausing=0.09,
    ),
    # -- the cancel signal
    Scenario(
        "cancelled before the first attempt",
        (ok,),
        raises=OperationCancelledError,
        message=("PutItem on User: cancelled; the results so far are in .partial",),
        cancel_at=0,
        calls=(),
        logs=(INFO,),
    ),
    Scenario(
        "cancelled, check_first=False: the first attempt goes out",
        (ok,),
        returns="ok",
        cancel_at=0,
        check_first=False,
    ),
    Scenario(
        "cancelled during an attempt: the pause ends at once, no retry",
        (throttle, ok),
        raises=OperationCancelledError,
        cause=nth(0),
        message=("cancelled (the last attempt failed with ThrottlingException)",),
        policy=SLOW,
        cancel_at=1,
        logs=(INFO, INFO),
    ),
    Scenario(
        "cancelled after a lost answer",
        (lost, ok),
        raises=WriteOutcomeUnknownError,
        cause=nth(0),
        attempts=1,
        message=("it was cancelled before a resend could tell",),
        policy=SLOW,
        write=Resend(),
        cancel_at=1,
        logs=(INFO, INFO, WARN),
    ),
]


def run(
    driver: Driver, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> tuple[object, float, Script, list[logging.LogRecord]]:
    """Runs ``scenario`` through ``driver``: what it ended with (its result
    or its error), the seconds it took, its script and its log records."""
    caplog.clear()
    cancel = driver.event() if scenario.cancel_at is not None else None
    if cancel is not None and scenario.cancel_at == 0:
        cancel.set()
    deadline = None if scenario.deadline is None else Deadline(scenario.deadline)
    scheduler = Scheduler(scenario.policy, Stop(deadline, cancel))
    script = Script(scenario.outcomes, cancel, scenario.cancel_at)
    ended, took = timed(
        lambda: driver.run(
            scheduler,
            script,
            resend=scenario.resend,
            what="PutItem on User",
            partial=PARTIAL,
            check_first=scenario.check_first,
            write=scenario.write,
        )
    )
    return ended, took, script, [r for r in caplog.records if r.name == "dynamorm"]


@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.name)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_each_driver_ends_each_scenario_as_the_table_says(
    driver: Driver, scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    ended, took, script, records = run(driver, scenario, caplog)
    assert script.calls == list(scenario.calls)
    assert [r.levelno for r in records] == list(scenario.logs)
    assert scenario.pausing <= took < scenario.pausing + 1.0
    if scenario.raised is not None:
        assert ended is script.made[scenario.raised]
    elif scenario.raises is None:
        assert ended == scenario.returns
    else:
        assert isinstance(ended, BaseException)
        assert type(ended) is scenario.raises
        assert ended.__cause__ is scenario.cause(script.made)
        assert ended.__suppress_context__
        assert getattr(ended, "attempts", None) == scenario.attempts
        assert all(fragment in str(ended) for fragment in scenario.message), str(ended)
        if isinstance(ended, OperationCancelledError):
            assert ended.partial == PARTIAL
        if isinstance(ended, WriteOutcomeUnknownError):
            assert ended.item == scenario.item


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_both_drivers_log_the_same_records_and_raise_the_same_message(
    scenario: Scenario, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    seen = []
    for driver in DRIVERS:
        ended, _, script, records = run(driver, scenario, caplog)
        seen.append(
            (
                type(ended),
                str(ended),
                script.calls,
                [(r.levelno, r.getMessage()) for r in records],
            )
        )
    blocking, asyncio_ = seen
    assert blocking == asyncio_


# -- a cancel signal set from elsewhere during a pause ---------------------------


def set_later(event: threading.Event | asyncio.Event, script: Script, seconds: float) -> None:
    """Sets ``event`` from another thread after ``seconds``; an
    ``asyncio.Event`` a loop waits on is set on that loop."""

    def fire() -> None:
        if isinstance(event, asyncio.Event) and script.loop is not None:
            script.loop.call_soon_threadsafe(event.set)
        else:
            event.set()

    threading.Timer(seconds, fire).start()


@pytest.mark.parametrize("kind", ["its own kind", "another kind, polled"])
@pytest.mark.parametrize("driver", DRIVERS, ids=lambda d: d.name)
def test_a_cancel_set_during_a_pause_ends_it_within_a_poll(driver: Driver, kind: str) -> None:
    cancel = driver.event() if kind == "its own kind" else driver.other_event()
    script = Script((throttle, ok), cancel)
    began = time.monotonic()
    set_later(cancel, script, 0.1)
    scheduler = Scheduler(SLOW, Stop(Deadline(None), cancel))
    ended, _ = timed(lambda: driver.run(scheduler, script, resend=False, what="op"))
    took = time.monotonic() - began  # from the timer's start, not the run's
    assert type(ended) is OperationCancelledError
    assert script.calls == ["send"]
    assert 0.1 <= took < 0.5
