"""What a model field's annotation means for storage.

``analyze(annotation)`` reduces a type annotation to a ``TypeInfo``: the kind
of value (one of ``KINDS``), whether ``None`` is allowed, the element kind of a
set, and the class of a nested dataclass. Unsupported annotations raise
``TypeError`` with a short reason; the model turns it into an
``InvalidModelError`` naming the class and field.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import types
import typing
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "SET_ELEMENT_KINDS", "TypeInfo", "analyze"]

KINDS = (
    "str",
    "int",
    "float",
    "decimal",
    "bool",
    "bytes",
    "datetime",
    "set",
    "list",
    "dict",
    "dataclass",
    "any",
)
"""Every kind of field value the models support."""

SET_ELEMENT_KINDS = ("str", "int", "float", "decimal", "bytes")

_SCALARS: dict[Any, str] = {
    str: "str",
    int: "int",
    float: "float",
    decimal.Decimal: "decimal",
    bool: "bool",
    bytes: "bytes",
    _dt.datetime: "datetime",
}


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """The storage meaning of one annotation."""

    kind: str
    optional: bool = False
    element: str | None = None
    """For ``set`` fields: the element kind (``str``, ``int``, ``float``,
    ``decimal`` or ``bytes``)."""
    dataclass_type: type | None = None
    """For ``dataclass`` fields: the nested dataclass."""


def analyze(annotation: Any) -> TypeInfo:
    """The ``TypeInfo`` of ``annotation``; ``TypeError`` when unsupported."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) != len(typing.get_args(annotation)) - 1 or len(members) != 1:
            raise TypeError(f"unions other than `X | None` are not supported: {annotation!r}")
        optional = True
        annotation = members[0]
        origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return analyze(typing.get_args(annotation)[0])
    if annotation is Any or annotation is object:
        return TypeInfo("any", optional=True)
    if annotation in _SCALARS:
        return TypeInfo(_SCALARS[annotation], optional)
    if origin in (set, frozenset) or annotation in (set, frozenset):
        args = typing.get_args(annotation)
        if len(args) != 1:
            raise TypeError("a set field needs its element type, e.g. set[str]")
        element = _SCALARS.get(args[0])
        if element not in SET_ELEMENT_KINDS:
            raise TypeError(
                f"set elements must be str, int, float, Decimal or bytes, not {args[0]!r}"
            )
        return TypeInfo("set", optional, element=element)
    if annotation in (list, tuple) or origin in (list, tuple):
        return TypeInfo("list", optional)
    if annotation is dict or origin is dict or _is_typeddict(annotation):
        return TypeInfo("dict", optional)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return TypeInfo("dataclass", optional, dataclass_type=annotation)
    raise TypeError(f"unsupported field type {annotation!r}")


def _is_typeddict(annotation: Any) -> bool:
    return isinstance(annotation, type) and typing.is_typeddict(annotation)
