"""Hypothesis strategies for SPEC §2's type grammar: random annotations
(``list[tuple[Color, dict[str, Point | None]]]``, dataclasses and TypedDicts
made on the fly) nested to a chosen depth, and values of exactly those types.
Shared by the codec property tests and the server round trips."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import itertools
import types
import uuid
from decimal import Decimal
from typing import Any, Literal, NotRequired, TypedDict

from dynamorm import Model, field, register_type
from hypothesis import strategies as st

__all__ = ["Money", "Tree", "model_with", "trees", "values_of"]

_count = itertools.count()


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 20


class Money:
    """A registered type: stored as its text (``"12.50 EUR"``)."""

    __slots__ = ("amount", "currency")

    def __init__(self, amount: Decimal, currency: str) -> None:
        self.amount, self.currency = amount, currency

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and (self.amount, self.currency) == (
            other.amount,
            other.currency,
        )

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __repr__(self) -> str:
        return f"Money({self.amount!r}, {self.currency!r})"


def _money_text(m: Money) -> str:
    return f"{m.amount} {m.currency}"


def _money_of(text: str) -> Money:
    amount, currency = text.split(" ")
    return Money(Decimal(amount), currency)


register_type(Money, to_storage=_money_text, from_storage=_money_of, storage=str)


@dataclasses.dataclass(frozen=True, repr=False)
class Tree:
    """A generated annotation and the strategy of its values."""

    annotation: Any
    values: st.SearchStrategy[Any]

    def __repr__(self) -> str:
        return f"Tree({_shown(self.annotation)})"


def _shown(annotation: Any) -> str:
    if isinstance(annotation, type):
        if dataclasses.is_dataclass(annotation):
            members = ", ".join(
                f"{f.name}: {_shown(f.type)}" for f in dataclasses.fields(annotation)
            )
            return f"{annotation.__name__}({members})"
        hints = getattr(annotation, "__annotations__", None)
        if hints and isinstance(annotation, type) and issubclass(annotation, dict):
            members = ", ".join(f"{k}: {_shown(v)}" for k, v in hints.items())
            return f"{annotation.__name__}{{{members}}}"
        return annotation.__name__
    return repr(annotation).replace("typing.", "").replace("tests._support.type_trees.", "")


# DynamoDB has no negative zero (it is read back as 0.0).
_FLOATS = (
    st.floats(min_value=-1e100, max_value=1e100, allow_nan=False, allow_subnormal=False)
    .filter(lambda x: x == 0 or abs(x) > 1e-100)
    .map(lambda x: 0.0 if x == 0 else x)
)

_DECIMALS = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(-(10**20), 10**20),
    st.integers(-20, 20),
)
_TEXT = st.text(max_size=4)
_KEYS = st.text(min_size=1, max_size=3)
# `fold` only tells apart the two readings of a local time; it is not stored.
_UTC_DATETIMES = st.datetimes(
    min_value=_dt.datetime(1, 1, 2),
    max_value=_dt.datetime(9999, 12, 30),
    timezones=st.just(_dt.UTC),
).map(lambda d: d.replace(fold=0))
_MONEY = st.builds(Money, _DECIMALS, st.sampled_from(["EUR", "USD"]))

SCALARS: list[Tree] = [
    Tree(str, _TEXT),
    Tree(int, st.integers(-(10**30), 10**30)),
    Tree(float, _FLOATS),
    Tree(Decimal, _DECIMALS),
    Tree(bool, st.booleans()),
    Tree(bytes, st.binary(max_size=4)),
    Tree(_dt.datetime, _UTC_DATETIMES),
    Tree(_dt.date, st.dates()),
    Tree(_dt.time, st.times().map(lambda t: t.replace(fold=0))),
    Tree(_dt.timedelta, st.timedeltas()),
    Tree(uuid.UUID, st.uuids()),
    Tree(Color, st.sampled_from(list(Color))),
    Tree(Level, st.sampled_from(list(Level))),
    Tree(Literal["a", "b"], st.sampled_from(["a", "b"])),
    Tree(Literal[3, 7], st.sampled_from([3, 7])),
    Tree(Money, _MONEY),
]

SET_ELEMENTS: list[Tree] = [
    Tree(str, _TEXT),
    Tree(int, st.integers(-(10**30), 10**30)),
    Tree(Decimal, _DECIMALS.map(lambda d: d.normalize())),
    Tree(bytes, st.binary(max_size=4)),
    Tree(uuid.UUID, st.uuids()),
    Tree(Color, st.sampled_from(list(Color))),
    Tree(Level, st.sampled_from(list(Level))),
]
"""Set elements whose distinct values stay distinct once stored (floats and
un-normalised Decimals can collide: 1.0 and 1 are one number)."""


def _optional(tree: Tree) -> Tree:
    return Tree(tree.annotation | None, st.one_of(st.none(), tree.values))


def _list(tree: Tree) -> Tree:
    return Tree(list[tree.annotation], st.lists(tree.values, max_size=3))


def _var_tuple(tree: Tree) -> Tree:
    return Tree(tuple[tree.annotation, ...], st.lists(tree.values, max_size=3).map(tuple))


def _pair(a: Tree, b: Tree) -> Tree:
    return Tree(tuple[a.annotation, b.annotation], st.tuples(a.values, b.values))


def _dict(tree: Tree) -> Tree:
    return Tree(dict[str, tree.annotation], st.dictionaries(_KEYS, tree.values, max_size=3))


def _dataclass(members: list[Tree]) -> Tree:
    name = f"Gen{next(_count)}"
    fields = [(f"m{i}", tree.annotation) for i, tree in enumerate(members)]
    cls = dataclasses.make_dataclass(name, fields)
    cls.__module__ = __name__
    strategy = st.builds(cls, **{f"m{i}": tree.values for i, tree in enumerate(members)})
    return Tree(cls, strategy)


def _typeddict(members: list[Tree]) -> Tree:
    name = f"GenTD{next(_count)}"
    annotations: dict[str, Any] = {}
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for i, tree in enumerate(members):
        key = f"k{i}"
        if i % 2:
            annotations[key] = NotRequired[tree.annotation]
            optional[key] = tree.values
        else:
            annotations[key] = tree.annotation
            required[key] = tree.values
    cls = TypedDict(name, annotations)  # type: ignore[operator]
    cls.__module__ = __name__
    return Tree(cls, st.fixed_dictionaries(required, optional=optional))


def _set(element: Tree, frozen: bool) -> Tree:
    kind = frozenset if frozen else set
    strategy = (st.frozensets if frozen else st.sets)(element.values, min_size=1, max_size=3)
    return Tree(kind[element.annotation], strategy)


def trees(depth: int) -> st.SearchStrategy[Tree]:
    """Type trees nested up to ``depth`` levels (a scalar at the bottom)."""
    leaves = st.one_of(
        st.sampled_from(SCALARS),
        st.builds(_set, st.sampled_from(SET_ELEMENTS), st.booleans()),
    )
    if depth <= 0:
        return leaves
    inner = trees(depth - 1)
    return st.one_of(
        leaves,
        st.builds(_optional, inner),
        st.builds(_list, inner),
        st.builds(_var_tuple, inner),
        st.builds(_pair, inner, inner),
        st.builds(_dict, inner),
        st.builds(_dataclass, st.lists(inner, min_size=1, max_size=3)),
        st.builds(_typeddict, st.lists(inner, min_size=1, max_size=3)),
    )


def values_of(tree: Tree) -> st.SearchStrategy[Any]:
    return tree.values


def model_with(annotation: Any, table: str = "type-trees") -> type[Model]:
    """A model of ``table`` with key ``pk`` and one field ``v`` of type
    ``annotation``."""
    name = f"TreeModel{next(_count)}"

    def body(ns: dict[str, Any]) -> None:
        ns["__annotations__"] = {"pk": str, "v": annotation}
        ns["pk"] = field(pk=True)
        ns["__module__"] = __name__

    return types.new_class(name, (Model,), {"table": table}, body)
