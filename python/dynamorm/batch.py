"""Batch operations: the shared pieces (SPEC §7).

``KeyPair`` and the option classes are public. The rest is shared by
``batch_get.py`` and ``batch_write.py``: turning the keys a user gives into
DynamoDB keys, and ``run_chunks``, which sends chunk requests one at a time or
on threads, re-sends what DynamoDB left unprocessed (at once after a round
that made progress, after a backoff otherwise), and stops cleanly on a
deadline, a cancel event or an error.

Threads only send requests. Every response is handled on the calling thread
(the "collector"), so the Rust ``KeyPlan`` — not thread-safe — and the user's
callbacks are only ever touched from one thread.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from queue import SimpleQueue
from typing import Any, Generic, TypeVar

from dynamorm.errors import OperationCancelledError, ValidationError
from dynamorm.executor import Deadline
from dynamorm.meta import ModelMeta
from dynamorm.model import Model
from dynamorm.paths import codec_of
from dynamorm.retry import RetryPolicy, Scheduler, Stop

__all__ = [
    "MAX_GET_CHUNK",
    "MAX_WRITE_CHUNK",
    "BatchGetOptions",
    "BatchWriteOptions",
    "Collected",
    "KeyPair",
    "RunResult",
    "canonical_key",
    "check_options",
    "key_dicts",
    "key_list",
    "make_stop",
    "run_chunks",
]

MAX_GET_CHUNK = 100
"""The most keys DynamoDB accepts in one ``BatchGetItem``."""
MAX_WRITE_CHUNK = 25
"""The most write requests DynamoDB accepts in one ``BatchWriteItem``."""

ProgressCallback = Callable[[int, int], object]
ChunkErrorHandler = Callable[[list[Any], BaseException], object]


@dataclass(frozen=True, slots=True)
class KeyPair:
    """The primary key of one item: partition key ``pk`` and, on tables with
    a sort key, ``sk``. Values are Python values, encoded like the model's
    key fields."""

    pk: Any
    sk: Any = None


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


def make_stop(timeout: float | None, cancel: threading.Event | None, what: str) -> Stop:
    """The ``Stop`` of one batch operation: ``timeout`` seconds from now
    (``None``: no deadline) and the ``cancel`` event."""
    if timeout is not None and (
        not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout < 0
    ):
        raise ValidationError(f"{what}: timeout must be a number >= 0, got {timeout!r}")
    if cancel is not None and not isinstance(cancel, threading.Event):
        raise ValidationError(f"{what}: cancel must be a threading.Event, got {cancel!r}")
    return Stop(Deadline(timeout) if timeout is not None else None, cancel)


# -- keys ---------------------------------------------------------------------


def _encode_key_value(meta: ModelMeta, which: str, value: Any, where: str) -> dict[str, Any]:
    f = meta.pk if which == "pk" else meta.sk
    assert f is not None
    if value is None:
        raise ValidationError(f"{where}: the {which} ({f.name!r}) is missing")
    try:
        av = codec_of(meta).encode_field(f, value)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None
    if av is None:
        raise ValidationError(f"{where}: key field {f.name!r} needs a non-empty value")
    out: dict[str, Any] = av
    return out


def key_list(keys: Iterable[Any], what: str) -> list[Any]:
    """``keys`` as a list; a str, bytes or single instance is refused (a
    common slip for a list of one key)."""
    if isinstance(keys, str | bytes | Model) or not isinstance(keys, Iterable):
        raise ValidationError(f"{what}: expected an iterable of keys, got {keys!r}")
    return keys if isinstance(keys, list) else list(keys)


def key_dicts(meta: ModelMeta, keys: Iterable[Any], what: str) -> list[dict[str, Any]]:
    """The DynamoDB key of each of ``keys``: ``KeyPair``s, ``(pk, sk)``
    tuples, bare partition-key values (tables without a sort key) or model
    instances. Raises ``ValidationError`` naming the position at fault."""
    keys = key_list(keys, what)
    out = _plain_key_dicts(meta, keys)
    # The plain loop stops at the first key it does not take; the careful one
    # takes over from there and names the position of any fault.
    for i in range(len(out), len(keys)):
        out.append(_key_dict(meta, keys[i], f"{what}: keys[{i}]"))
    return out


def _plain_key_dicts(meta: ModelMeta, keys: list[Any]) -> list[dict[str, Any]]:
    """The keys of the common cases — ``(pk, sk)`` tuples, ``KeyPair``s and
    bare partition keys, all valid — up to the first other one, built by the
    Rust core in one call (a large batch spends more here than on anything
    else of its own); every check that names a fault is left to
    ``_key_dict``."""
    sk_name = meta.sk.name if meta.sk is not None else None
    out: list[dict[str, Any]] = codec_of(meta).schema.plain_key_dicts(
        keys, meta.pk.name, sk_name, KeyPair, _OTHER_KEY_FORMS
    )
    return out


_OTHER_KEY_FORMS = (tuple, Model, KeyPair)
"""What a bare partition-key value cannot be (its own key forms)."""


def _key_dict(meta: ModelMeta, key: Any, where: str) -> dict[str, Any]:
    """The DynamoDB key of one key as the user gave it; ``where`` names it
    in errors."""
    sk_attr = meta.sk.attr if meta.sk is not None else None
    if isinstance(key, Model):
        if type(key) is not meta.cls:
            raise ValidationError(f"{where}: a {type(key).__name__} instance, expected {meta.name}")
        pk_value, sk_value = key.__dict__.get(meta.pk.name), None
        if meta.sk is not None:
            sk_value = key.__dict__.get(meta.sk.name)
    elif isinstance(key, KeyPair):
        pk_value, sk_value = key.pk, key.sk
    elif isinstance(key, tuple):
        if len(key) != 2:
            raise ValidationError(f"{where}: a key tuple must be (pk, sk), got {len(key)} values")
        pk_value, sk_value = key
        if sk_attr is None:
            raise ValidationError(
                f"{where}: {meta.name} has no sort key; give the partition key alone"
            )
    elif sk_attr is not None:
        raise ValidationError(
            f"{where}: {meta.name} has a sort key ({meta.sk.name!r}); "  # type: ignore[union-attr]
            "give KeyPair(pk, sk) or a (pk, sk) tuple"
        )
    else:
        pk_value, sk_value = key, None
    item = {meta.pk.attr: _encode_key_value(meta, "pk", pk_value, where)}
    if sk_attr is not None:
        item[sk_attr] = _encode_key_value(meta, "sk", sk_value, where)
    elif sk_value is not None:
        raise ValidationError(f"{where}: {meta.name} has no sort key, but sk={sk_value!r}")
    return item


def canonical_key(key: dict[str, Any], attrs: Sequence[str]) -> tuple[Any, ...]:
    """A hashable form of a DynamoDB key that equals another exactly when
    DynamoDB sees the same key (numbers compare by value)."""
    parts: list[Any] = []
    for attr in attrs:
        ((tag, value),) = key[attr].items()
        parts.append((tag, Decimal(value) if tag == "N" else value))
    return tuple(parts)


# -- running chunks -----------------------------------------------------------

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


class _Runner(Generic[P]):
    """One ``run_chunks`` call: the queue of jobs and how it ended."""

    def __init__(
        self,
        chunks: Sequence[P],
        *,
        send: Callable[[P, Scheduler], Any],
        collect: Callable[[P, Any], Collected[P]],
        on_failure: Callable[[P, BaseException], object],
        policy: RetryPolicy | None,
        stop: Stop,
        what: str,
    ) -> None:
        self.send, self.collect, self.on_failure = send, collect, on_failure
        self.policy, self.stop, self.what = policy, stop, what
        self.max_retries = policy.max_retries if policy is not None else 0
        self.result: RunResult[P] = RunResult()
        self.pending: deque[_Job[P]] = deque(_Job(c, 0) for c in chunks)

    def work(self, job: _Job[P]) -> Any:
        """Sends one job (on a worker thread in parallel runs), first
        backing off when it re-sends parts of a round without progress."""
        if job.backoff and self.policy is not None:
            self.stop.sleep(self.policy.delay(job.attempt), self.what, None)
        return self.send(job.payload, Scheduler(self.policy, self.stop))

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

    def run_inline(self) -> None:
        """One request at a time, on this thread."""
        while self.pending and self.may_start():
            job = self.pending.popleft()
            try:
                response = self.work(job)
            except Exception as exc:
                self.handle(job, None, exc)
            else:
                self.handle(job, response, None)

    def run_threads(self, limit: int) -> None:
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
                    future = pool.submit(self.work, job)
                    running[future] = job
                    future.add_done_callback(finished.put)
                if not running:
                    return
                future = finished.get()
                job = running.pop(future)
                error = future.exception()
                self.handle(job, None if error is not None else future.result(), error)


def run_chunks(
    chunks: Sequence[P],
    *,
    send: Callable[[P, Scheduler], Any],
    collect: Callable[[P, Any], Collected[P]],
    on_failure: Callable[[P, BaseException], object],
    policy: RetryPolicy | None,
    stop: Stop,
    what: str,
    parallel: bool,
    max_concurrency: int,
) -> RunResult[P]:
    """Sends every chunk and what comes back unprocessed.

    ``send(payload, scheduler)`` runs on a worker thread (or inline) and
    returns the response; ``collect(payload, response)`` runs on this thread
    and returns the parts left unprocessed and whether the round made
    progress (DynamoDB processed some of the payload). After a round with
    progress the parts are re-sent at once, at the same attempt count; after
    a round without, they are re-sent after ``policy.delay(attempt)``, until
    ``policy.max_retries`` such rounds, then given up. When ``send`` raises,
    ``on_failure(payload, exc)`` decides: returning skips the chunk, raising
    aborts. A stop (deadline or cancel) or an abort lets the requests in
    flight finish and be collected, then returns; nothing here raises.
    """
    runner = _Runner(
        chunks,
        send=send,
        collect=collect,
        on_failure=on_failure,
        policy=policy,
        stop=stop,
        what=what,
    )
    del chunks  # the runner's queue holds them now, and lets each go once sent
    if parallel and max_concurrency > 1:
        runner.run_threads(max_concurrency)
    else:
        runner.run_inline()
    runner.result.undone.extend(job.payload for job in runner.pending)
    return runner.result
