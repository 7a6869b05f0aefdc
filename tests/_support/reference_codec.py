"""``ReferenceCodec``: the item codec in plain Python — readable, slow, and the
oracle the Rust ``ItemSchema`` (``dynamorm.model.codec.ItemCodec``) is
differential-tested against (``tests/unit/model/test_codec.py``). Same interface:
``to_item(obj)``, ``from_item(item)``, ``encode_field(field_info, value)``
and ``meta``. Test code only: it is not shipped."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json as _json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dynamorm import marshal
from dynamorm.errors import ValidationError
from dynamorm.model.codec import (
    _index_keys,
    format_timestamp,
    needs_tree,
    parse_timestamp,
)
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta

from tests._support import reference_tree

__all__ = ["ReferenceCodec"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICROSECOND = _dt.timedelta(microseconds=1)


def _epoch_seconds(value: _dt.datetime) -> int:
    """Whole seconds since the epoch, rounded down; naive means UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return (value - _EPOCH) // _MICROSECOND // 1_000_000


def _is_empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value == 0


def _json_text(value: Any) -> str:
    return _json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ReferenceCodec:
    """Encodes and decodes the items of one model, in plain Python: the
    readable statement of the rules, and the oracle for ``ItemCodec``."""

    def __init__(self, meta: ModelMeta) -> None:
        self.meta = meta
        self._index_keys = _index_keys(meta)

    # -- writing -----------------------------------------------------------

    def to_item(self, obj: Any) -> dict[str, dict[str, Any]]:
        """The item for ``obj``, as it would be written."""
        values = obj.__dict__
        item: dict[str, dict[str, Any]] = {}
        for f in self.meta.fields:
            av = self.encode_field(f, values.get(f.name))
            if av is not None:
                item[f.attr] = av
        if self.meta.entity is not None:
            # An entity model's items carry its type (SPEC §17).
            item[self.meta.entity_attr] = {"S": self.meta.entity}
        return item

    def encode_field(self, f: FieldInfo, value: Any) -> dict[str, Any] | None:
        """One field's attribute value; ``None`` when it is left out."""
        if f.omit_empty and _is_empty(value):
            return None
        if value is None:
            if f.roles & {"pk", "sk"}:
                raise self._error(f, "is a key attribute and has no value")
            # Index keys and library-owned fields are left out rather than
            # written as NULL: DynamoDB rejects a NULL index key.
            if f.name in self._index_keys or f.roles:
                return None
            return {"NULL": True}
        try:
            return self._encode(f, value)
        except (ValidationError, OverflowError) as exc:
            raise self._error(f, str(exc)) from None

    def _encode(self, f: FieldInfo, value: Any) -> dict[str, Any]:
        kind = f.info.kind
        if needs_tree(f.info) and not f.json:
            return reference_tree.encode(f.info, value)
        if f.json:
            try:
                return {"S": _json_text(value)}
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"cannot be stored as JSON: {exc}") from None
        if "ttl" in f.roles:
            if isinstance(value, _dt.datetime):
                return {"N": str(_epoch_seconds(value))}
            self._check(f, value, int)
            return {"N": str(int(value))}
        if kind == "datetime":
            self._check(f, value, _dt.datetime)
            return {"S": format_timestamp(value)}
        if f.binary:
            if isinstance(value, str):
                return {"B": value.encode()}
            self._check(f, value, bytes | bytearray | memoryview)
            return {"B": bytes(value)}
        if kind == "set":
            if not value:
                return {"NULL": True}
            self._check(f, value, set | frozenset)
            element = f.info.element
            assert element is not None
            wanted = _KIND_TYPES[element]
            if any(not isinstance(v, wanted) or isinstance(v, bool) for v in value):
                raise ValidationError(f"expected {f.info.describe()}, got {value!r}")
            return marshal.serialize(value)
        if kind == "dataclass":
            return marshal.serialize(self._dataclass_dict(value))
        if kind in ("str", "int", "float", "decimal", "bool", "bytes"):
            self._check(f, value, _KIND_TYPES[kind])
        return marshal.serialize(value)

    def _dataclass_dict(self, value: Any) -> dict[str, Any]:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            raise ValidationError(f"expected a dataclass instance, got {type(value).__name__}")
        return {
            k: self._dataclass_dict(v) if dataclasses.is_dataclass(v) else v
            for k, v in ((fl.name, getattr(value, fl.name)) for fl in dataclasses.fields(value))
            if v is not None
        }

    @staticmethod
    def _check(f: FieldInfo, value: Any, types: Any) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and f.info.kind != "bool"):
            raise ValidationError(f"expected {f.type!r}, got {type(value).__name__} {value!r}")

    def _error(self, f: FieldInfo, message: str) -> ValidationError:
        return ValidationError(f"{self.meta.name}.{f.name}: {message}")

    # -- reading -----------------------------------------------------------

    def from_item(self, item: Mapping[str, Mapping[str, Any]]) -> Any:
        """An instance of the model built from a stored item."""
        values: dict[str, Any] = {}
        for f in self.meta.fields:
            av = item.get(f.attr)
            if av is None:
                values[f.name] = f.make_default()
                continue
            if "NULL" in av:
                # A set field that does not allow None stored its empty set as NULL.
                empty_set = f.info.kind == "set" and not f.info.optional and not f.json
                values[f.name] = (frozenset() if f.info.frozen else set()) if empty_set else None
                continue
            try:
                values[f.name] = self._decode(f, av)
            except (ValidationError, ValueError, TypeError, KeyError, ArithmeticError) as exc:
                raise self._error(f, f"cannot read {dict(av)!r}: {exc}") from None
        obj: Any = object.__new__(self.meta.cls)
        obj.__dict__.update(values)
        return obj

    def _decode(self, f: FieldInfo, av: Mapping[str, Any]) -> Any:
        kind = f.info.kind
        if needs_tree(f.info) and not f.json:
            return reference_tree.decode(f.info, av)
        if f.json:
            return _json.loads(av["S"])
        if "ttl" in f.roles:
            number = marshal.deserialize(av)
            if isinstance(number, bool) or not isinstance(number, int | Decimal):
                raise ValidationError(f"expected epoch seconds, got {number!r}")
            seconds = int(number)
            if kind == "datetime":
                return _EPOCH + _dt.timedelta(seconds=seconds)
            return seconds
        if kind == "datetime":
            return parse_timestamp(av["S"])
        if f.binary and kind == "str":
            return bytes(av["B"]).decode()
        value = marshal.deserialize(av)
        if kind == "float":
            return float(value)
        if kind == "decimal":
            return Decimal(av["N"])
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"expected an integer, got {value!r}")
            return value
        if kind == "set":
            return self._set(f, av, value)
        if kind == "dataclass":
            cls = f.info.dataclass_type
            assert cls is not None
            if not isinstance(value, dict):
                raise ValidationError(f"expected a map for a dataclass, got {value!r}")
            return cls(**value)
        return value

    @staticmethod
    def _set(f: FieldInfo, av: Mapping[str, Any], value: Any) -> set[Any]:
        """A stored set as the field's set; other clients may store a list
        (``L``) instead, which must hold each value once."""
        element = f.info.element
        assert element is not None
        set_tag, type_name = _SET_ELEMENTS[element]
        (tag,) = av
        if tag == set_tag:
            if element in ("str", "bytes"):
                return value  # type: ignore[no-any-return]
            if element == "decimal":
                return {Decimal(text) for text in av["NS"]}  # exactly as stored
            return {_set_number(element, v) for v in value}
        if tag != "L":
            raise ValidationError(f"expected {set_tag} (or a list of {type_name}), got {tag}")
        out: set[Any] = set()
        for index, v in enumerate(value):
            try:
                converted = _list_element(element, v)
            except ValidationError as exc:
                raise ValidationError(f"list element [{index}]: {exc}") from None
            if converted in out:
                raise ValidationError(
                    f"list element [{index}] repeats {converted!r}; a set holds each value once"
                )
            out.add(converted)
        return out


_SET_ELEMENTS = {
    "str": ("SS", "str"),
    "int": ("NS", "int"),
    "float": ("NS", "float"),
    "decimal": ("NS", "Decimal"),
    "bytes": ("BS", "bytes"),
}
"""For each set element kind: the DynamoDB set that holds it, and its type's name."""


def _list_element(element: str, value: Any) -> Any:
    """One element of a list stored for a set field, as a set element."""
    if element == "str":
        fits = type(value) is str
    elif element == "bytes":
        fits = type(value) is bytes
    else:
        fits = isinstance(value, int | Decimal) and not isinstance(value, bool)
    if not fits:
        type_name = _SET_ELEMENTS[element][1]
        raise ValidationError(f"expected {type_name}, got {type(value).__name__} {value!r}")
    return value if element in ("str", "bytes") else _set_number(element, value)


def _set_number(element: str, value: int | Decimal) -> Any:
    """An unmarshaled number as a set element of kind ``element``."""
    if element == "float":
        return float(value)
    if element == "decimal":
        return Decimal(value)
    if type(value) is not int:
        raise ValidationError(f"expected an integer, got {value!r}")
    return value


_KIND_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float | int,
    "decimal": Decimal | int,
    "bool": bool,
    "bytes": bytes | bytearray | memoryview,
}
