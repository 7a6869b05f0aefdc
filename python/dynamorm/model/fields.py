"""Field declarations: ``field(...)`` and the ``FieldInfo`` that describes a
declared field (``dynamorm.fields(Model)``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dynamorm.model.types import TypeInfo

if TYPE_CHECKING:
    from dynamorm.model.base import Model
    from dynamorm.model.templates import Template

__all__ = ["MISSING", "FieldInfo", "FieldSpec", "field", "fields"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks "no default given"."""

ROLES = ("pk", "sk", "version", "ttl", "created_at", "updated_at")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What ``field(...)`` records; turned into a ``FieldInfo`` when the model
    class is created."""

    roles: frozenset[str] = frozenset()
    """Any of ``ROLES``, as ``FieldInfo.roles``."""
    attr: str | None = None
    gsi_pk: tuple[str, ...] = ()
    gsi_sk: tuple[str, ...] = ()
    lsi: tuple[str, ...] = ()
    omit_empty: bool = False
    json: bool = False
    binary: bool = False
    unique: bool = False
    default: Any = MISSING
    default_factory: Callable[[], Any] | Any = MISSING
    template: str | None = None
    """The key template text, as ``FieldInfo.template`` once compiled."""


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def field(
    *,
    pk: bool = False,
    sk: bool = False,
    attr: str | None = None,
    gsi_pk: str | Sequence[str] | None = None,
    gsi_sk: str | Sequence[str] | None = None,
    lsi: str | Sequence[str] | None = None,
    version: bool = False,
    ttl: bool = False,
    created_at: bool = False,
    updated_at: bool = False,
    omit_empty: bool = False,
    json: bool = False,
    binary: bool = False,
    unique: bool = False,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | Any = MISSING,
    template: str | None = None,
) -> Any:
    """Declares a model field with its options.

    ``pk``/``sk``: the table's partition/sort key. ``attr``: the attribute
    name stored in DynamoDB (the field name by default). ``gsi_pk``/``gsi_sk``:
    this field is the partition/sort key of the named global secondary
    index(es). ``lsi``: this field is the sort key of the named local secondary
    index(es). ``version``: optimistic-locking counter. ``ttl``: expiry time,
    stored as epoch seconds. ``created_at``/``updated_at``: timestamps the
    library sets. ``omit_empty``: leave the attribute out when empty.
    ``json``: store as a deterministic JSON string. ``binary``: store as ``B``.
    ``unique``: no two items of the model hold the same value (kept with
    sentinel items, ``dynamorm.unique``; a scalar field that is not the
    table's key).
    ``template``: this key (or index key) ``str`` field is computed from other
    fields on every write and parsed back into them on read:
    ``template="USER#{user_id}"``, ``"ORDER#{n:08d}"`` (``dynamorm.model.templates``).
    """
    if default is not MISSING and default_factory is not MISSING:
        raise TypeError("field() takes default or default_factory, not both")
    flags = (pk, sk, version, ttl, created_at, updated_at)
    return FieldSpec(
        roles=frozenset(role for role, on in zip(ROLES, flags, strict=True) if on),
        attr=attr,
        gsi_pk=_names(gsi_pk),
        gsi_sk=_names(gsi_sk),
        lsi=_names(lsi),
        omit_empty=omit_empty,
        json=json,
        binary=binary,
        unique=unique,
        default=default,
        default_factory=default_factory,
        template=template,
    )


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One declared field of a model."""

    name: str
    """The Python attribute name."""
    attr: str
    """The attribute name stored in DynamoDB."""
    type: Any
    """The annotation as declared."""
    info: TypeInfo
    """What the annotation means for storage."""
    roles: frozenset[str]
    """Any of ``pk``, ``sk``, ``version``, ``ttl``, ``created_at``, ``updated_at``."""
    gsi_pk: tuple[str, ...] = ()
    gsi_sk: tuple[str, ...] = ()
    lsi: tuple[str, ...] = ()
    omit_empty: bool = False
    json: bool = False
    binary: bool = False
    unique: bool = False
    """No two items of the model hold the same value (``field(unique=True)``)."""
    default: Any = MISSING
    default_factory: Callable[[], Any] | Any = MISSING
    template: Template | None = None
    """The key template computing this field from others (``None``: a
    field of its own)."""

    @property
    def indexes(self) -> tuple[str, ...]:
        """Every index this field is a key of."""
        return tuple(dict.fromkeys((*self.gsi_pk, *self.gsi_sk, *self.lsi)))

    @property
    def required(self) -> bool:
        """Whether the constructor needs a value for this field."""
        return (
            self.default is MISSING
            and self.default_factory is MISSING
            and not self.roles & {"version", "created_at", "updated_at"}
            and not self.info.optional
            and self.template is None
        )

    def make_default(self) -> Any:
        """A fresh default value (``None`` when there is none)."""
        if self.default_factory is not MISSING:
            return self.default_factory()
        if self.default is not MISSING:
            return self.default
        if "version" in self.roles:
            return 0
        return None


def fields(model: type[Model] | Model) -> tuple[FieldInfo, ...]:
    """The fields of a model class (or instance), in declaration order."""
    return model.__dynamorm__.fields
