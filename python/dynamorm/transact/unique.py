"""The sentinel writes of unique fields (``dynamorm.unique``) as
transaction operations: a put for each value an item takes, a delete for
each value it gives up, each only where the sentinel is absent or belongs
to that item. A sentinel put whose value another item holds fails as a
``UniqueConstraintError``. Used by transactions (``transact.write``) and by
the write plans of a query (``query.unique``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamorm import _core
from dynamorm.errors import UniqueConstraintError
from dynamorm.expr import Clause, Or
from dynamorm.model.codec import codec_of
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta
from dynamorm.requests import delete_params, put_params
from dynamorm.transact.checks import Operation
from dynamorm.unique import OWNER_ATTR, Values, same_values, sentinel_key

__all__ = ["sentinel_operations", "transaction_body", "unique_error"]


def unique_error(meta: ModelMeta, f: FieldInfo, value: Any) -> UniqueConstraintError:
    """The error of a sentinel put whose value another item holds."""
    return UniqueConstraintError(
        f"{meta.name}.{f.name}: the value {value!r} is already held by another {meta.name} "
        "(unique field); nothing was written",
        model=meta.name,
        field=f.name,
        value=value,
    )


def _owned(meta: ModelMeta, owner: Mapping[str, Any]) -> Clause:
    return Or(([meta.pk.attr], "NOT_EXISTS"), ([OWNER_ATTR], "=", _core.Encoded({"M": owner})))


def transaction_body(params: dict[str, Any]) -> dict[str, Any]:
    """A single-item request as the body of a transaction operation: the
    request-level ``ReturnValues`` left out."""
    params.pop("ReturnValues", None)
    return params


def _put(meta: ModelMeta, f: FieldInfo, av: dict[str, Any], owner: dict[str, Any]) -> Operation:
    key = sentinel_key(meta, f, av)
    item = {**key, OWNER_ATTR: {"M": owner}}
    body = transaction_body(put_params(meta, item, [_owned(meta, owner)]))
    value = codec_of(meta).schema.decode_field(f.name, av)
    return Operation(
        "Put", meta.cls, body, key, condition_error=lambda: unique_error(meta, f, value)
    )


def _delete(meta: ModelMeta, f: FieldInfo, av: dict[str, Any], owner: dict[str, Any]) -> Operation:
    key = sentinel_key(meta, f, av)
    body = transaction_body(delete_params(meta, key, [_owned(meta, owner)]))
    return Operation("Delete", meta.cls, body, key)


def sentinel_operations(
    meta: ModelMeta, olds: Values | None, news: Values, owner: dict[str, Any]
) -> list[Operation]:
    """The sentinel writes of an item (key ``owner``) going from ``olds`` to
    ``news``: a delete for each value given up, a put for each value taken
    (every value of ``news`` when ``olds`` is ``None``: the item may be new).
    A sentinel is written only where it is absent or belongs to ``owner``."""
    ops: list[Operation] = []
    for name, new in news.items():
        f = meta.by_name[name]
        old = None if olds is None else olds.get(name)
        if olds is not None and same_values({name: old}, {name: new}):
            continue
        if old is not None:
            ops.append(_delete(meta, f, old, owner))
        if new is not None:
            ops.append(_put(meta, f, new, owner))
    return ops
