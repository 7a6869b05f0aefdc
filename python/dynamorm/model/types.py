"""What a model field's annotation means for storage, at every depth.

``analyze(annotation)`` turns an annotation into a ``TypeInfo`` tree, once,
when the model class is created: each node is one type of SPEC §2's table
(``str``, ``date``, an ``Enum``, ``list[T]``, a dataclass, ...) with the
nodes of what it holds, so ``list[Address]`` is a list node over a dataclass
node over the nodes of ``Address``'s fields. The model's compiled Rust
schema follows the tree on every path; ``X | None`` may appear at any node
(``optional``), ``Annotated[X, ...]`` is ``X``, and string annotations
(``from __future__ import annotations``, forward references) are resolved
against the module of the class that declares them.

Unsupported annotations raise ``TypeError`` with a short reason; the model
turns it into an ``InvalidModelError`` naming the class and field.

Users' own types join with ``register_type``: a registered class is stored
as its storage type (``to_storage`` on write, ``from_storage`` on read) at
any depth, and can be a key when the storage is a scalar.
"""

from __future__ import annotations

import collections.abc as _abc
import dataclasses
import datetime as _dt
import decimal
import enum
import sys
import threading
import types
import typing
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KINDS",
    "SET_ELEMENT_KINDS",
    "Registered",
    "TypeInfo",
    "analyze",
    "register_type",
    "registered",
]

KINDS = (
    "str",
    "int",
    "float",
    "decimal",
    "bool",
    "bytes",
    "datetime",
    "date",
    "time",
    "timedelta",
    "uuid",
    "enum",
    "literal",
    "set",
    "list",
    "tuple",
    "dict",
    "typeddict",
    "dataclass",
    "custom",
    "any",
)
"""Every kind of node of a type tree."""

SET_ELEMENT_KINDS = ("str", "int", "float", "decimal", "bytes", "uuid", "enum")
"""The kinds a set may hold (an enum only with ``str`` or ``int`` values)."""

_SCALARS: dict[Any, str] = {
    str: "str",
    int: "int",
    float: "float",
    decimal.Decimal: "decimal",
    bool: "bool",
    bytes: "bytes",
    _dt.datetime: "datetime",
    _dt.date: "date",
    _dt.time: "time",
    _dt.timedelta: "timedelta",
    uuid.UUID: "uuid",
}

_TAGS = {
    "str": "S",
    "datetime": "S",
    "date": "S",
    "time": "S",
    "uuid": "S",
    "int": "N",
    "float": "N",
    "decimal": "N",
    "timedelta": "N",
    "bytes": "B",
    "bool": "BOOL",
}


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One node of a field's type tree: what a value there is and how it is
    stored. ``args`` holds the nodes a container holds (a list's, set's or
    dict's values: one node; a fixed-length tuple: one per position);
    ``fields`` the named members of a dataclass or TypedDict
    (``(name, node, required)``); ``choices`` the allowed values of a
    ``Literal`` or the member values of an ``Enum``; ``cls`` the enum,
    dataclass, TypedDict or registered class."""

    kind: str
    optional: bool = False
    args: tuple[TypeInfo, ...] = ()
    fields: tuple[tuple[str, TypeInfo, bool], ...] = ()
    choices: tuple[Any, ...] = ()
    cls: Any = None
    variadic: bool = False
    """A ``tuple[T, ...]`` (any length), as opposed to ``tuple[A, B]``."""
    frozen: bool = False
    """A ``frozenset`` rather than a ``set``."""

    @property
    def element(self) -> str | None:
        """For ``set`` nodes: the element kind."""
        return self.args[0].kind if self.kind == "set" else None

    @property
    def dataclass_type(self) -> type | None:
        """For ``dataclass`` nodes: the dataclass."""
        return self.cls if self.kind == "dataclass" else None

    @property
    def tag(self) -> str | None:
        """The DynamoDB type a value of this node is stored as when that is a
        scalar (``S``, ``N``, ``B``, ``BOOL``); ``None`` for containers and
        untyped values."""
        if self.kind in _TAGS:
            return _TAGS[self.kind]
        if self.kind in ("enum", "literal"):
            return _choice_tag(self.choices)
        if self.kind == "custom":
            return self.args[0].tag
        return None

    def at(self, path: Sequence[str | int]) -> TypeInfo | None:
        """The node at ``path`` below this one (map keys and list indexes),
        or ``None`` where the path leaves the typed part of the tree."""
        node: TypeInfo = self
        for step in path:
            if node.kind in ("list",) or (node.kind == "tuple" and node.variadic):
                if not isinstance(step, int) or not node.args:
                    return None
                node = node.args[0]
            elif node.kind == "tuple":
                if not isinstance(step, int) or step >= len(node.args):
                    return None
                node = node.args[step]
            elif node.kind == "dict" and node.args and isinstance(step, str):
                node = node.args[0]
            elif node.kind in ("dataclass", "typeddict") and isinstance(step, str):
                found = next((n for name, n, _ in node.fields if name == step), None)
                if found is None:
                    return None
                node = found
            else:
                return None
        return node

    def describe(self) -> str:
        """The node as an annotation, for messages (``list[Address] | None``)."""
        if self.kind in ("enum", "dataclass", "typeddict", "custom"):
            text = self.cls.__name__
        elif self.kind == "literal":
            text = f"Literal[{', '.join(repr(c) for c in self.choices)}]"
        elif self.kind == "tuple":
            inner = ", ".join(a.describe() for a in self.args)
            text = f"tuple[{inner}, ...]" if self.variadic else f"tuple[{inner}]"
        elif self.kind in ("list", "set") and self.args:
            name = "frozenset" if self.frozen else self.kind
            text = f"{name}[{self.args[0].describe()}]"
        elif self.kind == "dict" and self.args:
            text = f"dict[str, {self.args[0].describe()}]"
        elif self.kind in _SCALARS.values():
            text = {"decimal": "Decimal", "uuid": "UUID"}.get(self.kind, self.kind)
        else:
            text = {"any": "Any"}.get(self.kind, self.kind)
        return f"{text} | None" if self.optional and self.kind != "any" else text


def _choice_tag(choices: tuple[Any, ...]) -> str | None:
    if choices and all(isinstance(c, str) for c in choices):
        return "S"
    if choices and all(isinstance(c, bool) for c in choices):
        return "BOOL"
    if choices and all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
        return "N"
    return None


@dataclass(frozen=True, slots=True)
class Registered:
    """A user type registered with ``register_type``."""

    cls: type
    to_storage: Callable[[Any], Any]
    from_storage: Callable[[Any], Any]
    storage: Any


_registry: dict[type, Registered] = {}
_registry_lock = threading.Lock()


def register_type(
    cls: type,
    *,
    to_storage: Callable[[Any], Any],
    from_storage: Callable[[Any], Any],
    storage: Any,
) -> None:
    """Lets model fields of type ``cls`` (at any depth) be stored as
    ``storage`` (``str``, ``int``, ``Decimal``, ``bytes``, ... or any other
    supported annotation): ``to_storage(value)`` gives the stored value on
    write, ``from_storage(stored)`` the ``cls`` value on read. A field of
    ``cls`` may be a key when ``storage`` is ``str``, ``int``, ``Decimal`` or
    ``bytes``. Register before declaring the models that use it; registering
    a class again replaces its converters for models declared afterwards."""
    if not isinstance(cls, type):
        raise TypeError(f"register_type() takes a class, got {cls!r}")
    if cls in _SCALARS or cls in (list, dict, set, frozenset, tuple, object):
        raise TypeError(f"register_type(): {cls.__name__} is supported already")
    if not callable(to_storage) or not callable(from_storage):
        raise TypeError("register_type(): to_storage and from_storage must be callables")
    stored = analyze(storage)
    if stored.kind == "custom":
        raise TypeError("register_type(): the storage of a type cannot be another registered type")
    with _registry_lock:
        _registry[cls] = Registered(cls, to_storage, from_storage, storage)


def registered(cls: Any) -> Registered | None:
    """The registration of ``cls`` (or of its nearest registered base)."""
    if not isinstance(cls, type):
        return None
    for base in cls.__mro__:
        found = _registry.get(base)
        if found is not None:
            return found
    return None


def analyze(annotation: Any, *, owner: Any = None) -> TypeInfo:
    """The ``TypeInfo`` tree of ``annotation``; ``TypeError`` when some part
    of it is unsupported. ``owner`` is the class whose module string
    annotations are resolved in."""
    return _Analyzer(owner).node(annotation)


class _Analyzer:
    """One analysis: remembers the dataclasses and TypedDicts it is inside
    of, so that a type that contains itself is refused instead of looping."""

    def __init__(self, owner: Any) -> None:
        self.owner = owner
        self.inside: list[type] = []

    def node(self, annotation: Any) -> TypeInfo:
        annotation = self._resolve(annotation)
        origin = typing.get_origin(annotation)
        if origin in (typing.Annotated, typing.NotRequired, typing.Required):
            return self.node(typing.get_args(annotation)[0])
        if origin in (typing.Union, types.UnionType):
            args = typing.get_args(annotation)
            members = [a for a in args if a is not type(None)]
            if len(members) != 1 or len(args) != 2:
                shown = " | ".join(_shown(a) for a in args)
                raise TypeError(f"unions other than `X | None` are not supported: {shown}")
            inner = self.node(members[0])
            return dataclasses.replace(inner, optional=True)
        if annotation is Any or annotation is object:
            return TypeInfo("any", optional=True)
        if annotation is type(None):
            raise TypeError("None alone is not a field type; use `X | None`")
        if annotation in _SCALARS:
            return TypeInfo(_SCALARS[annotation])
        if origin is typing.Literal:
            return _literal(annotation)
        found = registered(annotation)
        if found is not None:
            return TypeInfo("custom", args=(analyze(found.storage),), cls=annotation)
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return _enum(annotation)
        if origin in (set, frozenset, _abc.Set, _abc.MutableSet) or annotation in (set, frozenset):
            return self._set(annotation, origin)
        if annotation is tuple or origin is tuple:
            return self._tuple(annotation)
        if annotation is list or origin in (list, _abc.Sequence, _abc.MutableSequence):
            args = typing.get_args(annotation)
            return TypeInfo("list", args=(self.node(args[0]),) if args else ())
        if annotation is dict or origin in (dict, _abc.Mapping, _abc.MutableMapping):
            return self._dict(annotation)
        if isinstance(annotation, type) and typing.is_typeddict(annotation):
            return self._members("typeddict", annotation)
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            return self._members("dataclass", annotation)
        raise TypeError(f"unsupported field type {_shown(annotation)}")

    def _resolve(self, annotation: Any) -> Any:
        if isinstance(annotation, typing.ForwardRef):
            annotation = annotation.__forward_arg__
        if not isinstance(annotation, str):
            return annotation
        module = sys.modules.get(getattr(self.owner, "__module__", ""), None)
        scope: dict[str, Any] = dict(vars(module)) if module is not None else {}
        scope.setdefault("typing", typing)
        if self.owner is not None:
            scope.setdefault(self.owner.__name__, self.owner)
        try:
            return eval(annotation, scope)  # an annotation, resolved as typing does
        except Exception as exc:
            raise TypeError(f"cannot resolve the annotation {annotation!r}: {exc}") from None

    def _set(self, annotation: Any, origin: Any) -> TypeInfo:
        args = typing.get_args(annotation)
        if len(args) != 1:
            raise TypeError("a set field needs its element type, e.g. set[str]")
        element = self.node(args[0])
        if (
            element.optional
            or element.kind not in SET_ELEMENT_KINDS
            or element.tag
            not in (
                "S",
                "N",
                "B",
            )
        ):
            raise TypeError(
                "set elements must be str, int, float, Decimal, bytes, UUID or a str/int Enum, "
                f"not {_shown(args[0])}"
            )
        frozen = origin is frozenset or annotation is frozenset
        return TypeInfo("set", args=(element,), frozen=frozen)

    def _tuple(self, annotation: Any) -> TypeInfo:
        args = typing.get_args(annotation)
        if not args:
            return TypeInfo("tuple", args=(TypeInfo("any", optional=True),), variadic=True)
        if len(args) == 2 and args[1] is Ellipsis:
            return TypeInfo("tuple", args=(self.node(args[0]),), variadic=True)
        if Ellipsis in args:
            raise TypeError(f"malformed tuple type {_shown(annotation)}")
        if args == ((),):  # tuple[()]: the empty tuple
            return TypeInfo("tuple")
        return TypeInfo("tuple", args=tuple(self.node(a) for a in args))

    def _dict(self, annotation: Any) -> TypeInfo:
        args = typing.get_args(annotation)
        if not args:
            return TypeInfo("dict")
        key, value = args
        if self._resolve(key) is not str:
            raise TypeError(f"dict keys must be str (DynamoDB map keys), not {_shown(key)}")
        return TypeInfo("dict", args=(self.node(value),))

    def _members(self, kind: str, cls: type) -> TypeInfo:
        if cls in self.inside:
            raise TypeError(f"{cls.__name__} contains itself; recursive types are not supported")
        self.inside.append(cls)
        try:
            hints = _hints(cls)
            if kind == "dataclass":
                names = [f.name for f in dataclasses.fields(cls)]
                required = {
                    f.name
                    for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                }
            else:
                names = list(hints)
                required = _required_keys(cls, hints)
            members = []
            for name in names:
                try:
                    node = _Analyzer(cls).with_inside(self.inside).node(hints[name])
                except TypeError as exc:
                    raise TypeError(f"{cls.__name__}.{name}: {exc}") from None
                members.append((name, node, name in required))
            return TypeInfo(kind, fields=tuple(members), cls=cls)
        finally:
            self.inside.pop()

    def with_inside(self, inside: list[type]) -> _Analyzer:
        self.inside = list(inside)
        return self


def _required_keys(cls: type, hints: dict[str, Any]) -> set[str]:
    """A TypedDict's required keys, read from its resolved annotations
    (``__required_keys__`` misses ``NotRequired`` written as a string under
    ``from __future__ import annotations`` before Python 3.12)."""
    total = getattr(cls, "__total__", True)
    out = set()
    for name, hint in hints.items():
        origin = typing.get_origin(hint)
        if origin is typing.Required or (total and origin is not typing.NotRequired):
            out.add(name)
    return out


def _hints(cls: type) -> dict[str, Any]:
    """The annotations of a dataclass or TypedDict, resolved; an annotation
    that cannot be resolved is left as text, for the analyzer to report."""
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:
        out: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            out.update(getattr(klass, "__annotations__", {}))
        return out


def _literal(annotation: Any) -> TypeInfo:
    choices = typing.get_args(annotation)
    flat: list[Any] = []
    for choice in choices:
        if typing.get_origin(choice) is typing.Literal:
            flat.extend(typing.get_args(choice))
        else:
            flat.append(choice)
    if not flat or _choice_tag(tuple(flat)) is None:
        raise TypeError(
            f"Literal values must be all str, all int or all bool, got {_shown(annotation)}"
        )
    return TypeInfo("literal", choices=tuple(dict.fromkeys(flat)))


def _enum(cls: type[enum.Enum]) -> TypeInfo:
    values = tuple(member.value for member in cls)
    if not values:
        raise TypeError(f"the Enum {cls.__name__} has no members")
    tag = _choice_tag(values)
    if tag not in ("S", "N"):
        raise TypeError(
            f"the members of the Enum {cls.__name__} must have all str or all int values "
            f"(stored as S or N), got {values!r}"
        )
    return TypeInfo("enum", choices=values, cls=cls)


def _shown(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")
