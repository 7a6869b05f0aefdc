"""``Query``: the fluent builder ``db.model(x)`` returns (SPEC §4, §5).

Builder methods record state (``requests.QueryState``) and return the same
``Query``; terminals turn the state into requests (``requests.py``), send them
through the executor and read the responses (``responses.py``).
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dynamorm.errors import ValidationError
from dynamorm.expr import Clause, UpdateAction
from dynamorm.expr.conditions import (
    ConditionSet,
    ConditionVocabulary,
    FilterVocabulary,
    make_term,
    raw_clause,
)
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of, format_timestamp
from dynamorm.model.loaded import LOADED, ReadShape, mark, shape_of, writable
from dynamorm.model.meta import ModelMeta
from dynamorm.model.paths import resolve_path
from dynamorm.requests import (
    QueryState,
    create_changes,
    delete_params,
    delete_version_conditions,
    instance_update,
    key_of_instance,
    key_of_where,
    plan_read,
    put_params,
    scan_params,
    sort_of,
    staged_item,
    update_params,
)
from dynamorm.resend import delete_resend, guard, put_resend, update_resend, upsert_resend
from dynamorm.responses import Page, items_of, not_found, page_of
from dynamorm.retry import Deadline, Resend, RetryPolicy
from dynamorm.transport.base import Target

if TYPE_CHECKING:
    from dynamorm.batch.get import BatchGetBuilder
    from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions
    from dynamorm.transport.executor import Executor
    from dynamorm.update import UpdateBuilder

# Batch operations, the update builder and parallel scans are imported by the
# terminals that use them: a process that only gets, puts and queries never
# loads them.

__all__ = ["Query"]

M = TypeVar("M", bound=Model)


class Query(FilterVocabulary, ConditionVocabulary, Generic[M]):
    """Reads and writes of one model: chain builders, then call a terminal."""

    __slots__ = ("_executor", "_state", "_target")

    def __init__(self, executor: Executor, model: type[M] | M) -> None:
        if isinstance(model, Model):
            cls: type[Any] = type(model)
            instance: Any = model
        elif isinstance(model, type) and issubclass(model, Model):
            cls, instance = model, None
        else:
            raise ValidationError(f"db.model() takes a Model class or instance, got {model!r}")
        meta = cls.__dynamorm__
        self._executor = executor
        self._state = QueryState(meta=meta, instance=instance)
        self._target = Target(cls, meta.table)

    def __repr__(self) -> str:
        return f"<Query {self._state.meta.name}>"

    @property
    def _name(self) -> str:
        return self._state.meta.name

    # -- read builders ----------------------------------------------------

    def where(self, field: str, op: str, value: Any = None) -> Query[M]:
        """Adds ``field op value``; key conditions choose the table or index,
        the rest become filters."""
        self._state.where.append(make_term(self._state.meta, field, op, value))
        return self

    def index(self, name: str) -> Query[M]:
        """Reads from the secondary index ``name``."""
        if name not in self._state.meta.indexes:
            known = ", ".join(sorted(self._state.meta.indexes)) or "none"
            raise ValidationError(f"{self._name} has no index {name!r} (indexes: {known})")
        self._state.index = name
        return self

    def order_by(self, field: str, direction: str = "ASC") -> Query[M]:
        """Orders by the sort key ``field`` (``"ASC"`` or ``"DESC"``)."""
        d = direction.upper() if isinstance(direction, str) else direction
        if d not in ("ASC", "DESC"):
            raise ValidationError(f"{self._name}.order_by: direction must be ASC or DESC")
        self._state.order_field = resolve_path(self._state.meta, field)[0]
        self._state.descending = d == "DESC"
        return self

    def limit(self, n: int) -> Query[M]:
        """At most ``n`` items (the page size for ``all_paginated``)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValidationError(f"{self._name}.limit: expected a positive int, got {n!r}")
        self._state.limit = n
        return self

    def select(self, *fields: str) -> Query[M]:
        """Reads only these fields (the key is always read); others take
        their defaults."""
        for name in fields:
            self._state.select.append(resolve_path(self._state.meta, name)[1])
        return self

    def consistent_read(self) -> Query[M]:
        """Strongly consistent reads (not possible on a GSI)."""
        self._state.consistent = True
        return self

    def cursor(self, token: str | None) -> Query[M]:
        """Continues from a ``Page.next_cursor`` (``None`` starts over)."""
        self._state.cursor = token or None
        return self

    def with_retry(
        self, retry: RetryPolicy | int | None, initial_delay: float | None = None
    ) -> Query[M]:
        """The retry policy of this query's requests instead of the DB's: a
        ``RetryPolicy``, a number of retries (``with_retry(5, 0.2)``: 5
        retries from 0.2 s), or ``None`` for none."""
        policy = RetryPolicy.given(retry, initial_delay, f"{self._state.meta.name}.query()")
        self._state.retry = policy if policy is not None else RetryPolicy(max_retries=0)
        return self

    def parallel_scan(self, segment: int, total_segments: int) -> Query[M]:
        """Makes ``scan()`` read one segment of a parallel scan."""
        if not 0 <= segment < total_segments:
            raise ValidationError(
                f"{self._name}.parallel_scan: need 0 <= segment < total_segments, "
                f"got {segment} of {total_segments}"
            )
        self._state.segment = (segment, total_segments)
        return self

    # -- write conditions -------------------------------------------------

    def if_not_exists(self) -> Query[M]:
        """The write succeeds only if the item does not exist yet."""
        return self.with_condition(self._state.meta.pk.name, "NOT_EXISTS")

    def if_exists(self) -> Query[M]:
        """The write succeeds only if the item exists."""
        return self.with_condition(self._state.meta.pk.name, "EXISTS")

    def _filter_target(self) -> tuple[ModelMeta, ConditionSet]:
        return self._state.meta, self._state.filters

    def _condition_target(self) -> tuple[ModelMeta, ConditionSet]:
        return self._state.meta, self._state.conditions

    def with_condition(self, field: str, op: str, value: Any = None) -> Query[M]:
        """ANDs the write condition ``field op value`` (``condition`` under
        its write-builder name)."""
        return self.condition(field, op, value)

    def with_condition_expression(
        self,
        expression: str,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> Query[M]:
        """ANDs a hand-written condition; ``values`` are Python values. It is
        validated before sending (``ExpressionError`` with the position)."""
        self._state.conditions.add(raw_clause(expression, values, names))
        return self

    # -- reads ------------------------------------------------------------

    def _deadline(self) -> Deadline:
        return Deadline(self._executor.timeout)

    def _shape(self, params: Mapping[str, Any]) -> ReadShape | None:
        """What the read ``params`` returns of each item (``None``: whole
        items); its instances are marked with it (``loaded``)."""
        meta = self._state.meta
        index = params.get("IndexName")
        return shape_of(meta, self._state.select, meta.indexes.get(index) if index else None)

    def _send(
        self,
        operation: str,
        params: dict[str, Any],
        deadline: Deadline | None = None,
        partial: Any = None,
        write: Resend | None = None,
    ) -> dict[str, Any]:
        """One request through the retry scheduler: the policy of
        ``with_retry`` (else the DB's), stopping at the operation's
        ``deadline`` (else a fresh one from the DB's timeout). The operation
        checks its deadline between pages itself, so the first attempt of each
        request always goes out; ``partial`` is handed back if a retry pause
        reaches the deadline. ``write`` marks a write (see ``resend``)."""
        executor = self._executor
        policy = self._state.retry
        if deadline is None and policy is None:
            return executor.call(operation, params, self._target, write=write)
        scheduler = executor.scheduler(deadline or self._deadline(), policy=policy)
        return executor.call(
            operation,
            params,
            self._target,
            scheduler=scheduler,
            partial=partial,
            check_first=False,
            write=write,
        )

    def first(self) -> M:
        """The first matching item; ``ItemNotFoundError`` when there is none."""
        state = self._state
        plan = plan_read(state, "first", single=True)
        if plan.operation == "GetItem":
            item = self._send("GetItem", plan.params).get("Item")
            if item is None:
                raise not_found(state.meta, state.where, None)
            found: M = codec_of(state.meta).from_item(item)
            mark(state.meta, self._shape(plan.params), [found])
            return found
        params = dict(plan.params)
        if "FilterExpression" not in params:
            params["Limit"] = 1
        while True:
            response = self._send("Query", params)
            items = items_of(state.meta, response)
            if items:
                mark(state.meta, self._shape(params), items[:1])
                return items[0]  # type: ignore[no-any-return]
            last = response.get("LastEvaluatedKey")
            if not last:
                raise not_found(state.meta, state.where, plan.index)
            params["ExclusiveStartKey"] = last

    def _collect(self, what: str, operation: str, params: dict[str, Any]) -> list[M]:
        deadline = self._deadline()
        limit = self._state.limit
        shape = self._shape(params)
        items: list[M] = []
        while True:
            if limit is not None:
                params["Limit"] = limit - len(items)
            response = self._send(operation, params, deadline, items)
            page = items_of(self._state.meta, response)
            mark(self._state.meta, shape, page)
            items.extend(page)
            last = response.get("LastEvaluatedKey")
            if not last or (limit is not None and len(items) >= limit):
                return items
            deadline.check(f"{self._name}.{what}()", items)
            params["ExclusiveStartKey"] = last

    def all(self) -> list[M]:
        """Every matching item (up to ``limit``), reading all pages."""
        return self._collect("all", "Query", plan_read(self._state, "all").params)

    def iter(self) -> Iterator[M]:
        """Matching items, lazily: each page is requested when the caller
        reaches it. On a deadline it raises ``OperationTimeoutError`` whose
        ``partial`` is empty — every item read was already handed out."""
        return self._lazy("iter", "Query", plan_read(self._state, "iter").params)

    def _lazy(self, what: str, operation: str, params: dict[str, Any]) -> Iterator[M]:
        """The items of a Query or Scan, read page by page as the caller
        reaches them (``iter`` and ``scan_iter``)."""
        deadline = self._deadline()
        limit = self._state.limit
        meta = self._state.meta
        name = self._name
        shape = self._shape(params)

        def pages() -> Iterator[M]:
            given = 0
            while True:
                if limit is not None:
                    params["Limit"] = limit - given
                response = self._send(operation, params, deadline, [])
                page = items_of(meta, response)
                mark(meta, shape, page)
                for item in page:
                    given += 1
                    yield item
                last = response.get("LastEvaluatedKey")
                if not last or (limit is not None and given >= limit):
                    return
                deadline.check(f"{name}.{what}()", [])
                params["ExclusiveStartKey"] = last

        return pages()

    def _page(
        self, operation: str, params: dict[str, Any], index: str | None, sort: str | None
    ) -> Page[M]:
        """One Query or Scan request of at most ``limit`` items, as a ``Page``
        whose cursor resumes after it."""
        if self._state.limit is not None:
            params["Limit"] = self._state.limit
        response = self._send(operation, params)
        page: Page[M] = page_of(self._state.meta, response, index, sort)
        mark(self._state.meta, self._shape(params), page.items)
        return page

    def all_paginated(self) -> Page[M]:
        """One page (``limit`` items at most) and the cursor for the next."""
        plan = plan_read(self._state, "all_paginated")
        return self._page("Query", plan.params, plan.index, sort_of(self._state))

    def count(self) -> int:
        """The number of matching items (all pages; ``limit`` is ignored)."""
        # A COUNT read takes no projection: plan it without select().
        params = plan_read(replace(self._state, select=[]), "count").params
        params["Select"] = "COUNT"
        deadline = self._deadline()
        total = 0
        while True:
            response = self._send("Query", params, deadline, total)
            total += int(response.get("Count", 0))
            last = response.get("LastEvaluatedKey")
            if not last:
                return total
            deadline.check(f"{self._name}.count()", total)
            params["ExclusiveStartKey"] = last

    def scan(self) -> list[M]:
        """Every item of the table (or index), with ``where``/filters applied
        as a filter; one segment with ``parallel_scan``."""
        return self._collect("scan", "Scan", scan_params(self._state))

    def scan_iter(self) -> Iterator[M]:
        """``scan()``, lazily: each page of the Scan is requested when the
        caller reaches it (``limit`` caps the items handed out; a deadline
        raises ``OperationTimeoutError`` with an empty ``partial``)."""
        return self._lazy("scan_iter", "Scan", scan_params(self._state))

    def scan_paginated(self) -> Page[M]:
        """One page of a Scan (``limit`` is the page size: the items DynamoDB
        reads before filtering, as for ``all_paginated``) and the cursor for
        the next; ``cursor(page.next_cursor)`` resumes it, also in another
        process. With ``parallel_scan(segment, total)`` it pages that
        segment: resume it with the same ``parallel_scan`` and the cursor."""
        return self._page("Scan", scan_params(self._state), self._state.index, None)

    def scan_all_segments(self, total_segments: int) -> list[M]:
        """A parallel scan of every segment on ``total_segments`` threads."""
        if not isinstance(total_segments, int) or total_segments < 1:
            raise ValidationError(f"{self._name}.scan_all_segments: total_segments must be >= 1")
        if self._state.cursor is not None:
            # One cursor resumes one segment; it cannot start every segment.
            raise ValidationError(
                f"{self._name}.scan_all_segments(): a cursor resumes one scan or segment; "
                "page each segment with parallel_scan(segment, total).cursor(...).scan_paginated()"
            )
        base = scan_params(self._state)
        deadline = self._deadline()
        meta = self._state.meta
        shape = self._shape(base)

        def run(segment: int) -> tuple[list[M], bool]:
            params = {**base, "Segment": segment, "TotalSegments": total_segments}
            items: list[M] = []
            while True:
                response = self._send("Scan", params)
                items.extend(items_of(meta, response))
                last = response.get("LastEvaluatedKey")
                if not last:
                    return items, False
                if deadline.expired():
                    return items, True
                params["ExclusiveStartKey"] = last

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=total_segments) as pool:
            # Each segment runs in a copy of this thread's context, so its
            # requests' spans are children of the caller's current span.
            running = [
                pool.submit(contextvars.copy_context().run, run, segment)
                for segment in range(total_segments)
            ]
            results = [future.result() for future in running]
        items = [item for part, _ in results for item in part]
        mark(meta, shape, items)
        if any(stopped for _, stopped in results):
            deadline.check(f"{self._name}.scan_all_segments()", items)
        return items

    # -- writes -----------------------------------------------------------

    def _bound(self, operation: str) -> Any:
        obj = self._state.instance
        if obj is None:
            raise ValidationError(
                f"{self._name}.{operation}() needs an instance: use db.model(instance)"
            )
        return obj

    def _conditions(self) -> list[Clause]:
        built = self._state.conditions.build()
        return [] if built is None else [built]

    def create(self) -> M:
        """Writes the bound instance (PutItem), overwriting any item with the
        same key unless a condition says otherwise. Sets ``created_at`` and
        ``updated_at`` to now and ``version`` to 0 when empty; the version is
        written as the instance holds it (a put is not a versioned write). An
        instance read in part is refused (``ValidationError``)."""
        obj = self._bound("create")
        meta = self._state.meta
        changes = create_changes(meta, obj, _dt.datetime.now(_dt.UTC), "create")
        item = staged_item(obj, changes)
        conditions = self._conditions()
        write = put_resend(item, bool(conditions))
        self._send("PutItem", put_params(meta, item, conditions), write=write)
        obj.__dict__.update(changes)
        return obj  # type: ignore[no-any-return]

    def create_or_update(self) -> M:
        """Writes the bound instance whether or not the item exists, keeping
        an existing item's ``created_at``; the version goes up by 1 (a new
        item starts at 1), so instances holding the old version can no longer
        update it. The instance is refreshed from what was stored. Of an
        instance read in part only what was read or changed is written."""
        obj = self._bound("create_or_update")
        meta = self._state.meta
        codec = codec_of(meta)
        now = format_timestamp(_dt.datetime.now(_dt.UTC))
        actions: list[UpdateAction] = []
        owned = {"pk", "sk", "version", "created_at", "updated_at"}
        chosen = [f for f in meta.fields if not f.roles & owned]
        for f in writable(meta, obj, chosen, named=False, operation="create_or_update"):
            value = codec.schema.encode_value(f.name, obj.__dict__.get(f.name))
            if value is None:
                actions.append(("remove", [f.attr]))
            else:
                actions.append(("set", [f.attr], value))
        if meta.created_at is not None:
            actions.append(("set_if_not_exists", [meta.created_at.attr], now))
        if meta.updated_at is not None:
            actions.append(("set", [meta.updated_at.attr], now))
        if meta.version is not None:
            # Every write that changes an item moves its version (ADD counts
            # from 0 on a new item).
            actions.append(("add", [meta.version.attr], 1))
        if not actions:
            return self.create()
        key = key_of_instance(meta, obj)
        conditions = self._conditions()
        params = update_params(meta, key, actions, conditions, "ALL_NEW")
        resend_guard = guard(actions)
        if meta.version is not None and resend_guard is not None:
            guarded = update_params(meta, key, actions, [*conditions, resend_guard], "ALL_NEW")
            write = upsert_resend(actions, guarded)
        else:
            write = update_resend(actions, return_values="ALL_NEW")
        response = self._send("UpdateItem", params, write=write)
        stored = codec.from_item(response.get("Attributes", {}))
        obj.__dict__.update(stored.__dict__)
        obj.__dict__.pop(LOADED, None)  # the whole item came back
        return obj  # type: ignore[no-any-return]

    def update(self, *fields: str) -> M:
        """Writes the named fields of the bound instance (all non-key fields
        when none are named) with UpdateItem. The item must exist. With a
        version field it is optimistic: the stored version must equal the
        instance's, and is incremented. Of an instance read in part (``select()``)
        only the fields read or changed since are written, and naming another
        raises ``ValidationError``."""
        obj = self._bound("update")
        meta = self._state.meta
        now = _dt.datetime.now(_dt.UTC)
        actions, required, changes = instance_update(meta, obj, fields, now)
        conditions = [*self._conditions(), *required]
        params = update_params(meta, key_of_instance(meta, obj), actions, conditions)
        v = meta.version
        version = None if v is None else (v.attr, changes[v.name] - 1)
        self._send("UpdateItem", params, write=update_resend(actions, version=version))
        obj.__dict__.update(changes)
        return obj  # type: ignore[no-any-return]

    def delete(self) -> None:
        """Deletes the bound instance (or the item whose key ``where`` gives).
        An instance with a non-zero version is deleted only at that version."""
        meta = self._state.meta
        obj = self._state.instance
        conditions = self._conditions()
        if obj is not None:
            key = key_of_instance(meta, obj)
            conditions.extend(delete_version_conditions(meta, obj))
        else:
            key = key_of_where(meta, self._state.where, "delete")
        write = delete_resend(bool(conditions))
        self._send("DeleteItem", delete_params(meta, key, conditions), write=write)

    def update_builder(self) -> UpdateBuilder:
        """An ``UpdateBuilder`` for the bound instance's item (or the item
        whose key ``where`` gives), carrying this query's conditions."""
        meta = self._state.meta
        obj = self._state.instance
        if obj is not None:
            key = key_of_instance(meta, obj)
        else:
            key = key_of_where(meta, self._state.where, "update_builder")
        from dynamorm.update import UpdateBuilder

        return UpdateBuilder(meta, key, self._executor, self._state.conditions)

    # -- batch (dynamorm.batch.get / dynamorm.batch.write) ----------------

    def batch_get(
        self,
        keys: Iterable[Any],
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> list[M]:
        """The items of ``keys`` (``KeyPair``, ``(pk, sk)``, bare partition
        keys, or instances) in input-key order; missing keys are skipped,
        duplicates read once. Uses the DB's retry policy; see
        ``batch_get_with_options`` for the rest."""
        from dynamorm.batch.options import BatchGetOptions

        options = BatchGetOptions(retry_policy=self._executor.policy)
        return self.batch_get_with_options(keys, options, timeout=timeout, cancel=cancel)

    def batch_get_with_options(
        self,
        keys: Iterable[Any],
        options: BatchGetOptions,
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> list[M]:
        """``batch_get`` with chunking, consistency, parallelism, retries and
        callbacks from ``options``; ``timeout``/``cancel`` stop it after the
        requests in flight (``OperationCancelledError.partial``: the items so far)."""
        from dynamorm.batch.get import batch_get
        from dynamorm.batch.options import BatchGetOptions

        if not isinstance(options, BatchGetOptions):
            raise ValidationError(
                f"{self._name}.batch_get_with_options: expected BatchGetOptions, got {options!r}"
            )
        return batch_get(
            self._executor,
            self._target,
            self._state.meta,
            keys,
            options,
            timeout=timeout,
            cancel=cancel,
        )

    def batch_get_builder(self) -> BatchGetBuilder[M]:
        """A ``BatchGetBuilder`` for this model."""
        from dynamorm.batch.get import BatchGetBuilder

        return BatchGetBuilder(self._executor, self._target, self._state.meta)

    def _write_options(self, options: BatchWriteOptions | None) -> BatchWriteOptions:
        from dynamorm.batch.options import BatchWriteOptions

        if options is None:
            return BatchWriteOptions(retry_policy=self._executor.policy)
        if not isinstance(options, BatchWriteOptions):
            raise ValidationError(f"{self._name}: expected BatchWriteOptions, got {options!r}")
        return options

    def batch_create(
        self,
        items: Iterable[M],
        options: BatchWriteOptions | None = None,
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> list[M]:
        """Writes ``items`` with BatchWriteItem (chunks of 25), overwriting
        items with the same key; stamps timestamps and versions like
        ``create``. Returns the items."""
        what = f"{self._name}.batch_create()"
        from dynamorm.batch.write import batch_write

        return batch_write(
            self._executor,
            self._target,
            self._state.meta,
            what,
            puts=items,
            options=self._write_options(options),
            timeout=timeout,
            cancel=cancel,
        )

    def batch_delete(
        self,
        keys: Iterable[Any],
        options: BatchWriteOptions | None = None,
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Deletes the items of ``keys`` (keys or instances) with BatchWriteItem."""
        what = f"{self._name}.batch_delete()"
        from dynamorm.batch.write import batch_write

        batch_write(
            self._executor,
            self._target,
            self._state.meta,
            what,
            deletes=keys,
            options=self._write_options(options),
            timeout=timeout,
            cancel=cancel,
        )

    def batch_write(
        self,
        *,
        puts: Iterable[M] = (),
        deletes: Iterable[Any] = (),
        options: BatchWriteOptions | None = None,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Puts ``puts`` and deletes ``deletes`` in one batch; one key may
        appear only once across both (``ValidationError`` before sending)."""
        what = f"{self._name}.batch_write()"
        from dynamorm.batch.write import batch_write

        batch_write(
            self._executor,
            self._target,
            self._state.meta,
            what,
            puts=puts,
            deletes=deletes,
            options=self._write_options(options),
            timeout=timeout,
            cancel=cancel,
        )
