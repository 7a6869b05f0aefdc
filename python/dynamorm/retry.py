"""The retry scheduler: every request dynamorm sends goes through it.

``RetryPolicy`` describes how a retried operation backs off: up to
``max_retries`` further attempts, sleeping ``initial_delay`` seconds first and
multiplying by ``backoff_factor`` each time, capped at ``max_delay``, with
``jitter`` (a fraction of the delay) added at random.

``is_retryable`` classifies failures: throttling, 5xx answers, transaction
conflicts and broken connections are retried; everything else (validation,
failed conditions, missing tables, ...) never is. ``is_ambiguous`` tells the
retryable failures a request may have been applied through (a 5xx answer, a
connection lost after sending) from those it certainly was not (throttling, a
refused connection). ``Stop`` is the deadline and the cancel signal of one
operation, checked between requests and during the backoff sleeps; a write
says with a ``Resend`` whether it may go out again after its answer was lost
and how to recognise its own result (see docs/retries.md, "Lost answers").

``Attempts`` ties them together for one request, without I/O: told the time,
whether the cancel signal is set and how each attempt failed, it answers
``Send``, ``Pause``, ``Return`` or ``Raise``. The drivers only send and sleep:
``Scheduler.call`` blocks the thread, ``dynamorm.aio.retry.call`` awaits.

Clients that ``DB`` creates have botocore's own retries turned off, so the
scheduler is the only retrier (see docs/retries.md).
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    ValidationError,
    WriteOutcomeUnknownError,
)

__all__ = [
    "AMBIGUOUS_CODES",
    "CANCEL_POLL_SECONDS",
    "MIN_ATTEMPT_SECONDS",
    "RETRYABLE_CODES",
    "Attempts",
    "Cancel",
    "Deadline",
    "Pause",
    "Raise",
    "Resend",
    "RetryPolicy",
    "Return",
    "Scheduler",
    "Send",
    "Stop",
    "attempt_cap",
    "cancel_naps",
    "error_code",
    "failed",
    "http_status",
    "is_ambiguous",
    "is_retryable",
]

T = TypeVar("T")

logger = logging.getLogger("dynamorm")

AMBIGUOUS_CODES = frozenset(
    {
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
"""Retryable codes of a request that reached the service, which may have
applied it before failing (throttling and conflicts are refusals: never applied)."""

RETRYABLE_CODES = AMBIGUOUS_CODES | frozenset(
    {
        # throttling
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "LimitExceededException",
        # transaction conflicts: another transaction holds the item right now
        "TransactionInProgressException",
        "TransactionConflictException",
    }
)
"""DynamoDB error codes worth another attempt after a pause: the service
failing on its side (``AMBIGUOUS_CODES``), throttling and transaction
conflicts."""

# Cancellation reasons of a TransactionCanceledException that are transient;
# "None" marks the operations that did not fail.
_TRANSIENT_CANCEL_REASONS = frozenset(
    {"None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How retryable errors are retried: attempts, delays and jitter.

    ``max_retries`` attempts follow the first (0: none). The pause before
    retry *n* is ``min(initial_delay * backoff_factor ** (n - 1), max_delay)``
    seconds, plus a random extra of up to ``jitter`` times that."""

    max_retries: int = 3
    initial_delay: float = 0.1
    max_delay: float = 5.0
    backoff_factor: float = 2.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValidationError(f"RetryPolicy.max_retries must be >= 0, got {self.max_retries}")
        for name in ("initial_delay", "max_delay", "jitter"):
            if getattr(self, name) < 0:
                raise ValidationError(f"RetryPolicy.{name} must be >= 0, got {getattr(self, name)}")
        if self.backoff_factor < 1:
            raise ValidationError(
                f"RetryPolicy.backoff_factor must be >= 1, got {self.backoff_factor}"
            )

    @classmethod
    def given(
        cls, retry: RetryPolicy | int | None, initial_delay: float | None, what: str
    ) -> RetryPolicy | None:
        """The policy a builder's ``with_retry(retry, initial_delay)`` names:
        a ``RetryPolicy`` as it is, an ``int`` as that many retries (from
        ``initial_delay``, else the default), ``None`` as none (fail fast).
        ``what`` names the builder in errors."""
        if isinstance(retry, RetryPolicy):
            if initial_delay is not None:
                raise ValidationError(
                    f"{what}.with_retry(): initial_delay goes into the RetryPolicy given"
                )
            return retry
        if retry is None:
            return None
        if isinstance(retry, bool) or not isinstance(retry, int):
            raise ValidationError(
                f"{what}.with_retry(): expected a RetryPolicy, a number of retries or None, "
                f"got {retry!r}"
            )
        if initial_delay is None:
            return cls(max_retries=retry)
        return cls(max_retries=retry, initial_delay=initial_delay)

    def base_delay(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (1, 2, ...) without jitter:
        ``initial_delay * backoff_factor ** (attempt - 1)``, capped at ``max_delay``."""
        if attempt < 1:
            raise ValidationError(f"RetryPolicy.delay: attempt must be >= 1, got {attempt}")
        # Past the cap the power only grows; stop computing it before it overflows.
        delay = self.initial_delay
        for _ in range(attempt - 1):
            delay *= self.backoff_factor
            if delay >= self.max_delay:
                break
        return min(delay, self.max_delay)

    def delay(self, attempt: int) -> float:
        """The seconds to sleep before retry number ``attempt`` (1, 2, ...):
        ``base_delay(attempt)`` plus a random extra of up to ``jitter`` times
        it, so that clients throttled together do not retry together."""
        base = self.base_delay(attempt)
        return base + base * self.jitter * random.random()


def error_code(exc: BaseException) -> str:
    """DynamoDB's error code of a botocore ``ClientError`` (``""`` otherwise)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    code = response.get("Error", {}).get("Code", "")
    return code if isinstance(code, str) else ""


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of the error answer a botocore ``ClientError``
    carries (``None`` otherwise: no answer came)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _status(exc: BaseException) -> int:
    return http_status(exc) or 0


def _transient_cancellation(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    reasons = response.get("CancellationReasons") if isinstance(response, dict) else None
    if not reasons:
        return False
    codes = [str(reason.get("Code", "None")) for reason in reasons]
    return all(code in _TRANSIENT_CANCEL_REASONS for code in codes) and any(
        code != "None" for code in codes
    )


@functools.cache
def _botocore() -> Any:
    """``botocore.exceptions``, imported when a failure is first classified:
    ``import dynamorm`` does not import botocore."""
    import botocore.exceptions

    return botocore.exceptions


def is_retryable(exc: BaseException) -> bool:
    """Whether another attempt may succeed: throttling, 5xx answers,
    transaction conflicts (including a ``TransactionCanceledException`` whose
    reasons are all conflicts or throttling) and connection failures (refused,
    reset, closed, timed out). Validation errors, failed conditions and every
    other 4xx answer are final."""
    errors = _botocore()
    if isinstance(exc, errors.ClientError):
        code = error_code(exc)
        if code in RETRYABLE_CODES or _status(exc) >= 500:
            return True
        return code == "TransactionCanceledException" and _transient_cancellation(exc)
    # ConnectionError covers refused connections and connect timeouts;
    # HTTPClientError covers resets, closed connections and read timeouts.
    # ChecksumError: an answer damaged on the way (x-amz-crc32 mismatch).
    return isinstance(
        exc,
        errors.ConnectionError
        | errors.HTTPClientError
        | errors.IncompleteReadError
        | errors.ChecksumError,
    )


def is_ambiguous(exc: BaseException) -> bool:
    """Whether a failed request may have been applied all the same: a 5xx
    answer, or the connection failing once the request could have gone out
    (reset, closed, read timeout, an answer cut short, a TLS failure). A
    throttle or any other 4xx answer is a refusal, and a refused connection
    or a connect timeout sent nothing."""
    errors = _botocore()
    if isinstance(exc, errors.ClientError):
        return error_code(exc) in AMBIGUOUS_CODES or _status(exc) >= 500
    # SSLError is a ConnectionError, but TLS can fail in the middle of an exchange.
    if isinstance(exc, errors.SSLError):
        return True
    if isinstance(exc, errors.ConnectionError):
        return False
    return isinstance(
        exc, errors.HTTPClientError | errors.IncompleteReadError | errors.ChecksumError
    )


@dataclass(frozen=True, slots=True)
class Resend:
    """What a write does when an attempt's answer is lost (``is_ambiguous``):
    DynamoDB may have applied it, and the client cannot tell.

    ``allowed``: whether the request may go out again — false for a write a
    second application would change again (adding to a number, appending to a
    list); the scheduler then raises ``WriteOutcomeUnknownError`` saying
    ``reason``. ``params``: the request to send after a lost answer, when it
    differs from the first (a guard against applying it twice). ``recognise``:
    when a resend fails its condition, it is called with the item DynamoDB
    returned (DynamoDB JSON, ``None`` when there is no item) and returns the
    response to hand back if that item shows the write was applied by the
    earlier attempt, else ``None`` (the outcome is then unknown)."""

    allowed: bool = True
    reason: str = ""
    params: Mapping[str, Any] | None = None
    recognise: Callable[[Mapping[str, Any] | None], dict[str, Any] | None] | None = None


class Deadline:
    """A point in time (monotonic clock) after which long operations stop;
    ``Deadline(None)`` never expires."""

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.at is not None and time.monotonic() >= self.at

    def check(self, what: str, partial: Any, cause: BaseException | None = None) -> None:
        """Raises ``OperationTimeoutError`` carrying ``partial`` when expired;
        ``cause``, the failure of the last attempt if any, is named in the
        message and chained as ``__cause__``."""
        if self.expired():
            raise self.error(what, partial, cause) from cause

    def error(
        self, what: str, partial: Any, cause: BaseException | None = None
    ) -> OperationTimeoutError:
        """The ``OperationTimeoutError`` of ``what`` stopping at this deadline
        (``cause``: the last attempt's failure, named in the message)."""
        last = "" if cause is None else f" (the last attempt failed with {reason_of(cause)})"
        return OperationTimeoutError(
            f"{what}: stopped at the {self.seconds}s deadline{last}; "
            "the results so far are in .partial",
            partial=partial,
        )


MIN_ATTEMPT_SECONDS = 0.25
"""The least time an attempt is given to connect and to read, even when
less (or nothing) is left before the deadline: the first request of an
operation always goes out, and one cut off at once could never succeed."""


def attempt_cap(stop: Stop) -> float | None:
    """How long one attempt may wait to connect and for each read: the time
    left before ``stop``'s deadline, at least ``MIN_ATTEMPT_SECONDS``
    (``None`` without a deadline)."""
    remaining = stop.remaining()
    return None if remaining is None else max(remaining, MIN_ATTEMPT_SECONDS)


class Cancel(Protocol):
    """A cancel signal: set once the operation must stop. A
    ``threading.Event`` is one and so is an ``asyncio.Event``; each driver
    wakes from its pauses at once when its own kind is set (the blocking one
    on a ``threading.Event``, the asyncio one on an ``asyncio.Event``) and
    looks at any other every ``CANCEL_POLL_SECONDS``."""

    def is_set(self) -> bool:
        """Whether the operation must stop."""


CANCEL_POLL_SECONDS = 0.05
"""How often a pause looks at a cancel signal its driver cannot wait on
(an ``asyncio.Event`` in a blocking pause, a ``threading.Event`` in an
asyncio one)."""


def cancel_naps(cancel: Cancel, seconds: float) -> Iterator[float]:
    """The naps of a ``seconds`` pause on a cancel signal the driver cannot
    wait on: at most ``CANCEL_POLL_SECONDS`` each, until the time is up or
    ``cancel`` is set (looked at before each)."""
    end = time.monotonic() + seconds
    while not cancel.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return
        yield min(left, CANCEL_POLL_SECONDS)


class Stop:
    """When one operation must stop: a ``Deadline`` and/or a ``Cancel``
    signal (a ``threading.Event``, or an ``asyncio.Event`` under asyncio).
    Either may be ``None``. ``stopped`` decides from the time and the signal's
    state it is given; ``check``, ``wait`` and ``sleep`` block the thread."""

    __slots__ = ("cancel", "deadline")

    def __init__(self, deadline: Deadline | None = None, cancel: Cancel | None = None) -> None:
        self.deadline = deadline
        self.cancel = cancel

    def cancelled(self) -> bool:
        """Whether the cancel signal is set."""
        cancel = self.cancel
        return cancel is not None and cancel.is_set()

    def stopped(
        self,
        what: str,
        partial: Any,
        cause: BaseException | None = None,
        *,
        now: float,
        cancelled: bool,
    ) -> OperationCancelledError | None:
        """The error that stops ``what`` when ``cancelled`` (the cancel
        signal's state) or when ``now`` (a ``time.monotonic()`` reading) is
        past the deadline, else ``None``: ``OperationCancelledError``, or
        ``OperationTimeoutError`` (a ``TimeoutError``) for the deadline, both
        carrying ``partial``. ``cause`` is the failure of the attempt before
        the stop, if any: it is named in the message and is the error's
        ``__cause__``. The stop is logged; nothing is raised."""
        error: OperationCancelledError
        deadline = self.deadline
        if cancelled:
            logger.info("%s: cancelled", what)
            error = OperationCancelledError(
                f"{what}: cancelled{_last_failure(cause)}; the results so far are in .partial",
                partial=partial,
            )
        # Deadline.expired() at ``now``: this runs before every request.
        elif deadline is not None and deadline.at is not None and now >= deadline.at:
            logger.info("%s: stopped at the %ss deadline", what, deadline.seconds)
            error = deadline.error(what, partial, cause)
        else:
            return None
        error.__cause__ = cause
        return error

    def check(self, what: str, partial: Any, cause: BaseException | None = None) -> None:
        """Raises the ``stopped`` error of ``what`` now, if any:
        ``OperationCancelledError`` when the cancel signal is set, or
        ``OperationTimeoutError`` (a ``TimeoutError``) past the deadline; both
        carry ``partial``. ``cause`` is the failure of the attempt before the
        stop, if any: it is named in the message and chained as ``__cause__``."""
        error = self.stopped(what, partial, cause, now=time.monotonic(), cancelled=self.cancelled())
        if error is not None:
            raise error

    def remaining(self, now: float | None = None) -> float | None:
        """Seconds from ``now`` (a ``time.monotonic()`` reading; by default
        the clock's) until the deadline (``None`` without one)."""
        if self.deadline is None or self.deadline.at is None:
            return None
        return max(0.0, self.deadline.at - (time.monotonic() if now is None else now))

    def wait(self, seconds: float) -> None:
        """Blocks for ``seconds`` (not at all when ``<= 0``), waking at once
        when a ``threading.Event`` cancel is set (another ``Cancel`` is looked
        at every ``CANCEL_POLL_SECONDS``). Neither bounds it by the deadline
        nor checks the stop."""
        if seconds <= 0:
            return
        cancel = self.cancel
        if cancel is None:
            time.sleep(seconds)
        elif isinstance(cancel, threading.Event):
            cancel.wait(seconds)
        else:
            for nap in cancel_naps(cancel, seconds):
                time.sleep(nap)

    def sleep(
        self, seconds: float, what: str, partial: Any, cause: BaseException | None = None
    ) -> None:
        """Waits ``seconds`` — waking at once when cancelled and never past
        the deadline — then ``check``s (``cause``: the failure being retried)."""
        remaining = self.remaining()
        self.wait(seconds if remaining is None else min(seconds, remaining))
        self.check(what, partial, cause)


def reason_of(exc: BaseException) -> str:
    """How a failure is named in messages and logs: DynamoDB's error code,
    else the exception's class name."""
    return error_code(exc) or type(exc).__name__


def _last_failure(cause: BaseException | None) -> str:
    return "" if cause is None else f" (the last attempt failed with {reason_of(cause)})"


def _returned_item(exc: BaseException) -> Mapping[str, Any] | None:
    """The item a failed condition brought back (``ALL_OLD``), if any."""
    response = getattr(exc, "response", None)
    item = response.get("Item") if isinstance(response, dict) else None
    return item if isinstance(item, Mapping) else None


# -- the sans-IO core: what one request does next ------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """``Attempts``' answer: send the next attempt now. ``resend``: an
    earlier attempt's answer was lost, so the write's guarded request
    (``Resend.params``) goes out if it has one."""

    resend: bool = False


@dataclass(frozen=True, slots=True)
class Pause:
    """``Attempts``' answer: wait ``seconds`` (already cut to the deadline),
    waking early when cancelled, then ask ``Attempts.next`` again."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Return:
    """``Attempts``' answer: the request succeeded after all, with ``value``
    as its response (a resend's failed condition showed that an earlier
    attempt of the write was applied)."""

    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Raise:
    """``Attempts``' answer: the request ends with ``error`` (its
    ``__cause__`` already set), the attempt's own failure or one the core
    made."""

    error: Exception


_SEND = Send()
_RESEND = Send(resend=True)


class Attempts:
    """The decisions of one request's retries, without I/O: what a failure
    means (retry it? a write's lost answer? may it go out again?), how long
    to back off, when the deadline or a cancel ends the request and which
    error it ends with. The drivers — ``Scheduler.call``, which blocks, and
    ``dynamorm.aio.retry.call`` under asyncio — only send and sleep.

    A driver checks ``Stop.stopped`` before the first attempt (unless told
    not to, ``check_first=False``) and sends it; a result is returned as it
    is. When the first attempt raises, it makes an ``Attempts`` and asks
    ``failed(exc, now)``: ``Raise`` an error, ``Return`` a response, or
    ``Pause`` and then ask ``next(now, cancelled)`` — ``Send`` the next
    attempt or ``Raise`` the stop — and ``failed`` again if that one raises.
    ``now`` is a ``time.monotonic()`` reading and ``cancelled`` whether the
    stop's cancel signal is set: the core reads neither. ``policy``,
    ``what``, ``partial`` and ``write`` are ``Scheduler.call``'s;
    ``attempt`` counts the attempts sent. One per request (it is not
    thread-safe); none is made for a request that succeeds at once."""

    __slots__ = ("attempt", "last", "lost", "partial", "policy", "stop", "what", "write")

    def __init__(
        self,
        policy: RetryPolicy | None,
        stop: Stop,
        *,
        what: str,
        partial: Any = None,
        write: Resend | None = None,
    ) -> None:
        self.policy, self.stop, self.what, self.partial = policy, stop, what, partial
        self.write = write
        self.attempt = 1  # made once the first attempt was sent (and failed)
        self.last: Exception | None = None  # the last attempt's failure
        self.lost: Exception | None = None  # the failure that lost a write's answer

    def next(self, now: float, cancelled: bool) -> Send | Raise:
        """What to do after a ``Pause``: ``Send`` the next attempt (as the
        write's ``resend`` once its answer was lost), or ``Raise`` the stop —
        a ``WriteOutcomeUnknownError`` once a write's answer was lost."""
        stopped = self.stop.stopped(
            self.what, self.partial, self.last, now=now, cancelled=cancelled
        )
        if stopped is not None:
            return Raise(self._ended(stopped))
        self.attempt += 1
        return _SEND if self.lost is None else _RESEND

    def failed(self, exc: Exception, now: float) -> Return | Raise | Pause:
        """What to do after the attempt raised ``exc``: ``Pause`` before a
        retry (``policy.delay(attempt)``, cut to the deadline) while the
        policy allows one; else ``Raise`` — ``exc`` itself for a failure never
        retried or with retries off, ``RetryExhaustedError`` once they are
        used up, ``WriteOutcomeUnknownError`` for a write whose answer was
        lost and that cannot be sent again or is not recognised — or
        ``Return`` the response a resend's failed condition shows was the
        write's own (``Resend.recognise``)."""
        what, write, lost = self.what, self.write, self.lost
        if lost is not None:
            assert write is not None
            if error_code(exc) == "ConditionalCheckFailedException":
                return self._recognised(exc, write, lost)
            if not is_retryable(exc):
                return Raise(self._unknown(lost, f"a resend failed with {reason_of(exc)}"))
        elif not is_retryable(exc):
            cut = exc.__cause__
            if (
                write is not None
                and isinstance(exc, OperationCancelledError)
                and cut is not None
                and is_ambiguous(cut)
            ):
                # The stop cut the attempt off after it was sent.
                return Raise(self._unknown(cut, _stopped(exc)))
            return Raise(exc)
        reason = reason_of(exc)
        attempt = self.attempt
        if write is not None and lost is None and is_ambiguous(exc):
            if not write.allowed:
                error = WriteOutcomeUnknownError(
                    f"{what}: the answer was lost ({reason}) after the request was "
                    f"sent, and it is not sent again because {write.reason}: DynamoDB "
                    "may or may not have applied it",
                    attempts=attempt,
                )
                error.__cause__ = exc
                return Raise(error)
            self.lost = lost = exc
        self.last = exc
        retries = self.policy.max_retries if self.policy is not None else 0
        if attempt > retries:
            if lost is not None:
                why = f"attempt {attempt}, the last allowed, failed with {reason}"
                return Raise(self._unknown(lost, why))
            if retries == 0:
                # Retries are off: the error is the caller's to map.
                return Raise(exc)
            logger.warning("%s: giving up after %d attempts; last error %s", what, attempt, reason)
            exhausted = RetryExhaustedError(
                f"{what}: still failing with {reason} after {attempt} attempts: {exc}",
                attempts=attempt,
            )
            exhausted.__cause__ = exc
            return Raise(exhausted)
        assert self.policy is not None
        pause = self.policy.delay(attempt)
        logger.info(
            "%s: attempt %d failed with %s; retrying in %.3fs", what, attempt, reason, pause
        )
        remaining = self.stop.remaining(now)
        return Pause(pause if remaining is None else min(pause, remaining))

    def _ended(self, stopped: OperationCancelledError) -> Exception:
        """The error a stop ends the request with: the stop's own, unless a
        write's answer was lost."""
        if self.lost is None:
            return stopped
        return self._unknown(self.lost, _stopped(stopped))

    def _recognised(self, exc: Exception, write: Resend, lost: Exception) -> Return | Raise:
        """A resend failing its condition: the write's response when the
        item it returned shows an earlier attempt was applied, else an
        unknown outcome."""
        item = _returned_item(exc)
        applied = write.recognise(item) if write.recognise is not None else None
        if applied is not None:
            logger.info(
                "%s: the answer to an earlier attempt was lost (%s); the item shows "
                "that attempt was applied",
                self.what,
                reason_of(lost),
            )
            return Return(applied)
        why = "a resend failed its condition against an item this write did not leave"
        return Raise(self._unknown(lost, why, item=item))

    def _unknown(
        self, lost: BaseException, why: str, item: Mapping[str, Any] | None = None
    ) -> WriteOutcomeUnknownError:
        """The unknown outcome of a write whose answer was lost to ``lost``
        (its ``__cause__``), ended because ``why``."""
        what, attempts = self.what, self.attempt
        logger.warning("%s: outcome unknown after %d attempts: %s", what, attempts, why)
        error = WriteOutcomeUnknownError(
            f"{what}: the answer to an attempt was lost ({reason_of(lost)}) after the request "
            f"was sent, and {why}; DynamoDB may or may not have applied the write",
            item=item,
            attempts=attempts,
        )
        error.__cause__ = lost
        return error


def _stopped(stop: OperationCancelledError) -> str:
    if isinstance(stop, TimeoutError):
        return "the deadline stopped it before a resend could tell"
    return "it was cancelled before a resend could tell"


# -- the blocking driver --------------------------------------------------------


class Scheduler:
    """Runs requests with retries per ``policy`` (``None``: fail on the first
    error) while honouring ``stop``. Thread-safe: it keeps no per-call state
    (each call's is an ``Attempts``). ``call`` blocks the thread; the asyncio
    driver, ``dynamorm.aio.retry.call``, runs a scheduler's requests as
    coroutines with the same decisions."""

    __slots__ = ("policy", "stop")

    def __init__(self, policy: RetryPolicy | None, stop: Stop | None = None) -> None:
        self.policy = policy
        self.stop = stop if stop is not None else Stop()

    def call(
        self,
        send: Callable[[], T],
        *,
        what: str,
        partial: Any = None,
        check_first: bool = True,
        write: Resend | None = None,
        resend: Callable[[], T] | None = None,
    ) -> T:
        """Checks ``stop``, then calls ``send()``; on a retryable error logs
        it, sleeps ``policy.delay(n)`` and tries again, up to
        ``policy.max_retries`` times, then raises ``RetryExhaustedError``
        (``attempts`` = requests sent, the last error as ``__cause__``). Other
        errors propagate unchanged. ``what`` names the request in messages and
        logs; ``partial`` is what a stop hands back. ``check_first=False``
        sends the first attempt even when already stopped (the stop then
        applies to retries only).

        ``write`` marks a write (reads pass ``None``). Once one of its answers
        was lost (``is_ambiguous``) it is sent again only if ``write.allowed``
        (as ``resend()`` when given), and whatever ends it without success —
        retries or time running out, a failed condition ``write.recognise``
        does not take for its own result, any other error — raises
        ``WriteOutcomeUnknownError`` with the lost answer's error as
        ``__cause__``: a write DynamoDB may have applied is never reported
        as failed. The decisions are ``Attempts``'; this only sends and
        sleeps (``Stop.wait``)."""
        stop = self.stop
        cancel = stop.cancel
        # A stop with nothing to stop on is not asked (nor the clock read),
        # and stop.cancelled() is spelt out: on this path, taken by every
        # request, each call would cost it several per cent.
        if check_first and (cancel is not None or stop.deadline is not None):
            cancelled = cancel is not None and cancel.is_set()
            stopped = stop.stopped(what, partial, now=time.monotonic(), cancelled=cancelled)
            if stopped is not None:
                raise stopped
        attempts: Attempts | None = None
        resending = False
        while True:
            try:
                if resending and resend is not None:
                    return resend()
                return send()
            except Exception as exc:
                attempts, after = failed(
                    attempts, exc, self.policy, stop, what=what, partial=partial, write=write
                )
                if isinstance(after, Return):
                    return cast(T, after.value)
            stop.wait(after.seconds)
            step = attempts.next(time.monotonic(), stop.cancelled())
            if isinstance(step, Raise):
                raise step.error
            resending = step.resend


def failed(
    attempts: Attempts | None,
    exc: Exception,
    policy: RetryPolicy | None,
    stop: Stop,
    *,
    what: str,
    partial: Any,
    write: Resend | None,
) -> tuple[Attempts, Pause | Return]:
    """A driver's step after a failed attempt: ``attempts`` (made at the
    first failure) told of ``exc``; raises what ends the request (``exc``
    itself when it ends it as it came), else returns the pause to take or
    the value to return."""
    if attempts is None:
        attempts = Attempts(policy, stop, what=what, partial=partial, write=write)
    after = attempts.failed(exc, time.monotonic())
    if isinstance(after, Raise):
        if after.error is exc:
            raise exc
        raise after.error from after.error.__cause__  # the cause Attempts set
    return attempts, after
