"""Types all the way down (SPEC §2): random type trees from the grammar,
nested four deep, and values of them read back as exactly what was written —
same value and same type at every depth — through the Rust schema and,
differentially, through the reference codec in plain Python."""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._support.reference_codec import ReferenceCodec
from tests._support.type_trees import Tree, model_with, trees


def exactly(value: Any, *, numbers_by_value: bool = False) -> Any:
    """``value`` with the type of every part spelled out, so that ``1`` and
    ``1.0``, a list and a tuple, a dataclass and a dict compare unequal.
    ``numbers_by_value``: a ``Decimal`` as its value (a server may store
    ``1.50`` as ``1.5``, as DynamoDB trims zeros), not its exact text."""
    if numbers_by_value:
        return _exactly(value, lambda d: str(d.normalize()))
    return _exactly(value, str)


def _exactly(value: Any, decimal: Any) -> Any:
    def exactly(v: Any) -> Any:
        return _exactly(v, decimal)

    if isinstance(value, enum.Enum):
        return ("enum", type(value).__qualname__, value.name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            "dataclass",
            type(value).__qualname__,
            [(f.name, exactly(getattr(value, f.name))) for f in dataclasses.fields(value)],
        )
    if isinstance(value, dict):
        return ("dict", sorted((k, exactly(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [exactly(v) for v in value])
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(repr(exactly(v)) for v in value))
    if isinstance(value, Decimal):
        return ("Decimal", decimal(value))
    return (type(value).__name__, repr(value))


@st.composite
def cases(draw: st.DrawFn) -> tuple[Tree, Any]:
    tree = draw(trees(4))
    return tree, draw(tree.values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_every_type_tree_reads_back_exactly_what_was_written(case: tuple[Tree, Any]) -> None:
    tree, value = case
    model = model_with(tree.annotation)
    obj = model(pk="p", v=value)
    item = obj.to_item()
    reference = ReferenceCodec(model.__dynamorm__)
    # The Rust schema and the reference write the same item ...
    assert item == reference.to_item(obj)
    # ... and both read it back as the value written, type for type.
    for codec in (model.__dynamorm_codec__, reference):
        back = codec.from_item(item)
        assert exactly(back.v) == exactly(value), (tree.annotation, item)
