"""The tables every differential run creates, on every implementation.

Three tables cover the key shapes: ``plain`` (a string partition key only),
``sorted`` (a string partition key and a number sort key, with a local
secondary index on ``l`` and a global one on ``g``/``r``) and ``binary`` (a
binary partition key and a string sort key, with a hash-only global index
on a number). Requests name tables by these logical names; ``physical``
gives each run's own table names, so runs never share state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.differential import values as v


@dataclass(frozen=True)
class Index:
    """A secondary index: its key attributes and projection."""

    name: str
    hash: str
    range: str | None
    local: bool
    projection: tuple[str, ...] | None  # None: ALL; () : KEYS_ONLY; else INCLUDE these

    def projection_json(self) -> dict[str, Any]:
        if self.projection is None:
            return {"ProjectionType": "ALL"}
        if not self.projection:
            return {"ProjectionType": "KEYS_ONLY"}
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.projection)}


@dataclass(frozen=True)
class Table:
    """A table's key schema, attribute types and indexes (logical name)."""

    name: str
    hash: str
    range: str | None
    types: dict[str, str]  # every key attribute of the table and its indexes
    indexes: tuple[Index, ...] = ()

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash,) if self.range is None else (self.hash, self.range)

    def index(self, name: str) -> Index:
        return next(i for i in self.indexes if i.name == name)

    def create_request(self, physical_name: str) -> dict[str, Any]:
        def schema(hash_: str, range_: str | None) -> list[dict[str, str]]:
            keys = [{"AttributeName": hash_, "KeyType": "HASH"}]
            if range_ is not None:
                keys.append({"AttributeName": range_, "KeyType": "RANGE"})
            return keys

        request: dict[str, Any] = {
            "TableName": physical_name,
            "KeySchema": schema(self.hash, self.range),
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind} for name, kind in self.types.items()
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for kind, local in (("LocalSecondaryIndexes", True), ("GlobalSecondaryIndexes", False)):
            indexes = [i for i in self.indexes if i.local is local]
            if indexes:
                request[kind] = [
                    {
                        "IndexName": i.name,
                        "KeySchema": schema(i.hash, i.range),
                        "Projection": i.projection_json(),
                    }
                    for i in indexes
                ]
        return request


TABLES = (
    Table("plain", "pk", None, {"pk": "S"}),
    Table(
        "sorted",
        "pk",
        "sk",
        {"pk": "S", "sk": "N", "l": "S", "g": "S", "r": "N"},
        (
            Index("by_l", "pk", "l", local=True, projection=("a",)),
            Index("by_g", "g", "r", local=False, projection=()),
        ),
    ),
    Table(
        "binary",
        "pk",
        "sk",
        {"pk": "B", "sk": "S", "g": "N"},
        (Index("by_n", "g", None, local=False, projection=None),),
    ),
)
BY_NAME = {t.name: t for t in TABLES}


def physical(prefix: str, logical: str) -> str:
    """A run's table name for a logical table."""
    return f"{prefix}-{logical}"


def key_values(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Values of a key attribute of DynamoDB type ``kind`` (S, N or B)."""
    if kind == "S":
        return v.key_strings.map(v.s)
    if kind == "N":
        return v.key_numbers.map(v.n)
    return v.key_binaries.map(v.b)


def keys(table: Table) -> st.SearchStrategy[dict[str, Any]]:
    """A primary key of ``table``."""
    return st.fixed_dictionaries({name: key_values(table.types[name]) for name in table.key_names})


NON_KEY: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "a": v.values,
    "b": v.scalars,
    "n": v.small_numbers,
    "m": v.maps,
    "li": v.lists,
    "ss": v.string_sets,
    "ns": v.number_sets,
    "bs": v.binary_sets,
}
"""The non-key attributes items carry, each with the values it may hold
(``n`` stays small: it is the one arithmetic works on)."""


@st.composite
def items(draw: st.DrawFn, table: Table) -> dict[str, Any]:
    """An item of ``table``: its key, some index key attributes (of the
    right type, never empty) and some non-key attributes."""
    item = draw(keys(table))
    for name, kind in table.types.items():
        if name not in item and draw(st.booleans()):
            item[name] = draw(key_values(kind))
    for name in draw(st.lists(st.sampled_from(sorted(NON_KEY)), max_size=4, unique=True)):
        item[name] = draw(NON_KEY[name])
    return item
