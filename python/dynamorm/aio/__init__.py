"""dynamorm under asyncio (SPEC §14): ``AsyncDB`` (``dynamorm.aio.db``) and
``AsyncQuery`` and ``AsyncCollection``, the blocking API's builders with their terminals awaited.
The names load on first use: importing this package imports nothing else."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dynamorm.aio.collection import AsyncCollection
    from dynamorm.aio.db import AsyncDB
    from dynamorm.aio.query import AsyncQuery

__all__ = ["AsyncCollection", "AsyncDB", "AsyncQuery"]

_EXPORTS = {
    "AsyncCollection": "dynamorm.aio.collection",
    "AsyncDB": "dynamorm.aio.db",
    "AsyncQuery": "dynamorm.aio.query",
}


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'dynamorm.aio' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value
