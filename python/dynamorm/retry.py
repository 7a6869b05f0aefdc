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
refused connection). ``Stop`` is the deadline and the cancel event of one
operation, checked between requests and during the backoff sleeps.
``Scheduler.call`` ties them together for one request; a write says with a
``Resend`` whether it may go out again after its answer was lost and how to
recognise its own result (see docs/retries.md, "Lost answers").

Clients that ``DB`` creates have botocore's own retries turned off, so the
scheduler is the only retrier (see docs/retries.md).
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    ValidationError,
    WriteOutcomeUnknownError,
)

__all__ = [
    "AMBIGUOUS_CODES",
    "MIN_ATTEMPT_SECONDS",
    "RETRYABLE_CODES",
    "Deadline",
    "Resend",
    "RetryPolicy",
    "Scheduler",
    "Stop",
    "attempt_cap",
    "error_code",
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


class Stop:
    """When one operation must stop: a ``Deadline`` and/or a cancel
    ``threading.Event``. Either may be ``None``."""

    __slots__ = ("cancel", "deadline")

    def __init__(
        self, deadline: Deadline | None = None, cancel: threading.Event | None = None
    ) -> None:
        self.deadline = deadline
        self.cancel = cancel

    def check(self, what: str, partial: Any, cause: BaseException | None = None) -> None:
        """Raises ``OperationCancelledError`` when the cancel event is set, or
        ``OperationTimeoutError`` (a ``TimeoutError``) past the deadline; both
        carry ``partial``. ``cause`` is the failure of the attempt before the
        stop, if any: it is named in the message and chained as ``__cause__``."""
        if self.cancel is not None and self.cancel.is_set():
            logger.info("%s: cancelled", what)
            raise OperationCancelledError(
                f"{what}: cancelled{_last_failure(cause)}; the results so far are in .partial",
                partial=partial,
            ) from cause
        if self.deadline is not None and self.deadline.expired():
            logger.info("%s: stopped at the %ss deadline", what, self.deadline.seconds)
            self.deadline.check(what, partial, cause)

    def remaining(self) -> float | None:
        """Seconds until the deadline (``None`` without one)."""
        if self.deadline is None or self.deadline.at is None:
            return None
        return max(0.0, self.deadline.at - time.monotonic())

    def sleep(
        self, seconds: float, what: str, partial: Any, cause: BaseException | None = None
    ) -> None:
        """Waits ``seconds`` — waking at once when cancelled and never past
        the deadline — then ``check``s (``cause``: the failure being retried)."""
        remaining = self.remaining()
        if remaining is not None:
            seconds = min(seconds, remaining)
        if seconds > 0:
            if self.cancel is not None:
                self.cancel.wait(seconds)
            else:
                time.sleep(seconds)
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


class Scheduler:
    """Runs requests with retries per ``policy`` (``None``: fail on the first
    error) while honouring ``stop``. Thread-safe: it keeps no per-call state."""

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
        as failed."""
        retries = self.policy.max_retries if self.policy is not None else 0
        attempt = 0
        last: BaseException | None = None
        lost: BaseException | None = None
        while True:
            if attempt or check_first:
                self._check(what, partial, last, lost, attempt)
            attempt += 1
            try:
                if lost is not None and resend is not None:
                    return resend()
                return send()
            except Exception as exc:
                if lost is not None:
                    assert write is not None
                    applied = self._after_lost(exc, what, write, lost, attempt)
                    if applied is not None:
                        return cast(T, applied)
                elif not is_retryable(exc):
                    cut = exc.__cause__
                    if (
                        write is not None
                        and isinstance(exc, OperationCancelledError)
                        and cut is not None
                        and is_ambiguous(cut)
                    ):
                        # The stop cut the attempt off after it was sent.
                        raise _unknown(what, cut, attempt, _stopped(exc)) from cut
                    raise
                reason = reason_of(exc)
                if write is not None and lost is None and is_ambiguous(exc):
                    if not write.allowed:
                        raise WriteOutcomeUnknownError(
                            f"{what}: the answer was lost ({reason}) after the request was "
                            f"sent, and it is not sent again because {write.reason}: DynamoDB "
                            "may or may not have applied it",
                            attempts=attempt,
                        ) from exc
                    lost = exc
                last = exc
                if attempt > retries:
                    if lost is not None:
                        why = f"attempt {attempt}, the last allowed, failed with {reason}"
                        raise _unknown(what, lost, attempt, why) from lost
                    if retries == 0:
                        # Retries are off: the error is the caller's to map.
                        raise
                    logger.warning(
                        "%s: giving up after %d attempts; last error %s", what, attempt, reason
                    )
                    raise RetryExhaustedError(
                        f"{what}: still failing with {reason} after {attempt} attempts: {exc}",
                        attempts=attempt,
                    ) from exc
                assert self.policy is not None
                pause = self.policy.delay(attempt)
                logger.info(
                    "%s: attempt %d failed with %s; retrying in %.3fs",
                    what,
                    attempt,
                    reason,
                    pause,
                )
                try:
                    self.stop.sleep(pause, what, partial, exc)
                except OperationCancelledError as stopped:
                    if lost is None:
                        raise
                    raise _unknown(what, lost, attempt, _stopped(stopped)) from lost

    def _check(
        self,
        what: str,
        partial: Any,
        last: BaseException | None,
        lost: BaseException | None,
        attempt: int,
    ) -> None:
        try:
            self.stop.check(what, partial, last)
        except OperationCancelledError as stopped:
            if lost is None:
                raise
            raise _unknown(what, lost, attempt, _stopped(stopped)) from lost

    @staticmethod
    def _after_lost(
        exc: Exception, what: str, write: Resend, lost: BaseException, attempt: int
    ) -> dict[str, Any] | None:
        """A resend's failure: the response to return when it shows the write
        was applied, ``None`` to go on retrying; raises otherwise."""
        if error_code(exc) == "ConditionalCheckFailedException":
            item = _returned_item(exc)
            applied = write.recognise(item) if write.recognise is not None else None
            if applied is not None:
                logger.info(
                    "%s: the answer to an earlier attempt was lost (%s); the item shows "
                    "that attempt was applied",
                    what,
                    reason_of(lost),
                )
                return applied
            raise _unknown(
                what,
                lost,
                attempt,
                "a resend failed its condition against an item this write did not leave",
                item=item,
            ) from lost
        if not is_retryable(exc):
            raise _unknown(what, lost, attempt, f"a resend failed with {reason_of(exc)}") from lost
        return None


def _stopped(stop: OperationCancelledError) -> str:
    if isinstance(stop, TimeoutError):
        return "the deadline stopped it before a resend could tell"
    return "it was cancelled before a resend could tell"


def _unknown(
    what: str,
    lost: BaseException,
    attempts: int,
    why: str,
    item: Mapping[str, Any] | None = None,
) -> WriteOutcomeUnknownError:
    logger.warning("%s: outcome unknown after %d attempts: %s", what, attempts, why)
    return WriteOutcomeUnknownError(
        f"{what}: the answer to an attempt was lost ({reason_of(lost)}) after the request "
        f"was sent, and {why}; DynamoDB may or may not have applied the write",
        item=item,
        attempts=attempts,
    )
