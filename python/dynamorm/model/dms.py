"""A model as a DMS v0.1 document (``to_dms``), and the DMS vocabulary the
loader (``dynamorm.dms``) shares. Writing needs only a model's compiled
description, so ``Model.to_dms()`` reaches it without the loader, which
builds ``Model`` classes."""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from dynamorm.errors import InvalidModelError
from dynamorm.model.fields import FieldInfo
from dynamorm.model.types import TypeInfo

if TYPE_CHECKING:
    from dynamorm.model.base import Model

__all__ = ["DMS_VERSION", "DmsType", "dms_error", "to_dms"]

DMS_VERSION = "0.1"
"""The DMS version read and written (a document's ``dms_version``)."""
TYPES = ("S", "N", "B", "BOOL", "M", "L", "SS", "NS", "BS", "NULL")
KEY_TYPES = ("S", "N", "B")
ROLES = ("pk", "sk", "created_at", "updated_at", "version", "ttl")
FORMATS = {"rfc3339nano": "S", "unix_seconds": "N", "int": "N"}
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
LIBRARY_ROLES = frozenset({"created_at", "updated_at", "version"})
# Roles whose storage is fixed by SPEC §2: (type, format).
ROLE_STORAGE = {
    "created_at": ("S", "rfc3339nano"),
    "updated_at": ("S", "rfc3339nano"),
    "version": ("N", "int"),
    "ttl": ("N", "unix_seconds"),
}
NAMING = {
    "camelCase": re.compile(r"[a-z][A-Za-z0-9]*|PK|SK"),
    "snake_case": re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"),
}


@dataclass(frozen=True, slots=True)
class DmsType:
    """The DMS description of a field loaded from a document, kept in its
    annotation (``Annotated[T, DmsType(...)]``) so ``to_dms`` writes back
    exactly what was read."""

    type: str
    format: str | None = None
    presence: str | None = None
    """``"required"``, ``"optional"`` or ``None`` (neither was given)."""


def dms_error(where: str, message: str) -> InvalidModelError:
    """The ``InvalidModelError`` of a DMS document or model at ``where``."""
    return InvalidModelError(f"DMS {where}: {message}")


# -- writing -------------------------------------------------------------------


def _dms_type(f: FieldInfo) -> DmsType | None:
    if typing.get_origin(f.type) is Annotated:
        for extra in typing.get_args(f.type)[1:]:
            if isinstance(extra, DmsType):
                return extra
    return None


_KIND_TYPES = {"str": "S", "float": "N", "decimal": "N", "bool": "BOOL", "bytes": "B"}
_KIND_TYPES |= {"list": "L", "dict": "M", "dataclass": "M"}
_SET_TYPES = {"str": "SS", "bytes": "BS", "int": "NS", "float": "NS", "decimal": "NS"}


def _storage_type(info: TypeInfo) -> str | None:
    """The DynamoDB type a value of ``info`` is stored as."""
    if info.kind in ("list", "tuple"):
        return "L"
    if info.kind in ("dict", "typeddict", "dataclass"):
        return "M"
    if info.kind == "custom":
        return _storage_type(info.args[0])
    tag = info.tag
    return tag if tag in ("S", "N", "B", "BOOL") else None


def _derive(model: str, f: FieldInfo) -> DmsType:
    """The DMS description of a field declared in Python."""
    kind = f.info.kind
    if f.json:
        type_, fmt = "S", None
    elif f.binary:
        type_, fmt = "B", None
    elif "ttl" in f.roles:
        type_, fmt = "N", "unix_seconds"
    elif kind == "datetime":
        type_, fmt = "S", "rfc3339nano"
    elif kind == "int":
        type_, fmt = "N", "int"
    elif kind == "set" and f.info.element is not None:
        element = f.info.args[0]
        type_, fmt = _SET_TYPES.get(f.info.element) or f"{element.tag}S", None
    elif kind in _KIND_TYPES:
        type_, fmt = _KIND_TYPES[kind], None
    elif (stored := _storage_type(f.info)) is not None:
        # DMS v0.1 names storage types, not Python types: a date, UUID,
        # enum, ... is described by what it is stored as, which is what the
        # other languages' libraries read (docs/dms.md).
        type_, fmt = stored, None
    else:
        raise dms_error(
            f"model {model!r}, attribute {f.attr!r}", f"type {f.type!r} has no DMS type"
        )
    if f.roles & {"pk", "sk"}:
        presence: str | None = "required"
    elif f.roles & LIBRARY_ROLES:
        presence = "optional" if f.info.optional else None
    else:
        presence = "required" if f.required else "optional"
    return DmsType(type_, fmt, presence)


def _model_entry(model: type[Model]) -> dict[str, Any]:
    meta = model.__dynamorm__
    if meta.entity is not None:
        # DMS v0.1 has no place for a type attribute and refuses unknown
        # keys, so a document could not keep the other libraries off this
        # model's items: refused rather than written without it.
        raise dms_error(
            f"model {meta.name!r}",
            f"entity={meta.entity!r} (type attribute {meta.entity_attr!r}) has no DMS v0.1 "
            "representation; DMS describes models that are not entities",
        )
    extra: Mapping[str, Any] = model.__dict__.get("__dms__") or {}
    described = {f.name: _dms_type(f) or _derive(meta.name, f) for f in meta.fields}

    def key(f: FieldInfo) -> dict[str, str]:
        return {"attribute": f.attr, "type": described[f.name].type}

    attributes = []
    for f in meta.fields:
        d = described[f.name]
        entry: dict[str, Any] = {"attribute": f.attr, "type": d.type}
        if d.presence is not None:
            entry[d.presence] = True
        if f.omit_empty:
            entry["omit_empty"] = True
        roles = [r for r in ROLES if r in f.roles]
        if roles:
            entry["roles"] = roles
        if d.format is not None:
            entry["format"] = d.format
        for flag in ("json", "binary"):
            if getattr(f, flag):
                entry[flag] = True
        attributes.append(entry)
    keys = {"partition": key(meta.pk)} | ({"sort": key(meta.sk)} if meta.sk else {})
    out: dict[str, Any] = {"name": meta.name, "table": {"name": meta.table}}
    if extra.get("naming"):
        out["naming"] = {"convention": extra["naming"]}
    out |= {"keys": keys, "attributes": attributes}
    order = list(extra.get("indexes", ()))
    indexes = []
    for ix in sorted(meta.indexes.values(), key=lambda i: _position(order, i.name)):
        projection: dict[str, Any] = {"type": ix.projection}
        if ix.projection == "INCLUDE":
            projection["fields"] = list(ix.projected)
        index: dict[str, Any] = {"name": ix.name, "type": ix.type, "partition": key(ix.pk)}
        if ix.sk is not None:
            index["sort"] = key(ix.sk)
        indexes.append(index | {"projection": projection})
    if indexes:
        out["indexes"] = indexes
    return out


def _position(order: list[str], name: str) -> int:
    return order.index(name) if name in order else len(order)


def to_dms(model: type[Model], *more: type[Model], namespace: str | None = None) -> dict[str, Any]:
    """A DMS v0.1 document (as a dict, ready for ``json.dumps`` or
    ``yaml.safe_dump``) describing ``model`` and any ``more`` models.

    ``namespace`` defaults to the one the models were loaded with, if any.
    Fields typed ``Any`` without ``json=True`` have no DMS type and raise
    ``InvalidModelError``, as does an entity model (``entity=``: DMS v0.1
    has no type attribute).
    """
    models = (model, *more)
    if namespace is None:
        found = {(m.__dict__.get("__dms__") or {}).get("namespace") for m in models}
        namespace = found.pop() if len(found) == 1 else None
    doc: dict[str, Any] = {"dms_version": DMS_VERSION}
    if namespace is not None:
        doc["namespace"] = namespace
    doc["models"] = [_model_entry(m) for m in models]
    return doc
