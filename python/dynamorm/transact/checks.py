"""What a transaction is checked for before sending, and what its failure
becomes (SPEC §8).

``check_operations`` refuses, with a ``ValidationError`` naming the operation
index, what DynamoDB would reject anyway: an empty transaction, more than 100
operations, two operations on one item, or more than 4 MB of data.
``transaction_error`` turns the ``CancellationReasons`` of a
``TransactionCanceledException`` into a ``TransactionError`` naming the
operation, its model and its reason (or the operation's own error: a unique
field's ``UniqueConstraintError``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dynamorm.errors import (
    DynamORMError,
    TransactionConditionFailedError,
    TransactionError,
    ValidationError,
)
from dynamorm.item_limits import MAX_ITEM_BYTES, item_size
from dynamorm.keys import first_duplicate
from dynamorm.transport.base import Target

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_OPERATIONS",
    "MAX_TOTAL_BYTES",
    "Operation",
    "TransactionTarget",
    "check_operations",
    "request_size",
    "transaction_error",
]

MAX_OPERATIONS = 100
"""DynamoDB's limit on the operations of one TransactWriteItems/TransactGetItems."""

MAX_TOTAL_BYTES = 4 * 1024 * 1024
"""DynamoDB's limit on the aggregate size of the items in one transaction."""

_CONDITION_FAILED = "ConditionalCheckFailed"


@dataclass(slots=True)
class Operation:
    """One operation of a transaction: its kind (``"Put"``, ``"Update"``,
    ``"Delete"``, ``"ConditionCheck"`` or ``"Get"``), the model class, the
    request body DynamoDB takes for it, and the primary key it touches."""

    kind: str
    model: Any
    body: dict[str, Any]
    key: dict[str, Any]
    changes: tuple[Any, dict[str, Any]] | None = field(default=None)
    """``(instance, {field: value})`` to set on the instance once committed."""
    condition_error: Callable[[], DynamORMError] | None = field(default=None)
    """The error a failed condition of this operation raises instead of a
    ``TransactionConditionFailedError`` (a sentinel put of a unique field:
    its ``UniqueConstraintError``)."""

    @property
    def name(self) -> str:
        """``"Put on User (table 'users')"``: how messages name the operation."""
        return f"{self.kind} on {self.model.__name__} (table {self.body['TableName']!r})"

    def item(self) -> dict[str, Any]:
        """The entry of ``TransactItems`` for this operation."""
        return {self.kind: self.body}


class TransactionTarget(Target):
    """The ``Target`` of a transaction request, so that error messages name
    its operations' models (``"3 operations of Order, User"``) and tables."""

    __slots__ = ("label", "ops", "what")

    def __init__(self, ops: Sequence[Operation], what: str) -> None:
        super().__init__(None, ", ".join(sorted({op.body["TableName"] for op in ops})))
        models = ", ".join(sorted({op.model.__name__ for op in ops}))
        self.label = f"{len(ops)} operations of {models}"
        self.ops, self.what = ops, what

    @property
    def name(self) -> str:
        """``"<n> operations of <models>"``."""
        return self.label

    def error_for(self, code: str, response: Mapping[str, Any]) -> DynamORMError | None:
        """A cancellation is a ``TransactionError`` naming the operation at
        fault (``transaction_error``)."""
        if code != "TransactionCanceledException":
            return None
        return transaction_error(response, self.ops, self.what)


def request_size(body: Mapping[str, Any]) -> int:
    """The bytes an operation counts toward the 4 MB limit: its item (or
    key) and the values and text of its expressions, sized by DynamoDB's
    item size rules."""
    size = item_size(body.get("Item")) + item_size(body.get("Key"))
    size += item_size(body.get("ExpressionAttributeValues"))
    for text_key in ("UpdateExpression", "ConditionExpression", "ProjectionExpression"):
        size += len(str(body.get(text_key, "")).encode())
    return size


def _same_item(ops: Sequence[Operation]) -> tuple[int, int] | None:
    """The indexes ``(first, again)`` of the first two operations on one item
    (same table, keys compared as DynamoDB compares them), or ``None``."""
    by_table: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for index, op in enumerate(ops):
        by_table.setdefault((op.body["TableName"], tuple(sorted(op.key))), []).append(index)
    found: list[tuple[int, int]] = []
    for (_, attrs), indexes in by_table.items():
        repeated = first_duplicate(attrs, [ops[i].key for i in indexes])
        if repeated is not None:
            found.append((indexes[repeated[0]], indexes[repeated[1]]))
    return min(found, key=lambda pair: pair[1]) if found else None


def check_operations(ops: Sequence[Operation], what: str) -> None:
    """Raises ``ValidationError`` naming the operation index when ``ops``
    is empty, holds more than 100 operations, touches one item twice or
    exceeds 4 MB in total. ``what`` names the transaction in messages."""
    if not ops:
        raise ValidationError(f"{what}: a transaction needs at least one operation")
    if len(ops) > MAX_OPERATIONS:
        raise ValidationError(
            f"{what}: operation {MAX_OPERATIONS} ({ops[MAX_OPERATIONS].name}) is one too many: "
            f"a transaction holds at most {MAX_OPERATIONS} operations, this one has {len(ops)}"
        )
    repeated = _same_item(ops)
    if repeated is not None:
        first, index = repeated
        raise ValidationError(
            f"{what}: operation {index} ({ops[index].name}) touches the same item as operation "
            f"{first} ({ops[first].name}), key {ops[index].key}; DynamoDB allows one operation "
            "per item in a transaction"
        )
    # Items are capped at 400 KB each (DynamoDB refuses a bigger one on its
    # own), so up to 10 operations cannot reach 4 MB: size only larger ones.
    if len(ops) * MAX_ITEM_BYTES <= MAX_TOTAL_BYTES:
        return
    total = 0
    for index, op in enumerate(ops):
        total += request_size(op.body)
        if total > MAX_TOTAL_BYTES:
            raise ValidationError(
                f"{what}: operation {index} ({op.name}) takes the transaction to {total} "
                f"bytes, over DynamoDB's {MAX_TOTAL_BYTES}-byte (4 MB) limit"
            )


def _pick(reasons: Sequence[Mapping[str, Any]]) -> int | None:
    # A failed condition is what the caller must act on (a conflict next to it
    # will not be retried), so it is reported before any other failed reason.
    codes = [str(reason.get("Code") or "None") for reason in reasons]
    if _CONDITION_FAILED in codes:
        return codes.index(_CONDITION_FAILED)
    return next((i for i, code in enumerate(codes) if code != "None"), None)


def _model_item(model: Any, raw: Any) -> Any:
    if raw is None or model is None:
        return raw
    try:
        return model.from_item(raw)
    except ValidationError:
        # The stored item no longer fits the model: hand back the raw item
        # rather than hide the failure behind a decoding error.
        return raw


def transaction_error(
    response: Mapping[str, Any], ops: Sequence[Operation], what: str
) -> DynamORMError:
    """The ``TransactionError`` for a cancelled transaction: ``response`` is
    the botocore error response (with ``CancellationReasons``), ``ops`` the
    operations in the order they were sent. A failed condition gives a
    ``TransactionConditionFailedError`` carrying the item when DynamoDB
    returned it (as a model instance), or the operation's own
    ``condition_error``."""
    reasons = [dict(reason) for reason in response.get("CancellationReasons") or ()]
    message = str(response.get("Error", {}).get("Message", "")).strip()
    codes = ", ".join(str(reason.get("Code") or "None") for reason in reasons) or "none given"
    index = _pick(reasons)
    if index is None or index >= len(ops):
        return TransactionError(
            f"{what}: cancelled by DynamoDB (reasons: {codes}): {message}",
            cancellation_reasons=reasons,
        )
    op, reason = ops[index], reasons[index]
    code = str(reason.get("Code"))
    detail = f": {reason['Message']}" if reason.get("Message") else ""
    text = (
        f"{what}: cancelled because operation {index} ({op.name}) failed with {code}{detail} "
        f"(reasons in call order: {codes})"
    )
    kwargs: dict[str, Any] = {
        "operation_index": index,
        "operation": op.kind,
        "model": op.model.__name__,
        "reason": code,
        "cancellation_reasons": reasons,
        "item": _model_item(op.model, reason.get("Item")),
    }
    if code == _CONDITION_FAILED and op.condition_error is not None:
        return op.condition_error()
    if code == _CONDITION_FAILED:
        return TransactionConditionFailedError(text, **kwargs)
    return TransactionError(text, **kwargs)
