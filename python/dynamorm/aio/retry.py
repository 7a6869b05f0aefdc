"""The retry scheduler's asyncio driver.

``call`` runs one request's attempts as coroutines. Every decision is the
one ``Scheduler.call`` makes, taken by the same sans-IO core
(``dynamorm.retry.Attempts`` and ``Stop.stopped``): which failures are
retried, how long to back off, what a write's lost answer allows, when the
deadline or a cancel ends the request and with which error. This module only
awaits the sends and sleeps the pauses — with ``asyncio.sleep``, or on the
``asyncio.Event`` given as the stop's cancel signal, so that setting it ends
a pause at once.

Cancelling the awaiting task is not a failure of the request:
``asyncio.CancelledError`` (a ``BaseException``) passes through untouched,
whether it comes out of a send or interrupts a pause, and nothing more is
sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from dynamorm.retry import (
    Attempts,
    Raise,
    Resend,
    Return,
    Scheduler,
    Stop,
    cancel_naps,
    failed,
)

__all__ = ["call", "sleep", "wait"]

T = TypeVar("T")


async def call(
    scheduler: Scheduler,
    send: Callable[[], Awaitable[T]],
    *,
    what: str,
    partial: Any = None,
    check_first: bool = True,
    write: Resend | None = None,
    resend: Callable[[], Awaitable[T]] | None = None,
) -> T:
    """``scheduler.call`` for coroutines: checks the scheduler's stop, awaits
    ``send()``, and on a retryable error pauses ``policy.delay(n)`` (never
    past the deadline, ended by the cancel signal) and awaits it again, up to
    ``policy.max_retries`` times; ``resend()``, when given, goes out instead
    once a write's answer was lost. Returns, raises and logs exactly what
    ``Scheduler.call`` does for the same outcomes (see it for ``what``,
    ``partial``, ``check_first`` and ``write``). ``CancelledError`` is never
    retried nor wrapped."""
    stop = scheduler.stop
    if check_first:
        stopped = stop.stopped(what, partial, now=time.monotonic(), cancelled=stop.cancelled())
        if stopped is not None:
            raise stopped
    attempts: Attempts | None = None
    resending = False
    while True:
        try:
            if resending and resend is not None:
                return await resend()
            return await send()
        except Exception as exc:
            attempts, after = failed(
                attempts, exc, scheduler.policy, stop, what=what, partial=partial, write=write
            )
            if isinstance(after, Return):
                return cast(T, after.value)
        await wait(stop, after.seconds)
        step = attempts.next(time.monotonic(), stop.cancelled())
        if isinstance(step, Raise):
            raise step.error
        resending = step.resend


async def wait(stop: Stop, seconds: float) -> None:
    """``Stop.wait`` without blocking the event loop: sleeps ``seconds`` (not
    at all when ``<= 0``), ending at once when ``stop``'s cancel signal, an
    ``asyncio.Event``, is set; another kind (a ``threading.Event`` set from
    another thread) is looked at every ``CANCEL_POLL_SECONDS``. Neither
    bounds the pause by the deadline nor checks the stop. Cancelling the task
    raises ``CancelledError`` out of it at once."""
    if seconds <= 0:
        return
    cancel = stop.cancel
    if cancel is None:
        await asyncio.sleep(seconds)
    elif isinstance(cancel, asyncio.Event):
        # The timeout is the pause running its course, not a failure.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await cancel.wait()
    else:
        for nap in cancel_naps(cancel, seconds):
            await asyncio.sleep(nap)


async def sleep(
    stop: Stop, seconds: float, what: str, partial: Any, cause: BaseException | None = None
) -> None:
    """``Stop.sleep`` without blocking the event loop: waits ``seconds`` —
    ending at once when cancelled and never past the deadline — then
    ``check``s (``cause``: the failure being retried)."""
    remaining = stop.remaining()
    await wait(stop, seconds if remaining is None else min(seconds, remaining))
    stop.check(what, partial, cause)
