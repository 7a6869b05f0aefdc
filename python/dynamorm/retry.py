"""The retry scheduler (SPEC §9): every request dynamorm sends goes through it.

``RetryPolicy`` describes how a retried operation backs off: up to
``max_retries`` further attempts, sleeping ``initial_delay`` seconds first and
multiplying by ``backoff_factor`` each time, capped at ``max_delay``, with
``jitter`` (a fraction of the delay) added at random.

``is_retryable`` classifies failures: throttling, 5xx answers, transaction
conflicts and broken connections are retried; everything else (validation,
failed conditions, missing tables, ...) never is. ``Stop`` is the deadline and
the cancel event of one operation, checked between requests and during the
backoff sleeps. ``Scheduler.call`` ties them together for one request.

Clients that ``DB`` creates have botocore's own retries turned off, so the
scheduler is the only retrier (see docs/retries.md).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError, IncompleteReadError

from dynamorm.errors import (
    OperationCancelledError,
    RetryExhaustedError,
    ValidationError,
)

if TYPE_CHECKING:
    from dynamorm.executor import Deadline

__all__ = [
    "RETRYABLE_CODES",
    "RetryPolicy",
    "Scheduler",
    "Stop",
    "error_code",
    "is_retryable",
]

T = TypeVar("T")

logger = logging.getLogger("dynamorm")

RETRYABLE_CODES = frozenset(
    {
        # throttling
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "LimitExceededException",
        # the service failing on its side
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        # transaction conflicts: another transaction holds the item right now
        "TransactionInProgressException",
        "TransactionConflictException",
    }
)
"""DynamoDB error codes worth another attempt after a pause."""

# Cancellation reasons of a TransactionCanceledException that are transient;
# "None" marks the operations that did not fail.
_TRANSIENT_CANCEL_REASONS = frozenset(
    {"None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How retryable errors are retried: attempts, delays and jitter."""

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


def _status(exc: BaseException) -> int:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return 0
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status if isinstance(status, int) else 0


def _transient_cancellation(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    reasons = response.get("CancellationReasons") if isinstance(response, dict) else None
    if not reasons:
        return False
    codes = [str(reason.get("Code", "None")) for reason in reasons]
    return all(code in _TRANSIENT_CANCEL_REASONS for code in codes) and any(
        code != "None" for code in codes
    )


def is_retryable(exc: BaseException) -> bool:
    """Whether another attempt may succeed: throttling, 5xx answers,
    transaction conflicts (including a ``TransactionCanceledException`` whose
    reasons are all conflicts or throttling) and connection failures (refused,
    reset, closed, timed out). Validation errors, failed conditions and every
    other 4xx answer are final."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in RETRYABLE_CODES or _status(exc) >= 500:
            return True
        return code == "TransactionCanceledException" and _transient_cancellation(exc)
    # ConnectionError covers refused connections and connect timeouts;
    # HTTPClientError covers resets, closed connections and read timeouts.
    return isinstance(exc, ConnectionError | HTTPClientError | IncompleteReadError)


class Stop:
    """When one operation must stop: a ``Deadline`` and/or a cancel
    ``threading.Event``. Either may be ``None``."""

    __slots__ = ("cancel", "deadline")

    def __init__(
        self, deadline: Deadline | None = None, cancel: threading.Event | None = None
    ) -> None:
        self.deadline = deadline
        self.cancel = cancel

    def check(self, what: str, partial: Any) -> None:
        """Raises ``OperationCancelledError`` when the cancel event is set, or
        ``OperationTimeoutError`` (a ``TimeoutError``) past the deadline; both
        carry ``partial``."""
        if self.cancel is not None and self.cancel.is_set():
            logger.info("%s: cancelled", what)
            raise OperationCancelledError(
                f"{what}: cancelled; the results so far are in .partial", partial=partial
            )
        if self.deadline is not None and self.deadline.expired():
            logger.info("%s: stopped at the %ss deadline", what, self.deadline.seconds)
            self.deadline.check(what, partial)

    def remaining(self) -> float | None:
        """Seconds until the deadline (``None`` without one)."""
        if self.deadline is None or self.deadline.at is None:
            return None
        return max(0.0, self.deadline.at - time.monotonic())

    def sleep(self, seconds: float, what: str, partial: Any) -> None:
        """Waits ``seconds`` — waking at once when cancelled and never past
        the deadline — then ``check``s."""
        remaining = self.remaining()
        if remaining is not None:
            seconds = min(seconds, remaining)
        if seconds > 0:
            if self.cancel is not None:
                self.cancel.wait(seconds)
            else:
                time.sleep(seconds)
        self.check(what, partial)


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
    ) -> T:
        """Checks ``stop``, then calls ``send()``; on a retryable error logs
        it, sleeps ``policy.delay(n)`` and tries again, up to
        ``policy.max_retries`` times, then raises ``RetryExhaustedError``
        (``attempts`` = requests sent, the last error as ``__cause__``). Other
        errors propagate unchanged. ``what`` names the request in messages and
        logs; ``partial`` is what a stop hands back. ``check_first=False``
        sends the first attempt even when already stopped (the stop then
        applies to retries only)."""
        retries = self.policy.max_retries if self.policy is not None else 0
        attempt = 0
        while True:
            if attempt or check_first:
                self.stop.check(what, partial)
            attempt += 1
            try:
                return send()
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                reason = error_code(exc) or type(exc).__name__
                if attempt > retries:
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
                self.stop.sleep(pause, what, partial)
