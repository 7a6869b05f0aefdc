"""What a filled page needs beyond a plain one (``all_paginated(fill=True)``,
``scan_paginated(fill=True)``, SPEC §17): the key its cursor resumes from
when the page ends inside a response, and how many items the next read asks
DynamoDB to evaluate. No I/O; the plan is ``ReadPlans._filled``.

A filled page holds ``limit`` matching items however many the filters drop,
so it may take several reads, and its last read may return more matches than
the page has room for. Its cursor must then resume right after the last item
the page returns — DynamoDB's ``LastEvaluatedKey`` lies after the items left
out — so it is built from that item: the table's key attributes, and the
index's when an index is read, in the cursor format of every other page.

That key is re-encoded from the model instance, and it is the stored key
only when every key field reads back to the same attribute value
(``EXACT_KINDS``). A ``datetime`` stored as ``2024-01-01T00:00:00Z`` by another
client reads back and encodes as ``2024-01-01T00:00:00.000000000Z``, which sorts
before it: a cursor built from it would hand the item out again. With such a
key field the page never ends inside a response: each read asks for exactly
the items still needed, so every cursor is DynamoDB's own.
"""

from __future__ import annotations

from typing import Any

from dynamorm.errors import ValidationError
from dynamorm.model.codec import codec_of
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta

__all__ = ["EXACT_KINDS", "exact_keys", "read_size", "resume_key", "start_key_fields"]

EXACT_KINDS = frozenset({"str", "int", "decimal", "bytes", "enum", "literal"})
"""The kinds of key field whose stored value reads back and encodes to the
same attribute value (numbers compare by value, so ``N`` spellings agree)."""


def start_key_fields(meta: ModelMeta, index: str | None) -> tuple[FieldInfo, ...]:
    """The fields of a ``LastEvaluatedKey`` of a read of ``index`` (``None``:
    the table): the table's key, then the index's key attributes it lacks."""
    fields = list(meta.key_fields)
    info = meta.indexes.get(index) if index is not None else None
    if info is not None:
        for f in (info.pk, info.sk):
            if f is not None and f not in fields:
                fields.append(f)
    return tuple(fields)


def exact_keys(fields: tuple[FieldInfo, ...]) -> bool:
    """Whether a key of ``fields`` rebuilt from an instance is the stored key
    (every field of an ``EXACT_KINDS`` kind)."""
    return all(f.info.kind in EXACT_KINDS for f in fields)


def resume_key(fields: tuple[FieldInfo, ...], item: Any) -> dict[str, Any]:
    """The ``ExclusiveStartKey`` that resumes a read of ``fields``' table or
    index right after ``item`` (a model instance read from it: of the model
    of ``fields``, or of another member of its collection, whose key fields
    have the same attributes)."""
    meta: ModelMeta = type(item).__dynamorm__
    codec = codec_of(meta)
    key: dict[str, Any] = {}
    for shared in fields:
        f = meta.by_attr[shared.attr]
        value = codec.encode_field(f, item.__dict__.get(f.name))
        if value is None:
            raise ValidationError(
                f"{meta.name}: a filled page cannot resume after an item without "
                f"its key attribute {f.attr!r}"
            )
        key[f.attr] = value
    return key


def read_size(needed: int, matched: int, evaluated: int, last: int, exact: bool) -> int:
    """The ``Limit`` of a filled page's next read: ``needed`` more matches
    are wanted, and the page's reads so far evaluated ``evaluated`` items of
    which ``matched`` matched, the last read asking for ``last``.

    With ``exact`` keys it scales ``needed`` by the share of matches seen so
    far (twice ``last`` while nothing has matched), never below ``needed``;
    otherwise it is ``needed``, so that no read returns more matches than the
    page takes (see the module docstring)."""
    if not exact:
        return needed
    if matched == 0:
        return last * 2
    return max(needed, -(-needed * evaluated // matched))
