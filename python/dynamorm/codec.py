"""Model instances ⇄ DynamoDB items, following SPEC §2's encoding rules.

This is the reference implementation in Python: readable, and the oracle the
Rust item codec is tested against. ``ItemCodec.to_item`` writes an instance as
it would be stored; ``from_item`` reads a stored item back into an instance.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json as _json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dynamorm import marshal
from dynamorm.errors import ValidationError
from dynamorm.fields import FieldInfo
from dynamorm.meta import ModelMeta

__all__ = ["ItemCodec", "format_timestamp", "parse_timestamp"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def format_timestamp(value: _dt.datetime) -> str:
    """RFC 3339 in UTC with nanoseconds, fixed width (so strings sort by time):
    ``2024-05-01T12:00:00.123456000Z``. Naive datetimes are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    value = value.astimezone(_dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}000Z"


def parse_timestamp(text: str) -> _dt.datetime:
    """Reads RFC 3339 with any number of fraction digits (nanoseconds are
    truncated to microseconds); returns an aware UTC datetime."""
    try:
        head, frac, zone = _split_rfc3339(text)
        base = _dt.datetime.fromisoformat(head + zone)
    except ValueError:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}") from None
    micro = int((frac + "000000")[:6]) if frac else 0
    return base.replace(microsecond=micro).astimezone(_dt.UTC)


def _split_rfc3339(text: str) -> tuple[str, str, str]:
    if len(text) < 20 or text[10] not in "Tt ":
        raise ValueError(text)
    head = text[:19]
    rest = text[19:]
    frac = ""
    if rest.startswith("."):
        end = 1
        while end < len(rest) and rest[end].isdigit():
            end += 1
        frac = rest[1:end]
        if not frac:
            raise ValueError(text)
        rest = rest[end:]
    if rest in ("Z", "z"):
        rest = "+00:00"
    if not rest:
        raise ValueError(text)
    return head, frac, rest


def _is_empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value == 0


def _json_text(value: Any) -> str:
    return _json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ItemCodec:
    """Encodes and decodes the items of one model."""

    def __init__(self, meta: ModelMeta) -> None:
        self.meta = meta
        index_keys: set[str] = set()
        for index in meta.indexes.values():
            index_keys.add(index.pk.name)
            if index.sk is not None:
                index_keys.add(index.sk.name)
        self._index_keys = frozenset(index_keys)

    # -- writing -----------------------------------------------------------

    def to_item(self, obj: Any) -> dict[str, dict[str, Any]]:
        """The item for ``obj``, as it would be written."""
        values = obj.__dict__
        item: dict[str, dict[str, Any]] = {}
        for f in self.meta.fields:
            av = self.encode_field(f, values.get(f.name))
            if av is not None:
                item[f.attr] = av
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
        except ValidationError as exc:
            raise self._error(f, str(exc)) from None

    def _encode(self, f: FieldInfo, value: Any) -> dict[str, Any]:
        kind = f.info.kind
        if f.json:
            try:
                return {"S": _json_text(value)}
            except (TypeError, ValueError) as exc:
                raise ValidationError(f"cannot be stored as JSON: {exc}") from None
        if "ttl" in f.roles:
            if isinstance(value, _dt.datetime):
                if value.tzinfo is None:
                    value = value.replace(tzinfo=_dt.UTC)
                return {"N": str(int((value - _EPOCH).total_seconds()))}
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
            if av is None or "NULL" in av:
                values[f.name] = f.make_default() if av is None else None
                continue
            try:
                values[f.name] = self._decode(f, av)
            except (ValidationError, ValueError, TypeError) as exc:
                raise self._error(f, f"cannot read {dict(av)!r}: {exc}") from None
        obj: Any = object.__new__(self.meta.cls)
        obj.__dict__.update(values)
        return obj

    def _decode(self, f: FieldInfo, av: Mapping[str, Any]) -> Any:
        kind = f.info.kind
        if f.json:
            return _json.loads(av["S"])
        if "ttl" in f.roles:
            seconds = int(Decimal(av["N"]))
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
            if not isinstance(value, int):
                raise ValidationError(f"expected an integer, got {av['N']!r}")
            return value
        if kind == "set":
            return self._set(f, value)
        if kind == "dataclass":
            cls = f.info.dataclass_type
            assert cls is not None
            return cls(**value)
        return value

    @staticmethod
    def _set(f: FieldInfo, value: set[Any]) -> set[Any]:
        element = f.info.element
        if element == "float":
            return {float(v) for v in value}
        if element == "decimal":
            return {Decimal(v) for v in value}
        return value


_KIND_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float | int,
    "decimal": Decimal | int,
    "bool": bool,
    "bytes": bytes | bytearray | memoryview,
}
