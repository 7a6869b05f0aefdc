"""dynamorm._core's answer-shape check (rust/dynamorm-py/src/shape.rs), called directly."""

from __future__ import annotations

import pytest
from dynamorm import _core

# {"Count": integer, "Items": [{"pk": {"S": string}}]}
_NODES = [
    ("structure", [("Count", 1), ("Items", 2)], False),
    ("integer", [], False),
    ("list", [("", 3)], False),
    ("map", [("", 4)], False),
    ("structure", [("S", 5)], True),
    ("string", [], False),
]


def test_a_body_that_fits_the_shape_passes() -> None:
    shape = _core.ResponseShape(_NODES, 0)
    assert shape.check(b'{"Count": 1, "Items": [{"pk": {"S": "a"}}]}') is None
    assert shape.check(b"{}") is None


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b'{"Count": "1"}', "Count"),
        (b'{"Items": [{"pk": {"S": 5}}]}', "Items[0].pk.S"),
        (b'{"Items": [{"pk": {}}]}', "Items[0].pk"),
        (b"not json", ""),
    ],
)
def test_a_body_off_the_shape_is_refused_naming_where(body: bytes, where: str) -> None:
    shape = _core.ResponseShape(_NODES, 0)
    with pytest.raises(ValueError, match="." if not where else where.replace("[", r"\[")):
        shape.check(body)


@pytest.mark.parametrize(
    ("nodes", "root", "why"),
    [
        ([("list", [], False)], 0, "exactly one child"),
        ([("widget", [], False)], 0, "unknown node kind"),
        ([("list", [("", 7)], False)], 0, "does not exist"),
    ],
)
def test_nodes_that_do_not_form_a_shape_are_refused(
    nodes: list[tuple[str, list[tuple[str, int]], bool]], root: int, why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        _core.ResponseShape(nodes, root)
