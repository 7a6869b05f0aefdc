"""SPEC §2's type table, row by row: what each type is stored as on the wire
(what another language's client reads), and every refusal with its message —
at class creation, on write, on read, and for values compared or updated at
a path."""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Annotated, Any, Literal, NotRequired, TypedDict

import pytest
from dynamorm import KeyPair, Model, field, register_type
from dynamorm.errors import InvalidModelError, ValidationError
from dynamorm.expr.conditions import make_term
from dynamorm.model.types import analyze
from dynamorm.update import UpdateBuilder

from tests._support.type_trees import Money


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Tier(enum.StrEnum):
    GOLD = "gold"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass
class Geo:
    lat: float
    amount: Decimal = Decimal(0)


@dataclass
class Home:
    geo: Geo
    since: _dt.date | None = None
    colors: list[Color] = dc_field(default_factory=list)


class Extra(TypedDict):
    a: int
    b: NotRequired[str | None]


U = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")


class Typed(Model, table="typed-rows"):
    id: uuid.UUID = field(pk=True)
    color: Color = Color.RED
    tier: Tier = Tier.GOLD
    level: Level = Level.LOW
    kind: Literal["a", "b"] = "a"
    when: _dt.date = _dt.date(2024, 1, 1)
    at: _dt.time = _dt.time(12, 30)
    span: _dt.timedelta = _dt.timedelta(0)
    home: Home | None = None
    homes: list[Home] = field(default_factory=list)
    floats: list[float] = field(default_factory=list)
    ratios: dict[str, float] = field(default_factory=dict)
    pair: tuple[int, str] = (0, "")
    many: tuple[int, ...] = ()
    colors: set[Color] = field(default_factory=set)
    ids: frozenset[uuid.UUID] = frozenset()
    extra: Extra | None = None
    price: Money | None = None
    note: Annotated[str, "free text"] = ""


def wire(**values: Any) -> dict[str, Any]:
    item = Typed(id=U, **values).to_item()
    return {k: v for k, v in item.items() if k in values}


@pytest.mark.parametrize(
    ("values", "stored"),
    [
        ({"color": Color.BLUE}, {"color": {"S": "blue"}}),
        ({"tier": Tier.GOLD}, {"tier": {"S": "gold"}}),
        ({"level": Level.HIGH}, {"level": {"N": "2"}}),
        ({"kind": "b"}, {"kind": {"S": "b"}}),
        ({"when": _dt.date(7, 3, 9)}, {"when": {"S": "0007-03-09"}}),
        ({"at": _dt.time(1, 2, 3, 4)}, {"at": {"S": "01:02:03.000004"}}),
        ({"span": _dt.timedelta(seconds=90, microseconds=5)}, {"span": {"N": "90.000005"}}),
        ({"span": _dt.timedelta(days=-1)}, {"span": {"N": "-86400"}}),
        ({"floats": [2.0, 1]}, {"floats": {"L": [{"N": "2.0"}, {"N": "1"}]}}),
        ({"ratios": {"x": 0.5}}, {"ratios": {"M": {"x": {"N": "0.5"}}}}),
        ({"pair": (3, "z")}, {"pair": {"L": [{"N": "3"}, {"S": "z"}]}}),
        ({"many": (1, 2)}, {"many": {"L": [{"N": "1"}, {"N": "2"}]}}),
        ({"colors": {Color.RED}}, {"colors": {"SS": ["red"]}}),
        ({"colors": set()}, {"colors": {"NULL": True}}),
        ({"ids": frozenset({U})}, {"ids": {"SS": [str(U)]}}),
        ({"extra": {"a": 1, "b": None}}, {"extra": {"M": {"a": {"N": "1"}, "b": {"NULL": True}}}}),
        ({"price": Money(Decimal("1.50"), "EUR")}, {"price": {"S": "1.50 EUR"}}),
        ({"note": "x"}, {"note": {"S": "x"}}),
        (
            {"home": Home(Geo(1.5, Decimal("2.50")), _dt.date(2020, 2, 29), [Color.BLUE])},
            {
                "home": {
                    "M": {
                        "geo": {"M": {"lat": {"N": "1.5"}, "amount": {"N": "2.50"}}},
                        "since": {"S": "2020-02-29"},
                        "colors": {"L": [{"S": "blue"}]},
                    }
                }
            },
        ),
    ],
)
def test_each_type_is_stored_as_the_spec_table_says(
    values: dict[str, Any], stored: dict[str, Any]
) -> None:
    assert wire(**values) == stored
    back = Typed.from_item(Typed(id=U, **values).to_item())
    for name, value in values.items():
        got = getattr(back, name)
        assert got == value and type(got) is type(value)


def test_the_uuid_key_is_canonical_text() -> None:
    assert Typed(id=U).to_item()["id"] == {"S": "12345678-9abc-def0-1234-56789abcdef0"}


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (int | str, r"unions other than `X \| None` are not supported: int \| str"),
        (set[float | None], "set elements must be"),
        (set[bool], "set elements must be"),
        (dict[int, str], "dict keys must be str"),
        (Literal[1, "a"], "Literal values must be all str, all int or all bool"),
        (list[complex], "unsupported field type complex"),
    ],
)
def test_unsupported_annotations_are_refused_with_the_reason(annotation: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        analyze(annotation)


def test_a_model_with_an_unsupported_field_names_class_and_field() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: field 'mixed': unions other than"):

        class Bad(Model, table="bad-rows"):
            id: str = field(pk=True)
            mixed: int | str = 0


class Mixed(enum.Enum):
    A = "a"
    B = 2


@dataclass
class Node:
    children: list[Node]


def test_an_enum_with_mixed_values_is_an_invalid_model() -> None:
    with pytest.raises(InvalidModelError, match=r"Mixed must have all str or all int values"):

        class Bad(Model, table="bad-rows"):
            id: str = field(pk=True)
            m: Mixed = Mixed.A


def test_a_recursive_dataclass_is_refused() -> None:
    with pytest.raises(InvalidModelError, match="contains itself"):

        class Bad(Model, table="bad-rows"):
            id: str = field(pk=True)
            root: Node | None = None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"color": "red"}, r"Typed\.color: expected Color, got str 'red'"),
        ({"kind": "c"}, r"Typed\.kind: expected Literal\['a', 'b'\], got str 'c'"),
        ({"pair": (1,)}, r"Typed\.pair: expected tuple\[int, str\] \(2 values\), got 1 values"),
        ({"floats": [1.0, "x"]}, r"Typed\.floats\[1\]: expected float, got str 'x'"),
        ({"home": Home(Geo("north"))}, r"Typed\.home\.geo\.lat: expected float, got str 'north'"),
        ({"ratios": {1: 0.5}}, r"Typed\.ratios: map keys must be str, got int 1"),
        ({"extra": {"b": "x"}}, r"Typed\.extra: missing key 'a'"),
        ({"extra": {"a": 1, "z": 0}}, r"Typed\.extra: unexpected key 'z'"),
        ({"when": _dt.datetime(2024, 1, 1)}, r"Typed\.when: expected date, got datetime"),
        ({"colors": {"red"}}, r"Typed\.colors\{str 'red'\}: expected Color"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_on_write_naming_its_path(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Typed(id=U, **values).to_item()


@pytest.mark.parametrize(
    ("attr", "stored", "message"),
    [
        (
            "color",
            {"S": "green"},
            r"Typed\.color: cannot read \{'S': 'green'\}: 'green' is not a value of Color",
        ),
        ("level", {"N": "7"}, r"Typed\.level: cannot read \{'N': '7'\}: 7 is not a value of Level"),
        ("kind", {"S": "z"}, r"Typed\.kind: cannot read \{'S': 'z'\}: 'z' is not one of"),
        ("when", {"S": "2023-02-29"}, r"Typed\.when: cannot read .*is not a date"),
        ("pair", {"L": [{"N": "1"}]}, r"Typed\.pair: cannot read .*2 values\), got 1 values"),
        (
            "homes",
            {"L": [{"M": {"geo": {"M": {"lat": {"S": "x"}}}}}]},
            r"Typed\.homes\[0\]\.geo\.lat: cannot read \{'S': 'x'\}: expected float",
        ),
    ],
)
def test_a_stored_value_that_does_not_fit_is_refused_on_read_and_the_item_kept(
    attr: str, stored: dict[str, Any], message: str
) -> None:
    item = Typed(id=U).to_item()
    item[attr] = stored
    with pytest.raises(ValidationError, match=message) as info:
        Typed.from_item(item)
    assert info.value.item is item


def test_values_at_nested_paths_are_checked_and_encoded_by_their_type() -> None:
    meta = Typed.__dynamorm__
    assert make_term(meta, "home.geo.lat", "=", 1).clause()[2].av == {"N": "1"}
    assert make_term(meta, "home.since", ">", _dt.date(2020, 1, 1)).value.av == {"S": "2020-01-01"}
    assert make_term(meta, "homes[0].colors[1]", "=", Color.BLUE).value.av == {"S": "blue"}
    assert make_term(meta, "colors", "contains", Color.RED).value.av == {"S": "red"}
    with pytest.raises(ValidationError, match=r"Typed\.home\.geo\.lat: expected float, got str"):
        make_term(meta, "home.geo.lat", "=", "north")
    with pytest.raises(ValidationError, match=r"Typed\.color: expected Color, got str 'red'"):
        make_term(meta, "color", "=", "red")
    update = UpdateBuilder(meta, {"id": {"S": str(U)}})
    with pytest.raises(ValidationError, match=r"Typed\.home\.geo\.amount: expected Decimal"):
        update.set("home.geo.amount", "lots")
    params = (
        update.set("home.geo.amount", Decimal("3.5"))
        .append_to_list("homes[0].colors", [Color.RED])
        .set_list_element("floats", 0, 2)
        .to_params()
    )
    assert {"N": "3.5"} in params["ExpressionAttributeValues"].values()
    assert {"L": [{"S": "red"}]} in params["ExpressionAttributeValues"].values()


def test_keys_of_every_key_type_are_encoded_by_their_field() -> None:
    class Keyed(Model, table="keyed-rows"):
        tenant: Tier = field(pk=True)
        day: _dt.date = field(sk=True)

    meta = Keyed.__dynamorm__
    from dynamorm.keys import key_dicts

    assert key_dicts(meta, [KeyPair(Tier.GOLD, _dt.date(2024, 5, 1))], "t") == [
        {"tenant": {"S": "gold"}, "day": {"S": "2024-05-01"}}
    ]
    with pytest.raises(ValidationError, match=r"keys\[0\]: .*Keyed\.day: expected date"):
        key_dicts(meta, [KeyPair(Tier.GOLD, "2024-05-01")], "t")


class Sku:
    """A registered key type, stored as its text."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sku) and other.code == self.code

    def __hash__(self) -> int:
        return hash(self.code)


register_type(Sku, to_storage=lambda s: s.code, from_storage=Sku, storage=str)


def test_a_registered_type_with_scalar_storage_can_be_a_key() -> None:
    class Product(Model, table="products"):
        sku: Sku = field(pk=True)
        name: str = ""

    meta = Product.__dynamorm__
    from dynamorm.keys import KeyPlan, add_user_keys
    from dynamorm.model.meta import key_tag

    assert key_tag(meta.pk.info) == "S"
    plan = KeyPlan(meta.key_attrs, 100)
    assert add_user_keys(plan, meta, [Sku("A-1"), Sku("A-1"), Sku("B-2")], "t") == [
        [{"sku": {"S": "A-1"}}, {"sku": {"S": "B-2"}}]
    ]
    assert Product.from_item({"sku": {"S": "A-1"}}).sku == Sku("A-1")


class Tags:
    """A registered type stored as a list: no key."""


register_type(Tags, to_storage=lambda t: [], from_storage=lambda v: Tags(), storage=list[str])


def test_a_registered_type_stored_as_a_container_cannot_be_a_key() -> None:
    with pytest.raises(InvalidModelError, match="is a key attribute, so it must be"):

        class Bad(Model, table="bad-rows"):
            tags: Tags = field(pk=True)
