"""``AsyncQuery``: what ``AsyncDB.model(x)`` returns — ``Query``'s builders
and plans (``dynamorm.query``), its terminals awaited. Each terminal has the
name, arguments, result and errors of ``Query``'s; ``iter()`` and
``scan_iter()`` are async iterators; ``cancel=`` takes an ``asyncio.Event``
(or a ``threading.Event``, looked at every ``retry.CANCEL_POLL_SECONDS``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from dynamorm.aio.plans import aiterate, arun
from dynamorm.model.base import Model
from dynamorm.query.batches import BatchPlans
from dynamorm.query.reads import ReadPlans
from dynamorm.query.writes import WritePlans
from dynamorm.responses import Page
from dynamorm.retry import Cancel

if TYPE_CHECKING:
    from dynamorm.aio.builders import AsyncBatchGetBuilder, AsyncUpdateBuilder
    from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions

__all__ = ["AsyncQuery"]

M = TypeVar("M", bound=Model)


class AsyncQuery(ReadPlans[M], WritePlans[M], BatchPlans[M]):
    """``Query`` under asyncio: chain builders, then await a terminal."""

    __slots__ = ()

    # -- reads ------------------------------------------------------------

    async def first(self) -> M:
        """``Query.first``, awaited."""
        return await arun(self._executor, self._first())

    async def all(self) -> list[M]:
        """``Query.all``, awaited."""
        return await arun(self._executor, self._all())

    def iter(self) -> AsyncIterator[M]:
        """``Query.iter`` as an async iterator: ``async for item in
        query.iter()``; each page is requested when the loop reaches it."""
        return aiterate(self._executor, self._iter())

    async def all_paginated(self, fill: bool = False) -> Page[M]:
        """``Query.all_paginated``, awaited."""
        return await arun(self._executor, self._all_paginated(fill))

    async def count(self) -> int:
        """``Query.count``, awaited."""
        return await arun(self._executor, self._count())

    async def scan(self) -> list[M]:
        """``Query.scan``, awaited."""
        return await arun(self._executor, self._scan())

    def scan_iter(self) -> AsyncIterator[M]:
        """``Query.scan_iter`` as an async iterator."""
        return aiterate(self._executor, self._scan_iter())

    async def scan_paginated(self, fill: bool = False) -> Page[M]:
        """``Query.scan_paginated``, awaited."""
        return await arun(self._executor, self._scan_paginated(fill))

    async def scan_all_segments(self, total_segments: int) -> list[M]:
        """``Query.scan_all_segments``, each segment a task."""
        return await arun(self._executor, self._scan_all_segments(total_segments))

    # -- writes -----------------------------------------------------------

    async def create(self) -> M:
        """``Query.create``, awaited."""
        return await arun(self._executor, self._create())

    async def create_or_update(self) -> M:
        """``Query.create_or_update``, awaited."""
        return await arun(self._executor, self._create_or_update())

    async def update(self, *fields: str) -> M:
        """``Query.update``, awaited."""
        return await arun(self._executor, self._update(*fields))

    async def delete(self) -> None:
        """``Query.delete``, awaited."""
        await arun(self._executor, self._delete())

    def update_builder(self) -> AsyncUpdateBuilder:
        """``Query.update_builder``, whose ``execute()`` is awaited."""
        from dynamorm.aio.builders import AsyncUpdateBuilder

        key = self._update_key()
        return AsyncUpdateBuilder(self._state.meta, key, self._executor, self._state.conditions)

    # -- batch ------------------------------------------------------------

    async def batch_get(
        self,
        keys: Iterable[Any],
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> list[M]:
        """``Query.batch_get``, awaited (parallel chunks are tasks)."""
        return await arun(self._executor, self._batch_get(keys, None, timeout, cancel))

    async def batch_get_with_options(
        self,
        keys: Iterable[Any],
        options: BatchGetOptions,
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> list[M]:
        """``Query.batch_get_with_options``, awaited."""
        return await arun(self._executor, self._batch_get(keys, options, timeout, cancel))

    def batch_get_builder(self) -> AsyncBatchGetBuilder[M]:
        """``Query.batch_get_builder``, whose ``execute()`` is awaited."""
        from dynamorm.aio.builders import AsyncBatchGetBuilder

        return AsyncBatchGetBuilder(self._executor, self._target, self._state.meta)

    async def batch_create(
        self,
        items: Iterable[M],
        options: BatchWriteOptions | None = None,
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> list[M]:
        """``Query.batch_create``, awaited."""
        plan = self._batch_write(
            "batch_create", puts=items, options=options, timeout=timeout, cancel=cancel
        )
        return await arun(self._executor, plan)

    async def batch_delete(
        self,
        keys: Iterable[Any],
        options: BatchWriteOptions | None = None,
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        """``Query.batch_delete``, awaited."""
        plan = self._batch_write(
            "batch_delete", deletes=keys, options=options, timeout=timeout, cancel=cancel
        )
        await arun(self._executor, plan)

    async def batch_write(
        self,
        *,
        puts: Iterable[M] = (),
        deletes: Iterable[Any] = (),
        options: BatchWriteOptions | None = None,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        """``Query.batch_write``, awaited."""
        plan = self._batch_write(
            "batch_write",
            puts=puts,
            deletes=deletes,
            options=options,
            timeout=timeout,
            cancel=cancel,
        )
        await arun(self._executor, plan)
