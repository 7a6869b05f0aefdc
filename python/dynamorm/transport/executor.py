"""The one place boto3 is called, and where its errors become dynamorm errors.

Builders produce plain parameter dicts (``requests.py``); ``Executor.call``
sends one request through the retry scheduler (``retry.py``) and maps failures
(SPEC §10): no botocore exception leaves the library unwrapped, the original is
kept as ``__cause__``, and every message names the operation and the model.
``Deadline`` is how long operations stop between requests (``db.with_timeout``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    ParamValidationError,
    ReadTimeoutError,
)

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
from dynamorm.retry import Deadline, Resend, RetryPolicy, Scheduler, Stop, attempt_cap
from dynamorm.transport._botocore_private import deadline_cap
from dynamorm.transport.hooks import FAST_OPERATIONS, decoding, encoding, skeleton
from dynamorm.transport.shapes import WRITES

__all__ = ["Executor", "Target"]

_METHOD = re.compile(r"(?<!^)(?=[A-Z])")


class Target:
    """What a request is about, for error messages and for building the item a
    failed condition returns: the model class (or ``None``) and its table."""

    __slots__ = ("model", "table")

    def __init__(self, model: Any, table: str) -> None:
        self.model = model
        self.table = table

    @property
    def name(self) -> str:
        """The model's class name (or the table name without a model)."""
        return self.model.__name__ if self.model is not None else self.table

    def error_for(self, code: str, response: Mapping[str, Any]) -> DynamORMError | None:
        """The dynamorm error of an error answer with ``code`` when this kind
        of request has one of its own (a transaction's cancellation names
        the operation that failed); ``None``: the common mapping."""
        return None


class Executor:
    """Sends requests with a boto3 DynamoDB client (thread-safe, like the client).

    ``policy`` is the default retry policy (``None``: no retries) and
    ``timeout`` the default deadline, in seconds, of a request sent without a
    scheduler of its own. ``fast`` decodes the responses of item-bearing
    reads of a model with the fast read path (``dynamorm.transport.hooks``; the
    client must be wired for it); ``fast_requests`` has the Rust core write
    every request body (the client must be wired for that too, with its
    parameter validation off); ``checked`` has every 2xx answer checked
    against its operation's shape (``dynamorm.transport.shapes``; the client
    must be wired with ``fastpath.wire`` or ``fastpath.wire_checks``)."""

    __slots__ = ("checked", "client", "fast", "fast_requests", "policy", "timeout")

    def __init__(
        self,
        client: Any,
        policy: RetryPolicy | None = None,
        timeout: float | None = None,
        fast: bool = False,
        fast_requests: bool = False,
        *,
        checked: bool = False,
    ) -> None:
        self.client = client
        self.policy = policy
        self.timeout = timeout
        self.fast = fast
        self.fast_requests = fast_requests
        self.checked = checked

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
        a deadline ``timeout`` seconds from now) and returns the response;
        failures raise dynamorm errors. ``partial`` is what a deadline or
        cancel stop hands back in the error. ``check_first=False`` sends the
        first attempt even when the operation is already stopped (the caller
        checks between its own requests). On the fast path the items of a
        read of ``target.model`` (or of ``schemas``: one ``ItemSchema`` per
        read of a ``TransactGetItems``) come back as model instances, and the
        response carries ``fastpath.DECODED``. ``write`` marks a write and
        says what may be done when an attempt's answer is lost (``Resend``;
        ``WriteOutcomeUnknownError`` when the outcome cannot be known)."""
        method = getattr(self.client, _METHOD.sub("_", operation).lower())
        # Without a scheduler of the operation's own, the request always goes
        # out once (a deadline stops long operations between requests, not
        # before the first) and the timeout bounds its retries.
        if check_first is None:
            check_first = scheduler is not None
        if scheduler is None:
            scheduler = Scheduler(self.policy, Stop(Deadline(self.timeout)))
        what = f"{operation} on {target.name} (table {target.table!r})"
        if self.fast and operation in FAST_OPERATIONS:
            if schemas is None and target.model is not None:
                schemas = target.model.__dynamorm_codec__.schema
        else:
            schemas = None
        body: bytes | None = None
        if self.fast_requests:
            try:
                body = _core.encode_request(params if isinstance(params, dict) else dict(params))
            except (TypeError, ValueError):
                body = None  # not plain JSON data: botocore's serializer takes it
        call_params = params if body is None else skeleton(params)

        stop = scheduler.stop

        def send() -> dict[str, Any]:
            cap = attempt_cap(stop)
            if cap is None:
                return method(**call_params)  # type: ignore[no-any-return]
            # Set per attempt, on the thread that sends it (batch workers too).
            with deadline_cap(cap):
                try:
                    return method(**call_params)  # type: ignore[no-any-return]
                except (ConnectTimeoutError, ReadTimeoutError) as exc:
                    deadline = stop.deadline
                    if deadline is None or not deadline.expired():
                        raise
                    # Cut off by the deadline: not a failure to retry.
                    raise deadline.error(what, partial, exc) from exc

        def point(params: Mapping[str, Any]) -> None:
            # send() reads call_params when it runs: a resend points it elsewhere.
            nonlocal call_params
            call_params = params

        resend = _resender(operation, write, body is not None, send, point)
        sending = encoding(operation, body) if body is not None else nullcontext()
        reading = decoding(operation, schemas, what) if self.checked else nullcontext()
        try:
            with sending, reading:
                response: dict[str, Any] = scheduler.call(
                    send,
                    what=what,
                    partial=partial,
                    check_first=check_first,
                    write=write,
                    resend=resend,
                )
        except (
            ClientError,
            WriteOutcomeUnknownError,
            MalformedResponseError,
            BotoCoreError,
        ) as exc:
            error, cause = _failure(exc, operation, target)
            raise error from cause
        return response


def _failure(
    exc: Exception, operation: str, target: Target
) -> tuple[BaseException, BaseException | None]:
    """The dynamorm error a failed request raises, and its ``__cause__``."""
    if isinstance(exc, ClientError):
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
    if isinstance(exc, ParamValidationError):
        return ValidationError(f"{operation} on {target.name}: {exc}"), exc
    return RequestError(f"{operation} on {target.name} failed: {exc}"), exc


def map_client_error(exc: ClientError, operation: str, target: Target) -> DynamORMError:
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


def _resender(
    operation: str,
    write: Resend | None,
    encoded: bool,
    send: Callable[[], dict[str, Any]],
    point: Callable[[Mapping[str, Any]], None],
) -> Callable[[], dict[str, Any]] | None:
    """What sends ``write.params`` after a lost answer, when the write has a
    request of its own for that (``None``: the first request is sent again):
    ``point`` gives ``send`` its parameters, and with ``encoded`` (the Rust
    core writes the bodies) the body is written here too."""
    if write is None or write.params is None:
        return None
    guarded = dict(write.params)
    # The same kinds of values as the first request, whose body did encode.
    body = _core.encode_request(guarded) if encoded else None
    call_params = guarded if body is None else skeleton(guarded)

    def resend() -> dict[str, Any]:
        point(call_params)
        if body is None:
            return send()
        with encoding(operation, body):
            return send()

    return resend


def _named(exc: WriteOutcomeUnknownError, target: Target) -> WriteOutcomeUnknownError:
    """``exc`` naming the model, with the returned item as a model instance."""
    exc.model = target.name
    if exc.item is not None:
        exc.item = _item_of(exc.item, target)
    return exc
