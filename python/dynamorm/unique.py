"""Unique fields (SPEC §17): the sentinel items that keep the values of
``field(unique=True)`` unique — their keys, and the conditions that keep
them in step with their item. No I/O: ``transact.unique`` builds the
sentinel writes, the write plans (``query.unique``) and transactions
(``transact.write``) send them.

Every value a unique field holds has one sentinel item in the model's own
table. Its partition key — and its sort key when the table has one: the
same text, or ``0`` for a numeric sort key — is
``_unique#<Model>#<attribute>#<value>``: the model's class name, the
field's stored attribute name and the value as stored (a number in
canonical form, so ``1`` and ``1.0`` are one value; binary in base64). Its
``_unique_of`` attribute is the key of the item holding the value. A
sentinel is put only if it does not exist or belongs to that same item, so
a second item cannot take the value: its transaction is cancelled, which
``UniqueConstraintError`` reports.

A write that changes which values an item holds goes out as one
``TransactWriteItems``: the item's own write, conditioned on the values the
write assumes are stored (``stored_conditions``), the deletes of the
sentinels of the values it gives up and the puts of those it takes
(``sentinel_operations``). ``None`` or no value holds no sentinel.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeAlias

from dynamorm import _core
from dynamorm.errors import ValidationError
from dynamorm.expr import And, Clause, Not, Or, UpdateAction
from dynamorm.item_limits import key_fault
from dynamorm.model.codec import codec_of
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta, key_tag

__all__ = [
    "OWNER_ATTR",
    "SENTINEL_PREFIX",
    "Values",
    "check_item_key",
    "instance_values",
    "same_values",
    "sentinel_filter",
    "sentinel_key",
    "stored_conditions",
    "stored_values",
    "updated_unique",
    "value_text",
    "values_of",
]

SENTINEL_PREFIX = "_unique#"
"""How the key of every sentinel item starts."""

OWNER_ATTR = "_unique_of"
"""The attribute of a sentinel item holding the key of the item it belongs to."""

Values: TypeAlias = dict[str, dict[str, Any] | None]
"""Unique field name → the attribute value it stores (``None``: no value)."""


def _held(av: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An attribute value as a unique field holds it: ``None`` for none
    (absent, or ``NULL``, which an optional field stores for ``None``)."""
    if av is None or "NULL" in av:
        return None
    return dict(av)


def stored_values(meta: ModelMeta, item: Mapping[str, Any] | None, names: Iterable[str]) -> Values:
    """The values the fields ``names`` hold in ``item`` (DynamoDB JSON;
    ``None``: no item)."""
    if item is None:
        return dict.fromkeys(names)
    return {name: _held(item.get(meta.by_name[name].attr)) for name in names}


def instance_values(meta: ModelMeta, obj: Any, names: Iterable[str]) -> Values:
    """The values the fields ``names`` of the instance ``obj`` would store."""
    codec = codec_of(meta)
    return {
        name: _held(codec.encode_field(meta.by_name[name], obj.__dict__.get(name)))
        for name in names
    }


def values_of(meta: ModelMeta, found: Any, names: Iterable[str]) -> Values:
    """The values of ``names`` in what a failed condition returned: a model
    instance, the raw item (when it no longer fits the model) or ``None``."""
    if found is None or isinstance(found, Mapping):
        return stored_values(meta, found, names)
    return instance_values(meta, found, names)


def value_text(av: Mapping[str, Any]) -> str:
    """The text of a stored value in a sentinel's key: a string as it is, a
    number in canonical form (``1.0`` and ``1`` are one number, as DynamoDB
    compares them), binary in base64."""
    ((tag, inner),) = av.items()
    if tag == "S":
        return str(inner)
    if tag == "N":
        number = Decimal(inner)
        return "0" if number == 0 else format(number.normalize(), "f")
    return base64.b64encode(bytes(inner)).decode()


def same_values(a: Values, b: Values) -> bool:
    """Whether ``a`` and ``b`` hold the same value in every field of ``a``."""
    for name, av in a.items():
        other = b.get(name)
        if (av is None) != (other is None):
            return False
        if av is not None and other is not None and value_text(av) != value_text(other):
            return False
    return True


def _key_value(f: FieldInfo, text: str) -> dict[str, Any]:
    tag = "B" if f.binary else key_tag(f.info)
    if tag == "B":
        return {"B": text.encode()}
    if tag == "N":
        return {"N": "0"}
    return {"S": text}


def sentinel_key(meta: ModelMeta, f: FieldInfo, av: Mapping[str, Any]) -> dict[str, Any]:
    """The key of the sentinel item of the value ``av`` of field ``f``; a
    value too long for a key raises ``ValidationError``."""
    text = f"{SENTINEL_PREFIX}{meta.name}#{f.attr}#{value_text(av)}"
    key = {meta.pk.attr: _key_value(meta.pk, text)}
    if meta.sk is not None:
        key[meta.sk.attr] = _key_value(meta.sk, text)
    fault = key_fault(meta, key)
    if fault is not None:
        raise ValidationError(
            f"{meta.name}.{f.name}: the value is too long to be kept unique: its sentinel "
            f"item's key would be refused ({fault})"
        )
    return key


def check_item_key(meta: ModelMeta, item: Mapping[str, Any], operation: str) -> None:
    """Refuses (``ValidationError``) a write of a model with unique fields
    to a partition key that starts like a sentinel's: it would change a
    sentinel, or store an item its model's scans leave out."""
    av = item.get(meta.pk.attr) or {}
    text = av.get("S")
    if text is None and "B" in av:
        text = bytes(av["B"]).decode(errors="replace")
    if text is not None and text.startswith(SENTINEL_PREFIX):
        raise ValidationError(
            f"{meta.name}.{operation}(): the partition key {text[:60]!r} starts with "
            f"{SENTINEL_PREFIX!r}, which marks the sentinel items of unique fields"
        )


def sentinel_filter(meta: ModelMeta) -> Clause:
    """The filter that leaves sentinel items out of a scan of ``meta``'s table."""
    prefix: dict[str, Any] = _key_value(meta.pk, SENTINEL_PREFIX)
    return Not(([meta.pk.attr], "BEGINS_WITH", _core.Encoded(prefix)))


def _no_value(f: FieldInfo) -> Clause:
    return Or(([f.attr], "NOT_EXISTS"), ([f.attr], "ATTRIBUTE_TYPE", "NULL"))


def _holds(meta: ModelMeta, values: Values) -> list[Clause]:
    clauses: list[Clause] = []
    for name, av in values.items():
        f = meta.by_name[name]
        clauses.append(_no_value(f) if av is None else ([f.attr], "=", _core.Encoded(av)))
    return clauses


def stored_conditions(meta: ModelMeta, olds: Values | None, news: Values) -> list[Clause]:
    """The conditions of the item's own write. ``olds``: the values it
    assumes are stored (each field must still hold its value); ``None``:
    the item may be absent, or hold the values ``news`` already (a put)."""
    if not news and not olds:
        return []
    if olds is not None:
        return _holds(meta, olds)
    return [Or(([meta.pk.attr], "NOT_EXISTS"), And(*_holds(meta, news)))]


def updated_unique(meta: ModelMeta, actions: Sequence[UpdateAction]) -> list[str]:
    """The unique fields an update's ``actions`` write."""
    written = {str(action[1][0]) for action in actions if len(action[1]) == 1}
    return [f.name for f in meta.unique_fields if f.attr in written]
