"""The batch chunk runner under asyncio: ``arun_chunks`` runs a batch's
``Chunks`` (``dynamorm.batch.runner``: the same queue, re-sends, backoff
rounds and stops) with its requests as tasks, at most ``limit`` in flight.
Every response is handled in the awaiting task, so the Rust ``KeyPlan`` and
the user's callbacks are only ever touched from one place. Cancelling the
awaiting task cancels the requests in flight and waits for them: no task is
left behind."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypeVar

from dynamorm.aio.plans import acall
from dynamorm.aio.retry import sleep
from dynamorm.batch.runner import Chunks, RunResult, _Job, _Runner

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["arun_chunks"]

P = TypeVar("P")


async def _work(runner: _Runner[P], executor: Executor, job: _Job[P]) -> Any:
    """Sends one job, first backing off when it re-sends parts of a round
    without progress (``Stop.sleep``'s asyncio form)."""
    pause = runner.backoff(job)
    if pause:
        await sleep(runner.stop, pause, runner.what, None)
    return await acall(executor, runner.request(job))


async def _inline(runner: _Runner[P], executor: Executor) -> None:
    while runner.pending and runner.may_start():
        job = runner.pending.popleft()
        try:
            response = await _work(runner, executor, job)
        except Exception as exc:
            runner.handle(job, None, exc)
        else:
            runner.handle(job, response, None)


async def _tasks(runner: _Runner[P], executor: Executor, limit: int) -> None:
    finished: asyncio.Queue[asyncio.Task[Any]] = asyncio.Queue()
    running: dict[asyncio.Task[Any], _Job[P]] = {}
    try:
        while True:
            while runner.pending and len(running) < limit and runner.may_start():
                job = runner.pending.popleft()
                task = asyncio.create_task(_work(runner, executor, job))
                running[task] = job
                task.add_done_callback(finished.put_nowait)
            if not running:
                return
            task = await finished.get()
            job = running.pop(task)
            error = task.exception()
            runner.handle(job, None if error is not None else task.result(), error)
    finally:
        # Cancelled (or failing) here: the requests in flight are cancelled
        # and awaited, so none outlives the batch.
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)


async def arun_chunks(executor: Executor, batch: Chunks[P]) -> RunResult[P]:
    """Sends every chunk of ``batch`` and what comes back unprocessed, through
    ``executor``, as tasks (see ``Chunks``); nothing here raises but
    ``CancelledError``."""
    runner = _Runner(batch)
    limit = batch.limit
    if limit > 1:
        await _tasks(runner, executor, limit)
    else:
        await _inline(runner, executor)
    return runner.finished()
