"""dynamorm: a DynamoDB object mapper for Python with a Rust core."""

from __future__ import annotations

from dynamorm import errors, expr, marshal
from dynamorm._core import __version__
from dynamorm.cursor import Cursor, decode_cursor, encode_cursor
from dynamorm.db import DB
from dynamorm.dms import load_dms
from dynamorm.fields import field, fields
from dynamorm.model import Model
from dynamorm.page import Page
from dynamorm.query import Query
from dynamorm.retry import RetryPolicy
from dynamorm.streams import unmarshal_item, unmarshal_items, unmarshal_stream_record
from dynamorm.update import UpdateBuilder

__all__ = [
    "DB",
    "Cursor",
    "Model",
    "Page",
    "Query",
    "RetryPolicy",
    "UpdateBuilder",
    "__version__",
    "decode_cursor",
    "encode_cursor",
    "errors",
    "expr",
    "field",
    "fields",
    "load_dms",
    "marshal",
    "unmarshal_item",
    "unmarshal_items",
    "unmarshal_stream_record",
]
