"""Transactions (SPEC §8): the write-transaction builder and its condition
helpers (``write``), ``TransactGetItems`` (``get``), and the checks and
error building both share (``checks``)."""

from __future__ import annotations

from dynamorm.transact.get import TransactGetBuilder
from dynamorm.transact.write import (
    Transaction,
    TransactionBuilder,
    TxCondition,
    TxModel,
    at_version,
    condition,
    condition_expression,
    if_exists,
    if_not_exists,
    transact_write,
)

__all__ = [
    "TransactGetBuilder",
    "Transaction",
    "TransactionBuilder",
    "TxCondition",
    "TxModel",
    "at_version",
    "condition",
    "condition_expression",
    "if_exists",
    "if_not_exists",
    "transact_write",
]
