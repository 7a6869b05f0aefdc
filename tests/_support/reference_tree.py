"""The type-tree rules of SPEC §2 ("Types, all the way down") in plain
Python: what the Rust schema's ``tree`` module does, written to be read.
``ReferenceCodec`` uses it for the fields the Rust schema reads and writes
by their type tree (``dynamorm.model.codec.needs_tree``)."""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dynamorm import marshal
from dynamorm.errors import ValidationError
from dynamorm.model.codec import format_timestamp, parse_timestamp, untyped
from dynamorm.model.types import TypeInfo, registered

__all__ = ["decode", "encode"]

_SCALAR_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float | int,
    "decimal": Decimal | int,
    "bool": bool,
    "bytes": bytes | bytearray | memoryview,
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _fail(message: str) -> ValidationError:
    return ValidationError(message)


def encode(t: TypeInfo, value: Any) -> dict[str, Any]:
    """The attribute value of ``value`` at node ``t``."""
    if value is None:
        if t.optional or t.kind == "any":
            return {"NULL": True}
        raise _fail(f"expected {t.describe()}, got None")
    kind = t.kind
    if kind in _SCALAR_TYPES:
        if not isinstance(value, _SCALAR_TYPES[kind]) or (
            isinstance(value, bool) and kind != "bool"
        ):
            raise _fail(f"expected {t.describe()}")
        return marshal.serialize(value)
    if untyped(t):
        return marshal.serialize(value)
    for group in (_encode_time, _encode_choice, _encode_sequence, _encode_mapping, _encode_custom):
        av = group(t, kind, value)
        if av is not None:
            return av
    raise AssertionError(f"no rule for {kind}")


def _encode_time(t: TypeInfo, kind: str, value: Any) -> dict[str, Any] | None:
    if kind == "datetime":
        if not isinstance(value, _dt.datetime):
            raise _fail("expected datetime")
        return {"S": format_timestamp(value)}
    if kind == "date":
        if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
            raise _fail("expected date")
        return {"S": f"{value.year:04d}-{value.month:02d}-{value.day:02d}"}
    if kind == "time":
        if not isinstance(value, _dt.time):
            raise _fail("expected time")
        return {"S": value.isoformat()}
    if kind == "timedelta":
        if not isinstance(value, _dt.timedelta):
            raise _fail("expected timedelta")
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        return {"N": _seconds_text(micros)}
    if kind == "uuid":
        if not isinstance(value, uuid.UUID):
            raise _fail("expected UUID")
        return {"S": str(value)}
    return None


def _encode_choice(t: TypeInfo, kind: str, value: Any) -> dict[str, Any] | None:
    if kind == "enum":
        if not isinstance(value, t.cls):
            raise _fail(f"expected {t.describe()}")
        raw = value.value
        return {"S": raw} if isinstance(raw, str) else {"N": str(raw)}
    if kind == "literal":
        for choice in t.choices:
            if type(choice) is type(value) and choice == value:
                return marshal.serialize(choice)
        raise _fail(f"expected {t.describe()}")
    return None


def _encode_sequence(t: TypeInfo, kind: str, value: Any) -> dict[str, Any] | None:
    if kind in ("list", "tuple"):
        if not isinstance(value, list | tuple):
            raise _fail(f"expected {t.describe()}")
        if kind == "tuple" and not t.variadic:
            if len(value) != len(t.args):
                raise _fail("wrong length")
            return {"L": [encode(a, v) for a, v in zip(t.args, value, strict=True)]}
        return {"L": [encode(t.args[0], v) for v in value]}
    if kind == "set":
        if not isinstance(value, set | frozenset):
            raise _fail(f"expected {t.describe()}")
        if not value:
            return {"NULL": True}
        avs = [encode(t.args[0], v) for v in value]
        ((tag, _),) = avs[0].items()
        return {tag + "S": [next(iter(av.values())) for av in avs]}
    return None


def _encode_mapping(t: TypeInfo, kind: str, value: Any) -> dict[str, Any] | None:
    if kind == "dict":
        if not isinstance(value, Mapping):
            raise _fail(f"expected {t.describe()}")
        if not all(isinstance(k, str) for k in value):
            raise _fail("map keys must be str")
        return {"M": {k: encode(t.args[0], v) for k, v in value.items()}}
    if kind == "typeddict":
        if not isinstance(value, Mapping):
            raise _fail(f"expected {t.describe()}")
        names = {name for name, _, _ in t.fields}
        if set(value) - names:
            raise _fail("unexpected key")
        out = {}
        for name, node, required in t.fields:
            if name in value:
                out[name] = encode(node, value[name])
            elif required:
                raise _fail(f"missing key {name!r}")
        return {"M": out}
    if kind == "dataclass":
        if not isinstance(value, t.cls):
            raise _fail(f"expected {t.describe()}")
        out = {}
        for name, node, _ in t.fields:
            member = getattr(value, name)
            if member is not None:
                out[name] = encode(node, member)
        return {"M": out}
    return None


def _encode_custom(t: TypeInfo, kind: str, value: Any) -> dict[str, Any] | None:
    if kind == "custom":
        if not isinstance(value, t.cls):
            raise _fail(f"expected {t.describe()}")
        found = registered(t.cls)
        assert found is not None
        try:
            stored = found.to_storage(value)
        except (TypeError, ValueError) as exc:
            raise _fail(f"to_storage failed: {exc}") from None
        return encode(t.args[0], stored)
    return None


def _seconds_text(micros: int) -> str:
    sign = "-" if micros < 0 else ""
    seconds, fraction = divmod(abs(micros), 1_000_000)
    if not fraction:
        return f"{sign}{seconds}"
    return f"{sign}{seconds}.{fraction:06d}".rstrip("0")


def decode(t: TypeInfo, av: Mapping[str, Any]) -> Any:
    """The value of node ``t`` stored as ``av``."""
    if not isinstance(av, Mapping) or len(av) != 1:
        raise _fail("malformed")
    ((tag, payload),) = av.items()
    if tag == "NULL":
        if t.optional or untyped(t):
            return None
        if t.kind == "set":
            return frozenset() if t.frozen else set()
        raise _fail(f"expected {t.describe()}")
    kind = t.kind
    if untyped(t):
        return marshal.deserialize(av)
    for group in (
        _decode_scalar,
        _decode_time,
        _decode_choice,
        _decode_sequence,
        _decode_mapping,
        _decode_custom,
    ):
        found, value = group(t, kind, av, tag, payload)
        if found:
            return value
    raise AssertionError(f"no rule for {kind}")


def _decode_scalar(
    t: TypeInfo, kind: str, av: Mapping[str, Any], tag: str, payload: Any
) -> tuple[bool, Any]:
    if kind == "str":
        _tag(tag, "S")
        if not isinstance(payload, str):
            raise _fail("expected str")
        return True, payload
    if kind in ("int", "float", "decimal"):
        _tag(tag, "N")
        number = marshal.deserialize(av)
        if kind == "float":
            return True, float(number)
        if kind == "decimal":
            return True, Decimal(payload)
        if not isinstance(number, int):
            raise _fail("expected an integer")
        return True, number
    if kind == "bool":
        _tag(tag, "BOOL")
        if not isinstance(payload, bool):
            raise _fail("expected bool")
        return True, payload
    if kind == "bytes":
        _tag(tag, "B")
        return True, marshal.deserialize(av)
    return False, None


def _decode_time(
    t: TypeInfo, kind: str, av: Mapping[str, Any], tag: str, payload: Any
) -> tuple[bool, Any]:
    if kind == "datetime":
        _tag(tag, "S")
        return True, parse_timestamp(payload)
    if kind == "date":
        _tag(tag, "S")
        if not isinstance(payload, str) or not _DATE.match(payload):
            raise _fail("not a date")
        try:
            return True, _dt.date.fromisoformat(payload)
        except ValueError as exc:
            raise _fail(str(exc)) from None
    if kind == "time":
        _tag(tag, "S")
        try:
            return True, _dt.time.fromisoformat(payload)
        except (TypeError, ValueError) as exc:
            raise _fail(str(exc)) from None
    if kind == "timedelta":
        _tag(tag, "N")
        marshal.deserialize(av)  # a well-formed number
        micros = Decimal(payload) * 1_000_000
        if micros != micros.to_integral_value():
            raise _fail("not a whole number of microseconds")
        try:
            return True, _dt.timedelta(microseconds=int(micros))
        except OverflowError as exc:
            raise _fail(str(exc)) from None
    if kind == "uuid":
        _tag(tag, "S")
        try:
            return True, uuid.UUID(payload)
        except (TypeError, ValueError) as exc:
            raise _fail(str(exc)) from None
    return False, None


def _decode_choice(
    t: TypeInfo, kind: str, av: Mapping[str, Any], tag: str, payload: Any
) -> tuple[bool, Any]:
    if kind == "enum":
        numeric = not isinstance(t.choices[0], str)
        _tag(tag, "N" if numeric else "S")
        raw = marshal.deserialize(av)
        for member in t.cls:
            if member.value == raw:
                return True, member
        raise _fail(f"{raw!r} is not a value of {t.cls.__name__}")
    if kind == "literal":
        value = marshal.deserialize(av)
        for choice in t.choices:
            if type(choice) is type(value) and choice == value:
                return True, value
        raise _fail(f"{value!r} is not one of {t.describe()}")
    return False, None


def _decode_sequence(
    t: TypeInfo, kind: str, av: Mapping[str, Any], tag: str, payload: Any
) -> tuple[bool, Any]:
    if kind in ("list", "tuple"):
        _tag(tag, "L")
        if kind == "tuple" and not t.variadic:
            if len(payload) != len(t.args):
                raise _fail("wrong length")
            return True, tuple(decode(a, v) for a, v in zip(t.args, payload, strict=True))
        items = [decode(t.args[0], v) for v in payload]
        return True, tuple(items) if kind == "tuple" else items
    if kind == "set":
        element = t.args[0]
        plain = element.kind in ("str", "int", "float", "decimal", "bytes")
        if tag == "L":
            out: set[Any] = set()
            for v in payload:
                got = (
                    _plain_set_element(element, marshal.deserialize(v))
                    if plain
                    else decode(element, v)
                )
                if got in out:
                    raise _fail("repeats a value")
                out.add(got)
        elif tag in ("SS", "NS", "BS"):
            if plain:
                want = {"S": "SS", "N": "NS", "B": "BS"}[element.tag or ""]
                _tag(tag, want)
                if element.kind == "decimal":
                    out = {Decimal(text) for text in payload}
                else:
                    out = {_plain_set_element(element, v) for v in marshal.deserialize(av)}
            else:
                out = {decode(element, {tag[0]: v}) for v in payload}
        else:
            raise _fail(f"expected a set, got {tag}")
        return True, frozenset(out) if t.frozen else out
    return False, None


def _decode_mapping(
    t: TypeInfo, kind: str, av: Mapping[str, Any], tag: str, payload: Any
) -> tuple[bool, Any]:
    if kind == "dict":
        _tag(tag, "M")
        return True, {k: decode(t.args[0], v) for k, v in payload.items()}
    if kind == "typeddict":
        _tag(tag, "M")
        nodes = {name: node for name, node, _ in t.fields}
        out_map = {
            k: decode(nodes[k], v) if k in nodes else marshal.deserialize(v)
            for k, v in payload.items()
        }
        for name, _, required in t.fields:
            if required and name not in out_map:
                raise _fail(f"needs the key {name!r}")
        return True, out_map
    if kind == "dataclass":
        _tag(tag, "M")
        nodes = {name: node for name, node, _ in t.fields}
        if set(payload) - set(nodes):
            raise _fail("unknown field")
        values = {k: decode(nodes[k], v) for k, v in payload.items()}
        for name, node, required in t.fields:
            if required and node.optional and name not in values:
                values[name] = None  # a None member, left out on write
        try:
            return True, t.cls(**values)
        except TypeError as exc:
            raise _fail(str(exc)) from None
    return False, None


def _decode_custom(
    t: TypeInfo, kind: str, av: Mapping[str, Any], tag: str, payload: Any
) -> tuple[bool, Any]:
    if kind == "custom":
        found = registered(t.cls)
        assert found is not None
        stored = decode(t.args[0], av)
        try:
            return True, found.from_storage(stored)
        except (TypeError, ValueError) as exc:
            raise _fail(f"from_storage failed: {exc}") from None
    return False, None


def _plain_set_element(element: TypeInfo, value: Any) -> Any:
    """An element of a set of plain scalars, from its unmarshaled value."""
    if element.kind in ("str", "bytes"):
        if type(value) is not (str if element.kind == "str" else bytes):
            raise _fail("wrong element")
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail("expected a number")
    if element.kind == "float":
        return float(value)
    if element.kind == "decimal":
        return Decimal(value)
    if type(value) is not int:
        raise _fail("expected an integer")
    return value


def _tag(tag: str, want: str) -> None:
    if tag != want:
        raise _fail(f"expected {want}, got {tag}")
