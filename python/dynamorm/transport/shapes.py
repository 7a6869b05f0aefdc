"""Successful answers checked against their operation's shape before
anything reads them (issue R2, item 12).

botocore's JSON parser turns a body it cannot decode into an empty answer
(a cut-short GetItem reads as "no item", a cut-short Query page as the last
one) and meets members of the wrong type with ``AttributeError`` or
``TypeError``, or ``RecursionError`` for deep nesting; the library's own
readers would then trip on what got through. So every 2xx answer to one of
the library's requests is first checked, in one pass over its raw bytes by
the Rust core (``dynamorm._core.ResponseShape``), against the output shape
of botocore's own service model, and an answer that does not fit raises
``MalformedResponseError`` naming the operation, the model and the member.
On the fast read path only what botocore still parses (everything but the
items, which the Rust decoder has read) is checked, or the whole body when
the decoder declined it.
"""

from __future__ import annotations

from typing import Any

from dynamorm import _core
from dynamorm.errors import MalformedResponseError

__all__ = ["WRITES", "check", "shape_of"]

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
"""Operations whose malformed answer leaves the write's outcome unknown."""

# botocore shape type → ResponseShape node kind (anything else: any value).
_KINDS = {
    "string": "string",
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
    "blob": "blob",
    "timestamp": "timestamp",
}

# Structures that hold exactly one member though the model does not mark
# them as unions: an attribute value has one type (DynamoDB's API reference).
_UNIONS = frozenset({"AttributeValue"})

_compiled: dict[tuple[str, str, str], Any] = {}


def shape_of(operation_model: Any) -> Any:
    """The compiled ``ResponseShape`` of a botocore ``OperationModel``'s
    output (``None`` for an operation without one); compiled once per
    process and operation."""
    service = operation_model.service_model
    key = (service.service_name, service.api_version, operation_model.name)
    shape = _compiled.get(key)
    if shape is None:
        output = operation_model.output_shape
        if output is None:
            return None
        # Two threads may both compile it; either result is the same.
        shape = _compiled[key] = _compile(output)
    return shape


def _compile(root: Any) -> Any:
    nodes: list[tuple[str, list[tuple[str, int]], bool]] = []
    index: dict[str, int] = {}

    def visit(shape: Any) -> int:
        # Shapes are named and may recur (AttributeValue holds maps and
        # lists of itself): one node per name.
        found = index.get(shape.name)
        if found is not None:
            return found
        at = index[shape.name] = len(nodes)
        nodes.append(("any", [], False))
        kind = shape.type_name
        if kind == "structure" and not shape.is_document_type:
            members = [
                (member.serialization.get("name", name), visit(member))
                for name, member in shape.members.items()
            ]
            nodes[at] = ("structure", members, bool(shape.is_tagged_union) or shape.name in _UNIONS)
        elif kind == "list":
            nodes[at] = ("list", [("", visit(shape.member))], False)
        elif kind == "map":
            nodes[at] = ("map", [("", visit(shape.value))], False)
        elif kind in _KINDS:
            nodes[at] = (_KINDS[kind], [], False)
        return at

    root_at = visit(root)
    return _core.ResponseShape(nodes, root_at)


def check(operation_model: Any, body: bytes, what: str) -> None:
    """Raises ``MalformedResponseError`` (naming ``what``: the operation and
    model) when ``body``, a 2xx answer, does not fit the operation's shape."""
    shape = shape_of(operation_model)
    if shape is None:
        return
    try:
        shape.check(body)
    except ValueError as exc:
        raise MalformedResponseError(
            f"{what}: DynamoDB's answer could not be read ({exc})"
        ) from exc
