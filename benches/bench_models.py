"""Model speed: a dynamorm model ⇄ its DynamoDB item, against PynamoDB,
pydynox and boto3 with a dataclass.

Each library declares the same two models (a 10-field user and a nested
order) and converts the same instance in the same process:

- model → item: dynamorm ``obj.to_item()``; PynamoDB ``obj.serialize()``;
  pydynox ``item_to_dynamo(obj.to_dict())`` (its Rust codec on the model's
  dict, as its client does before a put); boto3 ``TypeSerializer`` over the
  dataclass's fields.
- item → model: dynamorm ``Model.from_item(item)``; PynamoDB
  ``Model.from_raw_data(item)``; pydynox ``Model.from_dict(item_from_dynamo
  (item))``; boto3 ``TypeDeserializer`` then the dataclass constructor.

Rows give seconds per operation and ``ratio`` = competitor / dynamorm (above
1: dynamorm is faster).

    .venv/bin/python benches/bench_models.py            # after a --release build
    .venv/bin/python benches/bench_models.py --repeat 7
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from _timing import best, print_rows, row
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from dynamorm import Model, field
from pydynox import Model as PdxModel
from pydynox import attributes as pdx
from pydynox.pydynox_core import item_from_dynamo, item_to_dynamo
from pynamodb import attributes as pn
from pynamodb.models import Model as PnModel

CREATED = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)

USER: dict[str, Any] = {
    "pk": "USER#1",
    "sk": "PROFILE",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "age": 36,
    "score": Decimal("98.25"),
    "active": True,
    "nickname": None,
    "version": 7,
    "created": CREATED,
}

ADDRESS: dict[str, Any] = {"street": "1 Navy Way", "city": "Arlington", "zip": "22201"}
CUSTOMER: dict[str, Any] = {
    "id": "C-77",
    "name": "Grace Hopper",
    "emails": ["grace@example.com", "g.hopper@example.org"],
    "vip": False,
    "visits": 42,
}
ORDER: dict[str, Any] = {
    "pk": "ORDER#12345",
    "sk": "2024-05-01",
    "status": "shipped",
    "total": Decimal("1234.56"),
    "count": 3,
    "paid": True,
    "tags": {"gift", "express", "fragile"},
    "scores": {1, 2, 3, 5, 8},
    "lines": [
        {"sku": "A-1", "qty": 1, "price": Decimal("9.99"), "opts": ["red", "xl"]},
        {"sku": "B-2", "qty": 2, "price": Decimal("19.5"), "opts": []},
        {"sku": "C-3", "qty": 5, "price": Decimal("0.25"), "opts": ["bulk"]},
    ],
    "meta": {"channel": "web", "campaign": {"id": "SPRING", "discount": Decimal("0.1")}},
}

# -- dynamorm ------------------------------------------------------------------


class User(Model, table="users"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    name: str = ""
    email: str = ""
    age: int = 0
    score: Decimal = Decimal(0)
    active: bool = True
    nickname: str | None = None
    version: int = field(version=True)
    created: datetime = field(created_at=True)


@dataclasses.dataclass
class Address:
    street: str
    city: str
    zip: str


@dataclasses.dataclass
class Customer:
    id: str
    name: str
    emails: list[str]
    vip: bool
    visits: int
    address: Address | None = None


class Order(Model, table="orders"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    status: str = ""
    total: Decimal = Decimal(0)
    count: int = 0
    paid: bool = False
    tags: set[str] = field(default_factory=set)
    scores: set[int] = field(default_factory=set)
    customer: Customer | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


# -- PynamoDB ------------------------------------------------------------------


class PnUser(PnModel):
    class Meta:
        table_name = "users"
        region = "us-east-1"

    pk = pn.UnicodeAttribute(hash_key=True)
    sk = pn.UnicodeAttribute(range_key=True)
    name = pn.UnicodeAttribute()
    email = pn.UnicodeAttribute()
    age = pn.NumberAttribute()
    score = pn.NumberAttribute()
    active = pn.BooleanAttribute()
    nickname = pn.UnicodeAttribute(null=True)
    version = pn.VersionAttribute()
    created = pn.UTCDateTimeAttribute()


class PnAddress(pn.MapAttribute[str, Any]):
    street = pn.UnicodeAttribute()
    city = pn.UnicodeAttribute()
    zip = pn.UnicodeAttribute()


class PnCustomer(pn.MapAttribute[str, Any]):
    id = pn.UnicodeAttribute()
    name = pn.UnicodeAttribute()
    emails = pn.ListAttribute(of=pn.UnicodeAttribute)  # type: ignore[var-annotated]
    vip = pn.BooleanAttribute()
    visits = pn.NumberAttribute()
    address = PnAddress()


class PnOrder(PnModel):
    class Meta:
        table_name = "orders"
        region = "us-east-1"

    pk = pn.UnicodeAttribute(hash_key=True)
    sk = pn.UnicodeAttribute(range_key=True)
    status = pn.UnicodeAttribute()
    total = pn.NumberAttribute()
    count = pn.NumberAttribute()
    paid = pn.BooleanAttribute()
    tags = pn.UnicodeSetAttribute()
    scores = pn.NumberSetAttribute()
    customer = PnCustomer()
    lines = pn.ListAttribute()  # type: ignore[var-annotated]
    meta = pn.MapAttribute()  # type: ignore[var-annotated]


# -- pydynox -------------------------------------------------------------------


class PdxUser(PdxModel):
    pk = pdx.StringAttribute(partition_key=True)
    sk = pdx.StringAttribute(sort_key=True)
    name = pdx.StringAttribute()
    email = pdx.StringAttribute()
    age = pdx.NumberAttribute()
    score = pdx.DecimalAttribute()
    active = pdx.BooleanAttribute()
    nickname = pdx.StringAttribute()
    version = pdx.VersionAttribute()
    created = pdx.DatetimeAttribute()


class PdxOrder(PdxModel):
    pk = pdx.StringAttribute(partition_key=True)
    sk = pdx.StringAttribute(sort_key=True)
    status = pdx.StringAttribute()
    total = pdx.DecimalAttribute()
    count = pdx.NumberAttribute()
    paid = pdx.BooleanAttribute()
    tags = pdx.StringSetAttribute()
    scores = pdx.NumberSetAttribute()
    customer = pdx.MapAttribute()  # type: ignore[var-annotated]
    lines = pdx.ListAttribute()
    meta = pdx.MapAttribute()  # type: ignore[var-annotated]


def _pdx_to_item(obj: Any) -> dict[str, Any]:
    return item_to_dynamo(obj.to_dict())  # type: ignore[no-any-return]


def _pdx_number_schema(cls: Any) -> dict[str, Any]:
    """The number schema pydynox's model reads pass its codec (Decimal fields
    read as Decimal), built once per model as its read client does."""
    return {"fields": frozenset(cls._decimal_fields), "variants": {}}


def _pdx_from_item(cls: Any, schema: Any, item: dict[str, Any]) -> Any:
    return cls.from_dict(item_from_dynamo(item, _number_schema=schema))


# -- boto3 + dataclass ---------------------------------------------------------


@dataclasses.dataclass
class DcUser:
    pk: str
    sk: str
    name: str
    email: str
    age: int
    score: Decimal
    active: bool
    nickname: str | None
    version: int
    created: datetime


@dataclasses.dataclass
class DcOrder:
    pk: str
    sk: str
    status: str
    total: Decimal
    count: int
    paid: bool
    tags: set[str]
    scores: set[int]
    customer: dict[str, Any]
    lines: list[dict[str, Any]]
    meta: dict[str, Any]


_SER = TypeSerializer()
_DE = TypeDeserializer()


def _boto_to_item(obj: Any) -> dict[str, Any]:
    """Fields through boto3's serializer; datetimes as ISO text first (boto3
    has no datetime type)."""
    out = {}
    for name, value in obj.__dict__.items():
        out[name] = _SER.serialize(value.isoformat() if isinstance(value, datetime) else value)
    return out


def _boto_from_item(cls: Any, dates: tuple[str, ...], item: dict[str, Any]) -> Any:
    values = {name: _DE.deserialize(av) for name, av in item.items()}
    for name in dates:
        values[name] = datetime.fromisoformat(values[name])
    return cls(**values)


# -- timing ----------------------------------------------------------------------


def _floats(value: Any) -> Any:
    """`value` with Decimals as floats: PynamoDB's numbers go through `json`."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def _instances() -> dict[str, tuple[Any, ...]]:
    """(dynamorm, PynamoDB, pydynox, dataclass) instances of each model."""
    customer = dict(CUSTOMER, address=ADDRESS)
    order = dict(ORDER, customer=customer)
    pn_user = PnUser(**_floats(USER))
    pn_customer = PnCustomer(**dict(CUSTOMER, address=PnAddress(**ADDRESS)))
    pn_order = PnOrder(**dict(_floats(ORDER), customer=pn_customer))
    return {
        "10-field": (User(**USER), pn_user, PdxUser(**USER), DcUser(**USER)),
        "nested": (
            Order(**dict(ORDER, customer=Customer(**dict(CUSTOMER, address=Address(**ADDRESS))))),
            pn_order,
            PdxOrder(**order),
            DcOrder(**order),
        ),
    }


def run(repeat: int = 5) -> list[dict[str, Any]]:
    """Times every comparison; returns rows of name, ours and competitor
    seconds per operation, and ratio = competitor / ours."""
    rows: list[dict[str, Any]] = []
    for label, number in (("10-field", 20_000), ("nested", 5_000)):
        ours, pn_obj, pdx_obj, dc_obj = _instances()[label]
        model = type(ours)
        item = ours.to_item()
        pn_item = pn_obj.serialize()
        pdx_item = _pdx_to_item(pdx_obj)
        boto_item = _boto_to_item(dc_obj)
        dates = ("created",) if label == "10-field" else ()
        # Every library reads back what it wrote.
        assert model.from_item(item) == model.from_item(model.from_item(item).to_item())
        assert type(pn_obj).from_raw_data(pn_item).pk == pn_obj.pk
        pdx_schema = _pdx_number_schema(type(pdx_obj))
        assert _pdx_from_item(type(pdx_obj), pdx_schema, pdx_item).pk == pdx_obj.pk
        assert _boto_from_item(type(dc_obj), dates, boto_item) == dc_obj

        write = best(ours.to_item, repeat, number)
        read = best(partial(model.from_item, item), repeat, number)
        pn_w = best(pn_obj.serialize, repeat, number)
        pn_r = best(partial(type(pn_obj).from_raw_data, pn_item), repeat, number)
        pdx_w = best(partial(_pdx_to_item, pdx_obj), repeat, number)
        pdx_r = best(partial(_pdx_from_item, type(pdx_obj), pdx_schema, pdx_item), repeat, number)
        boto_w = best(partial(_boto_to_item, dc_obj), repeat, number)
        boto_r = best(partial(_boto_from_item, type(dc_obj), dates, boto_item), repeat, number)

        rows += [
            row(f"{label} model→item vs PynamoDB serialize", write, pn_w),
            row(f"{label} model→item vs pydynox to_dict+item_to_dynamo", write, pdx_w),
            row(f"{label} model→item vs boto3 TypeSerializer+dataclass", write, boto_w),
            row(f"{label} item→model vs PynamoDB from_raw_data", read, pn_r),
            row(f"{label} item→model vs pydynox item_from_dynamo+from_dict", read, pdx_r),
            row(f"{label} item→model vs boto3 TypeDeserializer+dataclass", read, boto_r),
        ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print_rows(run(args.repeat))


if __name__ == "__main__":
    main()
