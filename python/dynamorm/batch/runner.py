"""The batch chunk runner: ``run_chunks`` sends a batch's ``Chunks`` one at
a time or on threads, re-sends what DynamoDB left unprocessed (at once after
a round that made progress, after a backoff otherwise), and stops cleanly on
a deadline, a cancel event or an error. ``dynamorm.aio.runner`` runs the same
``_Runner`` with tasks.

Threads only send requests. Every response is handled on the calling thread
(the "collector"), so the Rust ``KeyPlan`` — not thread-safe — and the user's
callbacks are only ever touched from one thread.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dynamorm.errors import OperationCancelledError
from dynamorm.plans import Call, call
from dynamorm.retry import RetryPolicy, Scheduler, Stop

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["Chunks", "Collected", "RunResult", "run_chunks"]

P = TypeVar("P")


Collected = tuple[list[P], bool]
"""What ``collect`` makes of one response: the parts left unprocessed, and
whether the round made progress (DynamoDB processed some of what was sent)."""


@dataclass(slots=True)
class _Job(Generic[P]):
    payload: P
    attempt: int  # rounds without progress so far, for this payload's parts
    backoff: bool = False  # sleep policy.delay(attempt) before sending


@dataclass(slots=True)
class RunResult(Generic[P]):
    """How a ``run_chunks`` ended. ``undone``: payloads never (fully) sent,
    including one interrupted by a stop; ``given_up``: payloads still
    unprocessed after the last round without progress that the policy
    allows; ``stopped``: the cancel/timeout error
    that ended the run; ``failure``: the exception that aborted it, and
    ``failed``: the payload whose request raised it (``None`` when a
    callback raised)."""

    undone: list[P] = field(default_factory=list)
    given_up: list[P] = field(default_factory=list)
    stopped: OperationCancelledError | None = None
    failure: BaseException | None = None
    failed: P | None = None


@dataclass(slots=True)
class Chunks(Generic[P]):
    """A batch's chunks and how to run them (a plan's step:
    ``dynamorm.plans``).

    ``call(payload, scheduler)`` is the request of one payload (a chunk, or
    the part of one left unprocessed); ``collect(payload, response)`` runs on
    the collecting thread and returns the parts left unprocessed and whether
    the round made progress (DynamoDB processed some of the payload). After a
    round with progress the parts are re-sent at once, at the same attempt
    count; after a round without, they are re-sent after
    ``policy.delay(attempt)``, until ``policy.max_retries`` such rounds, then
    given up. When a request raises, ``on_failure(payload, exc)`` decides:
    returning skips the chunk, raising aborts. A stop (deadline or cancel) or
    an abort lets the requests in flight finish and be collected; the run
    then ends, raising nothing. ``parallel`` with ``max_concurrency > 1``
    keeps that many requests in flight."""

    chunks: list[P]
    call: Callable[[P, Scheduler], Call]
    collect: Callable[[P, Any], Collected[P]]
    on_failure: Callable[[P, BaseException], object]
    policy: RetryPolicy | None
    stop: Stop
    what: str
    parallel: bool
    max_concurrency: int

    @property
    def limit(self) -> int:
        """How many requests may be in flight at once."""
        return self.max_concurrency if self.parallel and self.max_concurrency > 1 else 1


class _Runner(Generic[P]):
    """One run of ``Chunks``: the queue of jobs and how it ended. The
    blocking runs are here; ``dynamorm.aio.runner`` has the asyncio ones."""

    def __init__(self, batch: Chunks[P]) -> None:
        self.batch = batch
        self.policy, self.stop, self.what = batch.policy, batch.stop, batch.what
        self.collect, self.on_failure = batch.collect, batch.on_failure
        self.max_retries = self.policy.max_retries if self.policy is not None else 0
        self.result: RunResult[P] = RunResult()
        # The runner's queue holds the chunks now, and lets each go once sent.
        chunks, batch.chunks = batch.chunks, []
        self.pending: deque[_Job[P]] = deque(_Job(c, 0) for c in chunks)

    def backoff(self, job: _Job[P]) -> float:
        """Seconds to wait before sending ``job`` (a re-send of parts of a
        round without progress waits ``policy.delay``)."""
        if job.backoff and self.policy is not None:
            return self.policy.delay(job.attempt)
        return 0.0

    def request(self, job: _Job[P]) -> Call:
        """The request of one job."""
        return self.batch.call(job.payload, Scheduler(self.policy, self.stop))

    def work(self, executor: Executor, job: _Job[P]) -> Any:
        """Sends one job (on a worker thread in parallel runs), first
        backing off when it re-sends parts of a round without progress."""
        pause = self.backoff(job)
        if pause:
            self.stop.sleep(pause, self.what, None)
        return call(executor, self.request(job))

    def finished(self) -> RunResult[P]:
        """How the run ended (what was never sent counts as undone)."""
        self.result.undone.extend(job.payload for job in self.pending)
        return self.result

    def handle(self, job: _Job[P], response: Any, error: BaseException | None) -> None:
        """Takes one job's outcome, on the collecting thread."""
        result = self.result
        if isinstance(error, OperationCancelledError):
            result.stopped = result.stopped or error
            result.undone.append(job.payload)
            return
        if result.failure is not None and error is not None:
            result.undone.append(job.payload)  # already aborting: keep it, decide nothing
            return
        try:
            if error is not None:
                try:
                    self.on_failure(job.payload, error)
                except BaseException as exc:
                    if exc is error:
                        result.failed = job.payload
                    raise
                return
            parts, progress = self.collect(job.payload, response)
            for part in parts:
                if progress:
                    # A response cut short (by its size limit, or throttled in
                    # part) still did work: the rest goes again at once, on the
                    # same budget. Each such round shrinks the parts, so this
                    # cannot go on for ever.
                    self.pending.append(_Job(part, job.attempt))
                elif job.attempt < self.max_retries:
                    self.pending.append(_Job(part, job.attempt + 1, backoff=True))
                else:
                    result.given_up.append(part)
        except Exception as exc:
            result.failure = exc

    def may_start(self) -> bool:
        """Whether another request may go out (no stop, no abort)."""
        if self.result.stopped is not None or self.result.failure is not None:
            return False
        try:
            self.stop.check(self.what, None)
        except OperationCancelledError as exc:
            self.result.stopped = exc
            return False
        return True

    def run_inline(self, executor: Executor) -> None:
        """One request at a time, on this thread."""
        while self.pending and self.may_start():
            job = self.pending.popleft()
            try:
                response = self.work(executor, job)
            except Exception as exc:
                self.handle(job, None, exc)
            else:
                self.handle(job, response, None)

    def run_threads(self, executor: Executor, limit: int) -> None:
        """Up to ``limit`` requests in flight, sent from a thread pool."""
        # Each future reports itself on a queue when done: one blocking get
        # per response, where ``wait(FIRST_COMPLETED)`` would hang a waiter
        # on every running future each time round.
        finished: SimpleQueue[Future[Any]] = SimpleQueue()
        with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="dynamorm-batch") as pool:
            running: dict[Future[Any], _Job[P]] = {}
            while True:
                while self.pending and len(running) < limit and self.may_start():
                    job = self.pending.popleft()
                    # The worker runs in a copy of this thread's context: its
                    # request's span is a child of the caller's current span.
                    future = pool.submit(contextvars.copy_context().run, self.work, executor, job)
                    running[future] = job
                    future.add_done_callback(finished.put)
                if not running:
                    return
                future = finished.get()
                job = running.pop(future)
                error = future.exception()
                self.handle(job, None if error is not None else future.result(), error)


def run_chunks(executor: Executor, batch: Chunks[P]) -> RunResult[P]:
    """Sends every chunk of ``batch`` and what comes back unprocessed, through
    ``executor``, blocking (see ``Chunks``); nothing here raises."""
    runner = _Runner(batch)
    limit = batch.limit
    if limit > 1:
        runner.run_threads(executor, limit)
    else:
        runner.run_inline(executor)
    return runner.finished()
