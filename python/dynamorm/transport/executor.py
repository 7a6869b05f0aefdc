"""The one place a request is sent, and where its failures become dynamorm errors.

Builders produce plain parameter dicts (``requests.py``); ``Executor.call``
turns them into a ``Request`` (``transport.base``), sends it through the
retry scheduler (``retry.py``), one ``Transport.send`` per attempt, and maps
failures (SPEC §10): no botocore exception leaves the library unwrapped, the
original is kept as ``__cause__``, and every message names the operation and
the model.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Awaitable, Mapping
from typing import Any, NoReturn

from dynamorm import _core
from dynamorm.errors import (
    ConditionFailedError,
    DynamORMError,
    MalformedResponseError,
    RequestError,
    TableNotFoundError,
    ValidationError,
    WriteOutcomeUnknownError,
)
from dynamorm.observe import RequestHook, RequestInfo, Stats, item_count, notify
from dynamorm.retry import (
    Deadline,
    Resend,
    RetryPolicy,
    Scheduler,
    Stop,
    attempt_cap,
    http_status,
    is_retryable,
)
from dynamorm.tracing import Tracing
from dynamorm.transport import prefix
from dynamorm.transport.base import DATA_OPERATIONS, Request, Response, Target, Transport
from dynamorm.transport.shapes import WRITES

__all__ = ["Executor", "Target"]


class Executor:
    """Sends requests through a ``Transport`` (thread-safe, like it): the one
    place a request is sent and a failure mapped.

    ``policy`` is the default retry policy (``None``: no retries) and
    ``timeout`` the default deadline, in seconds, of a request sent without a
    scheduler of its own. ``Executor(client)`` sends through a botocore
    client (``BotocoreTransport(client, **options)``). ``tracing`` says
    where each request's OpenTelemetry span goes (``dynamorm.tracing``; by
    default the global tracer provider, once one is set)."""

    __slots__ = (
        "_plain",
        "capacity",
        "hooks",
        "policy",
        "stats",
        "table_prefix",
        "timeout",
        "tracing",
        "transport",
    )

    def __init__(
        self,
        transport: Any,
        policy: RetryPolicy | None = None,
        timeout: float | None = None,
        *,
        table_prefix: str = "",
        hooks: tuple[RequestHook, ...] = (),
        capacity: str | None = None,
        stats: Stats | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        if not hasattr(transport, "send"):
            from dynamorm.transport.botocore import BotocoreTransport

            transport = BotocoreTransport(transport)
        self.transport: Transport = transport
        self.policy = policy
        self.timeout = timeout
        self.table_prefix = table_prefix
        self.hooks = hooks
        self.capacity = capacity
        self.stats = stats if stats is not None or capacity is None else Stats()
        self.tracing = tracing if tracing is not None else Tracing()
        self._plain: Scheduler | None = None

    @property
    def client(self) -> Any:
        """The botocore client behind the transport (``None`` without one)."""
        return getattr(self.transport, "client", None)

    @property
    def fast(self) -> bool:
        """Whether item-bearing reads decode straight into models."""
        return bool(getattr(self.transport, "fast", False))

    def with_timeout(self, timeout: float | None) -> Executor:
        """This executor with another default deadline (same transport)."""
        return Executor(
            self.transport,
            self.policy,
            timeout,
            table_prefix=self.table_prefix,
            hooks=self.hooks,
            capacity=self.capacity,
            stats=self.stats,
            tracing=self.tracing,
        )

    def default_scheduler(self) -> Scheduler:
        """The scheduler of a request sent without one of its own: this
        executor's policy, a deadline ``timeout`` seconds from now (one
        scheduler kept and shared while there is no timeout: it holds no
        state of a request)."""
        if self.timeout is not None:
            return Scheduler(self.policy, Stop(Deadline(self.timeout)))
        shared = self._plain
        if shared is None or shared.policy is not self.policy:
            shared = self._plain = Scheduler(self.policy, Stop(Deadline(None)))
        return shared

    def scheduler(
        self,
        deadline: Deadline | None = None,
        cancel: threading.Event | None = None,
        policy: RetryPolicy | None = None,
    ) -> Scheduler:
        """A scheduler for one operation: ``policy`` (by default this
        executor's; ``RetryPolicy(max_retries=0)`` turns retries off) stopping
        at ``deadline`` or when ``cancel`` is set."""
        return Scheduler(policy if policy is not None else self.policy, Stop(deadline, cancel))

    def request(
        self,
        operation: str,
        params: Mapping[str, Any],
        target: Target,
        schemas: Any = None,
    ) -> Request:
        """The ``Request`` of ``operation`` with ``params`` about ``target``:
        the body written by the Rust core when the transport takes one, and
        the schemas its items decode into (``target.model``'s by default)."""
        if self.capacity is not None and operation in DATA_OPERATIONS:
            params = {**params, "ReturnConsumedCapacity": self.capacity}
        if self.table_prefix:
            params = prefix.request(self.table_prefix, params)
        table = prefix.table_of(self.table_prefix, target.table)
        what = f"{operation} on {target.name} (table {table!r})"
        if schemas is None and target.model is not None:
            schemas = target.model.__dynamorm_codec__.schema
        body: bytes | None = None
        if self.transport.takes_body:
            try:
                body = _core.encode_request(params if isinstance(params, dict) else dict(params))
            except _core.Fallback:
                body = None  # not plain JSON data: the transport serialises it
        return Request(operation, params, body, schemas, what)

    def _named(self, target: Target) -> Target:
        """``target`` as errors name it: with the table the request went to."""
        if self.table_prefix and type(target) is Target:
            return Target(target.model, prefix.table_of(self.table_prefix, target.table))
        return target

    def call(
        self,
        operation: str,
        params: Mapping[str, Any],
        target: Target,
        scheduler: Scheduler | None = None,
        partial: Any = None,
        *,
        check_first: bool | None = None,
        schemas: Any = None,
        write: Resend | None = None,
    ) -> dict[str, Any]:
        """Sends ``operation`` (``"GetItem"``, ``"Query"``, ...) with ``params``
        through ``scheduler`` (by default one with this executor's policy and
        a deadline ``timeout`` seconds from now) and returns the response's
        members; failures raise dynamorm errors. ``partial`` is what a
        deadline or cancel stop hands back in the error. ``check_first=False``
        sends the first attempt even when the operation is already stopped
        (the caller checks between its own requests). On the fast path the
        items of a read of ``target.model`` (or of ``schemas``: one
        ``ItemSchema`` per read of a ``TransactGetItems``) come back as model
        instances, and the response carries ``hooks.DECODED``. ``write`` marks
        a write and says what may be done when an attempt's answer is lost
        (``Resend``; ``WriteOutcomeUnknownError`` when the outcome cannot be
        known)."""
        flight = _Flight(self, operation, params, target, scheduler, partial, schemas, write)
        return flight.run(check_first)

    async def acall(
        self,
        operation: str,
        params: Mapping[str, Any],
        target: Target,
        scheduler: Scheduler | None = None,
        partial: Any = None,
        *,
        check_first: bool | None = None,
        schemas: Any = None,
        write: Resend | None = None,
    ) -> dict[str, Any]:
        """``call`` under asyncio: the same request, retries, hooks, span and
        errors, each attempt awaited on the transport (an asyncio transport:
        ``dynamorm.aio.transport``) and each pause slept by the asyncio
        driver (``dynamorm.aio.retry``). Cancelling the awaiting task cancels
        the attempt in flight; ``CancelledError`` passes through."""
        flight = _Flight(self, operation, params, target, scheduler, partial, schemas, write)
        return await flight.arun(check_first)


class _Flight:
    """One request on its way, whichever driver sends it (``Executor.call``,
    ``Executor.acall``): its ``Request`` (and the one a lost write's answer
    allows in its place), the attempts so far, the span, and the steps each
    attempt and the end go through — the hooks, the deadline's cut-off, the
    error mapping, the prefix, the stats."""

    __slots__ = (
        "again",
        "attempts",
        "executor",
        "given_scheduler",
        "hooks",
        "named",
        "operation",
        "partial",
        "request",
        "scheduler",
        "span",
        "target",
        "write",
    )

    def __init__(  # noqa: PLR0917  # Executor.call's own arguments, in its order
        self,
        executor: Executor,
        operation: str,
        params: Mapping[str, Any],
        target: Target,
        scheduler: Scheduler | None,
        partial: Any,
        schemas: Any,
        write: Resend | None,
    ) -> None:
        self.executor, self.operation, self.target, self.partial = (
            executor,
            operation,
            target,
            partial,
        )
        self.write = write
        self.scheduler = scheduler if scheduler is not None else executor.default_scheduler()
        self.given_scheduler = scheduler is not None
        self.request = executor.request(operation, params, target, schemas)
        self.again: Request | None = None
        if write is not None and write.params is not None:
            self.again = executor.request(operation, write.params, target, schemas)
        self.named = executor._named(target)
        self.hooks = executor.hooks
        self.attempts = 0
        # One span per request, its retries included (dynamorm.tracing).
        self.span = executor.tracing.start(self.request, target.model, executor.transport)

    def run(self, check_first: bool | None) -> dict[str, Any]:
        """The request's attempts through the scheduler on this thread, and
        its response (``Executor.call``)."""
        try:
            response: dict[str, Any] = self.scheduler.call(
                self.first, **self.driven(check_first, self.resent)
            )
        except BaseException as exc:
            self.fail(exc)
        return self.succeeded(response)

    async def arun(self, check_first: bool | None) -> dict[str, Any]:
        """``run`` under asyncio: each attempt awaited, each pause slept by
        the asyncio driver (``Executor.acall``)."""
        from dynamorm.aio import retry as aio_retry

        try:
            response: dict[str, Any] = await aio_retry.call(
                self.scheduler, self.afirst, **self.driven(check_first, self.aresent)
            )
        except BaseException as exc:
            self.fail(exc)
        return self.succeeded(response)

    def driven(self, check_first: bool | None, resend: Any) -> dict[str, Any]:
        """What either driver is told besides the first attempt: how the
        request is named and stopped, and whether a lost write's answer
        allows ``resend``. Without a scheduler of the operation's own, the
        request always goes out once (a deadline stops long operations
        between requests, not before the first) and the timeout bounds its
        retries."""
        return {
            "what": self.request.what,
            "partial": self.partial,
            "check_first": check_first if check_first is not None else self.given_scheduler,
            "write": self.write,
            "resend": None if self.again is None else resend,
        }

    # Each attempt is a method (not a closure made per request): a request in
    # flight keeps fewer objects alive for the garbage collector to walk,
    # which with a thousand requests in flight under asyncio is most of the
    # cost of a call above the transport.

    def first(self) -> dict[str, Any]:
        """An attempt of the request (blocking)."""
        return self.attempt(self.request)

    def resent(self) -> dict[str, Any]:
        """An attempt of the request a lost write's answer allows (blocking)."""
        assert self.again is not None
        return self.attempt(self.again)

    def attempt(self, request: Request) -> dict[str, Any]:
        cap, started = self.opened()
        try:
            answer = self.executor.transport.send(request, timeout=cap)
        except Exception as exc:
            self.refuse(exc, cap, started)
        return self.answered(answer, started)

    def afirst(self) -> Awaitable[dict[str, Any]]:
        """An attempt of the request (awaited)."""
        return self.aattempt(self.request)

    def aresent(self) -> Awaitable[dict[str, Any]]:
        """An attempt of the request a lost write's answer allows (awaited)."""
        assert self.again is not None
        return self.aattempt(self.again)

    async def aattempt(self, request: Request) -> dict[str, Any]:
        cap, started = self.opened()
        try:
            answer = await self.executor.transport.send(request, timeout=cap)  # type: ignore[misc]
        except Exception as exc:
            self.refuse(exc, cap, started)
        return self.answered(answer, started)

    def opened(self) -> tuple[float | None, float]:
        """An attempt starts: its cap (the time left before the deadline)
        and its start time (for the hooks)."""
        self.attempts += 1
        started = time.perf_counter() if self.hooks else 0.0
        return attempt_cap(self.scheduler.stop), started

    def answered(self, answer: Response, started: float) -> dict[str, Any]:
        """An attempt's 2xx answer: the hooks hear of it."""
        if self.hooks:
            self._observed(started, answer, None)
        return answer.parsed

    def refuse(self, exc: Exception, cap: float | None, started: float) -> NoReturn:
        """Raises what an attempt that failed with ``exc`` raises: ``exc``, or
        the deadline's error when the deadline cut the attempt off (not a
        failure to retry); the span and the hooks hear of the failure."""
        error = self._refused(exc, cap, started)
        if error is exc:
            raise exc
        raise error from exc

    def _refused(self, exc: Exception, cap: float | None, started: float) -> BaseException:
        if self.span is not None:
            self.span.attempt_failed(self.attempts, exc)
        if self.hooks:
            self._observed(started, None, exc)
        deadline = self.scheduler.stop.deadline
        if (
            cap is None
            or deadline is None
            or not isinstance(exc, _botocore().TIMEOUTS)
            or not deadline.expired()
        ):
            return exc
        return deadline.error(self.request.what, self.partial, exc)

    def fail(self, exc: BaseException) -> NoReturn:
        """Raises the error the request raises after ``exc`` ended it (``exc``
        itself unless the executor maps it); the span ends with it."""
        mapped = _mapped(exc, self.operation, self.named)
        if self.span is not None:
            self.span.failed(self.attempts, *(mapped or (exc, None)))
        if mapped is None:
            raise exc
        raise mapped[0] from mapped[1]

    def succeeded(self, response: dict[str, Any]) -> dict[str, Any]:
        """The request's response, as the caller reads it."""
        executor = self.executor
        if self.span is not None:
            self.span.succeeded(self.attempts, response)
        if executor.table_prefix:
            response = prefix.answer(executor.table_prefix, response)
        if executor.stats is not None:
            executor.stats.add(self.operation, self.target.table, response.get("ConsumedCapacity"))
        return response

    def _observed(
        self, started: float, answer: Response | None, error: BaseException | None
    ) -> None:
        _observed(
            self.hooks,
            self.operation,
            target=self.named,
            attempt=self.attempts,
            started=started,
            answer=answer,
            error=error,
        )


def _observed(
    hooks: tuple[RequestHook, ...],
    operation: str,
    *,
    target: Target,
    attempt: int,
    started: float,
    answer: Response | None,
    error: BaseException | None,
) -> None:
    """Tells the ``on_request`` hooks about one attempt."""
    duration = time.perf_counter() - started
    status: int | None = None
    parsed: Mapping[str, Any] = {}
    if answer is not None:
        status, parsed = answer.status, answer.parsed
    elif error is not None:
        status = http_status(error)
    notify(
        hooks,
        RequestInfo(
            operation=operation,
            table=target.table,
            model=target.model.__name__ if target.model is not None else None,
            attempt=attempt,
            duration=duration,
            status=status,
            error=error,
            item_count=item_count(parsed) if answer is not None else None,
            consumed_capacity=parsed.get("ConsumedCapacity"),
            retryable=error is not None and is_retryable(error),
        ),
    )


def _mapped(
    exc: BaseException, operation: str, target: Target
) -> tuple[BaseException, BaseException | None] | None:
    """``_failure`` of a failure the executor maps (botocore's, a lost or
    unreadable answer); ``None`` for an error that leaves as it is (the
    scheduler's own: retries exhausted, a stop; anything else)."""
    if isinstance(exc, (WriteOutcomeUnknownError, MalformedResponseError, *_botocore().FAILURES)):
        return _failure(exc, operation, target)
    return None


def _failure(
    exc: BaseException, operation: str, target: Target
) -> tuple[BaseException, BaseException | None]:
    """The dynamorm error a failed request raises, and its ``__cause__``."""
    errors = _botocore()
    if isinstance(exc, errors.ClientError):
        return map_client_error(exc, operation, target), exc
    if isinstance(exc, WriteOutcomeUnknownError):
        return _named(exc, target), exc.__cause__
    if isinstance(exc, MalformedResponseError):
        if operation not in WRITES:
            return exc, exc.__cause__
        # A 2xx status whose body cannot be read: the write may well have
        # been applied, so it is not reported as failed.
        unknown = WriteOutcomeUnknownError(
            f"{exc}; DynamoDB may or may not have applied the write", model=target.name
        )
        return unknown, exc
    if isinstance(exc, errors.ParamValidationError):
        return ValidationError(f"{operation} on {target.name}: {exc}"), exc
    return RequestError(f"{operation} on {target.name} failed: {exc}"), exc


class _Botocore:
    """botocore's exception classes the executor reads, imported with the
    first failure (``import dynamorm`` does not import botocore)."""

    def __init__(self) -> None:
        from botocore import exceptions

        self.ClientError = exceptions.ClientError
        self.ParamValidationError = exceptions.ParamValidationError
        self.TIMEOUTS = (exceptions.ConnectTimeoutError, exceptions.ReadTimeoutError)
        self.FAILURES = (exceptions.ClientError, exceptions.BotoCoreError)


@functools.cache
def _botocore() -> _Botocore:
    return _Botocore()


def map_client_error(exc: Any, operation: str, target: Target) -> DynamORMError:
    """The dynamorm error for a botocore ``ClientError`` (the caller chains it)."""
    error = exc.response.get("Error", {})
    code = error.get("Code", "")
    message = error.get("Message", str(exc))
    own = target.error_for(code, exc.response)
    if own is not None:
        return own
    where = f"{operation} on {target.name} (table {target.table!r})"
    if code == "ConditionalCheckFailedException":
        raw = exc.response.get("Item")
        item = None if raw is None else _item_of(raw, target)
        return ConditionFailedError(
            f"{where}: the condition was not met", item=item, model=target.name
        )
    if code == "ResourceNotFoundException":
        return TableNotFoundError(f"{where}: {message}", table=target.table)
    if code == "ValidationException":
        return ValidationError(f"{where}: {message}")
    return RequestError(f"{where} failed with {code or 'an error'}: {message}", code=code or None)


def _item_of(raw: Mapping[str, Any], target: Target) -> Any:
    """The model instance of an item a failed condition returned (the raw
    item without a model, or when it no longer fits the model)."""
    if target.model is None:
        return raw
    try:
        return target.model.from_item(raw)
    except ValidationError:
        # Hand back the raw item rather than hiding the failure behind a decoding error.
        return raw


def _named(exc: WriteOutcomeUnknownError, target: Target) -> WriteOutcomeUnknownError:
    """``exc`` naming the model, with the returned item as a model instance."""
    exc.model = target.name
    if exc.item is not None:
        exc.item = _item_of(exc.item, target)
    return exc
