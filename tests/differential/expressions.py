"""Generated condition, filter, key condition, update and projection
expressions, with their ``#name`` / ``:value`` placeholders.

Every attribute name goes through a ``#`` placeholder and every value
through a ``:`` one (``Placeholders``), so the expressions never meet a
reserved word and their attribute maps hold exactly what they use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tests.differential import values as v
from tests.differential.tables import NON_KEY, Table, key_values


class Placeholders:
    """The ``ExpressionAttributeNames`` / ``ExpressionAttributeValues`` of
    one request, filled as its expressions are drawn."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, dict[str, Any]] = {}

    def name(self, attribute: str) -> str:
        for placeholder, named in self.names.items():
            if named == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: dict[str, Any]) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def path(self, path: tuple[str | int, ...]) -> str:
        text = ""
        for part in path:
            if isinstance(part, int):
                text += f"[{part}]"
            else:
                text += ("." if text else "") + self.name(part)
        return text

    def into(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.names:
            request["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            request["ExpressionAttributeValues"] = dict(self.values)
        return request


ATTRIBUTES = sorted(NON_KEY)

paths = st.one_of(
    st.sampled_from(ATTRIBUTES).map(lambda a: (a,)),
    st.sampled_from(v.MAP_KEYS).map(lambda k: ("m", k)),
    st.integers(0, 3).map(lambda i: ("li", i)),
)
"""Document paths into the non-key attributes: ``a``, ``m.x``, ``li[0]``."""

ORDERED = (
    v.key_strings.map(v.s),
    v.key_numbers.map(v.n),
    v.key_binaries.map(v.b),
)


def _order(value: dict[str, Any]) -> Any:
    ((kind, raw),) = value.items()
    if kind == "N":
        return Decimal(raw)
    if kind == "S":
        return raw.encode()
    return raw


@st.composite
def _bounds(draw: st.DrawFn, kind: st.SearchStrategy[dict[str, Any]]) -> list[dict[str, Any]]:
    # Same type, lower first: see divergences.NOT_GENERATED.
    return sorted([draw(kind), draw(kind)], key=_order)


@st.composite
def conditions(draw: st.DrawFn, ph: Placeholders, depth: int = 2, *, write: bool = True) -> str:
    """A condition on non-key attributes: comparisons, BETWEEN, IN, the
    functions, NOT / AND / OR. A ``write``'s condition orders only ``n``
    (always a number) against numbers and takes no ``size()``: moto fails
    those on other types (``divergences``)."""
    choice = draw(st.integers(0, 9 if depth > 0 else 6))
    path = ph.path(draw(paths)) if choice < 7 else ""
    if write and choice in (1, 2):
        path = ph.name("n")
        low, high = draw(_bounds(v.key_numbers.map(v.n)))
        if choice == 1:
            op = draw(st.sampled_from(["<", "<=", ">", ">="]))
            return f"{path} {op} {ph.value(low)}"
        return f"{path} BETWEEN {ph.value(low)} AND {ph.value(high)}"
    if write and choice == 6:
        choice = 4
    if choice == 0:
        op = draw(st.sampled_from(["=", "<>"]))
        # Not lists, maps or null: see divergences.NOT_GENERATED.
        return f"{path} {op} {ph.value(draw(st.one_of(v.non_null, v.sets)))}"
    if choice == 1:
        op = draw(st.sampled_from(["<", "<=", ">", ">="]))
        return f"{path} {op} {ph.value(draw(st.one_of(*ORDERED)))}"
    if choice == 2:
        low, high = draw(st.one_of(*(_bounds(kind) for kind in ORDERED)))
        return f"{path} BETWEEN {ph.value(low)} AND {ph.value(high)}"
    if choice == 3:
        options = draw(st.lists(v.non_null, min_size=1, max_size=3))
        return f"{path} IN ({', '.join(ph.value(o) for o in options)})"
    if choice == 4:
        function = draw(st.sampled_from(["attribute_exists", "attribute_not_exists"]))
        return f"{function}({path})"
    if choice == 5:
        operands = [v.key_strings.map(v.s), v.key_binaries.map(v.b)]
        if draw(st.booleans()):
            operand = draw(st.one_of(*operands))
            return f"begins_with({path}, {ph.value(operand)})"
        operand = draw(st.one_of(*operands, v.small_numbers))
        return f"contains({path}, {ph.value(operand)})"
    if choice == 6:
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS"]))
            return f"attribute_type({path}, {ph.value(v.s(kind))})"
        op = draw(st.sampled_from(["=", "<", ">="]))
        return f"size({path}) {op} {ph.value(v.n(str(draw(st.integers(0, 3)))))}"
    if choice == 7:
        return f"NOT ({draw(conditions(ph, depth - 1, write=write))})"
    op = "AND" if choice == 8 else "OR"
    left = draw(conditions(ph, depth - 1, write=write))
    return f"({left}) {op} ({draw(conditions(ph, depth - 1, write=write))})"


@st.composite
def key_conditions(draw: st.DrawFn, ph: Placeholders, table: Table, index: str | None) -> str:
    """A Query's key condition on ``table`` (or its index): the partition
    key's equality, and maybe a sort key condition (=, <, <=, >, >=,
    BETWEEN, begins_with)."""
    hash_, range_ = table.hash, table.range
    if index is not None:
        hash_, range_ = table.index(index).hash, table.index(index).range
    text = f"{ph.name(hash_)} = {ph.value(draw(key_values(table.types[hash_])))}"
    if range_ is None or draw(st.booleans()):
        return text
    kind = table.types[range_]
    name = ph.name(range_)
    choice = draw(st.integers(0, 2))
    if choice == 0:
        op = draw(st.sampled_from(["=", "<", "<=", ">", ">="]))
        return f"{text} AND {name} {op} {ph.value(draw(key_values(kind)))}"
    if choice == 1:
        low, high = draw(_bounds(key_values(kind)))
        return f"{text} AND {name} BETWEEN {ph.value(low)} AND {ph.value(high)}"
    # On a number sort key, begins_with is a ValidationException.
    prefix = draw(key_values(kind)) if kind != "N" else v.n("1")
    return f"{text} AND begins_with({name}, {ph.value(prefix)})"


@st.composite
def updates(draw: st.DrawFn, ph: Placeholders) -> str:
    """An update expression: SET (values, arithmetic on ``n``,
    ``if_not_exists``, ``list_append``, nested paths), REMOVE, ADD and
    DELETE, each on its own attribute."""
    targets = draw(st.lists(st.sampled_from(ATTRIBUTES), min_size=1, max_size=3, unique=True))
    clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for target in targets:
        name = ph.name(target)
        choice = draw(st.integers(0, 5))
        if choice == 0 or (choice == 1 and target != "n"):
            value = draw(NON_KEY[target])
            clauses["SET"].append(f"{name} = {ph.value(value)}")
        elif choice == 1:
            op = draw(st.sampled_from(["+", "-"]))
            clauses["SET"].append(f"{name} = {name} {op} {ph.value(draw(v.small_numbers))}")
        elif choice == 2:
            if target == "li":
                empty = ph.value({"L": []})
                more = ph.value(draw(v.lists))
                clauses["SET"].append(
                    f"{name} = list_append(if_not_exists({name}, {empty}), {more})"
                )
            elif target == "m":
                key = ph.name(draw(st.sampled_from(v.MAP_KEYS)))
                clauses["SET"].append(f"{name}.{key} = {ph.value(draw(v.scalars))}")
            else:
                value = ph.value(draw(NON_KEY[target]))
                clauses["SET"].append(f"{name} = if_not_exists({name}, {value})")
        elif choice == 3:
            suffix = ""
            if target == "li":
                suffix = f"[{draw(st.integers(0, 3))}]"
            elif target == "m" and draw(st.booleans()):
                suffix = "." + ph.name(draw(st.sampled_from(v.MAP_KEYS)))
            clauses["REMOVE"].append(name + suffix)
        elif target in ("n", "ss", "ns", "bs"):
            operand = v.small_numbers if target == "n" else NON_KEY[target]
            action = "ADD" if choice == 4 or target == "n" else "DELETE"
            clauses[action].append(f"{name} {ph.value(draw(operand))}")
        else:
            clauses["REMOVE"].append(name)
    return " ".join(f"{action} {', '.join(parts)}" for action, parts in clauses.items() if parts)


@st.composite
def projections(draw: st.DrawFn, ph: Placeholders, table: Table) -> str:
    """A projection expression: some key and non-key attributes, one path
    each (overlapping paths are a divergence: see ``divergences``)."""
    chosen = draw(
        st.lists(
            st.sampled_from([*table.key_names, *ATTRIBUTES]), min_size=1, max_size=3, unique=True
        )
    )
    parts = []
    for attribute in chosen:
        if attribute == "m" and draw(st.booleans()):
            parts.append(ph.path(("m", draw(st.sampled_from(v.MAP_KEYS)))))
        elif attribute == "li" and draw(st.booleans()):
            parts.append(ph.path(("li", draw(st.integers(0, 2)))))
        else:
            parts.append(ph.name(attribute))
    return ", ".join(parts)
