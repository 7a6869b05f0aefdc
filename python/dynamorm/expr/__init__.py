"""DynamoDB expressions, compiled and validated by the Rust core.

Structured input compiles to text in which every attribute name is a ``#n``
placeholder and every value a ``:v`` placeholder, so any attribute name works
(reserved words, spaces, dots, any Unicode):

    >>> c = compile_condition([("status", "=", "active"), ("age", ">=", 18)])
    >>> c.expression
    '#n0 = :v0 AND #n1 >= :v1'
    >>> c.names
    {'#n0': 'status', '#n1': 'age'}

Clauses are ``(path, op, value)`` tuples (``(path, op)`` for ``EXISTS`` /
``NOT_EXISTS``), ANDed; ``And``, ``Or`` and ``Not`` group them and ``Raw``
embeds a hand-written expression with its own names and values. Paths are
dotted text (``"address.city"``, ``"items[0].price"``) or a list of segments
(``["a.b", 0]``) for names holding dots or brackets.

``compile_request`` compiles the several expressions of one request (key
condition + filter + projection, or update + condition) into one shared
``ExpressionAttributeNames`` / ``ExpressionAttributeValues``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

from dynamorm import _core
from dynamorm._core import Compiled, CompiledRequest

__all__ = [
    "RESERVED_WORDS",
    "And",
    "Clause",
    "Compiled",
    "CompiledRequest",
    "Not",
    "Or",
    "Path",
    "Raw",
    "UpdateAction",
    "compile_condition",
    "compile_key_condition",
    "compile_projection",
    "compile_request",
    "compile_update",
    "is_reserved",
    "parse",
    "validate",
]

Path: TypeAlias = str | Sequence[str | int]
"""A document path: ``"a.b[0]"``, or segments ``["a.b", 0]`` taken literally."""

ExpressionKind: TypeAlias = Literal["condition", "key_condition", "update", "projection"]

RESERVED_WORDS: frozenset[str] = frozenset(_core.RESERVED_WORDS)
"""DynamoDB's reserved words (upper-case; 573 of them)."""


@dataclass(frozen=True, slots=True)
class Raw:
    """A hand-written expression with its own placeholders.

    Used as a clause (it is parsed and validated, then combined with the
    other clauses) or in place of a whole slot of ``compile_request``.
    """

    text: str
    values: Mapping[str, Any] | None = None
    names: Mapping[str, str] | None = None
    _group: ClassVar[str] = "raw"


@dataclass(frozen=True, slots=True, init=False)
class And:
    """All of the clauses hold."""

    clauses: tuple[Clause, ...]
    _group: ClassVar[str] = "and"

    def __init__(self, *clauses: Clause) -> None:
        object.__setattr__(self, "clauses", clauses)


@dataclass(frozen=True, slots=True, init=False)
class Or:
    """At least one of the clauses holds."""

    clauses: tuple[Clause, ...]
    _group: ClassVar[str] = "or"

    def __init__(self, *clauses: Clause) -> None:
        object.__setattr__(self, "clauses", clauses)


@dataclass(frozen=True, slots=True)
class Not:
    """The clause does not hold."""

    clause: Clause
    _group: ClassVar[str] = "not"


Clause: TypeAlias = tuple[Path, str] | tuple[Path, str, Any] | And | Or | Not | Raw | list[Any]
"""A condition clause: ``(path, op, value)``, ``(path, op)``, a group, or a
list of clauses (ANDed)."""

UpdateAction: TypeAlias = tuple[Any, ...]
"""An update action: ``("set", path, value)``, ``("set_if_not_exists", path,
value)``, ``("add", path, value)``, ``("increment", path[, by])``,
``("decrement", path[, by])``, ``("remove", path)``, ``("delete", path,
elements)``, ``("append_to_list", path, items)``, ``("prepend_to_list", path,
items)``, ``("remove_from_list_at", path, index)`` or
``("set_list_element", path, index, value)``."""


def compile_request(
    *,
    key_condition: Iterable[Clause] | Raw | None = None,
    filter: Iterable[Clause] | Raw | None = None,
    condition: Iterable[Clause] | Raw | None = None,
    update: Iterable[UpdateAction] | Raw | None = None,
    projection: Iterable[Path] | Raw | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    key_attributes: Sequence[str] | None = None,
) -> CompiledRequest:
    """Compiles the expressions of one request into one namespace.

    ``names``/``values`` are placeholders used by ``Raw`` parts; generated
    placeholders never collide with them and each must be used. With
    ``key_attributes``, an update of a key attribute raises ``ValidationError``.
    """
    return _core.compile_request_object(
        key_condition,
        filter,
        condition,
        update,
        projection,
        names,
        values,
        None if key_attributes is None else list(key_attributes),
    )


if TYPE_CHECKING:

    def compile_condition(
        clauses: Iterable[Clause],
        *,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Compiled:
        """Compiles clauses (ANDed) into a condition or filter expression."""

    def compile_key_condition(
        clauses: Iterable[Clause],
        *,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Compiled:
        """Compiles a key condition: partition key ``=``, optionally ANDed with
        one sort-key clause (``=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``,
        ``BEGINS_WITH``)."""

else:
    # The native functions have exactly these signatures and docstrings;
    # calling them directly saves a Python frame on the hottest calls.
    compile_condition = _core.compile_condition
    compile_key_condition = _core.compile_key_condition


def compile_update(
    actions: Iterable[UpdateAction],
    *,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    key_attributes: Sequence[str] | None = None,
) -> Compiled:
    """Compiles update actions (see ``UpdateAction``) into an update expression.

    Two actions on overlapping paths, or (with ``key_attributes``) an action
    on a key attribute, raise ``ValidationError``.
    """
    return _core.compile_update(
        actions, names, values, None if key_attributes is None else list(key_attributes)
    )


def compile_projection(
    paths: Iterable[Path],
    *,
    names: Mapping[str, str] | None = None,
) -> Compiled:
    """Compiles a projection of ``paths``."""
    return _core.compile_projection(paths, names)


def validate(
    text: str,
    *,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    kind: ExpressionKind | None = None,
    key_attributes: Sequence[str] | None = None,
) -> None:
    """Raises ``ExpressionError`` (with ``.position``) if DynamoDB would reject
    ``text`` with these names and values.

    Checks syntax, placeholders without entries, entries never used, unescaped
    reserved words and, for updates, overlapping paths and (with
    ``key_attributes``) updates of key attributes. ``kind=None`` detects the
    kind: an update if it starts with an update keyword, else a condition,
    else a projection.
    """
    _core.validate_expression(
        text,
        names=names,
        values=values,
        kind=kind,
        key_attributes=None if key_attributes is None else list(key_attributes),
    )


def parse(text: str, kind: ExpressionKind | None = None) -> dict[str, Any]:
    """The syntax tree of ``text`` as nested dicts; every node has ``"type"``
    and ``"span"`` (byte offsets ``(start, end)``)."""
    return _core.parse_expression(text, kind)


def is_reserved(word: str) -> bool:
    """Whether ``word`` is a DynamoDB reserved word (case-insensitive)."""
    return _core.is_reserved(word)
