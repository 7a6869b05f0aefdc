"""dynamorm: a DynamoDB object mapper for Python with a Rust core."""

from __future__ import annotations

from dynamorm import errors
from dynamorm._core import __version__

__all__ = [
    "__version__",
    "errors",
]
