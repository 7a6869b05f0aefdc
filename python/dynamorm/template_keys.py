"""Key conditions from ``where`` terms on the fields of key templates.

``where("user_id", "=", "u1")`` on a model whose partition key is
``template="USER#{user_id}"`` is the key condition ``pk = "USER#u1"``
(``requests.choose_keys`` asks here for each candidate table or index):

- a partition key: every field of its template compared with ``=``;
- a sort key: every field with ``=`` gives ``sk = text``; the leading fields
  with ``=`` and ``BEGINS_WITH`` on the next give
  ``begins_with(sk, "ORDER#2026")``; the leading fields alone give
  ``begins_with`` of the text up to the next field — with no field given,
  the template's leading literal (``"ORDER#"``), which keeps the read to
  items of this template.

A term used for a key condition is not also a filter: the key condition
implies it, since a template reads back exactly as it was written
(``model/templates.py``), so items written by another client without the
source attributes are found too. A term directly on the key field itself
(``where("pk", "=", "USER#u1")``) is used as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dynamorm import _core
from dynamorm.errors import ValidationError
from dynamorm.expr.conditions import Term, make_term
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta
from dynamorm.model.templates import Template

__all__ = ["KeyTerm", "key_terms", "partition_term", "sort_term"]


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """A key condition on one key field and the ``where`` terms it stands
    for; ``given`` is false when no term was given for it (the leading
    literal of a sort-key template)."""

    term: Term
    used: tuple[Term, ...]
    given: bool = True


def _equal(where: Sequence[Term], name: str) -> Term | None:
    return next((t for t in where if t.is_bare and t.field.name == name and t.op == "="), None)


def _text(meta: ModelMeta, template: Template, position: int, term: Term) -> str:
    """The text the term's value takes in the key (its stored text, with
    the placeholder's format)."""
    value = term.value
    if isinstance(value, _core.Encoded):
        stored = next(iter(value.av.values()))
        if not isinstance(stored, str):
            raise ValidationError(f"{meta.name}.{term.path}: {term.shown()!r} cannot be in a key")
        return template.piece(position, stored)
    if isinstance(value, str):
        return template.piece(position, value)
    return template.stored_text(position, value)


def _leading(
    meta: ModelMeta, template: Template, where: Sequence[Term]
) -> tuple[list[str], list[Term]]:
    pieces: list[str] = []
    used: list[Term] = []
    for i, name in enumerate(template.fields):
        term = _equal(where, name)
        if term is None:
            break
        pieces.append(_text(meta, template, i, term))
        used.append(term)
    return pieces, used


def partition_term(meta: ModelMeta, f: FieldInfo, where: Sequence[Term]) -> KeyTerm | None:
    """The ``=`` condition on the partition key ``f``: a term on ``f``
    itself, or its template rendered from ``=`` terms on every one of its
    fields; ``None`` when neither is given."""
    direct = next((t for t in where if t.is_bare and t.field is f and t.op == "="), None)
    if direct is not None:
        return KeyTerm(direct, (direct,))
    template = f.template
    if template is None:
        return None
    pieces, used = _leading(meta, template, where)
    if len(pieces) < len(template.fields):
        return None
    return KeyTerm(make_term(meta, f.name, "=", template.compose(pieces)), tuple(used))


def sort_term(
    meta: ModelMeta, f: FieldInfo, where: Sequence[Term], ops: frozenset[str]
) -> KeyTerm | None:
    """The key condition on the sort key ``f``: a term on ``f`` itself whose
    operator is one of ``ops``, or one made from its template (see the
    module docstring); ``None`` when there is none."""
    direct = next((t for t in where if t.is_bare and t.field is f and t.op in ops), None)
    if direct is not None:
        return KeyTerm(direct, (direct,))
    template = f.template
    if template is None:
        return None
    pieces, used = _leading(meta, template, where)
    if len(pieces) == len(template.fields):
        return KeyTerm(make_term(meta, f.name, "=", template.compose(pieces)), tuple(used))
    partial = None
    name = template.fields[len(pieces)]
    begins = next(
        (t for t in where if t.is_bare and t.field.name == name and t.op == "BEGINS_WITH"), None
    )
    if begins is not None:
        # The beginning of the text as the key holds it: no format applied.
        value = begins.value
        partial = next(iter(value.av.values())) if isinstance(value, _core.Encoded) else value
        if not isinstance(partial, str):
            raise ValidationError(
                f"{meta.name}.{begins.path}: BEGINS_WITH takes the beginning of the text "
                f"as the key {f.name!r} holds it, got {begins.shown()!r}"
            )
        used.append(begins)
    prefix = template.prefix_of(pieces, partial)
    if not prefix:
        return None
    return KeyTerm(make_term(meta, f.name, "BEGINS_WITH", prefix), tuple(used), bool(used))


def key_terms(meta: ModelMeta, where: Sequence[Term], operation: str) -> list[KeyTerm]:
    """The ``=`` conditions on the table's keys that ``where`` gives (as
    ``key_of_where`` needs them); ``ValidationError`` names the first key
    missing."""
    out: list[KeyTerm] = []
    for f in meta.key_fields:
        found = partition_term(meta, f, where)
        if found is None:
            template = f.template
            wanted = (
                ", ".join(f"where({n!r}, '=', ...)" for n in template.fields)
                if template is not None and template.fields
                else f"where({f.name!r}, '=', ...)"
            )
            raise ValidationError(
                f"{meta.name}.{operation}(): needs the full primary key: {wanted} is missing"
            )
        out.append(found)
    return out
