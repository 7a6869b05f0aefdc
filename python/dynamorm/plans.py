"""Terminals as plans: what an operation sends, written once for both APIs.

Every terminal of every builder (``Query.first``, ``UpdateBuilder.execute``,
``TransactionBuilder.execute``, the batch operations) is written as a
*plan*: a generator that yields the steps it needs done and receives what
each gave back —

- ``Call``: one request through the executor (its retries included); the
  plan receives the response's members;
- ``Chunks``: a batch's chunk requests (``dynamorm.batch.runner``); the plan
  receives the ``RunResult``;
- ``Each``: several plans at once (the segments of a parallel scan); the
  plan receives their results, in order;
- ``Emit``: items handed to the caller of a lazy read (``iter``), which
  reads on when they are consumed; the plan receives ``None``;

and returns the terminal's result. A plan does no I/O and never sleeps, so
the same plan runs under the blocking API (``run`` and ``iterate`` here:
requests on this thread, chunks and segments on worker threads) and under
asyncio (``dynamorm.aio.plans``: awaited requests, chunks and segments as
tasks). A step that fails is thrown into the plan at the ``yield``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from dynamorm.retry import Resend, Scheduler
from dynamorm.transport.base import Target

if TYPE_CHECKING:
    from dynamorm.batch.runner import Chunks
    from dynamorm.transport.executor import Executor

__all__ = ["DONE", "Call", "Each", "Emit", "Plan", "Step", "Stepper", "call", "iterate", "run"]

T = TypeVar("T")
R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  # an item a lazy plan emits


@dataclass(slots=True)
class Call:
    """One request, as ``Executor.call`` takes it (see there)."""

    operation: str
    params: Mapping[str, Any]
    target: Target
    scheduler: Scheduler | None = None
    partial: Any = None
    check_first: bool | None = None
    schemas: Any = None
    write: Resend | None = None

    def through(self, send: Callable[..., R]) -> R:
        """``send`` (``Executor.call`` or ``acall``) given this call."""
        return send(
            self.operation,
            self.params,
            self.target,
            self.scheduler,
            self.partial,
            check_first=self.check_first,
            schemas=self.schemas,
            write=self.write,
        )


@dataclass(slots=True)
class Each(Generic[T]):
    """Several plans run at once, at most ``limit`` together."""

    plans: Sequence[Plan[T]]
    limit: int


@dataclass(slots=True)
class Emit(Generic[I]):
    """Items for the caller of a lazy read."""

    items: list[I]


Step: TypeAlias = "Call | Chunks[Any] | Each[Any] | Emit[Any]"
"""What a plan yields."""

Plan: TypeAlias = Generator[Any, Any, T]
"""A terminal's plan: yields ``Step``s, receives each one's outcome, returns
the terminal's result."""


def call(executor: Executor, step: Call) -> dict[str, Any]:
    """Sends one ``Call`` through ``executor``, blocking."""
    return step.through(executor.call)


def _outcome(executor: Executor, step: Any) -> Any:
    """What a ``Call``, ``Chunks`` or ``Each`` step gives back, blocking."""
    if isinstance(step, Call):
        return call(executor, step)
    if isinstance(step, Each):
        return _each(executor, step)
    from dynamorm.batch.runner import run_chunks

    return run_chunks(executor, step)


def _each(executor: Executor, step: Each[Any]) -> list[Any]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=step.limit) as pool:
        # Each plan runs in a copy of this thread's context, so its requests'
        # spans are children of the caller's current span.
        running = [
            pool.submit(contextvars.copy_context().run, run, executor, plan) for plan in step.plans
        ]
        return [future.result() for future in running]


class Stepper:
    """Walks a plan: ``next()`` is its next step (``DONE`` once it has
    returned, its result in ``result``); ``give`` and ``fail`` say how the
    step went (an exception is thrown into the plan at its ``yield``)."""

    __slots__ = ("_error", "_plan", "_value", "result")

    def __init__(self, plan: Plan[Any]) -> None:
        self._plan = plan
        self._value: Any = None
        self._error: BaseException | None = None
        self.result: Any = None

    def next(self) -> Any:
        error, self._error = self._error, None
        try:
            if error is None:
                return self._plan.send(self._value)
            return self._plan.throw(error)
        except StopIteration as done:
            self.result = done.value
            return DONE

    def give(self, value: Any) -> None:
        self._value = value

    def fail(self, error: BaseException) -> None:
        self._value, self._error = None, error


DONE: Any = object()
"""``Stepper.next()`` once the plan has returned."""


def run(executor: Executor, plan: Plan[T]) -> T:
    """Runs ``plan`` on this thread (it must not ``Emit``)."""
    stepper = Stepper(plan)
    while (step := stepper.next()) is not DONE:
        try:
            stepper.give(_outcome(executor, step))
        except Exception as exc:
            stepper.fail(exc)
    result: T = stepper.result
    return result


def iterate(executor: Executor, plan: Plan[None]) -> Iterator[Any]:
    """The items ``plan`` emits, reading on as the caller consumes them."""
    stepper = Stepper(plan)
    while (step := stepper.next()) is not DONE:
        if isinstance(step, Emit):
            yield from step.items
            stepper.give(None)
            continue
        try:
            stepper.give(_outcome(executor, step))
        except Exception as exc:
            stepper.fail(exc)
