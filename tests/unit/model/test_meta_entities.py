"""Entity declarations (``entity=``, ``entity_attr=``; meta.py, base.py):
what ``ModelMeta`` records and the ``InvalidModelError``s of a bad one, at
class creation."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm.errors import InvalidModelError
from dynamorm.model import Model
from dynamorm.model.fields import field
from dynamorm.model.meta import DEFAULT_ENTITY_ATTR


class User(Model, table="app", entity="user"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    name: str = ""


class Plain(Model, table="app"):
    pk: str = field(pk=True)


def test_entity_and_its_default_type_attribute_are_recorded() -> None:
    meta = User.__dynamorm__
    assert (meta.entity, meta.entity_attr) == ("user", "_type")
    assert DEFAULT_ENTITY_ATTR == "_type"


def test_a_model_without_entity_has_none() -> None:
    assert Plain.__dynamorm__.entity is None
    assert "_type" not in Plain(pk="a").to_item()


def test_entity_attr_renames_the_type_attribute() -> None:
    class Order(Model, table="app", entity="order", entity_attr="kind"):
        pk: str = field(pk=True)

    meta = Order.__dynamorm__
    assert (meta.entity, meta.entity_attr) == ("order", "kind")
    assert Order(pk="o1").to_item() == {"pk": {"S": "o1"}, "kind": {"S": "order"}}


@pytest.mark.parametrize("entity", ["", 3, b"user", ["user"]])
def test_an_entity_that_is_not_a_non_empty_str_is_refused(entity: Any) -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: entity must be a non-empty str"):

        class Bad(Model, table="app", entity=entity):
            pk: str = field(pk=True)


@pytest.mark.parametrize("attr", ["", 7])
def test_an_entity_attr_that_is_not_a_non_empty_str_is_refused(attr: Any) -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: entity_attr must be a non-empty str"):

        class Bad(Model, table="app", entity="bad", entity_attr=attr):
            pk: str = field(pk=True)


def test_entity_attr_without_entity_is_refused() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: entity_attr='kind' needs entity="):

        class Bad(Model, table="app", entity_attr="kind"):
            pk: str = field(pk=True)


def test_a_type_attribute_that_is_a_fields_attribute_is_refused() -> None:
    with pytest.raises(
        InvalidModelError, match=r"Bad: the type attribute '_type' is also field 'kind'"
    ):

        class Bad(Model, table="app", entity="bad"):
            pk: str = field(pk=True)
            kind: str = field(default="", attr="_type")


def test_a_type_attribute_named_like_a_field_is_refused() -> None:
    # where("kind", ...) and select("kind") name the field: the attribute
    # could not be told from it.
    with pytest.raises(
        InvalidModelError, match=r"Bad: the type attribute 'kind' is also field 'kind'"
    ):

        class Bad(Model, table="app", entity="bad", entity_attr="kind"):
            pk: str = field(pk=True)
            kind: str = field(default="", attr="k")


def test_a_keys_only_global_index_is_refused_on_an_entity_model() -> None:
    with pytest.raises(InvalidModelError, match=r"Bad: index 'by-status' projects KEYS_ONLY"):

        class Bad(Model, table="app", entity="bad", _projections={"by-status": ("KEYS_ONLY", ())}):
            pk: str = field(pk=True)
            status: str = field(default="", gsi_pk="by-status")


def test_an_include_projection_gains_the_type_attribute() -> None:
    class Order(
        Model,
        table="app",
        entity="order",
        _projections={"by-status": ("INCLUDE", ("total",)), "by-day": ("KEYS_ONLY", ())},
    ):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        status: str = field(default="", gsi_pk="by-status")
        day: str = field(default="", lsi="by-day")
        total: int = 0

    indexes = Order.__dynamorm__.indexes
    assert indexes["by-status"].projected == ("total", "_type")
    # A local index reads what it does not project from the table.
    assert indexes["by-day"].projection == "KEYS_ONLY"


def test_entity_is_not_inherited_like_table() -> None:
    class Admin(User):
        level: int = 0

    class Staff(User, table="app", entity="staff"):
        pass

    assert Admin.__dynamorm__.entity is None
    assert Admin.__dynamorm__.table == "admins"
    assert Staff.__dynamorm__.entity == "staff"
    assert Staff(pk="s", sk="t").to_item()["_type"] == {"S": "staff"}
