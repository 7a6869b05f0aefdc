"""The models of a collection (SPEC §17): ``db.collection(User, Order)``.

A collection reads, in one Query, the partition several entity models share
and hands back each item as its own model. ``Members`` checks, before any
request, that the models can share a partition — entity models of one table
with one type attribute and distinct types, whose table key (or index key)
has the same attributes and the same partition-key template — and knows how
to tell their items apart (``items_of``). ``MemberFilters`` builds the
collection's filter: each member's type, ANDed with the filters given for
that member. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dynamorm.errors import ValidationError
from dynamorm.expr import And, Clause, Or
from dynamorm.expr.conditions import ConditionGroup, ConditionSet, build_group, make_term
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import IndexInfo, ModelMeta
from dynamorm.model.paths import resolve_path
from dynamorm.responses import decoded

__all__ = ["MemberFilters", "Members"]


@dataclass(frozen=True, slots=True)
class Members:
    """The validated models of one collection, the first one leading (its
    key fields name the shared keys in ``where``)."""

    metas: tuple[ModelMeta, ...]
    attr: str
    """The type attribute every member's items carry."""
    keys: frozenset[str | None]
    """The keys the members share: ``None`` for the table's, index names."""
    name: str
    """``collection(User, Order)``, as error messages name the collection."""

    @classmethod
    def of(cls, models: Sequence[Any]) -> Members:
        """The members of ``db.collection(*models)``; ``ValidationError``
        naming the model when they cannot share a partition."""
        metas = _metas(models)
        name = f"collection({', '.join(m.name for m in metas)})"
        lead = metas[0]
        for meta in metas[1:]:
            if meta.table != lead.table:
                raise ValidationError(
                    f"{name}: {meta.name} is stored in table {meta.table!r} and "
                    f"{lead.name} in {lead.table!r}; a collection reads one table"
                )
            if meta.entity_attr != lead.entity_attr:
                raise ValidationError(
                    f"{name}: {meta.name} keeps its type in {meta.entity_attr!r} and "
                    f"{lead.name} in {lead.entity_attr!r}; the members need one type attribute"
                )
        keys = frozenset(k for k in (None, *lead.indexes) if _shared(metas, k) is None)
        if not keys:
            reason = _shared(metas, None)
            raise ValidationError(f"{name}: the models share no partition key: {reason}")
        return cls(metas, lead.entity_attr, keys, name)

    @property
    def lead(self) -> ModelMeta:
        """The first member."""
        return self.metas[0]

    @property
    def models(self) -> tuple[type[Model], ...]:
        """The member classes, in the order given."""
        return tuple(meta.cls for meta in self.metas)

    @property
    def where_fields(self) -> frozenset[str]:
        """The fields ``where`` takes: those giving a shared partition key
        (its template's fields, or the key field itself)."""
        out: set[str] = set()
        for index in self.keys:
            key = _key_of(self.lead, index)
            assert key is not None  # a shared key is the lead's
            pk = key[0]
            out.update(pk.template.fields if pk.template is not None else (pk.name,))
        return frozenset(out)

    @property
    def schemas(self) -> list[Any]:
        """The members' item schemas: the fast read path decodes each item
        with the one its type attribute names."""
        return [codec_of(meta).schema for meta in self.metas]

    def meta_of(self, model: Any) -> ModelMeta:
        """The member ``model`` names; ``ValidationError`` for another."""
        for meta in self.metas:
            if meta.cls is model:
                return meta
        shown = model.__name__ if isinstance(model, type) else repr(model)
        raise ValidationError(f"{self.name}: {shown} is not one of its models")

    def check_key(self, index: str | None) -> None:
        """Refuses a read of a key the members do not share."""
        if index in self.keys:
            return
        reason = _shared(self.metas, index)
        raise ValidationError(f"{self.name}: cannot read {_key_name(index)}: {reason}")

    def items_of(self, response: Mapping[str, Any]) -> list[Any]:
        """The member instances of a Query response's ``Items`` (already
        instances when the fast read path decoded it), in the order read;
        items of no member are left out."""
        if decoded(response):
            return list(response.get("Items", ()))
        by_type = {meta.entity: codec_of(meta).from_item for meta in self.metas}
        out = []
        for item in response.get("Items", ()):
            av = item.get(self.attr)
            from_item = by_type.get(av.get("S")) if isinstance(av, Mapping) else None
            if from_item is not None:
                out.append(from_item(item))
        return out


class MemberFilters:
    """A collection's filter: an item matches when it is a member's and
    passes the filters given for that member (``add``)."""

    __slots__ = ("_excluded", "_sets", "members")

    def __init__(self, members: Members) -> None:
        self.members = members
        self._sets = {meta.name: ConditionSet() for meta in members.metas}
        self._excluded: set[str] = set()

    def add(self, field: str, op: str, value: Any, model: Any) -> None:
        """ANDs ``field op value`` onto the filters of ``model`` (a member),
        or with ``model=None`` onto every member's: a member without the
        field then matches nothing, as DynamoDB compares a missing
        attribute; a field no member has is refused."""
        self._each(model, field, lambda meta: make_term(meta, field, op, value).clause())

    def add_group(self, fn: Callable[[ConditionGroup], object], model: Any) -> None:
        """ANDs the group ``fn`` builds onto the filters of ``model``, or of
        every member (each must have the fields it names)."""
        for meta in self._targets(model):
            self._sets[meta.name].add(build_group(meta, fn))

    def clause(self) -> Clause:
        """The filter of the collection's Query."""
        branches: list[Clause] = []
        plain: list[str] = []
        for meta in self.members.metas:
            if meta.name in self._excluded:
                continue
            assert meta.entity is not None  # Members checked it
            own = self._sets[meta.name].build()
            is_member: Clause = ([self.members.attr], "=", meta.entity)
            if own is None:
                plain.append(meta.entity)
            branches.append(is_member if own is None else And(is_member, own))
        if len(plain) == len(branches) > 1:
            return ([self.members.attr], "IN", plain)
        return branches[0] if len(branches) == 1 else Or(*branches)

    def _targets(self, model: Any) -> Iterable[ModelMeta]:
        return self.members.metas if model is None else (self.members.meta_of(model),)

    def _each(self, model: Any, field: str, clause: Callable[[ModelMeta], Clause]) -> None:
        if model is not None:
            meta = self.members.meta_of(model)
            self._sets[meta.name].add(clause(meta))
            return
        having = [m for m in self.members.metas if _has_field(m, field)]
        if not having:
            raise ValidationError(f"{self.members.name}: no model has a field {field!r}")
        for meta in self.members.metas:
            if meta in having:
                self._sets[meta.name].add(clause(meta))
            else:
                self._excluded.add(meta.name)
        if len(self._excluded) == len(self.members.metas):
            raise ValidationError(
                f"{self.members.name}: the filters on {field!r} leave no model to match"
            )


def _metas(models: Sequence[Any]) -> tuple[ModelMeta, ...]:
    if not models:
        raise ValidationError("db.collection() needs at least one model")
    metas: list[ModelMeta] = []
    for model in models:
        if not (isinstance(model, type) and issubclass(model, Model)):
            raise ValidationError(f"db.collection() takes Model classes, got {model!r}")
        meta: ModelMeta = model.__dynamorm__
        if meta.entity is None:
            raise ValidationError(
                f"db.collection(): {meta.name} is not an entity model: declare it with "
                f"entity=... — a collection tells its items apart by their type attribute"
            )
        for seen in metas:
            if seen.cls is model:
                raise ValidationError(f"db.collection(): {meta.name} is given twice")
            if seen.entity == meta.entity:
                raise ValidationError(
                    f"db.collection(): {seen.name} and {meta.name} are both entity "
                    f"{meta.entity!r}; their items could not be told apart"
                )
        metas.append(meta)
    return tuple(metas)


def _has_field(meta: ModelMeta, path: str) -> bool:
    try:
        resolve_path(meta, path)
    except ValidationError:
        return False
    return True


def _key_name(index: str | None) -> str:
    return "the table's key" if index is None else f"index {index!r}"


def _key_of(meta: ModelMeta, index: str | None) -> tuple[FieldInfo, FieldInfo | None] | None:
    if index is None:
        return meta.pk, meta.sk
    info: IndexInfo | None = meta.indexes.get(index)
    return None if info is None else (info.pk, info.sk)


def _shared(metas: Sequence[ModelMeta], index: str | None) -> str | None:
    """Why the members cannot share ``index``'s partition (``None``: the
    table's), or ``None`` when they can."""
    keys = []
    for meta in metas:
        key = _key_of(meta, index)
        if key is None:
            return f"{meta.name} has no index {index!r}"
        if index is not None and meta.indexes[index].projection != "ALL":
            return f"index {index!r} of {meta.name} does not project every attribute"
        keys.append(key)
    lead, (pk, sk) = metas[0], keys[0]
    for meta, (other_pk, other_sk) in zip(metas[1:], keys[1:], strict=True):
        if other_pk.attr != pk.attr:
            return (
                f"the partition key of {_key_name(index)} is {pk.attr!r} in {lead.name} "
                f"and {other_pk.attr!r} in {meta.name}"
            )
        if other_pk.template != pk.template:
            return (
                f"the partition key {pk.attr!r} is built as {_template_text(pk)} in "
                f"{lead.name} and as {_template_text(other_pk)} in {meta.name}"
            )
        for source in pk.template.fields if pk.template is not None else ():
            if lead.by_name[source].info.kind != meta.by_name[source].info.kind:
                return (
                    f"the partition key's field {source!r} has another type in "
                    f"{meta.name} than in {lead.name}"
                )
        if (sk is None) != (other_sk is None) or (
            sk is not None and other_sk is not None and sk.attr != other_sk.attr
        ):
            return (
                f"the sort key of {_key_name(index)} is {_attr_text(sk)} in {lead.name} "
                f"and {_attr_text(other_sk)} in {meta.name}"
            )
    return None


def _template_text(f: FieldInfo) -> str:
    return "given by hand" if f.template is None else f"template {f.template.text!r}"


def _attr_text(f: FieldInfo | None) -> str:
    return "absent" if f is None else repr(f.attr)
