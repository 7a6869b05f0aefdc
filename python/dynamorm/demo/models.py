"""The demo's models, declared on freshly named tables for each run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from dynamorm.model.base import Model
from dynamorm.model.fields import field

__all__ = ["Models", "define_models"]


@dataclass(frozen=True)
class Models:
    """The model classes of one demo run."""

    User: Any
    Bookmark: Any
    Order: Any

    def all(self) -> list[Any]:
        """Every model, in the order their tables are created."""
        return [self.User, self.Bookmark, self.Order]


def define_models(suffix: str) -> Models:
    """Model classes whose tables end in ``suffix`` (not created yet), so
    runs against a shared server or AWS never touch each other's tables."""

    class User(Model, table=f"dynamorm-demo-users-{suffix}"):
        id: str = field(pk=True)
        email: str = ""
        status: str = "pending"
        bookmark_count: int = 0
        created: datetime | None = field(created_at=True, default=None)
        updated: datetime | None = field(updated_at=True, default=None)
        version: int = field(version=True)

    class Bookmark(Model, table=f"dynamorm-demo-bookmarks-{suffix}"):
        user_id: str = field(pk=True)
        url: str = field(sk=True)
        title: str = ""

    class Order(Model, table=f"dynamorm-demo-orders-{suffix}"):
        customer: str = field(pk=True)
        order_id: str = field(sk=True)
        total: Decimal = Decimal(0)
        tags: set[str] = field(default_factory=set, omit_empty=True)
        receipt: bytes | None = None

    return Models(User=User, Bookmark=Bookmark, Order=Order)
