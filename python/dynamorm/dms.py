"""DynamORM Model Spec (DMS v0.1) documents ⇄ model classes.

``load_dms(path_or_text)`` reads a DMS document (YAML limited to what JSON
can express, or JSON) and builds one ``Model`` subclass per entry, using each
attribute name as the field name; ``to_dms(model)`` writes a model back as a
document. The Go and TypeScript DynamORM libraries read the same documents,
so every rule is enforced and every unknown key refused: a document that
loads here means the same thing there.
"""

from __future__ import annotations

import json
import os
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from dynamorm.errors import InvalidModelError
from dynamorm.model.base import Model
from dynamorm.model.dms import (
    DMS_VERSION,
    FORMATS,
    KEY_TYPES,
    LIBRARY_ROLES,
    NAMING,
    PROJECTIONS,
    ROLE_STORAGE,
    ROLES,
    TYPES,
    DmsType,
    dms_error,
    to_dms,
)
from dynamorm.model.fields import MISSING, field

__all__ = ["DMS_VERSION", "DmsType", "load_dms", "to_dms"]

_DOC_KEYS = ("dms_version", "namespace", "models")
_MODEL_KEYS = ("name", "table", "naming", "keys", "attributes", "indexes")
_ATTR_KEYS: tuple[str, ...] = ("attribute", "type", "required", "optional", "omit_empty")
_ATTR_KEYS += ("roles", "format", "json", "binary")
_INDEX_KEYS = ("name", "type", "partition", "sort", "projection")


# -- reading the document ------------------------------------------------------


def _read(source: str | bytes | os.PathLike[str]) -> str:
    if isinstance(source, bytes):
        return source.decode("utf-8")
    if isinstance(source, str):
        stripped = source.strip()
        if not stripped or "\n" in stripped or stripped.startswith("{"):
            return source
        path = Path(stripped)
        if path.suffix.lower() not in (".yaml", ".yml", ".json") and not path.is_file():
            return source
    else:
        path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise dms_error(f"document {str(path)!r}", f"cannot be read: {exc}") from exc


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise dms_error("document", f"duplicate key {key!r}")
        out[key] = value
    return out


def _yaml(text: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise dms_error("document", f"line {line}: keys must be strings, not {key!r}")
            if key in out:
                raise dms_error("document", f"line {line}: duplicate key {key!r}")
            out[key] = loader.construct_object(value_node, deep=True)
        return out

    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    try:
        # JSON can express none of anchors, aliases or tags: refuse them
        # before anything is built.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise dms_error(
                    "document", f"line {line}: YAML anchors and aliases are not allowed"
                )
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise dms_error("document", f"line {line}: YAML tags are not allowed ({tag})")
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        raise dms_error("document", f"not valid YAML or JSON: {exc}") from None


def _parse(text: str) -> Any:
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text, object_pairs_hook=_json_pairs)
        except json.JSONDecodeError:
            pass  # YAML flow style also starts with "{"
    return _yaml(text)


# -- checking entries ----------------------------------------------------------


def _mapping(value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> Any:
    if not isinstance(value, Mapping):
        raise dms_error(where, f"must be a mapping, not {value!r}")
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise dms_error(where, f"unknown key(s) {', '.join(map(repr, unknown))}")
    for key in required:
        if key not in value:
            raise dms_error(where, f"missing required key {key!r}")
    return value


def _string(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise dms_error(where, f"{what} must be a non-empty string, not {value!r}")
    return value


def _flag(entry: Mapping[str, Any], key: str, where: str) -> bool | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, bool):
        raise dms_error(where, f"{key} must be true or false, not {value!r}")
    return value


def _choice(value: Any, where: str, what: str, options: tuple[str, ...]) -> str:
    if value not in options:
        hint = ' (quote it: "NULL")' if value is None and "NULL" in options else ""
        raise dms_error(where, f"{what} must be one of {', '.join(options)}, not {value!r}{hint}")
    return str(value)


def _list(value: Any, where: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise dms_error(where, f"{what} must be a list, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class _Attr:
    name: str
    type: str
    presence: str | None
    omit_empty: bool
    roles: tuple[str, ...]
    format: str | None
    json: bool
    binary: bool


@dataclass(frozen=True, slots=True)
class _Index:
    name: str
    type: str
    pk: tuple[str, str]
    sk: tuple[str, str] | None
    projection: str
    fields: tuple[str, ...]


def _attribute(raw: Any, model: str, naming: str | None) -> _Attr:
    where = f"model {model!r}"
    if isinstance(raw, Mapping) and isinstance(raw.get("attribute"), str):
        where += f", attribute {raw['attribute']!r}"
    entry = _mapping(raw, where, _ATTR_KEYS, ("attribute", "type"))
    name = _string(entry["attribute"], where, "attribute")
    if name.startswith("_") or hasattr(Model, name):
        raise dms_error(
            where, "this name cannot be a model field (it starts with '_' or is a Model method)"
        )
    if naming is not None and not NAMING[naming].fullmatch(name):
        raise dms_error(where, f"name does not follow the {naming} naming convention")
    type_ = _choice(entry["type"], where, "type", TYPES)
    required, optional = _flag(entry, "required", where), _flag(entry, "optional", where)
    if required is not None and optional is not None and required == optional:
        raise dms_error(
            where, f"required: {required} and optional: {optional} contradict each other"
        )
    presence = None
    if required is not None or optional is not None:
        presence = "required" if required or optional is False else "optional"
    roles = tuple(
        _choice(r, where, "role", ROLES) for r in _list(entry.get("roles", []), where, "roles")
    )
    if len(set(roles)) != len(roles):
        raise dms_error(where, f"roles repeat: {list(roles)}")
    if {"pk", "sk"} <= set(roles):
        raise dms_error(where, "cannot have both roles pk and sk")
    if len(set(roles) - {"pk", "sk"}) > 1:
        raise dms_error(where, f"has more than one non-key role: {list(roles)}")
    fmt = entry.get("format")
    if fmt is not None:
        _choice(fmt, where, "format", tuple(FORMATS))
        if FORMATS[fmt] != type_:
            raise dms_error(where, f"format {fmt} needs type {FORMATS[fmt]}, not {type_}")
    is_json, binary = bool(_flag(entry, "json", where)), bool(_flag(entry, "binary", where))
    if is_json and (type_ != "S" or fmt is not None):
        raise dms_error(where, "json: true needs type S and no format")
    if binary and type_ != "B":
        raise dms_error(where, f"binary: true needs type B, not {type_}")
    for role in roles:
        if role in ("pk", "sk"):
            if type_ not in KEY_TYPES:
                raise dms_error(
                    where, f"is a key ({role}), so its type must be S, N or B, not {type_}"
                )
            if presence == "optional":
                raise dms_error(where, f"is a key ({role}), so it cannot be optional")
        elif (type_, fmt) != ROLE_STORAGE[role]:
            need_type, need_format = ROLE_STORAGE[role]
            raise dms_error(where, f"role {role} needs type {need_type} with format {need_format}")
        if role in LIBRARY_ROLES and presence == "required":
            raise dms_error(where, f"role {role} is set by the library, so it cannot be required")
    return _Attr(
        name=name,
        type=type_,
        presence=presence,
        omit_empty=bool(_flag(entry, "omit_empty", where)),
        roles=roles,
        format=fmt,
        json=is_json,
        binary=binary,
    )


def _key(raw: Any, where: str, attrs: Mapping[str, _Attr]) -> tuple[str, str]:
    entry = _mapping(raw, where, ("attribute", "type"), ("attribute", "type"))
    name = _string(entry["attribute"], where, "attribute")
    where = f"{where}, attribute {name!r}"
    type_ = _choice(entry["type"], where, "key type", KEY_TYPES)
    declared = attrs.get(name)
    if declared is None:
        raise dms_error(where, "is not declared in attributes")
    if declared.type != type_:
        raise dms_error(where, f"key type {type_} differs from the declared type {declared.type}")
    return name, type_


def _table_keys(
    raw: Any, model: str, attrs: Mapping[str, _Attr]
) -> tuple[tuple[str, str], tuple[str, str] | None]:
    where = f"model {model!r} keys"
    entry = _mapping(raw, where, ("partition", "sort"), ("partition",))
    pk = _key(entry["partition"], f"{where}.partition", attrs)
    sk = None if entry.get("sort") is None else _key(entry["sort"], f"{where}.sort", attrs)
    for role, key in (("pk", pk), ("sk", sk)):
        holders = [a.name for a in attrs.values() if role in a.roles]
        if len(holders) > 1:
            raise dms_error(f"model {model!r}", f"attributes {holders} all have role {role}")
        holder = holders[0] if holders else None
        if key is None and holder is not None:
            raise dms_error(
                f"model {model!r}, attribute {holder!r}", "has role sk but keys has no sort key"
            )
        if key is not None and holder != key[0]:
            raise dms_error(
                f"model {model!r}, attribute {key[0]!r}",
                f"is the {'partition' if role == 'pk' else 'sort'} key but "
                + (f"role {role} is on {holder!r}" if holder else f"no attribute has role {role}"),
            )
    return pk, sk


def _index(raw: Any, model: str, attrs: Mapping[str, _Attr], table_pk: str, has_sk: bool) -> _Index:
    where = f"model {model!r}, index"
    if isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
        where += f" {raw['name']!r}"
    entry = _mapping(raw, where, _INDEX_KEYS, ("name", "type", "partition"))
    name = _string(entry["name"], where, "name")
    type_ = _choice(entry["type"], where, "type", ("GSI", "LSI"))
    pk = _key(entry["partition"], f"{where} partition", attrs)
    sk = None if entry.get("sort") is None else _key(entry["sort"], f"{where} sort", attrs)
    if type_ == "LSI":
        if pk[0] != table_pk:
            raise dms_error(
                f"{where}, attribute {pk[0]!r}",
                f"an LSI's partition key must be the table's ({table_pk!r})",
            )
        if sk is None or not has_sk:
            raise dms_error(where, "an LSI needs a sort key, on a table that has one")
    projection = _mapping(
        entry.get("projection", {"type": "ALL"}),
        f"{where} projection",
        ("type", "fields"),
        ("type",),
    )
    kind = _choice(projection["type"], f"{where} projection", "type", PROJECTIONS)
    fields: tuple[str, ...] = ()
    if kind == "INCLUDE":
        raw_fields = _list(projection.get("fields"), f"{where} projection", "fields")
        fields = tuple(_string(f, f"{where} projection", "each field") for f in raw_fields)
        if not fields or len(set(fields)) != len(fields):
            raise dms_error(
                f"{where} projection", "INCLUDE needs fields: a non-empty list of names"
            )
    elif "fields" in projection:
        raise dms_error(f"{where} projection", f"fields is only allowed with INCLUDE, not {kind}")
    return _Index(name, type_, pk, sk, kind, fields)


# -- building classes ----------------------------------------------------------

_PY_TYPES: dict[str, Any] = {
    "S": str,
    "B": bytes,
    "BOOL": bool,
    "M": dict[str, Any],
    "L": list[Any],
    "SS": set[str],
    "NS": set[Decimal],
    "BS": set[bytes],
}


def _annotation(a: _Attr) -> Any:
    if a.json or a.type == "NULL":
        base: Any = Any
    elif a.type == "S" and a.format == "rfc3339nano":
        base = datetime
    elif a.type == "N":
        base = int if a.format in ("int", "unix_seconds") else Decimal
    else:
        base = _PY_TYPES[a.type]
    optional = a.presence == "optional" or (a.presence is None and not a.roles and base is not Any)
    if optional and base is not Any:
        base = base | None
    return Annotated[base, DmsType(a.type, a.format, a.presence)]


def _sorts(index: _Index, a: _Attr) -> bool:
    return index.sk is not None and index.sk[0] == a.name


def _build(raw: Any, index: int, namespace: str | None) -> type[Model]:
    where = f"model #{index + 1}"
    if isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
        where = f"model {raw['name']!r}"
    entry = _mapping(raw, where, _MODEL_KEYS, ("name", "table", "keys", "attributes"))
    name = _string(entry["name"], where, "name")
    if not name.isidentifier():
        raise dms_error(where, "name must be a valid Python class name")
    table = _string(
        _mapping(entry["table"], f"{where} table", ("name",), ("name",))["name"],
        f"{where} table",
        "name",
    )
    naming = None
    if entry.get("naming") is not None:
        conv = _mapping(entry["naming"], f"{where} naming", ("convention",), ("convention",))
        naming = _choice(conv["convention"], f"{where} naming", "convention", tuple(NAMING))
    attrs: dict[str, _Attr] = {}
    for raw_attr in _list(entry["attributes"], where, "attributes"):
        a = _attribute(raw_attr, name, naming)
        if a.name in attrs:
            raise dms_error(f"{where}, attribute {a.name!r}", "is declared twice")
        attrs[a.name] = a
    if not attrs:
        raise dms_error(where, "attributes must not be empty")
    for role in ROLES[2:]:
        holders = [a.name for a in attrs.values() if role in a.roles]
        if len(holders) > 1:
            raise dms_error(where, f"attributes {holders} all have role {role}")
    pk, sk = _table_keys(entry["keys"], name, attrs)
    indexes: dict[str, _Index] = {}
    for raw_index in _list(entry.get("indexes", []), where, "indexes"):
        ix = _index(raw_index, name, attrs, pk[0], sk is not None)
        if ix.name in indexes:
            raise dms_error(f"{where}, index {ix.name!r}", "is declared twice")
        indexes[ix.name] = ix

    def spec(a: _Attr) -> Any:
        default = MISSING
        if a.presence != "required" and not {"pk", "sk", *LIBRARY_ROLES} & set(a.roles):
            default = None
        return field(
            pk="pk" in a.roles,
            sk="sk" in a.roles,
            gsi_pk=[i.name for i in indexes.values() if i.type == "GSI" and i.pk[0] == a.name],
            gsi_sk=[i.name for i in indexes.values() if i.type == "GSI" and _sorts(i, a)],
            lsi=[i.name for i in indexes.values() if i.type == "LSI" and _sorts(i, a)],
            version="version" in a.roles,
            ttl="ttl" in a.roles,
            created_at="created_at" in a.roles,
            updated_at="updated_at" in a.roles,
            omit_empty=a.omit_empty,
            json=a.json,
            binary=a.binary,
            default=default,
        )

    def body(ns: dict[str, Any]) -> None:
        ns["__module__"] = __name__
        ns["__qualname__"] = name
        ns["__annotations__"] = {a.name: _annotation(a) for a in attrs.values()}
        ns.update({a.name: spec(a) for a in attrs.values()})
        ns["__dms__"] = {"namespace": namespace, "naming": naming, "indexes": list(indexes)}

    projections = {i.name: (i.projection, i.fields) for i in indexes.values()}
    try:
        return types.new_class(name, (Model,), {"table": table, "_projections": projections}, body)
    except InvalidModelError as exc:
        # The model layer's message already starts with the class name.
        raise dms_error(where, str(exc).removeprefix(f"{name}: ")) from None


def load_dms(source: str | bytes | os.PathLike[str]) -> dict[str, type[Model]]:
    """Builds the model classes of a DMS v0.1 document.

    ``source`` is the document's text (YAML or JSON) or a path to it (a
    ``PathLike``, or a one-line string naming a ``.yaml``/``.yml``/``.json``
    or existing file). Returns ``{model name: class}`` in document order.
    Every rule of the format is checked; a violation raises
    ``InvalidModelError`` naming the model and attribute at fault.
    """
    doc = _mapping(_parse(_read(source)), "document", _DOC_KEYS, ("dms_version", "models"))
    if doc["dms_version"] != DMS_VERSION:
        raise dms_error(
            "document",
            f'dms_version must be the string "{DMS_VERSION}", not {doc["dms_version"]!r}',
        )
    namespace = doc.get("namespace")
    if namespace is not None:
        _string(namespace, "document", "namespace")
    raw_models = _list(doc["models"], "document", "models")
    if not raw_models:
        raise dms_error("document", "models must not be empty")
    models: dict[str, type[Model]] = {}
    for i, raw in enumerate(raw_models):
        model = _build(raw, i, namespace)
        if model.__name__ in models:
            raise dms_error(f"model {model.__name__!r}", "is declared twice")
        models[model.__name__] = model
    return models
