"""dynamorm: a DynamoDB object mapper for Python with a Rust core.

The public names load on first use (PEP 562): ``import dynamorm`` costs
little, and a process pays for the parts it touches — boto3 and botocore
only when a ``DB`` makes or wires its client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dynamorm import errors, expr, marshal
    from dynamorm._core import __version__
    from dynamorm.aio.collection import AsyncCollection
    from dynamorm.aio.db import AsyncDB
    from dynamorm.aio.query import AsyncQuery
    from dynamorm.batch.get import BatchGetBuilder
    from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions
    from dynamorm.cursor import Cursor, decode_cursor, encode_cursor
    from dynamorm.db import DB
    from dynamorm.dms import load_dms
    from dynamorm.errors import WriteOutcomeUnknownError
    from dynamorm.keys import KeyPair
    from dynamorm.model.base import Model
    from dynamorm.model.fields import field, fields
    from dynamorm.model.types import register_type
    from dynamorm.query import Query
    from dynamorm.query.collection import Collection, CollectionItems, CollectionPage
    from dynamorm.responses import Page
    from dynamorm.retry import RetryPolicy
    from dynamorm.streams import unmarshal_item, unmarshal_items, unmarshal_stream_record
    from dynamorm.transact.get import TransactGetBuilder
    from dynamorm.transact.write import (
        TransactionBuilder,
        at_version,
        condition,
        condition_expression,
        if_exists,
        if_not_exists,
    )
    from dynamorm.update import UpdateBuilder

_EXPORTS = {
    "AsyncCollection": "dynamorm.aio.collection",
    "AsyncDB": "dynamorm.aio.db",
    "AsyncQuery": "dynamorm.aio.query",
    "BatchGetBuilder": "dynamorm.batch.get",
    "BatchGetOptions": "dynamorm.batch.options",
    "BatchWriteOptions": "dynamorm.batch.options",
    "Collection": "dynamorm.query.collection",
    "CollectionItems": "dynamorm.query.collection",
    "CollectionPage": "dynamorm.query.collection",
    "Cursor": "dynamorm.cursor",
    "DB": "dynamorm.db",
    "KeyPair": "dynamorm.keys",
    "Model": "dynamorm.model.base",
    "Page": "dynamorm.responses",
    "Query": "dynamorm.query",
    "RetryPolicy": "dynamorm.retry",
    "TransactGetBuilder": "dynamorm.transact.get",
    "TransactionBuilder": "dynamorm.transact.write",
    "UpdateBuilder": "dynamorm.update",
    "WriteOutcomeUnknownError": "dynamorm.errors",
    "__version__": "dynamorm._core",
    "at_version": "dynamorm.transact.write",
    "condition": "dynamorm.transact.write",
    "condition_expression": "dynamorm.transact.write",
    "decode_cursor": "dynamorm.cursor",
    "encode_cursor": "dynamorm.cursor",
    "errors": "dynamorm.errors",
    "expr": "dynamorm.expr",
    "field": "dynamorm.model.fields",
    "fields": "dynamorm.model.fields",
    "if_exists": "dynamorm.transact.write",
    "if_not_exists": "dynamorm.transact.write",
    "load_dms": "dynamorm.dms",
    "marshal": "dynamorm.marshal",
    "register_type": "dynamorm.model.types",
    "unmarshal_item": "dynamorm.streams",
    "unmarshal_items": "dynamorm.streams",
    "unmarshal_stream_record": "dynamorm.streams",
}
"""Each public name and the module that defines it (a submodule for
``errors``, ``expr`` and ``marshal``)."""

__all__ = [
    "DB",
    "AsyncCollection",
    "AsyncDB",
    "AsyncQuery",
    "BatchGetBuilder",
    "BatchGetOptions",
    "BatchWriteOptions",
    "Collection",
    "CollectionItems",
    "CollectionPage",
    "Cursor",
    "KeyPair",
    "Model",
    "Page",
    "Query",
    "RetryPolicy",
    "TransactGetBuilder",
    "TransactionBuilder",
    "UpdateBuilder",
    "WriteOutcomeUnknownError",
    "__version__",
    "at_version",
    "condition",
    "condition_expression",
    "decode_cursor",
    "encode_cursor",
    "errors",
    "expr",
    "field",
    "fields",
    "if_exists",
    "if_not_exists",
    "load_dms",
    "marshal",
    "register_type",
    "unmarshal_item",
    "unmarshal_items",
    "unmarshal_stream_record",
]


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'dynamorm' has no attribute {name!r}")
    module = importlib.import_module(where)
    value = module if where == f"dynamorm.{name}" else getattr(module, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
