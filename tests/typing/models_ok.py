"""User code that must type-check under ``mypy --strict``: declaring models,
constructing them, and every public call that returns model instances."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, assert_type

from dynamorm import (
    DB,
    CollectionItems,
    CollectionPage,
    Model,
    Page,
    field,
    fields,
    load_dms,
    unmarshal_item,
    unmarshal_stream_record,
)
from dynamorm.dms import to_dms
from dynamorm.model.fields import FieldInfo
from dynamorm.streams import unmarshal_items


class User(Model, table="users"):
    id: str = field(pk=True)
    email: str = field(sk=True)
    name: str = ""
    status: str = field(default="active", gsi_pk="status-index")
    created: datetime = field(created_at=True)
    updated: datetime = field(updated_at=True)
    version: int = field(version=True)
    expires: datetime | None = field(ttl=True, default=None)
    tags: set[str] = field(default_factory=set, omit_empty=True)
    profile: dict[str, Any] = field(default_factory=dict, attr="Profile")
    balance: Decimal = Decimal(0)
    avatar: bytes | None = None


class Profile(Model, table="app", entity="profile"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)


class Account(Model, table="app", entity="account", entity_attr="kind"):
    pk: str = field(pk=True)


class Event(Model):
    stream: str = field(pk=True)
    at: int = field(sk=True)
    payload: Any = field(default=None, json=True)


def build() -> User:
    user = User(id="u1", email="a@example.com", name="Ann", tags={"x"})
    user.expires = datetime(2030, 1, 1, tzinfo=UTC)
    user.balance += Decimal("1.5")
    name: str = user.name
    version: int = user.version
    return User(id=name, email=user.email, version=version)


def round_trips(user: User) -> None:
    item = user.to_item()
    assert_type(item, dict[str, dict[str, Any]])
    assert_type(User.from_item(item), User)
    data = user.to_dict()
    assert_type(data, dict[str, Any])
    assert_type(User.from_dict(data), User)
    assert_type(Event.from_item({"stream": {"S": "s"}, "at": {"N": "1"}}), Event)
    described: tuple[FieldInfo, ...] = fields(User)
    assert described[0].attr == "id"


def streams(record: dict[str, Any]) -> list[User]:
    one = unmarshal_stream_record(record, User)
    assert_type(one, User | None)
    old = unmarshal_stream_record(record, User, image="OldImage")
    image = record["dynamodb"]["NewImage"]
    assert_type(unmarshal_item(image, User), User)
    users = unmarshal_items([image], User)
    assert_type(users, list[User])
    return [u for u in (one, old) if u is not None] + users


def dms(text: str) -> dict[str, Any]:
    models = load_dms(text)
    assert_type(models, dict[str, type[Model]])
    invoice = models["Invoice"]
    obj = invoice(PK="INV#1", SK="META")
    assert_type(obj, Model)
    return to_dms(User, Event) | User.to_dms() | invoice.to_dms() | obj.to_item()


def scans(db: DB) -> list[User]:
    page = db.model(User).limit(10).scan_paginated()
    assert_type(page, Page[User])
    assert_type(db.model(User).limit(10).scan_paginated(fill=True), Page[User])
    filled = db.model(User).where("id", "=", "u1").limit(10).all_paginated(fill=True)
    assert_type(filled, Page[User])
    assert_type(db.model(User).scan_iter(), Iterator[User])
    return page.items


class Order(Model, table="app"):
    user_id: str
    n: int
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="ORDER#{n:08d}")


def templated() -> str | None:
    order = Order(user_id="u1", n=1)  # the template fields are computed
    template = fields(Order)[2].template
    if template is not None:
        assert_type(template.fields, tuple[str, ...])
        assert_type(template.render({"user_id": "u1"}), str)
        assert_type(template.parse("USER#u1"), dict[str, Any] | None)
    return order.pk


class Member(Model, table="app", entity="member"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="MEMBER")


class Purchase(Model, table="app", entity="purchase"):
    user_id: str
    n: int
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="PURCHASE#{n:08d}")


def collections(db: DB) -> list[Purchase]:
    items = db.collection(Member, Purchase).where(user_id="u1").all()
    assert_type(items, CollectionItems)
    assert_type(items.of(Member), list[Member])
    assert_type(items[0], Model)
    page = db.collection(Member, Purchase).where("user_id", "=", "u1").limit(5).all_paginated()
    assert_type(page, CollectionPage)
    assert_type(page.next_cursor, str | None)
    assert_type(db.collection(Member, Purchase).where(user_id="u1").iter(), Iterator[Model])
    assert_type(db.collection(Member).where(user_id="u1").count(), int)
    return page.of(Purchase)
