"""User code with SPEC §2's richer types that must type-check (mypy
--strict): enums, literals, UUIDs, dates, durations, nested dataclasses,
TypedDicts and registered types, as fields and in what is read back."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict

from dynamorm import Model, field, register_type


class Color(enum.Enum):
    RED = "red"


class Tier(enum.IntEnum):
    GOLD = 1


@dataclass
class Geo:
    lat: float
    lon: float


@dataclass
class Address:
    city: str
    geo: Geo | None = None
    tags: list[Color] = dc_field(default_factory=list)


class Extra(TypedDict):
    a: int
    b: NotRequired[str]


class Money:
    def __init__(self, text: str) -> None:
        self.text = text


register_type(Money, to_storage=lambda m: m.text, from_storage=Money, storage=str)


class Customer(Model, table="customers"):
    id: uuid.UUID = field(pk=True)
    since: dt.date = field(sk=True)
    color: Color = Color.RED
    tier: Tier = Tier.GOLD
    kind: Literal["a", "b"] = "a"
    every: dt.timedelta = dt.timedelta(days=1)
    opens: dt.time = dt.time(9)
    addresses: list[Address] = field(default_factory=list)
    ratios: dict[str, float] = field(default_factory=dict)
    pair: tuple[int, str] = (0, "")
    colors: frozenset[Color] = frozenset()
    extra: Extra | None = None
    balance: Money | None = None


c = Customer(
    id=uuid.uuid4(),
    since=dt.date(2024, 1, 1),
    color=Color.RED,
    kind="b",
    addresses=[Address("Oslo", Geo(59.9, 10.7), [Color.RED])],
    pair=(1, "x"),
    extra={"a": 1},
    balance=Money("1 EUR"),
)
back = Customer.from_item(c.to_item())
lat: float | None = back.addresses[0].geo.lat if back.addresses[0].geo else None
first: Color = back.color
level: int = back.tier
count: int = back.pair[0]
key: uuid.UUID = back.id
day: dt.date = back.since
money: Money | None = back.balance
amount: Decimal = Decimal(1)
