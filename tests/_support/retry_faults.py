"""What the retry tests feed the scheduler without a server: botocore
failures made fresh for each run, scripted sends that raise or return them
attempt by attempt, and the two drivers (blocking and asyncio) behind one
interface, so that a scenario runs through either unchanged."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    ReadTimeoutError,
)
from dynamorm.aio import retry as aio_retry
from dynamorm.errors import OperationCancelledError, OperationTimeoutError
from dynamorm.retry import Scheduler

Outcome = Callable[[], object]
"""Makes what one attempt does: an exception it raises, or a value it returns."""


def client_error(code: str, status: int = 400, **extra: Any) -> ClientError:
    """A botocore ``ClientError`` with DynamoDB's ``code`` and HTTP ``status``
    (``extra``: more members of the response, ``Item`` for instance)."""
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} happened"},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, "PutItem")


def ok() -> str:
    """An attempt that succeeds."""
    return "ok"


def throttle() -> ClientError:
    """A throttle: retryable, and certainly not applied."""
    return client_error("ThrottlingException")


def lost() -> ClientError:
    """A 5xx answer: retryable, and a write may have been applied."""
    return client_error("InternalServerError", 500)


def invalid() -> ClientError:
    """A final failure: never retried."""
    return client_error("ValidationException")


def condition_failed(item: dict[str, Any] | None = None) -> Callable[[], ClientError]:
    """A failed condition returning ``item`` (``ALL_OLD``; none if ``None``)."""
    extra: dict[str, Any] = {} if item is None else {"Item": item}
    return lambda: client_error("ConditionalCheckFailedException", **extra)


def cut_off(
    cause: Callable[[], BaseException], *, deadline: bool = True
) -> Callable[[], OperationCancelledError]:
    """An attempt the stop cut off in flight, as the executor reports it: a
    stop error (the deadline's, or a cancel's) chaining the transport's
    failure made by ``cause``."""

    def make() -> OperationCancelledError:
        kind = OperationTimeoutError if deadline else OperationCancelledError
        error = kind("op: cut off", partial=None)
        error.__cause__ = cause()
        return error

    return make


def read_timeout() -> ReadTimeoutError:
    """A read timeout: the request went out, its answer did not come."""
    return ReadTimeoutError(endpoint_url="http://x")


def connect_timeout() -> ConnectTimeoutError:
    """A connect timeout: nothing went out."""
    return ConnectTimeoutError(endpoint_url="http://x")


def connection_closed() -> ConnectionClosedError:
    """A connection closed under a sent request."""
    return ConnectionClosedError(endpoint_url="http://x")


@dataclass
class Script:
    """The sends of one run: attempt *n* does what ``outcomes[n - 1]``
    makes. ``calls`` records which callable each attempt used (``"send"``,
    or ``"resend"``, the write's guarded request); ``cancel_at`` sets
    ``cancel`` during that attempt (before it fails or returns); ``loop``
    is the event loop the coroutine sends ran on."""

    outcomes: Sequence[Outcome]
    cancel: threading.Event | asyncio.Event | None = None
    cancel_at: int | None = None
    made: list[object] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    loop: asyncio.AbstractEventLoop | None = None

    def attempt(self, name: str) -> Any:
        """One attempt through the callable ``name``."""
        self.calls.append(name)
        result = self.outcomes[len(self.calls) - 1]()
        self.made.append(result)
        if self.cancel_at == len(self.calls):
            assert self.cancel is not None
            self.cancel.set()
        if isinstance(result, BaseException):
            raise result
        return result

    def send(self) -> Any:
        """The request, sent blocking."""
        return self.attempt("send")

    def resend(self) -> Any:
        """The guarded request, sent blocking."""
        return self.attempt("resend")

    async def asend(self) -> Any:
        """The request, as a coroutine that yields to the loop first."""
        self.loop = asyncio.get_running_loop()
        await asyncio.sleep(0)
        return self.attempt("send")

    async def aresend(self) -> Any:
        """The guarded request, as a coroutine that yields to the loop first."""
        await asyncio.sleep(0)
        return self.attempt("resend")


class Driver(Protocol):
    """One way to run a scheduler's request: ``run`` it with a script's
    sends, given ``call``'s keyword arguments. ``event()`` is a cancel
    signal of the kind this driver waits on, ``other_event()`` one it can
    only poll."""

    name: str

    def event(self) -> threading.Event | asyncio.Event:
        """A cancel signal the driver waits on."""
        ...

    def other_event(self) -> threading.Event | asyncio.Event:
        """A cancel signal the driver polls."""
        ...

    def run(self, scheduler: Scheduler, script: Script, *, resend: bool, **options: Any) -> Any:
        """The request's result (or its error, raised)."""
        ...


class Blocking:
    """``Scheduler.call``."""

    name = "blocking"

    def event(self) -> threading.Event:
        return threading.Event()

    def other_event(self) -> asyncio.Event:
        return asyncio.Event()

    def run(self, scheduler: Scheduler, script: Script, *, resend: bool, **options: Any) -> Any:
        return scheduler.call(script.send, resend=script.resend if resend else None, **options)


class Asyncio:
    """``dynamorm.aio.retry.call``, in an event loop of its own."""

    name = "asyncio"

    def event(self) -> asyncio.Event:
        return asyncio.Event()

    def other_event(self) -> threading.Event:
        return threading.Event()

    def run(self, scheduler: Scheduler, script: Script, *, resend: bool, **options: Any) -> Any:
        again = script.aresend if resend else None
        return asyncio.run(aio_retry.call(scheduler, script.asend, resend=again, **options))


DRIVERS: tuple[Driver, ...] = (Blocking(), Asyncio())
"""The drivers every scenario runs through."""


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """``fn()``'s result (or the exception it raised) and the seconds it took."""
    start = time.monotonic()
    try:
        result = fn()
    except Exception as exc:
        result = exc
    return result, time.monotonic() - start
