"""dynamorm: a DynamoDB object mapper for Python with a Rust core."""

from __future__ import annotations

from dynamorm import errors, expr, marshal
from dynamorm._core import __version__
from dynamorm.cursor import Cursor, decode_cursor, encode_cursor

__all__ = [
    "Cursor",
    "__version__",
    "decode_cursor",
    "encode_cursor",
    "errors",
    "expr",
    "marshal",
]
