"""``AsyncCollection``: what ``AsyncDB.collection(*models)`` returns — the
builders and plans of ``dynamorm.query.collection``, its terminals awaited
(``iter()`` an async iterator)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dynamorm.aio.plans import aiterate, arun
from dynamorm.model.base import Model
from dynamorm.query.collection import CollectionBase, CollectionItems, CollectionPage

__all__ = ["AsyncCollection"]


class AsyncCollection(CollectionBase):
    """``Collection`` under asyncio: chain builders, then await a terminal."""

    __slots__ = ()

    async def all(self) -> CollectionItems:
        """``Collection.all``, awaited."""
        return await arun(self._reads._executor, self._all())

    def iter(self) -> AsyncIterator[Model]:
        """``Collection.iter`` as an async iterator."""
        return aiterate(self._reads._executor, self._iter())

    async def all_paginated(self, fill: bool = False) -> CollectionPage:
        """``Collection.all_paginated``, awaited."""
        return await arun(self._reads._executor, self._page(fill))

    async def count(self) -> int:
        """``Collection.count``, awaited."""
        return await arun(self._reads._executor, self._count())
