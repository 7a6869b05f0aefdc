"""Model declaration, construction and the reference item codec."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from dynamorm.errors import InvalidModelError, ValidationError
from dynamorm.fields import field, fields
from dynamorm.model import Model


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
    ("body", "message"),
    [
        ("x: str = ''", "no partition key"),
        ("a: str = field(pk=True)\n    b: str = field(pk=True)", "two partition keys"),
        ("id: str = field(pk=True)\n    v: str = field(version=True)", "must be int"),
        ("id: str = field(pk=True)\n    c: complex = 0j", "unsupported field type"),
        ("id: str = field(pk=True)\n    s: str = field(gsi_sk='ix')", "no partition key"),
    ],
)
def test_invalid_declarations_name_class_and_field(body: str, message: str) -> None:
    namespace: dict[str, object] = {"Model": Model, "field": field}
    with pytest.raises(InvalidModelError, match=message) as info:
        exec(f"class Bad(Model):\n    {body}\n", namespace)
    assert "Bad" in str(info.value)
