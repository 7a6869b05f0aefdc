"""The ``Model`` base class (SPEC §2).

A subclass declares fields with annotations and ``field(...)``; the class gets
a keyword ``__init__``, ``__eq__`` and ``__repr__``, and its description is
compiled once into ``cls.__dynamorm__`` (a ``ModelMeta``) with an item codec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self, dataclass_transform

from dynamorm.model.codec import ItemCodec
from dynamorm.model.dms import to_dms
from dynamorm.model.fields import FieldSpec, field
from dynamorm.model.meta import ModelMeta, build_meta
from dynamorm.model.templated import TemplateSlot, check_given

__all__ = ["Model"]


# `field` is deliberately not listed as a field specifier: type checkers then
# treat every `x: T = field(...)` as having a default, so library-owned fields
# (created_at, updated_at, version) need no constructor argument, while a wrong
# value type is still a type error. Missing keys are caught at run time.
@dataclass_transform(kw_only_default=True, field_specifiers=())
class Model:
    """Base class of dynamorm models.

    ``class User(Model, table="users"): ...``; ``table=`` defaults to the
    snake_case plural of the class name. ``entity="user"`` makes it an entity
    model: its items carry the type in the attribute ``_type``
    (``entity_attr=`` names another) and its reads see only items of that
    type, so several models can share one table. Neither is inherited: a
    subclass names its own table and entity.
    """

    __dynamorm__: ClassVar[ModelMeta]
    __dynamorm_codec__: ClassVar[ItemCodec]
    __slots__ = ("__dict__",)

    def __init_subclass__(
        cls,
        *,
        table: str | None = None,
        entity: str | None = None,
        entity_attr: str | None = None,
        _projections: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        meta = build_meta(cls, table, _projections, entity, entity_attr)
        for f in meta.fields:
            if isinstance(cls.__dict__.get(f.name), FieldSpec):
                delattr(cls, f.name)
        for f in meta.templated:
            setattr(cls, f.name, TemplateSlot(meta, f.name))
        cls.__dynamorm__ = meta
        cls.__dynamorm_codec__ = ItemCodec(meta)

    def __init__(self, **values: Any) -> None:
        meta = self.__dynamorm__
        unknown = values.keys() - meta.by_name.keys()
        if unknown:
            raise TypeError(f"{meta.name}() got unexpected field(s): {', '.join(sorted(unknown))}")
        d = self.__dict__
        for f in meta.fields:
            if f.name in values:
                d[f.name] = values[f.name]
            elif f.required:
                raise TypeError(f"{meta.name}() missing required field {f.name!r}")
            else:
                d[f.name] = f.make_default()
        if meta.templated:
            check_given(meta, self, [f.name for f in meta.templated if f.name in values])

    def __eq__(self, other: object) -> bool:
        # Fields only: anything else in ``__dict__`` (a ``cached_property``'s
        # value, the library's bookkeeping) is not part of the item.
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.__dict__, other.__dict__
        return all(mine.get(name) == theirs.get(name) for name in self.__dynamorm__.by_name)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass

    def __repr__(self) -> str:
        values = self.__dict__
        inner = ", ".join(f"{f.name}={values.get(f.name)!r}" for f in self.__dynamorm__.fields)
        return f"{type(self).__name__}({inner})"

    def to_dict(self) -> dict[str, Any]:
        """``{field name: value}``, with ``None`` values left out."""
        values = self.__dict__
        return {
            f.name: values[f.name]
            for f in self.__dynamorm__.fields
            if values.get(f.name) is not None
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """An instance from ``{field name: value}`` (missing optional fields
        take their defaults)."""
        return cls(**data)

    def to_item(self) -> dict[str, dict[str, Any]]:
        """The item in DynamoDB JSON, exactly as it would be written."""
        item: dict[str, dict[str, Any]] = self.__dynamorm_codec__.to_item(self)
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Mapping[str, Any]]) -> Self:
        """An instance read from an item in DynamoDB JSON."""
        obj: Self = cls.__dynamorm_codec__.from_item(item)
        return obj

    @classmethod
    def to_dms(cls) -> dict[str, Any]:
        """This model as a DMS v0.1 document (see ``dynamorm.dms.to_dms``)."""
        return to_dms(cls)


# Re-exported here so `from dynamorm.model import field` also works.
__all__ += ["field"]
