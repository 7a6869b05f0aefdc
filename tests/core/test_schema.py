"""dynamorm._core's item codec and response reader (rust/dynamorm-py/src/schema.rs,
schema/), called directly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from dynamorm import Model, _core, field
from dynamorm.errors import InvalidModelError, ValidationError
from dynamorm.model.codec import _descriptor, _index_keys
from dynamorm.transport import hooks


def test_item_reads_are_the_operations_the_fast_read_path_routes() -> None:
    assert _core.ITEM_READS == ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems")
    assert frozenset(_core.ITEM_READS) == hooks.FAST_OPERATIONS


def test_reading_a_field_off_the_fast_shapes_does_not_call_back_into_python() -> None:
    # A fresh interpreter: the codec must not look up `_core.deserialize`
    # (patched here before any item is read) to read a list field.
    script = textwrap.dedent(
        """
        from dynamorm import Model, _core, field

        def called_back(av):
            raise AssertionError("the codec called _core.deserialize through Python")

        _core.deserialize = called_back

        class Doc(Model, table="docs"):
            pk: str = field(pk=True)
            tags: list[str] = field(default_factory=list)
            n: float = 0.0

        doc = Doc.from_item({"pk": {"S": "a"}, "tags": {"L": [{"S": "x"}]}, "n": {"N": "1E2"}})
        assert doc.tags == ["x"] and doc.n == 100.0, doc
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


class Doc(Model, table="docs"):
    pk: str = field(pk=True)
    blob: bytes = b""
    n: int = 0


@pytest.mark.parametrize(
    ("body", "operation", "why"),
    [
        (b"not json", "Query", "response body"),
        (b'{"Items": [{"pk": {"S": "a"}, "n": {"X": "?"}}]}', "Query", "unknown type tag"),
        (b'{"Item": {"pk": {"S": "a"}}}', "PutItem", "not an item-bearing read"),
        (b'{"Item": {"pk": {"S": "a"}, "blob": {"B": "***"}}}', "GetItem", "not base64"),
    ],
)
def test_a_body_the_reader_does_not_take_is_left_to_botocore(
    body: bytes, operation: str, why: str
) -> None:
    schema = Doc.__dynamorm_codec__.schema
    with pytest.raises(_core.Fallback, match=why):
        _core.decode_response(body, operation, schema)


def test_an_item_that_does_not_fit_its_model_is_a_validation_error_not_a_fallback() -> None:
    schema = Doc.__dynamorm_codec__.schema
    body = b'{"Item": {"pk": {"S": "a"}, "n": {"S": "seven"}}, "ConsumedCapacity": {}}'
    with pytest.raises(ValidationError, match=r"Doc\.n"):
        _core.decode_response(body, "GetItem", schema)
    decoded, rest = _core.decode_response(
        b'{"Item": {"pk": {"S": "a"}, "n": {"N": "7"}}}', "GetItem", schema
    )
    assert (decoded["Item"].pk, decoded["Item"].n, rest) == ("a", 7, b"{}")


# -- an entity model's type attribute (schema/entity.rs) ------------------------


class Tagged(Model, table="docs", entity="doc", entity_attr="kind"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    n: int = 0


def _item(sk: str, kind: dict[str, str] | None = None, n: int = 1) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": "a"}, "sk": {"S": sk}, "n": {"N": str(n)}}
    if kind is not None:
        item["kind"] = kind
    return item


def test_an_entity_schema_writes_its_type_attribute_and_reading_ignores_it() -> None:
    schema = Tagged.__dynamorm_codec__.schema
    assert schema.entity == ("kind", "doc")
    assert Doc.__dynamorm_codec__.schema.entity is None
    item = schema.to_item(Tagged(pk="a", sk="b", n=2))
    assert item == {"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "2"}, "kind": {"S": "doc"}}
    assert "kind" not in schema.from_item(item).__dict__
    # from_item reads any item as the model: telling items apart is the reads'.
    assert schema.from_item(_item("c", {"S": "other"})) == Tagged(pk="a", sk="c", n=1)


def test_an_entity_schema_refuses_a_type_attribute_that_is_a_fields() -> None:
    fields = _descriptors(Tagged)
    with pytest.raises(InvalidModelError, match="type attribute 'n'"):
        _core.ItemSchema("Tagged", Tagged, fields, ("n", "doc"))


def _descriptors(model: type[Model]) -> list[dict[str, Any]]:
    meta = model.__dynamorm__
    return [_descriptor(f, _index_keys(meta)) for f in meta.fields]


OWN = _item("own", {"S": "doc"})
FOREIGN = [
    _item("untyped"),
    _item("other", {"S": "order"}),
    _item("number", {"N": "1"}),
    _item("set", {"SS": ["doc"]}),
]


def test_the_fast_read_path_leaves_out_items_of_another_entity() -> None:
    schema = Tagged.__dynamorm_codec__.schema
    for foreign in FOREIGN:
        body = json.dumps({"Item": foreign}).encode()
        assert _core.decode_response(body, "GetItem", schema) == ({}, b"{}")
    body = json.dumps({"Items": [FOREIGN[0], OWN, *FOREIGN[1:]], "Count": 5}).encode()
    decoded, rest = _core.decode_response(body, "Query", schema)
    assert [m.sk for m in decoded["Items"]] == ["own"]
    assert rest == b'{"Count":5}'


def test_a_batch_get_answer_loses_the_foreign_items_and_their_keys() -> None:
    schema = Tagged.__dynamorm_codec__.schema
    body = json.dumps({"Responses": {"docs": [FOREIGN[1], OWN, FOREIGN[0]]}}).encode()
    decoded, _ = _core.decode_response(body, "BatchGetItem", schema)
    assert [m.sk for m in decoded["Responses"]["docs"]] == ["own"]
    alone, _ = _core.decode_response(
        json.dumps({"Responses": {"docs": [OWN]}}).encode(), "BatchGetItem", schema
    )
    # The own item's key only: what the key plan is told was read.
    assert decoded["ResponseKeys"] == alone["ResponseKeys"]
    assert len(decoded["ResponseKeys"]["docs"]) == 1


def test_a_read_transaction_answer_has_no_item_where_it_is_another_entitys() -> None:
    schemas = [Tagged.__dynamorm_codec__.schema, Tagged.__dynamorm_codec__.schema]
    body = json.dumps({"Responses": [{"Item": FOREIGN[1]}, {"Item": OWN}]}).encode()
    decoded, _ = _core.decode_response(body, "TransactGetItems", schemas)
    assert decoded["Responses"][0] == {}
    assert decoded["Responses"][1]["Item"].sk == "own"


# -- a collection: several entity schemas for one Query (schema/response.rs) ---


class Other(Model, table="docs", entity="order", entity_attr="kind"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    n: str = ""


def test_a_query_given_several_entity_schemas_reads_each_item_as_the_one_it_names() -> None:
    schemas = [Tagged.__dynamorm_codec__.schema, Other.__dynamorm_codec__.schema]
    # The type attribute first, last, and in the middle of the item's attributes.
    order_last = {"pk": {"S": "a"}, "sk": {"S": "o1"}, "n": {"S": "x"}, "kind": {"S": "order"}}
    order_first = {"kind": {"S": "order"}, "pk": {"S": "a"}, "sk": {"S": "o2"}, "n": {"S": "y"}}
    # FOREIGN[1] is an "order": not foreign here.
    foreign = [FOREIGN[0], *FOREIGN[2:]]
    body = json.dumps(
        {"Items": [OWN, order_last, *foreign, order_first], "Count": 6, "ScannedCount": 6}
    ).encode()
    decoded, rest = _core.decode_response(body, "Query", schemas)
    assert decoded["Items"] == [
        Tagged(pk="a", sk="own", n=1),
        Other(pk="a", sk="o1", n="x"),
        Other(pk="a", sk="o2", n="y"),
    ]
    assert rest == b'{"Count":6,"ScannedCount":6}'


def test_an_item_not_fitting_the_member_its_type_names_is_a_validation_error() -> None:
    schemas = [Tagged.__dynamorm_codec__.schema, Other.__dynamorm_codec__.schema]
    # n is a number in Tagged and text in Other: read as Tagged, text fails.
    wrong = {"pk": {"S": "a"}, "sk": {"S": "x"}, "n": {"S": "text"}, "kind": {"S": "doc"}}
    with pytest.raises(ValidationError, match=r"Tagged\.n"):
        _core.decode_response(json.dumps({"Items": [wrong]}).encode(), "Scan", schemas)
