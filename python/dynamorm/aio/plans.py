"""Plans under asyncio: ``arun`` and ``aiterate`` run the plans every
terminal is written as (``dynamorm.plans``) — each ``Call`` awaited through
``Executor.acall``, a batch's ``Chunks`` as tasks (``dynamorm.aio.runner``),
the plans of an ``Each`` as tasks of one ``asyncio.TaskGroup``. Cancelling
the awaiting task cancels whatever is in flight and leaves no task behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from dynamorm.plans import DONE, Call, Each, Emit, Plan, Stepper

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["acall", "aiterate", "arun"]

T = TypeVar("T")


async def acall(executor: Executor, step: Call) -> dict[str, Any]:
    """Sends one ``Call`` through ``executor``, awaited."""
    return await step.through(executor.acall)


async def _outcome(executor: Executor, step: Any) -> Any:
    """What a ``Call``, ``Chunks`` or ``Each`` step gives back, awaited."""
    if isinstance(step, Call):
        return await acall(executor, step)
    if isinstance(step, Each):
        return await _each(executor, step)
    from dynamorm.aio.runner import arun_chunks

    return await arun_chunks(executor, step)


async def _each(executor: Executor, step: Each[Any]) -> list[Any]:
    """The results of ``step``'s plans, run as tasks (at most ``limit`` at
    once); the first failure cancels the others and is raised."""
    gate = asyncio.Semaphore(step.limit)

    async def one(plan: Plan[Any]) -> Any:
        async with gate:
            return await arun(executor, plan)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(plan)) for plan in step.plans]
    except BaseExceptionGroup as failures:
        # One plan's failure, as the blocking API raises it.
        first = failures.exceptions[0]
        raise first from first.__cause__
    return [task.result() for task in tasks]


async def arun(executor: Executor, plan: Plan[T]) -> T:
    """Runs ``plan`` under asyncio (it must not ``Emit``)."""
    stepper = Stepper(plan)
    while (step := stepper.next()) is not DONE:
        try:
            if type(step) is Call:
                # A request, awaited here: one coroutine fewer in flight.
                stepper.give(await step.through(executor.acall))
            else:
                stepper.give(await _outcome(executor, step))
        except Exception as exc:
            stepper.fail(exc)
    result: T = stepper.result
    return result


async def aiterate(executor: Executor, plan: Plan[None]) -> AsyncIterator[Any]:
    """The items ``plan`` emits, reading on as the caller consumes them."""
    stepper = Stepper(plan)
    while (step := stepper.next()) is not DONE:
        if isinstance(step, Emit):
            for item in step.items:
                yield item
            stepper.give(None)
            continue
        try:
            stepper.give(await _outcome(executor, step))
        except Exception as exc:
            stepper.fail(exc)
