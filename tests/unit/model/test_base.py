"""Model declaration and construction, and the compiled (Rust) item codec."""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from dynamorm.errors import InvalidModelError, ValidationError
from dynamorm.model import Model
from dynamorm.model.fields import field, fields


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
    profile: dict = field(default_factory=dict, attr="Profile")  # type: ignore[type-arg]
    bookmark_count: int = 0


def test_keyword_init_defaults_and_library_owned_fields() -> None:
    u = User(id="u1", email="a@x")
    assert u.name == "" and u.status == "active" and u.version == 0
    assert u.created is None and u.updated is None and u.tags == set()
    assert User(id="u1", email="a@x") == u
    assert "User(id='u1'" in repr(u)


def test_missing_required_and_unknown_fields_are_type_errors() -> None:
    with pytest.raises(TypeError, match="missing required field 'email'"):
        User(id="u1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected field"):
        User(id="u1", email="a", nope=1)  # type: ignore[call-arg]


def test_default_table_names_are_snake_case_plurals() -> None:
    class OrderItem(Model):
        id: str = field(pk=True)

    class Category(Model):
        id: str = field(pk=True)

    class Address(Model):
        id: str = field(pk=True)

    assert OrderItem.__dynamorm__.table == "order_items"
    assert Category.__dynamorm__.table == "categories"
    assert Address.__dynamorm__.table == "addresses"
    assert User.__dynamorm__.table == "users"


def test_to_item_follows_the_encoding_rules() -> None:
    u = User(
        id="u1",
        email="a@x",
        created=datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC),
        expires=datetime(2030, 1, 1, tzinfo=UTC),
        profile={"age": 3},
    )
    item = u.to_item()
    assert item["created"] == {"S": "2024-05-01T12:00:00.123456000Z"}
    assert item["expires"] == {"N": str(int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()))}
    assert item["version"] == {"N": "0"}
    assert "tags" not in item  # omit_empty
    assert "updated" not in item  # library-owned, not yet written
    assert item["Profile"] == {"M": {"age": {"N": "3"}}}
    back = User.from_item(item)
    assert back.created == u.created and back.expires == u.expires
    assert back.profile == {"age": 3} and type(back.profile["age"]) is int


def test_to_dict_leaves_out_none_and_from_dict_builds() -> None:
    u = User(id="u1", email="a@x", tags={"a"})
    d = u.to_dict()
    assert "created" not in d and d["tags"] == {"a"}
    assert User.from_dict(d) == u


def test_fields_describes_names_attributes_roles_and_indexes() -> None:
    by_name = {f.name: f for f in fields(User)}
    assert by_name["profile"].attr == "Profile"
    assert by_name["id"].roles == {"pk"}
    assert by_name["status"].indexes == ("status-index",)
    assert by_name["version"].roles == {"version"}


def test_numbers_read_back_by_field_type() -> None:
    class N(Model):
        id: str = field(pk=True)
        i: int = 0
        f: float = 0.0
        d: Decimal = Decimal(0)

    n = N.from_item({"id": {"S": "x"}, "i": {"N": "3"}, "f": {"N": "2"}, "d": {"N": "1.50"}})
    assert type(n.i) is int and type(n.f) is float and n.d == Decimal("1.50")


def test_wrong_value_type_is_a_validation_error_naming_the_field() -> None:
    u = User(id="u1", email="a@x", bookmark_count="many")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"User\.bookmark_count"):
        u.to_item()


@pytest.mark.parametrize(
    ("body", "message", "names"),
    [
        ("x: str = ''", "no partition key", ()),
        ("a: str = field(pk=True)\n    b: str = field(pk=True)", "two partition keys", ("a", "b")),
        ("id: str = field(pk=True)\n    v: str = field(version=True)", "must be int", ("'v'",)),
        ("id: str = field(pk=True)\n    c: complex = 0j", "unsupported field type", ("'c'",)),
        (
            "id: str = field(pk=True)\n    s: str = field(gsi_sk='ix1')",
            "no partition key",
            ("'ix1'", "'s'"),
        ),
    ],
)
def test_invalid_declarations_name_class_and_field(
    body: str, message: str, names: tuple[str, ...]
) -> None:
    namespace: dict[str, object] = {"Model": Model, "field": field}
    with pytest.raises(InvalidModelError, match=message) as info:
        exec(f"class Bad(Model):\n    {body}\n", namespace)
    text = str(info.value)
    assert text.startswith("Bad: ")
    for name in names:  # the field (and index) at fault; none for a class-level fault
        assert name in text


@dataclasses.dataclass
class Addr:
    city: str = ""


@dataclasses.dataclass(frozen=True)
class Point:
    x: int = 0


@pytest.mark.parametrize(
    "declaration",
    [
        "list = []",
        "dict = {}",
        "set = set()",
        "bytes = bytearray(b'x')",
        "list = field(default=[])",
    ],
)
def test_mutable_defaults_are_refused_at_class_creation(declaration: str) -> None:
    namespace: dict[str, object] = {"Model": Model, "field": field}
    with pytest.raises(InvalidModelError, match=r"Bad: field 'v'.*default_factory"):
        exec(f"class Bad(Model):\n    id: str = field(pk=True)\n    v: {declaration}\n", namespace)


def test_a_dataclass_instance_default_is_refused_at_class_creation() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: field 'home'.*Addr.*default_factory"):

        class Bad(Model):
            id: str = field(pk=True)
            home: Addr = Addr()


def test_immutable_defaults_are_kept_and_factories_make_one_value_per_instance() -> None:
    class Doc(Model):
        id: str = field(pk=True)
        origin: Point = Point()
        home: Addr = field(default_factory=Addr)
        label: str = "x"

    a, b = Doc(id="a"), Doc(id="b")
    assert a.origin is b.origin and a.label == "x"
    a.home.city = "Oslo"
    assert b.home.city == ""


def test_equality_compares_fields_not_other_instance_attributes() -> None:
    class Sized(Model):
        id: str = field(pk=True)
        name: str = ""

        @functools.cached_property
        def shout(self) -> str:
            return self.name.upper()

    a, b = Sized(id="1", name="n"), Sized(id="1", name="n")
    assert a.shout == "N"  # cached in a.__dict__ only
    assert a == b and b == a
    b.name = "m"
    assert a != b


@pytest.mark.parametrize("name", ["to_item", "from_item", "to_dict", "from_dict", "to_dms"])
def test_fields_named_like_model_methods_are_refused(name: str) -> None:
    namespace: dict[str, object] = {"Model": Model, "field": field}
    with pytest.raises(InvalidModelError, match=rf"Bad: field '{name}'.*reserved names"):
        exec(f"class Bad(Model):\n    id: str = field(pk=True)\n    {name}: str = ''\n", namespace)


@pytest.mark.parametrize("index", ["by status", "ix", "x" * 256, "by/status", "статус"])
def test_index_names_dynamodb_refuses_are_refused_at_class_creation(index: str) -> None:
    namespace: dict[str, object] = {"Model": Model, "field": field}
    for option in ("gsi_pk", "lsi"):
        with pytest.raises(
            InvalidModelError, match=r"Bad: index name .* not a valid DynamoDB name"
        ):
            exec(
                f"class Bad(Model):\n    id: str = field(pk=True)\n    s: str = field(sk=True)\n"
                f"    v: str = field({option}={index!r})\n",
                namespace,
            )


def test_explicit_table_names_dynamodb_refuses_are_refused() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: table name 'my table'"):

        class Bad(Model, table="my table"):
            id: str = field(pk=True)

    class Fine(Model, table="a.b-c_" + "d" * 249):
        id: str = field(pk=True)
        v: str = field(default="", gsi_pk="by.v-1_x")

    assert Fine.__dynamorm__.indexes["by.v-1_x"].name == "by.v-1_x"


def test_reserved_field_names_are_exactly_the_public_model_api() -> None:
    from dynamorm.model.meta import RESERVED_FIELD_NAMES

    public = {name for name in vars(Model) if not name.startswith("_")}
    assert public == RESERVED_FIELD_NAMES
