"""``field(unique=True)`` declarations (SPEC §17): the fields it is allowed
on, the ``InvalidModelError`` naming the model and field where it is not,
and what ``ModelMeta`` records."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import Model, field, fields
from dynamorm.errors import InvalidModelError


class Plan(enum.Enum):
    FREE = "free"
    PRO = "pro"


def test_unique_scalar_fields_are_recorded_in_declaration_order() -> None:
    class Account(Model, table="accounts"):
        id: str = field(pk=True)
        email: str = field(unique=True)
        name: str = ""
        number: int = field(unique=True, default=0)
        code: Decimal | None = field(unique=True, default=None)
        token: bytes | None = field(unique=True, default=None)
        ref: uuid.UUID | None = field(unique=True, default=None)
        plan: Plan | None = field(unique=True, default=None)

    meta = Account.__dynamorm__
    names = ["email", "number", "code", "token", "ref", "plan"]
    assert [f.name for f in meta.unique_fields] == names
    assert [f.name for f in fields(Account) if f.unique] == [f.name for f in meta.unique_fields]
    assert not meta.by_name["name"].unique


def test_a_model_without_unique_fields_has_none() -> None:
    class Plain(Model, table="plains"):
        id: str = field(pk=True)
        email: str = ""

    assert Plain.__dynamorm__.unique_fields == ()


def test_a_subclass_keeps_the_unique_fields_it_inherits() -> None:
    class Base(Model, table="bases"):
        id: str = field(pk=True)
        email: str = field(unique=True)

    class Child(Base, table="children"):
        extra: str = ""

    assert [f.name for f in Child.__dynamorm__.unique_fields] == ["email"]


def test_a_unique_field_may_be_the_key_of_a_secondary_index() -> None:
    class User(Model, table="users"):
        id: str = field(pk=True)
        email: str = field(unique=True, gsi_pk="by-email")

    assert User.__dynamorm__.unique_fields[0].gsi_pk == ("by-email",)


def test_unique_on_the_tables_key_is_refused() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: field 'id' is the table's key"):

        class Bad(Model, table="bads"):
            id: str = field(pk=True, unique=True)

    with pytest.raises(InvalidModelError, match=r"Bad2: field 'at' is the table's key"):

        class Bad2(Model, table="bads"):
            id: str = field(pk=True)
            at: str = field(sk=True, unique=True)


def test_unique_on_a_field_the_library_sets_is_refused() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: field 'version' is a version field"):

        class Bad(Model, table="bads"):
            id: str = field(pk=True)
            version: int = field(version=True, unique=True)

    with pytest.raises(InvalidModelError, match=r"Bad2: field 'created' is a created_at field"):

        class Bad2(Model, table="bads"):
            id: str = field(pk=True)
            created: datetime = field(created_at=True, unique=True)


@pytest.mark.parametrize(
    ("annotation", "extra"),
    [(list[str], {}), (dict[str, int], {}), (set[str], {}), (bool, {}), (str, {"json": True})],
    ids=["list", "dict", "set", "bool", "json"],
)
def test_unique_on_a_value_that_is_not_one_scalar_is_refused(
    annotation: Any, extra: dict[str, Any]
) -> None:
    with pytest.raises(InvalidModelError) as info:
        type(
            "Bad",
            (Model,),
            {
                "__annotations__": {"id": str, "value": annotation},
                "id": field(pk=True),
                "value": field(unique=True, **extra),
            },
            table="bads",
        )
    assert "Bad: field 'value': unique=True needs one scalar value" in str(info.value)


def test_unique_fields_need_a_partition_key_stored_as_text_or_binary() -> None:
    with pytest.raises(InvalidModelError) as info:

        class Counter(Model, table="counters"):
            n: int = field(pk=True)
            email: str = field(unique=True)

    assert "Counter: unique fields need a partition key stored as a string or binary" in str(
        info.value
    )
    assert "'n' is stored as N" in str(info.value)


def test_a_numeric_sort_key_is_allowed_with_unique_fields() -> None:
    class Entry(Model, table="entries"):
        pk: str = field(pk=True)
        n: int = field(sk=True)
        email: str = field(unique=True)

    assert Entry.__dynamorm__.unique_fields[0].name == "email"
