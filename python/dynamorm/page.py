"""One page of results (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["Page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A page of items from ``Query.all_paginated()``.

    ``next_cursor`` is the token for the next page (``None`` on the last
    page); pass it to ``Query.cursor()``. ``count`` is the number of items
    returned and ``scanned_count`` the number DynamoDB read before filtering.
    """

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None
    count: int = 0
    scanned_count: int = 0

    @property
    def has_more(self) -> bool:
        """Whether another page may follow."""
        return self.next_cursor is not None
