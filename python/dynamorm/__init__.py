"""dynamorm: a DynamoDB object mapper for Python with a Rust core."""

from __future__ import annotations

from dynamorm import errors, expr, marshal
from dynamorm._core import __version__
from dynamorm.batch.get import BatchGetBuilder
from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions
from dynamorm.cursor import Cursor, decode_cursor, encode_cursor
from dynamorm.db import DB
from dynamorm.dms import load_dms
from dynamorm.errors import WriteOutcomeUnknownError
from dynamorm.keys import KeyPair
from dynamorm.model.base import Model
from dynamorm.model.fields import field, fields
from dynamorm.query import Query
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

__all__ = [
    "DB",
    "BatchGetBuilder",
    "BatchGetOptions",
    "BatchWriteOptions",
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
    "unmarshal_item",
    "unmarshal_items",
    "unmarshal_stream_record",
]
