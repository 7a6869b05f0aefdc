"""``Query``: the fluent builder ``db.model(x)`` returns (SPEC §4, §5).

Builder methods record state (``requests.QueryState``) and return the same
``Query`` (``query.base``); each terminal runs its plan (``query.reads``,
``query.writes``, ``query.batches``: the requests it sends and how it reads
the answers, written once) on this thread. ``dynamorm.aio.AsyncQuery`` runs
the same plans under asyncio.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from dynamorm.model.base import Model
from dynamorm.plans import iterate, run
from dynamorm.query.batches import BatchPlans
from dynamorm.query.reads import ReadPlans
from dynamorm.query.writes import WritePlans
from dynamorm.responses import Page
from dynamorm.retry import Cancel

if TYPE_CHECKING:
    from dynamorm.batch.get import BatchGetBuilder
    from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions
    from dynamorm.update import UpdateBuilder

__all__ = ["Query"]

M = TypeVar("M", bound=Model)


class Query(ReadPlans[M], WritePlans[M], BatchPlans[M]):
    """Reads and writes of one model: chain builders, then call a terminal."""

    __slots__ = ()

    # -- reads ------------------------------------------------------------

    def first(self) -> M:
        """The first matching item; ``ItemNotFoundError`` when there is none.
        The reads of a model declared with ``entity=`` see its own items
        only."""
        return run(self._executor, self._first())

    def all(self) -> list[M]:
        """Every matching item (up to ``limit``), reading all pages."""
        return run(self._executor, self._all())

    def iter(self) -> Iterator[M]:
        """Matching items, lazily: each page is requested when the caller
        reaches it. On a deadline it raises ``OperationTimeoutError`` whose
        ``partial`` is empty — every item read was already handed out."""
        return iterate(self._executor, self._iter())

    def all_paginated(self, fill: bool = False) -> Page[M]:
        """One page (``limit`` items at most: one request, so filters may
        leave fewer) and the cursor for the next. With ``fill=True`` the page
        holds ``limit`` matching items unless the query runs out first,
        reading on as needed, and its cursor resumes right after its last
        item; it needs ``limit()``."""
        return run(self._executor, self._all_paginated(fill))

    def count(self) -> int:
        """The number of matching items (all pages; ``limit`` is ignored)."""
        return run(self._executor, self._count())

    def scan(self) -> list[M]:
        """Every item of the table (or index), with ``where``/filters applied
        as a filter; one segment with ``parallel_scan``."""
        return run(self._executor, self._scan())

    def scan_iter(self) -> Iterator[M]:
        """``scan()``, lazily: each page of the Scan is requested when the
        caller reaches it (``limit`` caps the items handed out; a deadline
        raises ``OperationTimeoutError`` with an empty ``partial``)."""
        return iterate(self._executor, self._scan_iter())

    def scan_paginated(self, fill: bool = False) -> Page[M]:
        """One page of a Scan (``limit`` is the page size: the items DynamoDB
        reads before filtering, as for ``all_paginated``) and the cursor for
        the next; ``cursor(page.next_cursor)`` resumes it, also in another
        process. With ``parallel_scan(segment, total)`` it pages that
        segment: resume it with the same ``parallel_scan`` and the cursor.
        ``fill=True`` fills the page with ``limit`` matching items as for
        ``all_paginated``."""
        return run(self._executor, self._scan_paginated(fill))

    def scan_all_segments(self, total_segments: int) -> list[M]:
        """A parallel scan of every segment on ``total_segments`` threads."""
        return run(self._executor, self._scan_all_segments(total_segments))

    # -- writes -----------------------------------------------------------

    def create(self) -> M:
        """Writes the bound instance (PutItem), overwriting any item with the
        same key unless a condition says otherwise. Sets ``created_at`` and
        ``updated_at`` to now and ``version`` to 0 when empty; the version is
        written as the instance holds it (a put is not a versioned write). An
        instance read in part is refused (``ValidationError``)."""
        return run(self._executor, self._create())

    def create_or_update(self) -> M:
        """Writes the bound instance whether or not the item exists, keeping
        an existing item's ``created_at``; the version goes up by 1 (a new
        item starts at 1), so instances holding the old version can no longer
        update it. The instance is refreshed from what was stored. Of an
        instance read in part only what was read or changed is written."""
        return run(self._executor, self._create_or_update())

    def update(self, *fields: str) -> M:
        """Writes the named fields of the bound instance (all non-key fields
        when none are named) with UpdateItem. The item must exist. With a
        version field it is optimistic: the stored version must equal the
        instance's, and is incremented. Of an instance read in part (``select()``)
        only the fields read or changed since are written, and naming another
        raises ``ValidationError``."""
        return run(self._executor, self._update(*fields))

    def delete(self) -> None:
        """Deletes the bound instance (or the item whose key ``where`` gives).
        An instance with a non-zero version is deleted only at that version."""
        run(self._executor, self._delete())

    def update_builder(self) -> UpdateBuilder:
        """An ``UpdateBuilder`` for the bound instance's item (or the item
        whose key ``where`` gives), carrying this query's conditions."""
        from dynamorm.update import UpdateBuilder

        key = self._update_key()
        return UpdateBuilder(self._state.meta, key, self._executor, self._state.conditions)

    # -- batch (dynamorm.batch.get / dynamorm.batch.write) ----------------

    def batch_get(
        self,
        keys: Iterable[Any],
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> list[M]:
        """The items of ``keys`` (``KeyPair``, ``(pk, sk)``, bare partition
        keys, or instances) in input-key order; missing keys are skipped (as
        are, for a model declared with ``entity=``, keys holding another
        entity's item), duplicates read once. Uses the DB's retry policy; see
        ``batch_get_with_options`` for the rest."""
        return run(self._executor, self._batch_get(keys, None, timeout, cancel))

    def batch_get_with_options(
        self,
        keys: Iterable[Any],
        options: BatchGetOptions,
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> list[M]:
        """``batch_get`` with chunking, consistency, parallelism, retries and
        callbacks from ``options``; ``timeout``/``cancel`` stop it after the
        requests in flight (``OperationCancelledError.partial``: the items so far)."""
        return run(self._executor, self._batch_get(keys, options, timeout, cancel))

    def batch_get_builder(self) -> BatchGetBuilder[M]:
        """A ``BatchGetBuilder`` for this model."""
        from dynamorm.batch.get import BatchGetBuilder

        return BatchGetBuilder(self._executor, self._target, self._state.meta)

    def batch_create(
        self,
        items: Iterable[M],
        options: BatchWriteOptions | None = None,
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> list[M]:
        """Writes ``items`` with BatchWriteItem (chunks of 25), overwriting
        items with the same key; stamps timestamps and versions like
        ``create``. Returns the items."""
        plan = self._batch_write(
            "batch_create", puts=items, options=options, timeout=timeout, cancel=cancel
        )
        return run(self._executor, plan)

    def batch_delete(
        self,
        keys: Iterable[Any],
        options: BatchWriteOptions | None = None,
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        """Deletes the items of ``keys`` (keys or instances) with BatchWriteItem."""
        plan = self._batch_write(
            "batch_delete", deletes=keys, options=options, timeout=timeout, cancel=cancel
        )
        run(self._executor, plan)

    def batch_write(
        self,
        *,
        puts: Iterable[M] = (),
        deletes: Iterable[Any] = (),
        options: BatchWriteOptions | None = None,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        """Puts ``puts`` and deletes ``deletes`` in one batch; one key may
        appear only once across both (``ValidationError`` before sending)."""
        plan = self._batch_write(
            "batch_write",
            puts=puts,
            deletes=deletes,
            options=options,
            timeout=timeout,
            cancel=cancel,
        )
        run(self._executor, plan)
