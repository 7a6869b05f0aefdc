"""The chunk runner's retry contract, without a server, for both drivers
(``run_chunks`` on threads, ``arun_chunks`` on tasks): after a round with
progress the leftover goes again at once at the same attempt count; only a
round without progress sleeps ``policy.delay(attempt)`` and counts against
``max_retries``. Payloads are lists of ints; an executor standing in for the
transport answers each request with its payload, and ``collect`` answers
from a script of how many of each request's entries the "server"
processed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from dynamorm import RetryPolicy
from dynamorm.aio.runner import arun_chunks
from dynamorm.batch.runner import Chunks, Collected, RunResult, run_chunks
from dynamorm.plans import Call
from dynamorm.retry import Scheduler, Stop
from dynamorm.transport.base import Target

POLICY = RetryPolicy(max_retries=2, initial_delay=1.0, backoff_factor=2.0, jitter=0)


class RecordingStop(Stop):
    """A ``Stop`` that records each backoff instead of sleeping it."""

    __slots__ = ("slept",)

    def __init__(self) -> None:
        super().__init__()
        self.slept: list[float] = []

    def sleep(self, seconds: float, what: str, partial: Any, *args: Any) -> None:
        self.slept.append(seconds)

    async def asleep(self, stop: Stop, seconds: float, what: str, partial: Any) -> None:
        """``aio.retry.sleep``'s stand-in: records the backoff."""
        self.slept.append(seconds)


class Echo:
    """Answers every request with its parameters (the payload)."""

    def call(self, operation: str, params: Any, *args: Any, **kwargs: Any) -> Any:
        return params

    async def acall(self, operation: str, params: Any, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        return params


DRIVERS = ["threads", "tasks"]


def run(
    driver: str, chunks: list[list[int]], processed: Iterator[int], *, parallel: bool = False
) -> tuple[RunResult[list[int]], list[list[int]], list[float]]:
    sent: list[list[int]] = []
    stop = RecordingStop()

    def request(payload: list[int], scheduler: Scheduler) -> Call:
        return Call("Echo", payload, Target(None, "t"), scheduler)  # type: ignore[arg-type]

    def collect(payload: list[int], response: list[int]) -> Collected[list[int]]:
        sent.append(payload)
        n = next(processed)
        left = payload[n:]
        return ([left] if left else []), n > 0

    batch = Chunks(
        chunks,
        call=request,
        collect=collect,
        on_failure=lambda payload, exc: None,
        policy=POLICY,
        stop=stop,
        what="test",
        parallel=parallel,
        max_concurrency=2,
    )
    executor: Any = Echo()
    if driver == "threads":
        result = run_chunks(executor, batch)
    else:
        with mock.patch("dynamorm.aio.runner.sleep", stop.asleep):
            result = asyncio.run(arun_chunks(executor, batch))
    return result, sent, stop.slept


@pytest.mark.parametrize("driver", DRIVERS)
def test_rounds_with_progress_go_again_at_once_without_spending_retries(driver: str) -> None:
    result, sent, slept = run(driver, [list(range(5))], iter([1, 1, 1, 1, 1]))
    assert sent == [[0, 1, 2, 3, 4], [1, 2, 3, 4], [2, 3, 4], [3, 4], [4]]
    assert slept == [] and result.given_up == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_rounds_without_progress_back_off_and_exhaust_the_budget(driver: str) -> None:
    result, sent, slept = run(driver, [[0, 1, 2]], iter([0, 0, 0]))
    assert sent == [[0, 1, 2]] * 3
    assert slept == [POLICY.delay(1), POLICY.delay(2)] == [1.0, 2.0]
    assert result.given_up == [[0, 1, 2]]


@pytest.mark.parametrize("driver", DRIVERS)
def test_progress_keeps_the_attempt_count_and_needs_no_backoff(driver: str) -> None:
    # none (retry 1, 1 s); some (again at once, still 1); none (retry 2, 2 s); none: given up
    result, sent, slept = run(driver, [[0, 1, 2]], iter([0, 1, 0, 0]))
    assert sent == [[0, 1, 2], [0, 1, 2], [1, 2], [1, 2]]
    assert slept == [1.0, 2.0]
    assert result.given_up == [[1, 2]]


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("driver", DRIVERS)
def test_each_chunk_keeps_its_own_count(driver: str, parallel: bool) -> None:
    answers = iter([1] * 20)
    result, sent, slept = run(driver, [[0, 1, 2], [10, 11, 12]], answers, parallel=parallel)
    assert sorted(map(tuple, sent)) == sorted(
        [(0, 1, 2), (1, 2), (2,), (10, 11, 12), (11, 12), (12,)]
    )
    assert slept == [] and result.given_up == []
