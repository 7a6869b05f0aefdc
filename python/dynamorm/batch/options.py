"""Batch options and their checks (SPEC §7): ``BatchGetOptions``,
``BatchWriteOptions``, ``check_options`` and ``make_stop`` — the one place a
long operation's ``timeout=``/``cancel=`` are checked (batch gets and
writes, transaction writes and gets)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dynamorm.errors import ValidationError
from dynamorm.retry import Cancel, Deadline, RetryPolicy, Stop

__all__ = [
    "MAX_GET_CHUNK",
    "MAX_WRITE_CHUNK",
    "BatchGetOptions",
    "BatchWriteOptions",
    "ChunkErrorHandler",
    "ProgressCallback",
    "check_options",
    "make_stop",
]

MAX_GET_CHUNK = 100
"""The most keys DynamoDB accepts in one ``BatchGetItem``."""
MAX_WRITE_CHUNK = 25
"""The most write requests DynamoDB accepts in one ``BatchWriteItem``."""

ProgressCallback = Callable[[int, int], object]
ChunkErrorHandler = Callable[[list[Any], BaseException], object]


@dataclass(frozen=True, slots=True)
class BatchGetOptions:
    """How ``batch_get_with_options`` reads.

    ``chunk_size`` keys per ``BatchGetItem`` (1 to 100); ``consistent_read`` on
    every chunk; ``parallel`` sends up to ``max_concurrency`` chunks at once
    on threads; ``retry_policy`` governs both throttled requests and
    ``UnprocessedKeys`` (``None``: no retries, fail fast);
    ``progress_callback(retrieved, total)`` runs after each chunk;
    ``on_chunk_error(keys, exc)`` gets a failed chunk's keys — returning skips
    them, raising aborts the batch.
    """

    chunk_size: int = MAX_GET_CHUNK
    consistent_read: bool = False
    parallel: bool = False
    max_concurrency: int = 4
    retry_policy: RetryPolicy | None = field(default_factory=RetryPolicy)
    progress_callback: ProgressCallback | None = None
    on_chunk_error: ChunkErrorHandler | None = None


@dataclass(frozen=True, slots=True)
class BatchWriteOptions:
    """How ``batch_create`` / ``batch_delete`` / ``batch_write`` write:
    ``chunk_size`` requests per ``BatchWriteItem`` (1 to 25), ``parallel`` with
    ``max_concurrency`` threads, ``retry_policy`` for throttling and
    ``UnprocessedItems`` (``None``: fail fast) and
    ``progress_callback(written, total)`` after each chunk."""

    chunk_size: int = MAX_WRITE_CHUNK
    parallel: bool = False
    max_concurrency: int = 4
    retry_policy: RetryPolicy | None = field(default_factory=RetryPolicy)
    progress_callback: ProgressCallback | None = None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def check_options(
    what: str, chunk_size: Any, limit: int, max_concurrency: Any, policy: Any
) -> None:
    """Raises ``ValidationError`` naming the bad option of ``what``."""
    if not _positive_int(chunk_size) or chunk_size > limit:
        raise ValidationError(
            f"{what}: chunk_size must be an int in 1..{limit}, got {chunk_size!r}"
        )
    if not _positive_int(max_concurrency):
        raise ValidationError(
            f"{what}: max_concurrency must be a positive int, got {max_concurrency!r}"
        )
    if policy is not None and not isinstance(policy, RetryPolicy):
        raise ValidationError(f"{what}: retry_policy must be a RetryPolicy or None, got {policy!r}")


def _is_event(cancel: object) -> bool:
    """Whether ``cancel`` is a ``threading.Event`` or an ``asyncio.Event``
    (asyncio is not imported for the check: without it, no such event)."""
    if isinstance(cancel, threading.Event):
        return True
    aio = sys.modules.get("asyncio")
    return aio is not None and isinstance(cancel, aio.Event)


def make_stop(timeout: float | None, cancel: Cancel | None, what: str) -> Stop:
    """The ``Stop`` of one operation with its own ``timeout`` and ``cancel``
    (a batch, a transaction): ``timeout`` seconds from now (``None``: no
    deadline) and the ``cancel`` event — a ``threading.Event`` or an
    ``asyncio.Event``; either API wakes at once on its own kind and looks at
    the other every ``retry.CANCEL_POLL_SECONDS``."""
    if timeout is not None and (
        not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout < 0
    ):
        raise ValidationError(f"{what}: timeout must be a number >= 0, got {timeout!r}")
    if cancel is not None and not _is_event(cancel):
        raise ValidationError(
            f"{what}: cancel must be a threading.Event or an asyncio.Event, got {cancel!r}"
        )
    return Stop(Deadline(timeout) if timeout is not None else None, cancel)
