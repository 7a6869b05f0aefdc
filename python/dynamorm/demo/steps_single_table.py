"""Demo step: a user, their orders and the orders' lines in one table —
keys from templates, the user's partition read in one Query, and an email
only one user may hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dynamorm.db import DB
from dynamorm.demo.checks import Checks
from dynamorm.demo.models import Models
from dynamorm.errors import UniqueConstraintError

__all__ = ["single_table"]


def single_table(checks: Checks, db: DB, m: Models) -> None:
    """Writes two users' items, reads one user's partition as a collection,
    and has a second user's create refused for a held email."""
    checks.step("Single-table design: users, orders and lines in one table")
    User, Order, Line = m.shop.User, m.shop.Order, m.shop.Line
    checks.say('class Order(Model, table="dynamorm-demo-shop-...", entity="order"):')
    checks.say('    pk: str = field(pk=True, template="USER#{user_id}")')
    checks.say('    sk: str = field(sk=True, template="ORDER#{order_id}")')
    ada = db.model(User(user_id="u1", email="ada@example.com", name="Ada")).create()
    db.model(User(user_id="u2", email="grace@example.com", name="Grace")).create()
    db.model(Order).batch_create(
        [
            Order(user_id="u1", order_id="A001", status="shipped", total=Decimal("42.50")),
            Order(user_id="u1", order_id="A002", total=Decimal("9.90")),
            Order(user_id="u2", order_id="B001", total=Decimal("15")),
        ]
    )
    db.model(Line).batch_create(
        [
            Line(user_id="u1", order_id="A001", n=1, sku="tea"),
            Line(user_id="u1", order_id="A001", n=2, sku="mug", qty=2),
            Line(user_id="u1", order_id="A002", n=1, sku="tea", qty=3),
            Line(user_id="u2", order_id="B001", n=1, sku="kettle"),
        ]
    )
    checks.say("wrote 2 users, 3 orders and 4 lines; the keys come from the templates")
    checks.check("the user's keys were computed", (ada.pk, ada.sk) == ("USER#u1", "PROFILE"))

    checks.say('db.collection(User, Order, Line).where(user_id="u1").all_paginated()')
    page = db.collection(User, Order, Line).where(user_id="u1").all_paginated()
    items: list[Any] = page.items  # of the shop's models, declared per run
    for item in items:
        checks.say(f"  {type(item).__name__:<5} {item.sk}")
    kinds = [type(item).__name__ for item in items]
    checks.check(
        "one Query read the whole partition (a page is one request; no cursor left)",
        page.next_cursor is None and page.count == 6,
        f"{page.count} items, cursor {page.next_cursor!r}",
    )
    checks.check(
        "each item came back as its own model, in sort-key order",
        kinds == ["Order", "Line", "Line", "Order", "Line", "User"],
        f"{kinds}",
    )
    orders, lines = page.of(Order), page.of(Line)
    checks.say(f"page.of(Order) -> {[(o.order_id, str(o.total)) for o in orders]}")
    checks.say(f"page.of(Line) -> {[(li.order_id, li.n, li.sku, li.qty) for li in lines]}")
    checks.check(
        "only user u1's items, read back whole",
        [o.order_id for o in orders] == ["A001", "A002"]
        and sum(li.qty for li in lines) == 6
        and [u.name for u in page.of(User)] == ["Ada"],
    )
    open_only = (
        db.collection(User, Order, Line)
        .where(user_id="u1")
        .filter("status", "=", "open", model=Order)
        .all()
    )
    checks.say('.filter("status", "=", "open", model=Order) filters the orders only')
    checks.check(
        "the shipped order is filtered out, the lines and the user pass",
        [o.order_id for o in open_only.of(Order)] == ["A002"]
        and len(open_only.of(Line)) == 3
        and len(open_only.of(User)) == 1,
    )

    checks.say('User.email is field(unique=True): a sentinel item holds "ada@example.com"')
    twin = User(user_id="u3", email="ada@example.com", name="Impostor")
    err = checks.raises(
        "a second user with Ada's email is refused with UniqueConstraintError",
        UniqueConstraintError,
        lambda: db.model(twin).create(),
    )
    if err is not None:
        checks.check(
            "the error names the model, field and value",
            (err.model, err.field, err.value) == ("User", "email", "ada@example.com"),
        )
    checks.check(
        "the refused user was not written",
        db.model(User).where("user_id", "=", "u3").all() == [],
    )
