"""Batch reads and writes (SPEC §7): options and their checks (``options``),
the chunk runner (``runner``), batch get (``get``) and batch write
(``write``). Keys are in ``dynamorm.keys``."""

from __future__ import annotations

from dynamorm.batch.get import BatchGetBuilder
from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions
from dynamorm.keys import KeyPair

__all__ = ["BatchGetBuilder", "BatchGetOptions", "BatchWriteOptions", "KeyPair"]
