"""DynamoDB's limits on one item, checked before a write is sent.

DynamoDB refuses a whole ``BatchWriteItem`` when one of its items is over
400 KB or has an empty or over-long key value — after the chunks before it
were applied. ``item_fault`` / ``key_fault`` say what is wrong with one item
or key, so a batch can refuse it, naming it, before anything is written.

``item_size`` sizes an item (boto3 client DynamoDB JSON) by DynamoDB's rules:
each attribute counts its name's UTF-8 bytes plus its value — strings their
UTF-8 bytes, binaries their bytes, numbers about one byte per two significant
digits plus one (at most 21), booleans and nulls 1, sets the sum of their
elements, lists and maps 3 bytes plus 1 per element plus the elements (and a
map its keys). The number rule is DynamoDB's documented approximation,
without the byte or two a number's sign and digit alignment may add: it errs
low, so an item refused here is one DynamoDB refuses too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamorm.errors import ValidationError
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES",
    "item_fault",
    "item_size",
    "key_fault",
    "value_size",
]

MAX_ITEM_BYTES = 400 * 1024
"""The most bytes one item may take (409,600)."""
MAX_PARTITION_KEY_BYTES = 2048
"""The most bytes a partition key value may take."""
MAX_SORT_KEY_BYTES = 1024
"""The most bytes a sort key value may take."""

_MAX_NUMBER_BYTES = 21


def _number_size(text: str) -> int:
    # Only significant digits count: sign, point, exponent and the zeros
    # before the first and after the last other digit are not stored.
    if text.isdigit():
        digits = len(text.lstrip("0").rstrip("0"))
    else:
        mantissa = text.partition("E")[0].partition("e")[0]
        digits = len(mantissa.lstrip("-+").replace(".", "").strip("0"))
    return min((digits + 1) // 2 + 1, _MAX_NUMBER_BYTES)


def _binary_size(value: Any) -> int:
    if isinstance(value, str):  # base64 text, as in wire-form DynamoDB JSON
        return len(value) * 3 // 4 - value[-2:].count("=")
    return len(value)


def _text_size(text: str) -> int:
    # isascii() is a fast scan; encode() would copy the whole string.
    return len(text) if text.isascii() else len(text.encode())


def value_size(value: Mapping[str, Any]) -> int:
    """The bytes one attribute value (``{"S": "x"}``, ...) counts toward
    its item's size, by DynamoDB's rules (see the module docstring)."""
    ((tag, inner),) = value.items()
    if tag == "S":
        return _text_size(inner)
    if tag == "N":
        return _number_size(inner)
    if tag == "B":
        return _binary_size(inner)
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "SS":
        return sum(_text_size(s) for s in inner)
    if tag == "NS":
        return sum(_number_size(n) for n in inner)
    if tag == "BS":
        return sum(_binary_size(b) for b in inner)
    if tag == "L":
        return 3 + len(inner) + sum(value_size(element) for element in inner)
    if tag == "M":
        return 3 + len(inner) + item_size(inner)
    raise ValidationError(f"not a DynamoDB attribute value: {value!r}")


def item_size(attributes: Mapping[str, Any] | None) -> int:
    """The bytes an item (or key, or map) counts toward DynamoDB's 400 KB
    limit: the sum over its attributes of name and value sizes."""
    if not attributes:
        return 0
    size = 0
    # A batch sizes every item it writes: strings and numbers, most of any
    # item, are sized here without a call or a loop over the value's one tag.
    for name, value in attributes.items():
        size += len(name) if name.isascii() else len(name.encode())
        text = value.get("S")
        if text is not None:
            size += len(text) if text.isascii() else len(text.encode())
            continue
        number = value.get("N")
        size += _number_size(number) if number is not None else value_size(value)
    return size


def _key_value_fits(value: Mapping[str, Any] | None, limit: int) -> bool:
    # The common answer, cheaply: a UTF-8 character takes at most 4 bytes, so
    # a short string needs no encoding to be known to fit.
    if value is None:
        return False
    text = value.get("S")
    if text is not None:
        return len(text) > 0 and (len(text) * 4 <= limit or len(text.encode()) <= limit)
    data = value.get("B")
    if data is not None:
        return 0 < _binary_size(data) <= limit
    return True  # a number takes at most 21 bytes and is never empty


def _key_fault(f: FieldInfo, role: str, limit: int, value: Mapping[str, Any] | None) -> str | None:
    label = repr(f.name) if f.name == f.attr else f"{f.name!r} (attribute {f.attr!r})"
    if value is None:
        return f"the {role} {label} is missing"
    ((tag, inner),) = value.items()
    size = _text_size(inner) if tag == "S" else _binary_size(inner)
    if size == 0:
        return f"the {role} {label} is empty; DynamoDB refuses an empty string or binary key value"
    return (
        f"the {role} {label} is {size:,} bytes, over DynamoDB's limit of {limit:,} bytes "
        f"for a {role} value"
    )


def key_fault(meta: ModelMeta, key: Mapping[str, Any]) -> str | None:
    """What DynamoDB would refuse in the key attributes of ``key`` (an item
    or a key) — one missing, empty or too long — or ``None``."""
    pk, sk = meta.pk, meta.sk
    pk_value = key.get(pk.attr)
    if not _key_value_fits(pk_value, MAX_PARTITION_KEY_BYTES):
        return _key_fault(pk, "partition key", MAX_PARTITION_KEY_BYTES, pk_value)
    if sk is not None:
        sk_value = key.get(sk.attr)
        if not _key_value_fits(sk_value, MAX_SORT_KEY_BYTES):
            return _key_fault(sk, "sort key", MAX_SORT_KEY_BYTES, sk_value)
    return None


def item_fault(meta: ModelMeta, item: Mapping[str, Any]) -> str | None:
    """Why DynamoDB would refuse to store ``item`` — a key attribute
    missing, empty or too long, or the item over 400 KB — or ``None``. The
    caller names the item and raises."""
    fault = key_fault(meta, item)
    if fault is not None:
        return fault
    size = item_size(item)
    if size <= MAX_ITEM_BYTES:
        return None
    key = {attr: item[attr] for attr in meta.key_attrs}
    return (
        f"the item (key {key}) is {size:,} bytes, over DynamoDB's limit of "
        f"{MAX_ITEM_BYTES:,} bytes (400 KB) for one item"
    )
