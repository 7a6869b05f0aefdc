"""Batch get (SPEC §7): any number of keys, read with ``BatchGetItem``.

The Rust ``KeyPlan`` dedupes the keys, cuts chunks, maps each returned item
back to its key and rebuilds the input order; ``run_chunks`` sends the chunks
(in threads with ``parallel``) and re-sends ``UnprocessedKeys``: at once
when the round read some of its keys (a response cut by its size limit), after
a backoff when it read none — only those rounds count against the retry
policy. A key is never dropped: it comes back as an item, is absent from the
table, or is listed in ``BatchGetError.unprocessed_keys``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from dynamorm.batch.options import (
    MAX_GET_CHUNK,
    BatchGetOptions,
    ChunkErrorHandler,
    ProgressCallback,
    check_options,
    make_stop,
)
from dynamorm.batch.runner import Chunks, Collected, RunResult
from dynamorm.entities import owned_items
from dynamorm.errors import (
    BatchGetError,
    RequestError,
    RetryExhaustedError,
    ValidationError,
)
from dynamorm.expr import compile_request
from dynamorm.keys import KeyPlan, add_user_keys, key_dicts, key_list
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of
from dynamorm.model.loaded import ReadShape, mark, shape_of
from dynamorm.model.meta import ModelMeta
from dynamorm.model.paths import resolve_path, with_key_attrs
from dynamorm.plans import Call, Plan, run
from dynamorm.responses import decoded
from dynamorm.retry import Cancel, RetryPolicy, Scheduler
from dynamorm.transport.base import Target

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["BatchGetBuilder", "BatchGetBuilderBase", "batch_get"]

M = TypeVar("M", bound=Model)

KeyDict = dict[str, Any]


class _GetRun:
    """The state of one batch get; lives on the calling thread."""

    def __init__(
        self,
        executor: Executor,
        target: Target,
        meta: ModelMeta,
        *,
        keys: Iterable[Any],
        options: BatchGetOptions,
        select: tuple[str, ...],
    ) -> None:
        self.what = f"{meta.name}.batch_get()"
        check_options(
            self.what,
            options.chunk_size,
            MAX_GET_CHUNK,
            options.max_concurrency,
            options.retry_policy,
        )
        self.executor, self.target, self.meta, self.options = executor, target, meta, options
        self.user_keys = key_list(keys, self.what)
        self.plan = KeyPlan(meta.key_attrs, options.chunk_size)
        # The key dicts are not kept: the plan has them, and every object a
        # large batch keeps alive is one more for each garbage collection.
        self.chunks: list[list[KeyDict]] = add_user_keys(self.plan, meta, self.user_keys, self.what)
        self.total = self.plan.unique_count
        self.template: dict[str, Any] = {}
        self.shape: ReadShape | None = None  # what a read returns of each item (loaded.py)
        if select:
            paths = with_key_attrs(meta, [resolve_path(meta, name)[1] for name in select])
            self.template.update(compile_request(projection=paths).to_params())
            self.shape = shape_of(meta, paths)
        if options.consistent_read:
            self.template["ConsistentRead"] = True
        self.handler_raised = False
        # The model read for each key, by the input position of the key's
        # first occurrence. Items are decoded as their chunk arrives and the
        # raw dicts dropped, so a large batch keeps only its models alive.
        self._models: dict[int, Any] = {}
        self._from_item = codec_of(meta).from_item

    def take_chunks(self) -> list[list[KeyDict]]:
        """The chunks to send, forgotten here: with the runner holding the
        only reference, each chunk's key dicts are freed once sent instead of
        outliving the batch for every garbage collection to walk."""
        chunks, self.chunks = self.chunks, []
        return chunks

    # -- the runner's callbacks (requests go out on worker threads or tasks) --

    def call(self, chunk: list[KeyDict], scheduler: Scheduler) -> Call:
        params = {"RequestItems": {self.meta.table: {**self.template, "Keys": chunk}}}
        return Call("BatchGetItem", params, self.target, scheduler)

    def collect(self, chunk: list[KeyDict], response: dict[str, Any]) -> Collected[list[KeyDict]]:
        table = self.meta.table
        items = response.get("Responses", {}).get(table, ())
        models = self._models
        if decoded(response):
            # The items are model instances already; the plan places them by
            # the canonical keys the fast path read alongside.
            keys = response["ResponseKeys"].get(table, [])
            positions = self.plan.add_canonical_positions(keys)
            for position, model in zip(positions, items, strict=True):
                if position is not None:
                    models[position] = model
        else:
            # Another entity's item is no item of this model: its key is
            # absent, not unprocessed.
            items = owned_items(self.meta, items)
            positions = self.plan.add_items_positions(items)
            from_item = self._from_item
            for position, item in zip(positions, items, strict=True):
                if position is not None:
                    models[position] = from_item(item)
        unprocessed = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys")
        left = self.plan.rechunk(unprocessed) if unprocessed else []
        if self.options.progress_callback is not None:
            self.options.progress_callback(self.plan.found_count, self.total)
        # Keys DynamoDB read are done whether or not they had an item, so a
        # round that read only absent keys made progress too.
        return left, len(unprocessed or ()) < len(chunk)

    def on_failure(self, chunk: list[KeyDict], exc: BaseException) -> None:
        handler = self.options.on_chunk_error
        if handler is None:
            raise exc
        try:
            handler(self.user_keys_of(chunk), exc)
        except BaseException:
            self.handler_raised = True
            raise

    # -- results ----------------------------------------------------------

    def user_keys_of(self, chunk: Iterable[KeyDict]) -> list[Any]:
        """The keys of ``chunk`` as the user gave them (first occurrence)."""
        out: list[Any] = []
        for position in self.plan.first_positions(chunk):
            if position is None:  # never: chunks hold the plan's own keys
                raise ValidationError(f"{self.what}: a chunk holds a key the batch did not plan")
            out.append(self.user_keys[position])
        return out

    def items(self) -> list[Any]:
        """The models read so far, in input-key order."""
        models = self._models
        out = [models[position] for position in sorted(models)]
        mark(self.meta, self.shape, out)
        return out

    def not_read(self, chunks: Iterable[list[KeyDict]]) -> list[Any]:
        """The keys of ``chunks`` that have no item, in input order."""
        user_keys = self.user_keys
        keys = [k for chunk in chunks for k in chunk]
        return [user_keys[p] for p in self.plan.missing_positions(keys)]

    def finish(self, result: RunResult[list[KeyDict]]) -> list[Any]:
        failure = result.failure
        if failure is not None:
            if self.handler_raised or result.failed is None:
                raise failure
            if not isinstance(failure, RetryExhaustedError | RequestError):
                raise failure  # the request itself is wrong: every chunk would fail alike
            failed = [result.failed, *result.undone, *result.given_up]
            keys = self.not_read(failed)
            raise BatchGetError(
                f"{self.what}: a BatchGetItem request failed ({failure}); "
                f"{len(keys)} keys were not read (in .unprocessed_keys)",
                unprocessed_keys=keys,
                items=self.items(),
            ) from failure
        if result.stopped is not None:
            result.stopped.partial = self.items()
            raise result.stopped
        if result.given_up:
            keys = self.not_read(result.given_up)
            policy = self.options.retry_policy
            tries = policy.max_retries if policy is not None else 0
            raise BatchGetError(
                f"{self.what}: {len(keys)} keys still unprocessed after {tries} retries "
                "of rounds that read none of them (in .unprocessed_keys; the items read are "
                "in .items)",
                unprocessed_keys=keys,
                items=self.items(),
            )
        return self.items()


def batch_get(
    executor: Executor,
    target: Target,
    meta: ModelMeta,
    keys: Iterable[Any],
    options: BatchGetOptions,
    *,
    select: tuple[str, ...] = (),
    timeout: float | None = None,
    cancel: Cancel | None = None,
) -> Plan[list[Any]]:
    """The plan reading the items of ``keys`` (see the module docstring); the
    items come back as model instances in input-key order."""
    run = _GetRun(executor, target, meta, keys=keys, options=options, select=select)
    stop = make_stop(timeout if timeout is not None else executor.timeout, cancel, run.what)
    if not run.chunks:
        return []
    result = yield Chunks(
        run.take_chunks(),
        call=run.call,
        collect=run.collect,
        on_failure=run.on_failure,
        policy=options.retry_policy,
        stop=stop,
        what=run.what,
        parallel=options.parallel,
        max_concurrency=options.max_concurrency,
    )
    return run.finish(result)


class BatchGetBuilderBase(Generic[M]):
    """A batch get assembled step by step (``BatchGetBuilder``, and under
    asyncio ``AsyncBatchGetBuilder``: the same builder, whose ``execute()`` is
    awaited).

    ``db.model(User).batch_get_builder().keys(ks).chunk_size(50)
    .select("id", "status").consistent_read().parallel(8)
    .with_retry(RetryPolicy(max_retries=5)).on_progress(cb).on_error(h).execute()``
    """

    __slots__ = ("_executor", "_keys", "_meta", "_options", "_select", "_target")

    def __init__(self, executor: Executor, target: Target, meta: ModelMeta) -> None:
        self._executor, self._target, self._meta = executor, target, meta
        self._keys: list[Any] = []
        self._select: tuple[str, ...] = ()
        self._options = BatchGetOptions(retry_policy=executor.policy)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._meta.name} keys={len(self._keys)}>"

    def _set(self, **changes: Any) -> Self:
        self._options = replace(self._options, **changes)
        return self

    def keys(self, keys: Iterable[Any]) -> Self:
        """Adds keys to read (each call appends, keeping the order)."""
        self._keys.extend(key_dicts_checked(self._meta, keys))
        return self

    def chunk_size(self, n: int) -> Self:
        """At most ``n`` keys (1 to 100) per request."""
        check_options(f"{self._meta.name}.batch_get_builder()", n, MAX_GET_CHUNK, 1, None)
        return self._set(chunk_size=n)

    def consistent_read(self, enabled: bool = True) -> Self:
        """Strongly consistent reads on every chunk."""
        return self._set(consistent_read=bool(enabled))

    def parallel(self, max_concurrency: int = 4) -> Self:
        """Sends up to ``max_concurrency`` chunk requests at once (on threads,
        or as tasks under asyncio)."""
        check_options(
            f"{self._meta.name}.batch_get_builder()", 1, MAX_GET_CHUNK, max_concurrency, None
        )
        return self._set(parallel=True, max_concurrency=max_concurrency)

    def with_retry(
        self, retry: RetryPolicy | int | None, initial_delay: float | None = None
    ) -> Self:
        """The retry policy for throttling and unprocessed keys, as
        ``Query.with_retry`` takes it: a ``RetryPolicy``, a number of retries
        (from ``initial_delay``), or ``None`` to fail fast (no retries)."""
        policy = RetryPolicy.given(retry, initial_delay, f"{self._meta.name}.batch_get_builder()")
        return self._set(retry_policy=policy)

    def select(self, *fields: str) -> Self:
        """Reads only these fields (the key is always read); the others take
        their defaults."""
        for name in fields:
            resolve_path(self._meta, name)  # fail now, naming the field
        self._select = self._select + fields
        return self

    def on_progress(self, callback: ProgressCallback) -> Self:
        """``callback(retrieved, total)`` after each chunk."""
        return self._set(progress_callback=_callable(self._meta, "on_progress", callback))

    def on_error(self, handler: ChunkErrorHandler) -> Self:
        """``handler(keys, exc)`` when a chunk's request fails: returning
        skips those keys, raising aborts the batch."""
        return self._set(on_chunk_error=_callable(self._meta, "on_error", handler))

    def _plan(self, timeout: float | None, cancel: Cancel | None) -> Plan[list[M]]:
        return batch_get(
            self._executor,
            self._target,
            self._meta,
            self._keys,
            self._options,
            select=self._select,
            timeout=timeout,
            cancel=cancel,
        )


class BatchGetBuilder(BatchGetBuilderBase[M]):
    """A batch get assembled step by step; ``execute()`` runs it (see
    ``BatchGetBuilderBase``)."""

    __slots__ = ()

    def execute(self, timeout: float | None = None, cancel: Cancel | None = None) -> list[M]:
        """Runs the batch get; items in input-key order."""
        return run(self._executor, self._plan(timeout, cancel))


def key_dicts_checked(meta: ModelMeta, keys: Iterable[Any]) -> list[Any]:
    """``keys`` as a list, after checking each is a usable key (the builder
    fails where the bad key is added, not at ``execute``)."""
    what = f"{meta.name}.batch_get_builder().keys"
    given = key_list(keys, what)
    key_dicts(meta, given, what)
    return given


def _callable(meta: ModelMeta, what: str, fn: Callable[..., object]) -> Callable[..., object]:
    if not callable(fn):
        raise ValidationError(f"{meta.name}.batch_get_builder().{what}: expected a callable")
    return fn
