"""The plan of a query's write on a model with unique fields
(``dynamorm.unique``), for ``query.writes``, which imports it with the
first such write (it loads the transaction modules).

The write is sent as it would be without unique fields, with conditions
added on the values it assumes the stored item holds; when its item changes
which values it holds, it goes out in one ``TransactWriteItems`` with the
sentinel writes. Nothing is read first: when the assumption proves wrong —
the item's condition fails and the item DynamoDB returns with the failure
holds other values — the write is planned again from what that item holds,
a few times at most (each time only because another writer changed the
item in between). A failure the assumption does not explain is the write's
own and is raised as it came.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from dynamorm.errors import ConditionFailedError, TransactionError, UniqueConstraintError
from dynamorm.expr import Clause
from dynamorm.plans import Call, Plan
from dynamorm.query.base import QueryBase
from dynamorm.retry import Resend
from dynamorm.transact.checks import Operation, TransactionTarget, check_operations
from dynamorm.transact.unique import sentinel_operations, transaction_body
from dynamorm.unique import Values, same_values, stored_conditions, values_of

__all__ = ["MAX_ROUNDS", "unique_write"]

MAX_ROUNDS = 4
"""How many times a write is planned again from the item a failed condition
returned before its failure is raised."""


def unique_write(
    query: QueryBase[Any],
    operation: str,
    request: Callable[[list[Clause]], Call],
    owner: dict[str, Any],
    *,
    news: Values,
    olds: Values | None,
) -> Plan[dict[str, Any] | None]:
    """The plan of ``query``'s write ``operation`` (``"create"``, ...) of the
    item with key ``owner``: ``request(conditions)`` is its single-item
    request with ``conditions`` added; ``news`` the values of the unique
    fields it writes; ``olds`` the values it assumes are stored (``None``:
    absent, or ``news`` already — a put). Returns the request's response,
    or ``None`` when it went out in a transaction (which returns no
    attributes)."""
    meta = query._state.meta
    what = f"{meta.name}.{operation}()"
    for round_ in range(1, MAX_ROUNDS + 1):
        call = request(stored_conditions(meta, olds, news))
        sentinels = sentinel_operations(meta, olds, news, owner)
        try:
            if not sentinels:
                response: dict[str, Any] = yield call
                return response
            item = Operation(
                call.operation.removesuffix("Item"),
                meta.cls,
                transaction_body(dict(call.params)),
                owner,
            )
            yield _transaction(query, [item, *sentinels], what)
            return None
        except ConditionFailedError as exc:
            if isinstance(exc, UniqueConstraintError) or round_ == MAX_ROUNDS:
                raise
            if isinstance(exc, TransactionError) and exc.operation_index != 0:
                raise  # a sentinel that belongs to another item: not the item's state
            found = values_of(meta, exc.item, news)
            if same_values(found, news if olds is None else olds):
                raise  # the item holds what was assumed: its own conditions failed
            olds = found
    raise AssertionError("unreachable")  # pragma: no cover


def _transaction(query: QueryBase[Any], ops: list[Operation], what: str) -> Call:
    """The ``TransactWriteItems`` of ``ops``, sent with the query's retry
    policy; its one ``ClientRequestToken`` makes a resend after a lost
    answer safe."""
    count = len(ops) - 1
    label = f"{what}: TransactWriteItems of the item and {count} sentinel item{'s' * (count != 1)}"
    check_operations(ops, label)
    params = {"TransactItems": [op.item() for op in ops], "ClientRequestToken": str(uuid.uuid4())}
    call = query._call("TransactWriteItems", params, write=Resend())
    call.target = TransactionTarget(ops, label)
    return call
