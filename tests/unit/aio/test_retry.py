"""What only the asyncio driver of the scheduler has to get right: its
pauses never block the event loop, whatever the cancel signal; cancelling
the awaiting task ends a pause at once and sends nothing more; and
``asyncio.CancelledError`` out of a send is not a failure — it is neither
retried, logged nor wrapped. (What both drivers share is in
``tests/unit/test_retry_drivers.py``.)"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from dynamorm.aio import retry as aio_retry
from dynamorm.retry import Cancel, Deadline, Resend, RetryPolicy, Scheduler, Stop

from tests._support.retry_faults import Script, lost, ok, throttle

SLOW = RetryPolicy(max_retries=5, initial_delay=10.0, max_delay=10.0, jitter=0)
SHORT = RetryPolicy(max_retries=1, initial_delay=0.2, jitter=0)


def cancel_of(kind: str) -> Cancel | None:
    """A cancel signal of ``kind``: none, the one the driver waits on, or
    one it polls."""
    return {"none": None, "asyncio.Event": asyncio.Event(), "threading.Event": threading.Event()}[
        kind
    ]


KINDS = ["none", "asyncio.Event", "threading.Event"]


@pytest.mark.parametrize("kind", KINDS)
def test_cancelling_the_task_mid_pause_raises_cancelled_error_at_once_and_sends_no_more(
    kind: str,
) -> None:
    async def main() -> tuple[float, Script]:
        script = Script((throttle, ok))
        scheduler = Scheduler(SLOW, Stop(Deadline(None), cancel_of(kind)))
        task = asyncio.create_task(aio_retry.call(scheduler, script.asend, what="op"))
        await asyncio.sleep(0.1)  # the first attempt failed: the task is in its 10 s pause
        assert script.calls == ["send"] and not task.done()
        task.cancel()
        start = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        took = time.monotonic() - start
        await asyncio.sleep(0.1)  # nothing goes out afterwards either
        return took, script

    took, script = asyncio.run(main())
    assert took < 0.1
    assert script.calls == ["send"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_pause_lets_the_event_loop_run_other_tasks(kind: str) -> None:
    async def main() -> tuple[str, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beside = asyncio.create_task(ticker())
        scheduler = Scheduler(SHORT, Stop(Deadline(None), cancel_of(kind)))
        result = await aio_retry.call(scheduler, Script((throttle, ok)).asend, what="op")
        beside.cancel()
        return result, ticks

    result, ticks = asyncio.run(main())
    assert result == "ok"
    assert ticks >= 10  # the 0.2 s pause left the loop to the ticker


@pytest.mark.parametrize("write", [None, Resend()], ids=["read", "write"])
def test_cancelled_error_out_of_a_send_passes_untouched_and_is_not_retried(
    write: Resend | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dynamorm")
    cancelled = asyncio.CancelledError()
    script = Script((lost, lambda: cancelled, ok))

    async def main() -> BaseException | None:
        try:
            await aio_retry.call(
                Scheduler(RetryPolicy(initial_delay=0, jitter=0)),
                script.asend,
                what="op",
                write=write,
            )
        except asyncio.CancelledError as exc:
            return exc
        return None

    assert asyncio.run(main()) is cancelled
    assert script.calls == ["send", "send"]  # the 5xx was retried, the cancel was not
    messages = [r.getMessage() for r in caplog.records if r.name == "dynamorm"]
    assert messages == ["op: attempt 1 failed with InternalServerError; retrying in 0.000s"]
