"""Instances read in part, and what their writes may store.

A read that returns part of each item — ``select()``, a query of an index
that does not project every attribute, ``return_values("UPDATED_NEW")`` —
gives instances whose other fields hold their defaults. Writing those
defaults would replace the stored values, so such an instance records how it
was read (``mark``) and the writes of ``requests.py`` and ``query.py`` consult
the record (docs/conditional-writes.md, "Instances read in part"):

- a field not read and not changed since is left out of ``update()`` and
  ``create_or_update()``, and refused (``ValidationError``) when named;
- a field changed since the read counts as read: its new value is written;
- a field read in part (a nested path) cannot be written whole once changed;
- a put of the whole instance (``create()``, a transaction's ``put``) is
  refused while any field is unread.

"Changed" means its encoding differs from what the field held when read, so
the record keeps those encodings: computed once per read for defaults that are
the same for every instance, per instance otherwise (a field read in part, a
``default_factory`` that may differ per call). The record lives in the
instance's ``__dict__`` under ``LOADED`` (equality, ``repr`` and ``to_dict``
look at fields only); no entry, or ``None``, means the instance was read whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dynamorm.errors import ValidationError
from dynamorm.model.codec import codec_of
from dynamorm.model.fields import MISSING, FieldInfo
from dynamorm.model.meta import IndexInfo, ModelMeta

__all__ = [
    "LOADED",
    "Read",
    "ReadShape",
    "check_put",
    "mark",
    "shape_of",
    "unread",
    "writable",
    "written",
]

LOADED = "__dynamorm_loaded__"
"""The ``__dict__`` key of an instance's ``Read`` record."""

# Factories whose value is the same (empty) container on every call.
_PLAIN_FACTORIES: frozenset[Any] = frozenset({list, dict, set, frozenset, tuple, str, bytes})


@dataclass(frozen=True, slots=True)
class Read:
    """One instance's record: the fields it was not read with (``values``:
    field name → the field's encoding when read, ``None`` when it was left
    out) and which of them were read in part."""

    values: dict[str, Any]
    partial: frozenset[str]


@dataclass(frozen=True, slots=True)
class ReadShape:
    """What one read returns of every item: the ``Read`` of instances whose
    unread fields all hold the same defaults (``shared``), and the unread
    fields whose read value is each instance's own (``own``)."""

    shared: Read
    own: tuple[FieldInfo, ...]


def shape_of(
    meta: ModelMeta,
    paths: Sequence[Sequence[str | int]] | None,
    index: IndexInfo | None = None,
) -> ReadShape | None:
    """The shape of a read of ``meta``'s items with the projection ``paths``
    (attribute-name segments; the key is always read), or, without one, of a
    read of ``index``; ``None`` when every field is read whole."""
    if not paths and (index is None or index.projection == "ALL"):
        return None
    whole = {f.name for f in meta.key_fields}
    partial: set[str] = set()
    if paths:
        for path in paths:
            f = meta.by_attr.get(str(path[0]))
            if f is not None:
                (whole if len(path) == 1 else partial).add(f.name)
    elif index is not None and index.projection != "ALL":
        whole.add(index.pk.name)
        if index.sk is not None:
            whole.add(index.sk.name)
        whole.update(meta.by_attr[a].name for a in index.projected if a in meta.by_attr)
    unread = [f for f in meta.fields if f.name not in whole]
    if not unread:
        return None
    codec = codec_of(meta)
    shared: dict[str, Any] = {}
    own: list[FieldInfo] = []
    for f in unread:
        if f.name in partial or (
            f.default_factory is not MISSING and f.default_factory not in _PLAIN_FACTORIES
        ):
            own.append(f)
        else:
            shared[f.name] = codec.encode_field(f, f.make_default())
    return ReadShape(Read(shared, frozenset(partial - whole)), tuple(own))


def mark(meta: ModelMeta, shape: ReadShape | None, items: Iterable[Any]) -> None:
    """Records on each instance of ``items`` that it was read with ``shape``."""
    if shape is None:
        return
    shared = shape.shared
    if not shape.own:
        for obj in items:
            obj.__dict__[LOADED] = shared
        return
    encode = codec_of(meta).encode_field
    for obj in items:
        d = obj.__dict__
        values = dict(shared.values)
        for f in shape.own:
            values[f.name] = encode(f, d.get(f.name))
        d[LOADED] = Read(values, shared.partial)


def unread(meta: ModelMeta, obj: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The fields of ``obj`` not read and unchanged since, and those read in
    part and changed since (both empty for an instance read whole)."""
    record = obj.__dict__.get(LOADED)
    if record is None:
        return frozenset(), frozenset()
    encode = codec_of(meta).encode_field
    d = obj.__dict__
    untouched: set[str] = set()
    changed_part: set[str] = set()
    for name, read_as in record.values.items():
        if encode(meta.by_name[name], d.get(name)) == read_as:
            untouched.add(name)
        elif name in record.partial:
            changed_part.add(name)
    return frozenset(untouched), frozenset(changed_part)


def _part_error(meta: ModelMeta, operation: str, name: str) -> ValidationError:
    return ValidationError(
        f"{meta.name}.{operation}(): field {name!r} was read only in part (a nested path "
        "in select()) and has changed since; writing it whole would erase the parts not "
        f"read. Change those paths with update_builder().set('{name}.<path>', value)"
    )


def writable(
    meta: ModelMeta,
    obj: Any,
    chosen: Sequence[FieldInfo],
    *,
    named: bool,
    operation: str,
    versioned: bool = False,
) -> list[FieldInfo]:
    """The fields of ``chosen`` an update of ``obj`` writes: all of them for
    an instance read whole; otherwise those read or changed since the read —
    a field named (``named``) that was neither raises ``ValidationError``, so
    does a field read in part and changed since, and (``versioned``: the
    update is conditioned on the instance's version) an unread version."""
    untouched, changed_part = unread(meta, obj)
    if not untouched and not changed_part:
        return list(chosen)
    out = []
    for f in chosen:
        if f.name in changed_part:
            raise _part_error(meta, operation, f.name)
        if f.name not in untouched:
            out.append(f)
        elif named:
            raise ValidationError(
                f"{meta.name}.{operation}(): field {f.name!r} was not read (the instance "
                "comes from a read of part of the item: select(), an index projection or "
                "UPDATED_* return values) and has not changed since; writing it would "
                "replace the stored value with its default. Read it too, or set its new "
                "value first"
            )
    version = meta.version
    if versioned and version is not None and version.name in untouched:
        raise ValidationError(
            f"{meta.name}.{operation}(): the version field {version.name!r} was not read, "
            "so the optimistic-locking condition cannot be built; include it in select()"
        )
    return out


def check_put(meta: ModelMeta, obj: Any, operation: str) -> None:
    """Refuses a put of the whole of ``obj`` (``ValidationError``) while it
    has fields not read (nor changed since), or read in part and changed:
    their stored values would be replaced. ``created_at``/``updated_at`` do
    not count: a put sets them anyway."""
    untouched, changed_part = unread(meta, obj)
    if changed_part:
        raise _part_error(meta, operation, sorted(changed_part)[0])
    stamps = {f.name for f in (meta.created_at, meta.updated_at) if f is not None}
    missing = [f.name for f in meta.fields if f.name in untouched - stamps]
    if missing:
        raise ValidationError(
            f"{meta.name}.{operation}(): this instance was read in part and its fields "
            f"{', '.join(map(repr, missing))} were not read; a put writes the whole item and "
            "would replace their stored values with defaults. Use update(), which writes "
            "only what was read, or read the whole item"
        )


def written(obj: Any, names: Iterable[str]) -> Read | None:
    """``obj``'s record once the fields ``names`` are stored as it holds
    them (``None``: nothing is left unread)."""
    record: Read | None = obj.__dict__.get(LOADED)
    if record is None:
        return None
    done = set(names)
    values = {n: v for n, v in record.values.items() if n not in done}
    if not values:
        return None
    return Read(values, record.partial - done)
