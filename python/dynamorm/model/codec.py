"""Model instances ⇄ DynamoDB items, following SPEC §2's encoding rules.

``ItemCodec`` is the codec every model uses: its schema is compiled once, when
the model class is created, into a frozen Rust ``ItemSchema`` that writes and
reads whole items in one call. ``ReferenceCodec`` is the same codec in plain
Python: readable, slow, and the oracle the Rust codec is tested against
(``tests/unit/model/test_codec.py``). Both have the same interface: ``to_item(obj)``,
``from_item(item)``, ``encode_field(field_info, value)`` and ``meta``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

from dynamorm import _core
from dynamorm.model.fields import MISSING, FieldInfo
from dynamorm.model.meta import ModelMeta
from dynamorm.model.templated import filler, rendered, sources_of
from dynamorm.model.types import TypeInfo, registered

__all__ = ["ItemCodec", "codec_of", "format_timestamp", "parse_timestamp"]


def format_timestamp(value: _dt.datetime) -> str:
    """RFC 3339 in UTC with nanoseconds, fixed width (so strings sort by time):
    ``2024-05-01T12:00:00.123456000Z``. Naive datetimes are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    v = value.astimezone(_dt.UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
        f".{v.microsecond:06d}000Z"
    )


def parse_timestamp(text: str) -> _dt.datetime:
    """Reads RFC 3339 with any number of fraction digits (nanoseconds are
    truncated to microseconds); returns an aware UTC datetime."""
    try:
        head, frac, zone = _split_rfc3339(text)
        base = _dt.datetime.fromisoformat(head + zone)
        micro = int((frac + "000000")[:6]) if frac else 0
        return base.replace(microsecond=micro).astimezone(_dt.UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}") from None


def _split_rfc3339(text: str) -> tuple[str, str, str]:
    if len(text) < 20 or text[10] not in "Tt " or not text.isascii():
        raise ValueError(text)
    head = text[:19]
    rest = text[19:]
    frac = ""
    if rest.startswith("."):
        end = 1
        while end < len(rest) and rest[end] in "0123456789":
            end += 1
        frac = rest[1:end]
        if not frac:
            raise ValueError(text)
        rest = rest[end:]
    if rest in ("Z", "z"):
        rest = "+00:00"
    # Offsets with a fraction of a second are ISO 8601 but not RFC 3339.
    if not rest or rest[0] not in "+-" or "." in rest:
        raise ValueError(text)
    return head, frac, rest


def _index_keys(meta: ModelMeta) -> frozenset[str]:
    """Names of the fields that are a key of some secondary index."""
    names: set[str] = set()
    for index in meta.indexes.values():
        names.add(index.pk.name)
        if index.sk is not None:
            names.add(index.sk.name)
    return frozenset(names)


_PLAIN_KINDS = frozenset({"str", "int", "float", "decimal", "bool", "bytes", "datetime", "any"})
"""Kinds the Rust schema writes and reads by the field's own rule, without
its type tree (they hold nothing typed below them)."""

_PLAIN_SET_ELEMENTS = frozenset({"str", "int", "float", "decimal", "bytes"})


def needs_tree(info: TypeInfo) -> bool:
    """Whether a field of type ``info`` is written and read by its type tree:
    everything but the plain scalars, untyped containers and sets of plain
    elements (which keep their own, quicker rules)."""
    if info.kind in _PLAIN_KINDS:
        return False
    if info.kind in ("list", "dict"):
        return not untyped(info)
    if info.kind == "set":
        return info.args[0].kind not in _PLAIN_SET_ELEMENTS or info.frozen
    return True


def untyped(info: TypeInfo) -> bool:
    """Whether nothing below ``info`` is typed (``Any``, ``list``,
    ``dict[str, Any]``, ``list[dict[str, Any]]``): such a value is written
    and read by ``dynamorm.marshal``'s rules, in one call."""
    if info.kind == "any":
        return True
    return info.kind in ("list", "dict") and (not info.args or untyped(info.args[0]))


def tree_spec(info: TypeInfo) -> dict[str, Any]:
    """The descriptor of a type tree the Rust schema compiles (an untyped
    subtree becomes one ``any`` node)."""
    if untyped(info):
        info = TypeInfo("any", optional=True)
    found = registered(info.cls) if info.kind == "custom" else None
    return {
        "kind": info.kind,
        "optional": info.optional,
        "args": [tree_spec(a) for a in info.args],
        "fields": [(name, tree_spec(node), required) for name, node, required in info.fields],
        "choices": list(info.choices),
        "cls": info.cls,
        "variadic": info.variadic,
        "frozen": info.frozen,
        "repr": info.describe(),
        "to_storage": found.to_storage if found is not None else None,
        "from_storage": found.from_storage if found is not None else None,
    }


def _descriptor(
    f: FieldInfo, index_keys: frozenset[str], sources: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """What the Rust ``ItemSchema`` needs to know about one field
    (``sources``: the fields key templates are made from)."""
    default = f.default if f.default is not MISSING else (0 if "version" in f.roles else None)
    tree = needs_tree(f.info) and not f.json
    if tree:
        kind = "tree"
    elif f.info.kind in _PLAIN_KINDS or f.info.kind in ("list", "dict"):
        kind = f.info.kind
    elif f.info.kind == "set" and f.info.element in _PLAIN_SET_ELEMENTS:
        kind = "set"
    else:
        kind = "any"  # a json=True field of a richer type: stored as its JSON text
    return {
        "name": f.name,
        "attr": f.attr,
        "kind": kind,
        # Every field's tree is compiled: values at nested paths are encoded
        # by it even where the field itself keeps its own, quicker rule.
        "tree": None if f.json else tree_spec(f.info),
        "element": f.info.element if kind == "set" else None,
        "optional": f.info.optional,
        "roles": sorted(f.roles),
        "index_key": f.name in index_keys,
        "omit_empty": f.omit_empty,
        "json": f.json,
        "binary": f.binary,
        "type_repr": f.info.describe(),
        "dataclass_type": f.info.dataclass_type,
        "default": default,
        "default_factory": None if f.default_factory is MISSING else f.default_factory,
        "from_keys": f.name in sources,
    }


class ItemCodec:
    """Encodes and decodes the items of one model, in Rust.

    Built once per model class (``cls.__dynamorm_codec__``). ``to_item`` and
    ``from_item`` are the compiled schema's own methods, so a call costs no
    Python frame of its own (``to_item`` of a model with key templates first
    computes the template fields). An entity model's items are written with
    its type attribute; ``from_item`` ignores that attribute (whose item it is
    is for the reads to check: ``dynamorm.entities``).
    """

    __slots__ = ("from_item", "meta", "schema", "to_item")

    meta: ModelMeta
    schema: _core.ItemSchema
    to_item: Callable[[Any], dict[str, dict[str, Any]]]
    """The item for ``obj``, as it would be written."""
    from_item: Callable[[Mapping[str, Mapping[str, Any]]], Any]
    """An instance of the model built from a stored item."""

    def __init__(self, meta: ModelMeta) -> None:
        index_keys = _index_keys(meta)
        sources = sources_of(meta)
        self.meta = meta
        entity = (meta.entity_attr, meta.entity) if meta.entity is not None else None
        self.schema = _core.ItemSchema(
            meta.name,
            meta.cls,
            [_descriptor(f, index_keys, sources) for f in meta.fields],
            entity,
            filler(meta) if meta.templated else None,
        )
        self.to_item = self._templated_item if meta.templated else self.schema.to_item
        self.from_item = self.schema.from_item

    def _staged(self, obj: Any) -> Any:
        """A copy of ``obj`` with its template fields computed."""
        staged: Any = object.__new__(type(obj))
        staged.__dict__.update(obj.__dict__)
        staged.__dict__.update(rendered(self.meta, obj, "to_item", keyed=False))
        return staged

    def _templated_item(self, obj: Any) -> dict[str, dict[str, Any]]:
        """The item of ``obj`` with its template fields computed."""
        return self.schema.to_item(self._staged(obj))

    def encode_field(self, f: FieldInfo, value: Any) -> dict[str, Any] | None:
        """One field's attribute value; ``None`` when it is left out."""
        return self.schema.encode_field(f.name, value)

    def key_of(self, obj: Any) -> dict[str, dict[str, Any]]:
        """The table key of ``obj``: its partition (and sort) key attributes
        (computed by their templates, if any)."""
        return self.schema.key_of(self._staged(obj) if self.meta.templated else obj)


def codec_of(meta: ModelMeta) -> Any:
    """The item codec of the model ``meta`` describes."""
    return meta.cls.__dict__["__dynamorm_codec__"]
