"""Batch writes: ``batch_create``, ``batch_delete``, ``batch_write``.

Puts and deletes go out in ``BatchWriteItem`` chunks of at most 25.
DynamoDB refuses a whole chunk that names one item twice, holds an item over
400 KB or a key value that is empty or too long, so those raise
``ValidationError`` naming the request (``puts[37]``) before anything is sent
(duplicate keys — puts and deletes together, numbers compared by value — by
the Rust ``KeyPlan``, sizes by ``item_limits``). ``UnprocessedItems`` are
re-sent: at once when the round applied some of its requests, after a
backoff when it applied none — only those rounds count against the retry
policy. What is still unprocessed after the last retry, or was never applied
because a chunk's request failed, is in ``BatchWriteError.unprocessed``. A
write request is never dropped: it is applied or listed in the error.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dynamorm.batch.options import MAX_WRITE_CHUNK, BatchWriteOptions, check_options, make_stop
from dynamorm.batch.runner import Chunks, Collected, RunResult
from dynamorm.errors import BatchWriteError, ValidationError, WriteOutcomeUnknownError
from dynamorm.item_limits import item_fault, key_fault
from dynamorm.keys import MAX_CHUNK_SIZE, KeyPlan, key_dicts
from dynamorm.model.base import Model
from dynamorm.model.meta import ModelMeta
from dynamorm.plans import Call, Plan
from dynamorm.requests import create_changes, staged_item
from dynamorm.retry import Cancel, Resend, Scheduler
from dynamorm.transport.executor import Target

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["batch_write"]

Chunk = list[int]  # positions in the run's list of write requests


class _WriteRun:
    """The state of one batch write; lives on the calling thread."""

    def __init__(
        self,
        executor: Executor,
        target: Target,
        meta: ModelMeta,
        *,
        what: str,
        puts: Iterable[Any],
        deletes: Iterable[Any],
        options: BatchWriteOptions,
    ) -> None:
        check_options(
            what, options.chunk_size, MAX_WRITE_CHUNK, options.max_concurrency, options.retry_policy
        )
        self.executor, self.target, self.meta, self.what, self.options = (
            executor,
            target,
            meta,
            what,
            options,
        )
        self.requests: list[dict[str, Any]] = []
        self.labels: list[str] = []
        keys: list[dict[str, Any]] = []
        self.puts = self._check_puts(puts)
        now = _dt.datetime.now(_dt.UTC)
        operation = what.partition(".")[2].removesuffix("()")  # "batch_create"
        self.changes: list[dict[str, Any]] = []
        for i, obj in enumerate(self.puts):
            try:
                changes = create_changes(meta, obj, now, operation)
            except ValidationError as exc:
                raise ValidationError(f"puts[{i}]: {exc}") from None
            item = staged_item(obj, changes)
            fault = item_fault(meta, item)
            if fault is not None:
                raise ValidationError(f"{what}: puts[{i}]: {fault}")
            self.changes.append(changes)
            self.requests.append({"PutRequest": {"Item": item}})
            self.labels.append(f"puts[{i}]")
            keys.append({attr: item[attr] for attr in meta.key_attrs})
        for j, key in enumerate(key_dicts(meta, deletes, f"{what}: deletes")):
            fault = key_fault(meta, key)
            if fault is not None:
                raise ValidationError(f"{what}: deletes[{j}]: {fault}")
            self.requests.append({"DeleteRequest": {"Key": key}})
            self.labels.append(f"deletes[{j}]")
            keys.append(key)
        # The plan answers, for an unprocessed request, its position (keys
        # compared as DynamoDB compares them: numbers by value).
        self.plan = KeyPlan(meta.key_attrs, MAX_CHUNK_SIZE)
        self._reject_duplicates(keys)
        self.total = len(self.requests)
        size = options.chunk_size
        self.chunks: list[Chunk] = [
            list(range(i, min(i + size, self.total))) for i in range(0, self.total, size)
        ]
        self.written = 0

    def _check_puts(self, puts: Iterable[Any]) -> list[Any]:
        if isinstance(puts, str | bytes | Model) or not isinstance(puts, Iterable):
            raise ValidationError(
                f"{self.what}: expected an iterable of {self.meta.name} instances, got {puts!r}"
            )
        out = list(puts)
        for i, obj in enumerate(out):
            if type(obj) is not self.meta.cls:
                raise ValidationError(
                    f"{self.what}: puts[{i}] is {type(obj).__name__}, expected a "
                    f"{self.meta.name} instance"
                )
        return out

    def _reject_duplicates(self, keys: list[dict[str, Any]]) -> None:
        try:
            self.plan.add_keys(keys)
        except ValidationError as exc:
            raise ValidationError(f"{self.what}: {exc}") from None
        repeated = self.plan.first_duplicate()
        if repeated is not None:
            first, again = repeated
            raise ValidationError(
                f"{self.what}: {self.labels[first]} and {self.labels[again]} "
                f"have the same key {keys[again]}; DynamoDB rejects a batch that "
                "writes one item twice"
            )

    # -- the runner's callbacks (requests go out on worker threads or tasks) --

    def call(self, chunk: Chunk, scheduler: Scheduler) -> Call:
        requests = [self.requests[i] for i in chunk]
        params = {"RequestItems": {self.meta.table: requests}}
        # A batch only puts and deletes: sent again after a lost answer, and
        # reported as of unknown outcome (not "not applied") if that fails too.
        return Call("BatchWriteItem", params, self.target, scheduler, write=Resend())

    def _positions_of(self, requests: Iterable[dict[str, Any]]) -> list[int]:
        """The positions of returned write requests in the run's list."""
        attrs = self.meta.key_attrs
        keys = [
            {a: r["PutRequest"]["Item"][a] for a in attrs}
            if "PutRequest" in r
            else r["DeleteRequest"]["Key"]
            for r in requests
        ]
        out: list[int] = []
        for position in self.plan.first_positions(keys):
            if position is None:
                raise ValidationError(
                    f"{self.what}: BatchWriteItem returned as unprocessed an item it was not sent"
                )
            out.append(position)
        return out

    def collect(self, chunk: Chunk, response: dict[str, Any]) -> Collected[Chunk]:
        unprocessed = response.get("UnprocessedItems", {}).get(self.meta.table, ())
        left = sorted(set(self._positions_of(unprocessed)))
        if not set(left) <= set(chunk):
            raise ValidationError(
                f"{self.what}: BatchWriteItem returned as unprocessed an item it was not sent"
            )
        self.written += len(chunk) - len(left)
        if self.options.progress_callback is not None:
            self.options.progress_callback(self.written, self.total)
        return ([left] if left else []), len(left) < len(chunk)

    @staticmethod
    def on_failure(chunk: Chunk, exc: BaseException) -> None:
        raise exc

    # -- results ----------------------------------------------------------

    def finish(self, result: RunResult[Chunk]) -> None:
        failed = [result.failed] if result.failed is not None else []
        not_written = sorted({i for c in (*failed, *result.undone, *result.given_up) for i in c})
        skipped = set(not_written)
        # Like Query.create, an instance gets its timestamps/version once stored.
        for i, obj in enumerate(self.puts):
            if i not in skipped:
                obj.__dict__.update(self.changes[i])
        left = [self.requests[i] for i in not_written]
        failure = result.failure
        if failure is not None:
            if result.failed is None:
                raise failure  # a callback raised: the user's own exception
            # Whatever the request failed with — retries exhausted, or refused
            # outright (ValidationException) — the chunks before it stay applied,
            # so the error must say which writes were not.
            if isinstance(failure, WriteOutcomeUnknownError):
                unknown = len(result.failed)
                raise BatchWriteError(
                    f"{self.what}: the answer to a BatchWriteItem request was lost ({failure}); "
                    f"its {unknown} write requests may or may not have been applied, "
                    f"{len(left) - unknown} others were not sent and "
                    f"{self.total - len(left)} were applied. All {len(left)} not known to be "
                    "applied are in .unprocessed: sending them again is safe, a batch only "
                    "puts and deletes",
                    unprocessed=left,
                ) from failure
            raise BatchWriteError(
                f"{self.what}: a BatchWriteItem request failed ({failure}); "
                f"{self.total - len(left)} write requests were applied, {len(left)} were "
                "not (in .unprocessed)",
                unprocessed=left,
            ) from failure

        if result.stopped is not None:
            result.stopped.partial = left
            raise result.stopped
        if left:
            policy = self.options.retry_policy
            tries = policy.max_retries if policy is not None else 0
            raise BatchWriteError(
                f"{self.what}: {len(left)} write requests still unprocessed after "
                f"{tries} retries of rounds that applied none of them (in .unprocessed)",
                unprocessed=left,
            )


def batch_write(
    executor: Executor,
    target: Target,
    meta: ModelMeta,
    what: str,
    *,
    puts: Iterable[Any] = (),
    deletes: Iterable[Any] = (),
    options: BatchWriteOptions,
    timeout: float | None = None,
    cancel: Cancel | None = None,
) -> Plan[list[Any]]:
    """The plan writing ``puts`` (model instances) and deleting ``deletes``
    (keys or instances); it returns the put instances, stamped like
    ``create`` stamps."""
    run = _WriteRun(executor, target, meta, what=what, puts=puts, deletes=deletes, options=options)
    stop = make_stop(timeout if timeout is not None else executor.timeout, cancel, what)
    if run.chunks:
        result = yield Chunks(
            run.chunks,
            call=run.call,
            collect=run.collect,
            on_failure=run.on_failure,
            policy=options.retry_policy,
            stop=stop,
            what=what,
            parallel=options.parallel,
            max_concurrency=options.max_concurrency,
        )
        run.finish(result)
    return run.puts
