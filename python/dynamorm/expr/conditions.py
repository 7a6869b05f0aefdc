"""Conditions over model fields: filters for reads, conditions for writes.

A ``ConditionSet`` collects clauses joined by AND or OR in call order. AND
binds tighter than OR (as in DynamoDB), so ``a``, ``or b``, ``c`` means
``a OR (b AND c)``; use a group for anything else. Field paths are resolved
to attribute names, and values compared with a field are encoded the way that
field is stored (a datetime field compares against its RFC 3339 text, a TTL
field against epoch seconds) and handed to the compiler as that attribute
value (``_core.Encoded``), never decoded and marshaled again. The result is
a clause for ``dynamorm.expr``; the same sets serve queries, conditional
writes, update builders and transactions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self

from dynamorm import _core, marshal
from dynamorm.errors import ValidationError
from dynamorm.expr import And, Clause, Or, Raw
from dynamorm.model.codec import codec_of
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta
from dynamorm.model.paths import resolve_path

__all__ = [
    "ConditionGroup",
    "ConditionSet",
    "ConditionVocabulary",
    "FilterVocabulary",
    "Term",
    "attribute_value",
    "encode_elements",
    "encode_value",
    "make_term",
    "normalize_op",
]

_SIZE = re.compile(r"SIZE\s*(=|<>|!=|<=|>=|<|>)")
_PLAIN_OPS = frozenset(
    {"=", "<>", "<", "<=", ">", ">=", "BETWEEN", "IN", "BEGINS_WITH", "CONTAINS"}
    | {"NOT_CONTAINS", "EXISTS", "NOT_EXISTS", "ATTRIBUTE_TYPE"}
)
# Operators whose value is (a collection of) the field's own type, so it is
# encoded the way the field is stored.
_ENCODED_OPS = frozenset({"=", "<>", "<", "<=", ">", ">=", "BETWEEN", "IN", "BEGINS_WITH"})
_MAX_IN = 100


def normalize_op(op: str) -> str:
    """The canonical spelling of an operator (upper case, ``!=`` → ``<>``,
    ``"size >"`` → ``"SIZE >"``); raises ``ValidationError`` when unknown."""
    if not isinstance(op, str):
        raise ValidationError(f"an operator must be a str, got {op!r}")
    text = " ".join(op.split()).upper()
    if text == "!=":
        return "<>"
    m = _SIZE.fullmatch(text)
    if m is not None:
        return "SIZE " + ("<>" if m.group(1) == "!=" else m.group(1))
    if text not in _PLAIN_OPS:
        raise ValidationError(f"unknown operator {op!r}")
    return text


class Term:
    """One resolved ``field op value`` comparison."""

    __slots__ = ("field", "op", "path", "segments", "value")

    def __init__(
        self, field: FieldInfo, path: str, segments: list[str | int], op: str, value: Any
    ) -> None:
        self.field = field
        self.path = path
        self.segments = segments
        self.op = op
        self.value = value

    @property
    def is_bare(self) -> bool:
        """Whether the term compares a whole field (not a nested value)."""
        return len(self.segments) == 1

    def wire(self) -> dict[str, Any]:
        """The compared value as an attribute value dict (``{"S": "u1"}``)."""
        return attribute_value(self.value)

    def shown(self) -> Any:
        """The compared value as a plain Python value, for messages."""
        if isinstance(self.value, _core.Encoded):
            return self.value.value()
        return self.value

    def clause(self) -> Clause:
        """The term as a ``dynamorm.expr`` clause."""
        if self.op in ("EXISTS", "NOT_EXISTS"):
            return (self.segments, self.op)
        return (self.segments, self.op, self.value)


def attribute_value(value: Any) -> dict[str, Any]:
    """A clause or action value as an attribute value dict: an ``Encoded``
    one as it is, any other marshaled."""
    if isinstance(value, _core.Encoded):
        return value.av
    return marshal.serialize(value)


def encode_value(
    meta: ModelMeta,
    f: FieldInfo,
    value: Any,
    path: Sequence[str | int] = (),
    *,
    element: bool = False,
) -> Any:
    """``value`` encoded as the type at ``path`` under field ``f`` stores it
    (with ``element``: as an element of the list or set there), as an
    ``Encoded`` attribute value the expression compiler takes as it is. A
    value where nothing is typed (an untyped ``dict``, ``Any``) is returned
    as given; a wrong type is a ``ValidationError`` naming the path."""
    if value is None:
        return None
    schema = codec_of(meta).schema
    if not path and not element:
        if f.info.kind == "datetime" and isinstance(value, str) and "ttl" not in f.roles:
            return value  # already the stored text (e.g. a prefix or an RFC 3339 bound)
        encoded = schema.encode_value(f.name, value)
        # None: an omit_empty field's empty value, compared as given.
        return value if encoded is None else encoded
    node = f.info.at(path)
    if node is not None and node.kind == "datetime" and isinstance(value, str) and not element:
        return value
    encoded = schema.encode_path(f.name, list(path), value, element)
    return value if encoded is None else encoded


def encode_elements(meta: ModelMeta, f: FieldInfo, path: Sequence[str | int], items: Any) -> Any:
    """A list of elements for the list at ``path`` under ``f`` (``append``,
    ``prepend``): one ``Encoded`` list of the encoded elements, or the list
    as given where the elements are untyped."""
    values = [encode_value(meta, f, item, path, element=True) for item in items]
    if values and all(isinstance(v, _core.Encoded) for v in values):
        return _core.Encoded({"L": [v.av for v in values]})
    return list(items)


def make_term(meta: ModelMeta, path: str, op: str, value: Any = None) -> Term:
    """Resolves ``path`` and encodes ``value`` for ``op``; ``ValidationError``
    names the model and field on a bad operator or value."""
    f, segments = resolve_path(meta, path)
    try:
        canonical = normalize_op(op)
    except ValidationError as exc:
        raise ValidationError(f"{meta.name}.{path}: {exc}") from None
    if canonical in ("EXISTS", "NOT_EXISTS"):
        return Term(f, path, segments, canonical, None)
    encode = canonical in _ENCODED_OPS
    below = segments[1:]
    if canonical in ("CONTAINS", "NOT_CONTAINS") and value is not None:
        # An element of the list or set at the path (a substring of a str).
        value = encode_value(meta, f, value, below, element=True)
    elif canonical == "BETWEEN":
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise ValidationError(f"{meta.name}.{path}: BETWEEN takes a (low, high) pair")
        value = tuple(encode_value(meta, f, v, below) for v in value)
    elif canonical == "IN":
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise ValidationError(f"{meta.name}.{path}: IN takes an iterable of values")
        items = list(value)
        if not 1 <= len(items) <= _MAX_IN:
            raise ValidationError(
                f"{meta.name}.{path}: IN takes 1 to {_MAX_IN} values, got {len(items)}"
            )
        value = [encode_value(meta, f, v, below) for v in items]
    elif canonical == "BEGINS_WITH" and isinstance(value, str):
        pass  # a prefix of the stored text, not a whole value of the field
    elif encode:
        value = encode_value(meta, f, value, below)
    return Term(f, path, segments, canonical, value)


class ConditionSet:
    """Clauses joined by AND/OR in call order (AND binds tighter)."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[tuple[bool, Clause]] = []

    def add(self, clause: Clause, *, either: bool = False) -> None:
        """Adds ``clause``, ORed with what came before when ``either``."""
        self.entries.append((either, clause))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def copy(self) -> ConditionSet:
        """An independent copy."""
        out = ConditionSet()
        out.entries = list(self.entries)
        return out

    def build(self) -> Clause | None:
        """The whole set as one clause, or ``None`` when empty."""
        if not self.entries:
            return None
        runs: list[list[Clause]] = []
        for either, clause in self.entries:
            if either or not runs:
                runs.append([clause])
            else:
                runs[-1].append(clause)
        groups: list[Clause] = [run[0] if len(run) == 1 else And(*run) for run in runs]
        return groups[0] if len(groups) == 1 else Or(*groups)


class FilterVocabulary:
    """``filter`` / ``or_filter`` / ``filter_group`` / ``or_filter_group``:
    the read-side condition methods, written once for every builder that has
    them (``Query``, ``ConditionGroup``). A class gives ``_filter_target()``,
    the model and the set the clauses join."""

    __slots__ = ()

    def _filter_target(self) -> tuple[ModelMeta, ConditionSet]:
        raise NotImplementedError

    def filter(self, field: str, op: str, value: Any = None) -> Self:
        """ANDs the filter ``field op value``."""
        meta, target = self._filter_target()
        target.add(make_term(meta, field, op, value).clause())
        return self

    def or_filter(self, field: str, op: str, value: Any = None) -> Self:
        """ORs the filter ``field op value`` with the filters so far (AND
        binds tighter than OR)."""
        meta, target = self._filter_target()
        target.add(make_term(meta, field, op, value).clause(), either=True)
        return self

    def filter_group(self, fn: Callable[[ConditionGroup], object]) -> Self:
        """ANDs a parenthesised group of filters that ``fn`` adds to the
        ``ConditionGroup`` it receives."""
        meta, target = self._filter_target()
        target.add(build_group(meta, fn))
        return self

    def or_filter_group(self, fn: Callable[[ConditionGroup], object]) -> Self:
        """ORs a parenthesised group of filters built by ``fn``."""
        meta, target = self._filter_target()
        target.add(build_group(meta, fn), either=True)
        return self


class ConditionVocabulary:
    """``condition`` / ``or_condition`` / ``condition_group`` /
    ``or_condition_group``: the write-side condition methods, written once
    for every builder that has them (``Query``, ``UpdateBuilder``,
    ``ConditionGroup``). A class gives ``_condition_target()``."""

    __slots__ = ()

    def _condition_target(self) -> tuple[ModelMeta, ConditionSet]:
        raise NotImplementedError

    def condition(self, field: str, op: str, value: Any = None) -> Self:
        """ANDs the condition ``field op value``."""
        meta, target = self._condition_target()
        target.add(make_term(meta, field, op, value).clause())
        return self

    def or_condition(self, field: str, op: str, value: Any = None) -> Self:
        """ORs the condition ``field op value`` with the conditions so far."""
        meta, target = self._condition_target()
        target.add(make_term(meta, field, op, value).clause(), either=True)
        return self

    def condition_group(self, fn: Callable[[ConditionGroup], object]) -> Self:
        """ANDs a parenthesised group of conditions built by ``fn``."""
        meta, target = self._condition_target()
        target.add(build_group(meta, fn))
        return self

    def or_condition_group(self, fn: Callable[[ConditionGroup], object]) -> Self:
        """ORs a parenthesised group of conditions built by ``fn``."""
        meta, target = self._condition_target()
        target.add(build_group(meta, fn), either=True)
        return self


class ConditionGroup(FilterVocabulary, ConditionVocabulary):
    """The builder ``filter_group``/``or_filter_group`` (and the write-side
    ``condition_group``) pass to your function: collect clauses with
    ``filter``/``condition`` (AND) and ``or_filter``/``or_condition`` (OR);
    they become one parenthesised group. ``group``/``or_group`` (or the
    ``*_filter_group``/``*_condition_group`` names) nest a group in it."""

    __slots__ = ("_meta", "_set")

    def __init__(self, meta: ModelMeta) -> None:
        self._meta = meta
        self._set = ConditionSet()

    def _filter_target(self) -> tuple[ModelMeta, ConditionSet]:
        return self._meta, self._set

    _condition_target = _filter_target

    group = FilterVocabulary.filter_group
    or_group = FilterVocabulary.or_filter_group


def build_group(meta: ModelMeta, fn: Callable[[ConditionGroup], object]) -> Clause:
    """Runs ``fn`` on a fresh group and returns the group's clause."""
    group = ConditionGroup(meta)
    fn(group)
    clause = group._set.build()
    if clause is None:
        raise ValidationError(f"{meta.name}: a condition group must add at least one clause")
    return clause


def raw_clause(text: str, values: Any = None, names: Any = None) -> Raw:
    """A hand-written condition; it is validated by the core before sending."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("a condition expression must be a non-empty str")
    return Raw(text, dict(values) if values else None, dict(names) if names else None)
