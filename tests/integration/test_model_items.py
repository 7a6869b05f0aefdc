"""Items written by ``Model.to_item()`` are stored by a real server with a plain
boto3 ``put_item`` and read back from ``get_item`` into equal models."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from dynamorm.model import Model
from dynamorm.model.fields import field


@dataclasses.dataclass
class Dimensions:
    width: int
    height: int
    unit: str = "cm"


class Product(Model, table="products"):
    pk: str = field(pk=True, attr="PK")
    sk: str = field(sk=True, attr="SK")
    name: str = ""
    stock: int = 0
    weight: float = 0.0
    price: Decimal = Decimal(0)
    active: bool = True
    thumbnail: bytes = b""
    released: datetime | None = None
    colours: set[str] = field(default_factory=set)
    sizes: set[int] = field(default_factory=set)
    ratios: set[float] = field(default_factory=set)
    codes: set[bytes] = field(default_factory=set)
    empty_tags: set[str] = field(default_factory=set)
    notes: list = field(default_factory=list)  # type: ignore[type-arg]
    attributes: dict = field(default_factory=dict, attr="Attributes")  # type: ignore[type-arg]
    dimensions: Dimensions | None = None
    subtitle: str | None = None
    category: str | None = field(default=None, gsi_pk="by-category")
    slug: str = field(default="", binary=True)
    spec: dict = field(default_factory=dict, json=True)  # type: ignore[type-arg]
    comment: str = field(default="", omit_empty=True)
    created: datetime = field(created_at=True)
    updated: datetime = field(updated_at=True)
    version: int = field(version=True)
    expires: datetime | None = field(ttl=True, default=None)


def test_model_items_round_trip_through_the_server(
    ddb_client: Any, make_table: Callable[..., str]
) -> None:
    table = make_table(pk="PK", sk="SK")
    product = Product(
        pk="PRODUCT#1",
        sk="v1",
        name="Lamp",
        stock=12,
        weight=1.25,
        price=Decimal("19.99"),
        thumbnail=b"\x89PNG\x00\xff",
        released=datetime(2024, 5, 1, 14, 30, 0, 250000, tzinfo=timezone(timedelta(hours=2))),
        colours={"red", "blue"},
        sizes={1, 2, 3},
        ratios={0.5, 1.75},
        codes={b"a", b"\x00"},
        notes=["fragile", 3, {"checked": True}, None],
        attributes={"rating": Decimal("4.5"), "reviews": 120, "tags": ["new"]},
        dimensions=Dimensions(width=30, height=45),
        category="lighting",
        slug="lámpara",
        spec={"watts": 60, "bulb": "E27", "dimmable": False},
        created=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        updated=datetime(2024, 5, 2, 8, 15, 0, 1, tzinfo=UTC),
        version=3,
        expires=datetime(2030, 1, 1, tzinfo=UTC),
    )
    item = product.to_item()
    assert "comment" not in item and item["empty_tags"] == {"NULL": True}
    assert "subtitle" in item and item["subtitle"] == {"NULL": True}

    ddb_client.put_item(TableName=table, Item=item)
    key = Product.__dynamorm_codec__.key_of(product)
    assert key == {"PK": {"S": "PRODUCT#1"}, "SK": {"S": "v1"}}
    stored = ddb_client.get_item(TableName=table, Key=key)["Item"]
    back = Product.from_item(stored)

    # What the server hands back is what was written, so it reads back equal
    # to the model, with its datetimes normalised to UTC.
    assert back.released == datetime(2024, 5, 1, 12, 30, 0, 250000, tzinfo=UTC)
    assert back.released is not None and back.released.tzinfo is UTC
    assert back.dimensions == Dimensions(width=30, height=45)
    assert back.empty_tags == set()
    expected = dict(product.__dict__, released=back.released)
    assert back.__dict__ == expected
    assert back == Product(**expected)
    assert type(back.stock) is int and type(back.weight) is float
    assert type(back.price) is Decimal and type(back.thumbnail) is bytes
    assert back.ratios == {0.5, 1.75} and all(type(r) is float for r in back.ratios)
    assert back.slug == "lámpara" and back.spec == {"watts": 60, "bulb": "E27", "dimmable": False}
    assert Product.from_item(back.to_item()) == back


def test_sparse_items_read_back_with_defaults(
    ddb_client: Any, make_table: Callable[..., str]
) -> None:
    table = make_table(pk="PK", sk="SK")
    product = Product(pk="PRODUCT#2", sk="v1")
    item = product.to_item()
    for attr in ("created", "updated", "expires", "category", "comment"):
        assert attr not in item
    ddb_client.put_item(TableName=table, Item=item)
    stored = ddb_client.get_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})["Item"]
    back = Product.from_item(stored)
    assert back == product
    assert back.version == 0 and back.created is None and back.colours == set()
