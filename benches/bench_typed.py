"""Deep-typed models: item → model when the model holds enums, UUIDs,
dates and a list of dataclasses, each read back as its own type.

dynamorm reads them with the compiled type tree (``Model.from_item``). The
competitors read the same item into the same types the way their users
would write it: PynamoDB with custom attributes (an enum, a UUID and a date
attribute, a ``MapAttribute`` per nested dataclass), pydynox with its codec
and ``from_dict`` and then the conversions its models do not do, boto3 with
``TypeDeserializer`` and then the dataclasses built by hand. Rows give
seconds per operation and ``ratio`` = competitor / dynamorm.

    .venv/bin/python benches/bench_typed.py            # after a --release build
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from _timing import best, print_rows, row
from boto3.dynamodb.types import TypeDeserializer
from dynamorm import Model, field
from pydynox import Model as PdxModel
from pydynox import attributes as pdx
from pydynox.pydynox_core import item_from_dynamo
from pynamodb import attributes as pn
from pynamodb.models import Model as PnModel


class Status(enum.Enum):
    OPEN = "open"
    SHIPPED = "shipped"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 3


@dataclasses.dataclass
class Line:
    sku: str
    qty: int
    price: Decimal
    ships: date
    status: Status


@dataclasses.dataclass
class Geo:
    lat: float
    lon: float


@dataclasses.dataclass
class Address:
    street: str
    city: str
    geo: Geo


class Shipment(Model, table="shipments"):
    id: uuid.UUID = field(pk=True)
    placed: date = field(sk=True)
    status: Status = Status.OPEN
    priority: Priority = Priority.LOW
    owner: uuid.UUID | None = None
    due: date | None = None
    address: Address | None = None
    lines: list[Line] = field(default_factory=list)
    watchers: set[uuid.UUID] = field(default_factory=set)


ID = uuid.UUID("0f0e0d0c-0b0a-0908-0706-050403020100")
OWNER = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")
WATCHERS = {uuid.UUID(int=n * 7919) for n in range(1, 4)}
SHIPMENT = Shipment(
    id=ID,
    placed=date(2026, 12, 1),
    status=Status.SHIPPED,
    priority=Priority.HIGH,
    owner=OWNER,
    due=date(2026, 12, 24),
    address=Address("1 Navy Way", "Arlington", Geo(38.87, -77.05)),
    lines=[
        Line(f"SKU-{i}", i + 1, Decimal(f"{i}.99"), date(2026, 12, 10 + i), Status.OPEN)
        for i in range(5)
    ],
    watchers=WATCHERS,
)


# -- PynamoDB: custom attributes, as its users write them ---------------------------


class EnumAttribute(pn.UnicodeAttribute):
    def __init__(self, cls: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cls = cls

    def serialize(self, value: Any) -> Any:
        return super().serialize(value.value)

    def deserialize(self, value: Any) -> Any:
        return self.cls(super().deserialize(value))


class IntEnumAttribute(pn.NumberAttribute):
    def __init__(self, cls: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cls = cls

    def serialize(self, value: Any) -> Any:
        return super().serialize(value.value)

    def deserialize(self, value: Any) -> Any:
        return self.cls(int(super().deserialize(value)))


class UUIDAttribute(pn.UnicodeAttribute):
    def serialize(self, value: Any) -> Any:
        return super().serialize(str(value))

    def deserialize(self, value: Any) -> Any:
        return uuid.UUID(super().deserialize(value))


class DateAttribute(pn.UnicodeAttribute):
    def serialize(self, value: Any) -> Any:
        return super().serialize(value.isoformat())

    def deserialize(self, value: Any) -> Any:
        return date.fromisoformat(super().deserialize(value))


class DecimalAttribute(pn.NumberAttribute):
    def serialize(self, value: Any) -> Any:
        return str(value)

    def deserialize(self, value: Any) -> Any:
        return Decimal(value)


class PnGeo(pn.MapAttribute[str, Any]):
    lat = pn.NumberAttribute()
    lon = pn.NumberAttribute()


class PnAddress(pn.MapAttribute[str, Any]):
    street = pn.UnicodeAttribute()
    city = pn.UnicodeAttribute()
    geo = PnGeo()


class PnLine(pn.MapAttribute[str, Any]):
    sku = pn.UnicodeAttribute()
    qty = pn.NumberAttribute()
    price = DecimalAttribute()  # PynamoDB's own numbers are floats
    ships = DateAttribute()
    status = EnumAttribute(Status)


class PnShipment(PnModel):
    class Meta:
        table_name = "shipments"
        region = "us-east-1"

    id = UUIDAttribute(hash_key=True)
    placed = DateAttribute(range_key=True)
    status = EnumAttribute(Status)
    priority = IntEnumAttribute(Priority)
    owner = UUIDAttribute(null=True)
    due = DateAttribute(null=True)
    address = PnAddress(null=True)
    lines = pn.ListAttribute(of=PnLine)  # type: ignore[var-annotated]
    watchers = pn.UnicodeSetAttribute()


# -- pydynox: its codec and from_dict, then the conversions it does not do ----------


class PdxShipment(PdxModel):
    id = pdx.StringAttribute(partition_key=True)
    placed = pdx.StringAttribute(sort_key=True)
    status = pdx.StringAttribute()
    priority = pdx.NumberAttribute()
    owner = pdx.StringAttribute()
    due = pdx.StringAttribute()
    address = pdx.MapAttribute()  # type: ignore[var-annotated]
    lines = pdx.ListAttribute()
    watchers = pdx.StringSetAttribute()


_PDX_SCHEMA = {"fields": frozenset(), "variants": {}}


def _pdx_read(item: dict[str, Any]) -> Any:
    obj = PdxShipment.from_dict(item_from_dynamo(item, _number_schema=_PDX_SCHEMA))
    obj.id = uuid.UUID(obj.id)
    obj.placed = date.fromisoformat(obj.placed)
    obj.status = Status(obj.status)
    obj.priority = Priority(obj.priority)
    obj.owner = uuid.UUID(obj.owner) if obj.owner else None
    obj.due = date.fromisoformat(obj.due) if obj.due else None
    a = obj.address
    obj.address = Address(
        a["street"], a["city"], Geo(float(a["geo"]["lat"]), float(a["geo"]["lon"]))
    )
    obj.lines = [
        Line(
            line["sku"],
            int(line["qty"]),
            Decimal(str(line["price"])),
            date.fromisoformat(line["ships"]),
            Status(line["status"]),
        )
        for line in obj.lines
    ]
    obj.watchers = {uuid.UUID(w) for w in obj.watchers}
    return obj


# -- boto3: TypeDeserializer, then the dataclasses by hand ----------------------------

_DE = TypeDeserializer()


def _boto_read(item: dict[str, Any]) -> Any:
    v = {name: _DE.deserialize(av) for name, av in item.items()}
    a = v["address"]
    return {
        "id": uuid.UUID(v["id"]),
        "placed": date.fromisoformat(v["placed"]),
        "status": Status(v["status"]),
        "priority": Priority(int(v["priority"])),
        "owner": uuid.UUID(v["owner"]),
        "due": date.fromisoformat(v["due"]),
        "address": Address(
            a["street"], a["city"], Geo(float(a["geo"]["lat"]), float(a["geo"]["lon"]))
        ),
        "lines": [
            Line(
                line["sku"],
                int(line["qty"]),
                line["price"],
                date.fromisoformat(line["ships"]),
                Status(line["status"]),
            )
            for line in v["lines"]
        ],
        "watchers": {uuid.UUID(w) for w in v["watchers"]},
    }


def run(repeat: int = 5) -> list[dict[str, Any]]:
    """Times each reader on the item dynamorm writes (the other libraries'
    writers give the same storage); returns rows of name, ours and
    competitor seconds per operation, and ratio = competitor / ours."""
    item = SHIPMENT.to_item()
    number = 5_000
    # Each reader gives the same typed values back.
    back = Shipment.from_item(item)
    assert back == SHIPMENT
    pn_back = PnShipment.from_raw_data(item)
    assert pn_back.lines[0].status is Status.OPEN and pn_back.id == ID
    pdx_back = _pdx_read(item)
    assert pdx_back.lines == SHIPMENT.lines and pdx_back.watchers == WATCHERS
    boto_back = _boto_read(item)
    assert boto_back["lines"] == SHIPMENT.lines and boto_back["address"] == SHIPMENT.address

    ours = best(partial(Shipment.from_item, item), repeat, number)
    pn_r = best(partial(PnShipment.from_raw_data, item), repeat, number)
    pdx_r = best(partial(_pdx_read, item), repeat, number)
    boto_r = best(partial(_boto_read, item), repeat, number)
    write = best(SHIPMENT.to_item, repeat, number)
    pn_obj = pn_back
    pn_w = best(pn_obj.serialize, repeat, number)
    return [
        row("deep-typed item→model vs PynamoDB from_raw_data", ours, pn_r),
        row("deep-typed item→model vs pydynox item_from_dynamo+from_dict+conversions", ours, pdx_r),
        row("deep-typed item→model vs boto3 TypeDeserializer+dataclasses", ours, boto_r),
        row("deep-typed model→item vs PynamoDB serialize", write, pn_w),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print_rows(run(args.repeat))


if __name__ == "__main__":
    main()
