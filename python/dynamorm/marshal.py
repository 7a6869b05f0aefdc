"""Python values ⇄ DynamoDB JSON, in Rust.

Drop-in, faster replacements for boto3's ``TypeSerializer`` and
``TypeDeserializer`` with the same wire format, usable with a raw boto3
client:

    client.put_item(TableName="t", Item=serialize_item({"pk": "a", "n": 1}))
    deserialize_item(client.get_item(TableName="t", Key=...)["Item"])

Serializing: ``str`` → S, ``bool`` → BOOL, ``int``/``Decimal``/``float`` → N
(exactly, floats with their shortest round-trip text), bytes-like and boto3
``Binary`` → B, ``None`` → NULL, ``list``/``tuple`` → L, mappings with ``str``
keys → M, ``set``/``frozenset`` → SS/NS/BS (a number set's elements of one
value, such as ``0.1`` and ``Decimal("0.1")``, are written once: DynamoDB
refuses repeats). Reading back: integral numbers
come back as ``int``, other numbers as ``Decimal``, binary as ``bytes``, sets
as ``set``. Anything DynamoDB cannot store (NaN, more than 38 significant
digits, numbers out of range, empty or mixed sets, other types) raises
``dynamorm.errors.ValidationError`` naming the path of the value at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamorm import _core

__all__ = [
    "AttributeValue",
    "Deserializer",
    "Serializer",
    "deserialize",
    "deserialize_item",
    "serialize",
    "serialize_item",
]

AttributeValue = dict[str, Any]
"""One value in DynamoDB JSON, such as ``{"S": "text"}`` or ``{"N": "1"}``."""


def serialize(value: object) -> AttributeValue:
    """Returns ``value`` in DynamoDB JSON (``{"S": "x"}``, ``{"N": "1"}``, ...).

    Raises ``ValidationError`` when the value cannot be stored in DynamoDB.
    """
    return _core.serialize(value)


def deserialize(av: Mapping[str, Any]) -> Any:
    """Returns the Python value of one DynamoDB-JSON value.

    Raises ``ValidationError`` when ``av`` is not a one-key dict with a known
    type tag and a payload of the right type.
    """
    return _core.deserialize(av)


def serialize_item(item: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """Returns a DynamoDB item (``{name: DynamoDB JSON}``) for a mapping of
    attribute names to values."""
    return _core.serialize_item(item)


def deserialize_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Returns ``{name: value}`` for a DynamoDB item as boto3's client returns it."""
    return _core.deserialize_item(item)


class Serializer:
    """Drop-in for ``boto3.dynamodb.types.TypeSerializer``."""

    __slots__ = ()

    def serialize(self, value: object) -> AttributeValue:
        """Returns ``value`` in DynamoDB JSON; see :func:`serialize`."""
        return _core.serialize(value)


class Deserializer:
    """Drop-in for ``boto3.dynamodb.types.TypeDeserializer`` (integers come
    back as ``int``, binary as ``bytes``)."""

    __slots__ = ()

    def deserialize(self, value: Mapping[str, Any]) -> Any:
        """Returns the Python value of one DynamoDB-JSON value; see :func:`deserialize`."""
        return _core.deserialize(value)
