"""A model's compiled description: fields, keys, roles, indexes, table.

``build_meta`` validates a declaration and raises ``InvalidModelError`` naming
the class and field at fault. Everything else reads the ``ModelMeta``.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dynamorm.errors import InvalidModelError, ValidationError
from dynamorm.model.fields import MISSING, FieldInfo, FieldSpec
from dynamorm.model.templates import compile_template
from dynamorm.model.types import TypeInfo, analyze

__all__ = [
    "DEFAULT_ENTITY_ATTR",
    "KEY_KINDS",
    "IndexInfo",
    "ModelMeta",
    "build_meta",
    "default_table_name",
    "key_tag",
]

KEY_KINDS = frozenset(
    {"str", "int", "decimal", "bytes", "datetime", "date", "uuid", "enum", "literal", "custom"}
)
"""Kinds of field that can be key attributes (an enum, literal or registered
type only when its values are stored as ``S``, ``N`` or ``B``)."""

_KEY_STORAGE = frozenset({"str", "int", "decimal", "bytes"})
"""What a registered type must be stored as to be a key."""


def key_tag(info: TypeInfo) -> str | None:
    """The DynamoDB key type (``S``, ``N``, ``B``) of a field of type
    ``info``, or ``None`` when such a field cannot be a key."""
    if info.kind not in KEY_KINDS:
        return None
    if info.kind == "custom" and info.args[0].kind not in _KEY_STORAGE:
        return None
    tag = info.tag
    return tag if tag in ("S", "N", "B") else None


RESERVED_FIELD_NAMES = frozenset({"from_dict", "from_item", "to_dict", "to_dms", "to_item"})
"""Names of the ``Model`` API; a field of one of these names would hide a
method the library calls (``docs/models.md`` lists them)."""

DEFAULT_ENTITY_ATTR = "_type"
"""The attribute an entity model's items carry their type in, unless
``entity_attr=`` names another (SPEC §17)."""

_RESOURCE_NAME = re.compile(r"[A-Za-z0-9_.\-]{3,255}")
"""DynamoDB's rule for table and index names: 3 to 255 of ``A-Z a-z 0-9 _ . -``."""


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """A secondary index declared by a model."""

    name: str
    type: str
    """``"GSI"`` or ``"LSI"``."""
    pk: FieldInfo
    sk: FieldInfo | None
    projection: str = "ALL"
    """``ALL``, ``KEYS_ONLY`` or ``INCLUDE``."""
    projected: tuple[str, ...] = ()
    """Attribute names projected with ``INCLUDE``."""


@dataclass(frozen=True, slots=True)
class ModelMeta:
    """Everything the library needs to know about one model class."""

    cls: type
    name: str
    table: str
    fields: tuple[FieldInfo, ...]
    pk: FieldInfo
    sk: FieldInfo | None
    indexes: Mapping[str, IndexInfo]
    by_name: Mapping[str, FieldInfo] = field(repr=False)
    by_attr: Mapping[str, FieldInfo] = field(repr=False)
    version: FieldInfo | None = None
    ttl: FieldInfo | None = None
    created_at: FieldInfo | None = None
    updated_at: FieldInfo | None = None
    entity: str | None = None
    """The type an entity model's items carry (``entity="user"``), or
    ``None``: the model is not an entity and its items carry no type."""
    entity_attr: str = DEFAULT_ENTITY_ATTR
    """The attribute holding the type of an entity model's items."""
    unique_fields: tuple[FieldInfo, ...] = ()
    """The fields declared ``unique=True``, in declaration order."""
    templated: tuple[FieldInfo, ...] = ()
    """The fields computed by a key template, table keys first."""

    @property
    def key_fields(self) -> tuple[FieldInfo, ...]:
        return (self.pk,) if self.sk is None else (self.pk, self.sk)

    @property
    def key_attrs(self) -> tuple[str, ...]:
        return tuple(f.attr for f in self.key_fields)

    def field_named(self, name: str) -> FieldInfo:
        """The field called ``name`` (field name or attribute name)."""
        found = self.by_name.get(name) or self.by_attr.get(name)
        if found is None:
            raise ValidationError(f"{self.name} has no field {name!r}")
        return found


def default_table_name(class_name: str) -> str:
    """The snake_case plural of a class name: ``OrderItem`` → ``order_items``."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()
    if re.search(r"(s|x|z|ch|sh)$", snake):
        return snake + "es"
    if re.search(r"[^aeiou]y$", snake):
        return snake[:-1] + "ies"
    return snake + "s"


def _fail(cls: type, message: str) -> InvalidModelError:
    return InvalidModelError(f"{cls.__name__}: {message}")


def _check_resource_name(cls: type, what: str, name: str) -> None:
    """Refuses a table or index name DynamoDB would refuse at ``CreateTable``."""
    if not isinstance(name, str) or _RESOURCE_NAME.fullmatch(name) is None:
        raise _fail(
            cls,
            f"{what} {name!r} is not a valid DynamoDB name: use 3 to 255 letters, "
            "digits, '_', '-' or '.'",
        )


def _check_default(cls: type, name: str, default: Any) -> None:
    """Refuses a default that instances would share and could change, as
    ``dataclasses`` does: a value whose type is unhashable (lists, dicts,
    sets, plain dataclass instances, models) belongs in ``default_factory``."""
    if default is MISSING or default is None:
        return
    if type(default).__hash__ is None:
        raise _fail(
            cls,
            f"field {name!r}: the default {type(default).__name__} value is mutable and "
            "would be shared by every instance; use default_factory",
        )


def _field_info(cls: type, name: str, annotation: Any, spec: FieldSpec) -> FieldInfo:
    if name in RESERVED_FIELD_NAMES:
        raise _fail(
            cls,
            f"field {name!r} has the name of a Model method; reserved names: "
            f"{', '.join(sorted(RESERVED_FIELD_NAMES))} (use attr= to store it under that name)",
        )
    _check_default(cls, name, spec.default)
    try:
        info = analyze(annotation, owner=cls)
    except TypeError as exc:
        raise _fail(cls, f"field {name!r}: {exc}") from None
    roles = spec.roles
    where = f"field {name!r}"
    if {"pk", "sk"} <= roles:
        raise _fail(cls, f"{where} cannot be both pk and sk")
    is_key = bool(roles & {"pk", "sk"} or spec.gsi_pk or spec.gsi_sk or spec.lsi)
    if is_key and key_tag(info) is None:
        raise _fail(
            cls,
            f"{where} is a key attribute, so it must be str, int, Decimal, bytes, UUID, date, "
            f"datetime, a str/int Enum or Literal, or a type registered with scalar storage; "
            f"got {info.describe()}",
        )
    if "version" in roles and info.kind != "int":
        raise _fail(cls, f"{where} is a version field, so it must be int")
    if "ttl" in roles and info.kind not in ("datetime", "int"):
        raise _fail(cls, f"{where} is a TTL field, so it must be datetime or int")
    if roles & {"created_at", "updated_at"} and info.kind != "datetime":
        raise _fail(cls, f"{where} is a timestamp field, so it must be datetime")
    if len(roles - {"pk", "sk"}) > 1:
        raise _fail(cls, f"{where} has more than one role: {sorted(roles)}")
    if spec.json and spec.binary:
        raise _fail(cls, f"{where} cannot be both json and binary")
    if spec.binary and info.kind not in ("bytes", "str"):
        raise _fail(cls, f"{where}: binary=True needs a bytes or str field")
    attr = spec.attr if spec.attr is not None else name
    if not attr:
        raise _fail(cls, f"{where}: attr must not be empty")
    if spec.unique:
        _check_unique(cls, where, info, spec)
    if spec.template is not None:
        _check_templated(cls, where, spec, is_key, info)
    return FieldInfo(
        name=name,
        attr=attr,
        type=annotation,
        info=info,
        roles=roles,
        gsi_pk=spec.gsi_pk,
        gsi_sk=spec.gsi_sk,
        lsi=spec.lsi,
        omit_empty=spec.omit_empty,
        json=spec.json,
        binary=spec.binary,
        unique=spec.unique,
        default=spec.default,
        default_factory=spec.default_factory,
    )


def _check_unique(cls: type, where: str, info: TypeInfo, spec: FieldSpec) -> None:
    """Refuses ``unique=True`` where no sentinel item can keep it: on the
    table's key (unique already), on a field the library sets, or on a value
    that is not one scalar."""
    roles = spec.roles
    if roles & {"pk", "sk"}:
        raise _fail(
            cls,
            f"{where} is the table's key, which is unique already; unique=True is for other fields",
        )
    if roles:
        raise _fail(cls, f"{where} is a {next(iter(roles))} field, so it cannot be unique")
    if spec.json or key_tag(info) is None:
        raise _fail(
            cls,
            f"{where}: unique=True needs one scalar value: str, int, Decimal, bytes, UUID, date, "
            f"datetime, a str/int Enum or Literal, or a type registered with scalar storage; "
            f"got {info.describe()}" + (" stored as JSON" if spec.json else ""),
        )


def _check_unique_keys(cls: type, pk: FieldInfo) -> None:
    """Sentinel items are keyed by text: the partition key must store
    ``S`` or ``B``."""
    tag = "B" if pk.binary else key_tag(pk.info)
    if tag not in ("S", "B"):
        raise _fail(
            cls,
            f"unique fields need a partition key stored as a string or binary (the sentinel "
            f"items that keep them are keyed by text), but {pk.name!r} is stored as {tag}",
        )


def _check_templated(cls: type, where: str, spec: FieldSpec, is_key: bool, info: TypeInfo) -> None:
    """Refuses a template where it cannot compute the field: on a field that
    is no key, not a ``str``, or has a default of its own."""
    if not is_key:
        raise _fail(
            cls,
            f"{where}: a template computes a key; mark the field pk, sk, gsi_pk, gsi_sk "
            "or lsi (a template on any other field is not supported)",
        )
    if info.kind != "str":
        raise _fail(cls, f"{where}: a template field must be str, got {info.describe()}")
    if spec.default is not MISSING or spec.default_factory is not MISSING:
        raise _fail(cls, f"{where}: a template field is computed, so it takes no default")


def _with_templates(cls: type, fields: list[FieldInfo], specs: dict[str, FieldSpec]) -> None:
    """Compiles each field's template against the model's fields (in place)."""
    by_name = {f.name: f for f in fields}
    templated = frozenset(name for name, spec in specs.items() if spec.template is not None)
    for i, f in enumerate(fields):
        text = specs[f.name].template
        if text is not None:
            compiled = compile_template(cls, f, text, by_name, templated)
            fields[i] = dataclasses.replace(f, template=compiled)


def _templated(fields: list[FieldInfo]) -> tuple[FieldInfo, ...]:
    """The template fields, the table's keys first (their values are the
    ones a missing source field is parsed from first)."""
    found = [f for f in fields if f.template is not None]
    return tuple(sorted(found, key=lambda f: 0 if f.roles & {"pk", "sk"} else 1))


def _one(cls: type, fields: list[FieldInfo], role: str) -> FieldInfo | None:
    found = [f for f in fields if role in f.roles]
    if len(found) > 1:
        raise _fail(cls, f"more than one {role} field: {', '.join(f.name for f in found)}")
    return found[0] if found else None


def _indexes(
    cls: type,
    fields: list[FieldInfo],
    pk: FieldInfo,
    projections: Mapping[str, tuple[str, tuple[str, ...]]],
) -> dict[str, IndexInfo]:
    gsi_pk: dict[str, FieldInfo] = {}
    gsi_sk: dict[str, FieldInfo] = {}
    lsi_sk: dict[str, FieldInfo] = {}
    for f in fields:
        for table, names in ((gsi_pk, f.gsi_pk), (gsi_sk, f.gsi_sk), (lsi_sk, f.lsi)):
            for index in names:
                if index in table:
                    raise _fail(
                        cls,
                        f"index {index!r} has two keys of the same kind: "
                        f"{table[index].name!r} and {f.name!r}",
                    )
                table[index] = f
    for index in (*gsi_pk, *gsi_sk, *lsi_sk):
        _check_resource_name(cls, "index name", index)
    out: dict[str, IndexInfo] = {}
    for index, sk in gsi_sk.items():
        if index not in gsi_pk:
            raise _fail(cls, f"index {index!r} has a sort key ({sk.name!r}) but no partition key")
    for index, ipk in gsi_pk.items():
        if index in lsi_sk:
            raise _fail(cls, f"index {index!r} is declared as both a GSI and an LSI")
        proj, projected = projections.get(index, ("ALL", ()))
        out[index] = IndexInfo(index, "GSI", ipk, gsi_sk.get(index), proj, projected)
    for index, isk in lsi_sk.items():
        proj, projected = projections.get(index, ("ALL", ()))
        out[index] = IndexInfo(index, "LSI", pk, isk, proj, projected)
    unknown = set(projections) - set(out)
    if unknown:
        raise _fail(cls, f"projection given for unknown index(es) {sorted(unknown)}")
    return out


def _check_entity(cls: type, entity: str | None, entity_attr: str | None) -> str:
    """Refuses an ``entity=`` that is not a non-empty ``str``, and an
    ``entity_attr=`` without it or that is not one; returns the type
    attribute's name."""
    if entity is not None and (not isinstance(entity, str) or not entity):
        raise _fail(cls, f"entity must be a non-empty str, got {entity!r}")
    if entity_attr is None:
        return DEFAULT_ENTITY_ATTR
    if entity is None:
        raise _fail(cls, f"entity_attr={entity_attr!r} needs entity= (the type it holds)")
    if not isinstance(entity_attr, str) or not entity_attr:
        raise _fail(cls, f"entity_attr must be a non-empty str, got {entity_attr!r}")
    return entity_attr


def _entity_indexes(cls: type, indexes: dict[str, IndexInfo], attr: str) -> dict[str, IndexInfo]:
    """The indexes of an entity model, each projecting the type attribute
    (reads of an index filter on it): an ``INCLUDE`` projection gains it, a
    global index projecting ``KEYS_ONLY`` cannot carry it and is refused."""
    out: dict[str, IndexInfo] = {}
    for name, index in indexes.items():
        if index.projection == "KEYS_ONLY" and index.type == "GSI":
            raise _fail(
                cls,
                f"index {name!r} projects KEYS_ONLY, so its items would not carry the "
                f"type attribute {attr!r} the model's reads filter on; project ALL or "
                f"INCLUDE {attr!r}",
            )
        if index.projection == "INCLUDE" and attr not in index.projected:
            out[name] = replace(index, projected=(*index.projected, attr))
        else:
            out[name] = index
    return out


def build_meta(
    cls: type,
    table: str | None,
    projections: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
    entity: str | None = None,
    entity_attr: str | None = None,
) -> ModelMeta:
    """Validates the declaration of ``cls`` and describes it. ``entity``
    (with ``entity_attr``, the attribute holding it) makes it an entity
    model (SPEC §17)."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:
        raise _fail(cls, f"cannot resolve field annotations: {exc}") from None
    fields: list[FieldInfo] = []
    specs: dict[str, FieldSpec] = {}
    for name, annotation in hints.items():
        if name.startswith("_") or typing.get_origin(annotation) is typing.ClassVar:
            continue
        value = cls.__dict__.get(name, MISSING)
        if value is MISSING:
            value = _inherited_spec(cls, name)
        spec = value if isinstance(value, FieldSpec) else FieldSpec(default=value)
        specs[name] = spec
        fields.append(_field_info(cls, name, annotation, spec))
    _with_templates(cls, fields, specs)
    pks = [f for f in fields if "pk" in f.roles]
    if not pks:
        raise _fail(cls, "no partition key: mark one field with field(pk=True)")
    if len(pks) > 1:
        raise _fail(cls, f"two partition keys: {', '.join(f.name for f in pks)}")
    sk = _one(cls, fields, "sk")
    attrs: dict[str, FieldInfo] = {}
    for f in fields:
        if f.attr in attrs:
            raise _fail(
                cls, f"fields {attrs[f.attr].name!r} and {f.name!r} share attribute {f.attr!r}"
            )
        attrs[f.attr] = f
    if table is not None:
        _check_resource_name(cls, "table name", table)
    table_name = table if table is not None else default_table_name(cls.__name__)
    type_attr = _check_entity(cls, entity, entity_attr)
    indexes = _indexes(cls, fields, pks[0], projections or {})
    if entity is not None:
        taken = attrs.get(type_attr) or next((f for f in fields if f.name == type_attr), None)
        if taken is not None:
            raise _fail(
                cls,
                f"the type attribute {type_attr!r} is also field {taken.name!r} "
                f"(stored as {taken.attr!r}); name another with entity_attr=",
            )
        indexes = _entity_indexes(cls, indexes, type_attr)
    unique = tuple(f for f in fields if f.unique)
    if unique:
        _check_unique_keys(cls, pks[0])
    return ModelMeta(
        cls=cls,
        name=cls.__name__,
        table=table_name,
        fields=tuple(fields),
        pk=pks[0],
        sk=sk,
        indexes=indexes,
        by_name={f.name: f for f in fields},
        by_attr=attrs,
        version=_one(cls, fields, "version"),
        ttl=_one(cls, fields, "ttl"),
        created_at=_one(cls, fields, "created_at"),
        updated_at=_one(cls, fields, "updated_at"),
        entity=entity,
        entity_attr=type_attr,
        unique_fields=unique,
        templated=_templated(fields),
    )


def _inherited_spec(cls: type, name: str) -> Any:
    for base in cls.__mro__[1:]:
        meta = base.__dict__.get("__dynamorm__")
        if isinstance(meta, ModelMeta) and name in meta.by_name:
            f = meta.by_name[name]
            return FieldSpec(
                roles=f.roles,
                attr=f.attr,
                gsi_pk=f.gsi_pk,
                gsi_sk=f.gsi_sk,
                lsi=f.lsi,
                omit_empty=f.omit_empty,
                json=f.json,
                binary=f.binary,
                unique=f.unique,
                default=f.default,
                default_factory=f.default_factory,
                template=f.template.text if f.template is not None else None,
            )
    return MISSING
