"""boto3 responses → model instances, pages (``Page``) and errors. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from dynamorm.cursor import encode_cursor
from dynamorm.entities import owned_items
from dynamorm.errors import ItemNotFoundError
from dynamorm.expr.conditions import Term
from dynamorm.model.codec import codec_of
from dynamorm.model.meta import ModelMeta
from dynamorm.transport.base import DECODED

__all__ = ["Page", "decoded", "items_of", "model_of", "next_cursor", "not_found", "page_of"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of items from ``Query.all_paginated()``.

    ``next_cursor`` is the token for the next page (``None`` on the last
    page); pass it to ``Query.cursor()``. ``count`` is the number of items
    returned and ``scanned_count`` the number DynamoDB read before filtering.
    ``consumed_capacity`` is what DynamoDB reported the page's request
    consumed, when asked (``DB(return_consumed_capacity=...)``), else ``None``.

    A filled page (``all_paginated(fill=True)``) may take several requests:
    its ``scanned_count`` is what they all read, and its
    ``consumed_capacity`` the list of what each reported.
    """

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None
    count: int = 0
    scanned_count: int = 0
    consumed_capacity: Any = None

    @property
    def has_more(self) -> bool:
        """Whether another page may follow."""
        return self.next_cursor is not None


def decoded(response: Mapping[str, Any]) -> bool:
    """Whether the fast read path decoded ``response``: its items are model
    instances already (and a batch get's canonical keys are in
    ``ResponseKeys``). The one place the marker is read."""
    return bool(response.get(DECODED))


def model_of(meta: ModelMeta, item: Any, is_decoded: bool) -> Any:
    """The model instance of one returned item (``None`` stays ``None``)."""
    if is_decoded or item is None:
        return item
    return codec_of(meta).from_item(item)


def items_of(meta: ModelMeta, response: Mapping[str, Any]) -> list[Any]:
    """The model instances of a Query/Scan response's ``Items`` (already
    instances when the fast read path decoded the response), without the
    items of another entity (``entities.is_foreign``)."""
    if decoded(response):
        return list(response.get("Items", ()))
    from_item = codec_of(meta).from_item
    return [from_item(item) for item in owned_items(meta, response.get("Items", ()))]


def next_cursor(response: Mapping[str, Any], index: str | None, sort: str | None) -> str | None:
    """The cursor for the page after ``response`` (``None`` on the last page)."""
    last = response.get("LastEvaluatedKey")
    if not last:
        return None
    return encode_cursor(last, index=index, sort=sort)


def page_of(
    items: list[T], response: Mapping[str, Any], index: str | None, sort: str | None
) -> Page[T]:
    """A ``Page`` of ``items``, read from one Query/Scan ``response``."""
    return Page(
        items=items,
        next_cursor=next_cursor(response, index, sort),
        count=int(response.get("Count", len(items))),
        scanned_count=int(response.get("ScannedCount", len(items))),
        consumed_capacity=response.get("ConsumedCapacity"),
    )


def not_found(meta: ModelMeta, where: list[Term], index: str | None) -> ItemNotFoundError:
    """The error ``first()`` raises, naming the model and the key looked up."""
    shown = ", ".join(f"{t.path} {t.op} {t.shown()!r}" for t in where) or "no conditions"
    on = f" on index {index!r}" if index else ""
    return ItemNotFoundError(f"{meta.name}: no item matches {shown}{on}")
