"""The demo's models, declared on freshly named tables for each run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from dynamorm.model.base import Model
from dynamorm.model.fields import field

__all__ = ["Models", "Shop", "define_models"]


@dataclass(frozen=True)
class Shop:
    """The single-table step's models: a user, their orders and the orders'
    lines, entities of one table whose keys are templates."""

    User: Any
    Order: Any
    Line: Any


@dataclass(frozen=True)
class Models:
    """The model classes of one demo run."""

    User: Any
    Bookmark: Any
    Order: Any
    shop: Shop

    def all(self) -> list[Any]:
        """One model per table, in the order the tables are created (the
        shop's models share one table: its ``User`` stands for them)."""
        return [self.User, self.Bookmark, self.Order, self.shop.User]


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

    return Models(User=User, Bookmark=Bookmark, Order=Order, shop=_shop(suffix))


def _shop(suffix: str) -> Shop:
    table = f"dynamorm-demo-shop-{suffix}"

    class User(Model, table=table, entity="user"):
        user_id: str
        email: str = field(unique=True)
        name: str = ""
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="PROFILE")

    class Order(Model, table=table, entity="order"):
        user_id: str
        order_id: str
        status: str = "open"
        total: Decimal = Decimal(0)
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{order_id}")

    class Line(Model, table=table, entity="line"):
        user_id: str
        order_id: str
        n: int
        sku: str = ""
        qty: int = 1
        pk: str = field(pk=True, template="USER#{user_id}")
        sk: str = field(sk=True, template="ORDER#{order_id}#LINE#{n:03d}")

    return Shop(User=User, Order=Order, Line=Line)
