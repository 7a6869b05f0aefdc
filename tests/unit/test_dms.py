"""DMS documents: loading, the loader's rules, items written, and round trips."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from dynamorm import load_dms
from dynamorm.dms import to_dms
from dynamorm.errors import InvalidModelError
from dynamorm.model import Model
from dynamorm.model.fields import field, fields

DATA = Path(__file__).parents[1] / "data"
INVOICE = DATA / "invoice.dms.yaml"


# A second document, in JSON: two models sharing one table, an LSI, INCLUDE
# projections, snake_case names and every attribute type.
STORE: dict[str, Any] = {
    "dms_version": "0.1",
    "models": [
        {
            "name": "Order",
            "table": {"name": "store"},
            "naming": {"convention": "snake_case"},
            "keys": {
                "partition": {"attribute": "pk", "type": "S"},
                "sort": {"attribute": "sk", "type": "S"},
            },
            "attributes": [
                {"attribute": "pk", "type": "S", "required": True, "roles": ["pk"]},
                {"attribute": "sk", "type": "S", "required": True, "roles": ["sk"]},
                {"attribute": "customer_id", "type": "S", "required": True},
                {"attribute": "amount", "type": "N", "optional": True},
                {"attribute": "line_count", "type": "N", "format": "int", "optional": True},
                {"attribute": "paid", "type": "BOOL", "optional": True},
                {"attribute": "lines", "type": "L", "optional": True},
                {"attribute": "address", "type": "M", "optional": True},
                {"attribute": "coupons", "type": "SS", "optional": True, "omit_empty": True},
                {"attribute": "weights", "type": "NS", "optional": True, "omit_empty": True},
                {"attribute": "receipts", "type": "BS", "optional": True, "omit_empty": True},
                {"attribute": "signature", "type": "B", "binary": True, "optional": True},
                {"attribute": "legacy", "type": "NULL", "optional": True},
                {"attribute": "placed_at", "type": "N", "format": "unix_seconds"},
                {"attribute": "rank", "type": "N", "optional": True},
            ],
            "indexes": [
                {
                    "name": "by-rank",
                    "type": "LSI",
                    "partition": {"attribute": "pk", "type": "S"},
                    "sort": {"attribute": "rank", "type": "N"},
                    "projection": {"type": "KEYS_ONLY"},
                },
                {
                    "name": "by-customer",
                    "type": "GSI",
                    "partition": {"attribute": "customer_id", "type": "S"},
                    "projection": {"type": "INCLUDE", "fields": ["amount", "paid"]},
                },
            ],
        },
        {
            "name": "Customer",
            "table": {"name": "store"},
            "keys": {"partition": {"attribute": "pk", "type": "S"}},
            "attributes": [
                {"attribute": "pk", "type": "S", "roles": ["pk"]},
                {"attribute": "emailHash", "type": "B", "required": True},
            ],
        },
    ],
}


def test_dms_md_example_round_trips_exactly() -> None:
    models = load_dms(INVOICE)
    assert list(models) == ["Invoice"]
    assert models["Invoice"].to_dms() == yaml.safe_load(INVOICE.read_text())


def test_dms_md_example_models_honour_names_roles_and_indexes() -> None:
    invoice = load_dms(INVOICE.read_text())["Invoice"]
    meta = invoice.__dynamorm__
    assert (meta.name, meta.table, meta.key_attrs) == ("Invoice", "invoices", ("PK", "SK"))
    assert [f.name for f in fields(invoice)] == [f.attr for f in fields(invoice)]
    assert meta.created_at is not None and meta.created_at.name == "createdAt"
    assert meta.version is not None and meta.ttl is not None and meta.ttl.name == "ttl"
    index = meta.indexes["gsi-status"]
    assert (index.type, index.pk.attr, index.sk and index.sk.attr) == ("GSI", "status", "createdAt")
    by_name = {f.name: f for f in fields(invoice)}
    assert by_name["labels"].omit_empty and by_name["meta"].json
    assert by_name["total"].info.kind == "decimal" and by_name["version"].info.kind == "int"


def test_invoice_writes_items_with_the_exact_attribute_names() -> None:
    invoice = load_dms(INVOICE)["Invoice"]
    created = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    obj = invoice(
        PK="INV#1",
        SK="META",
        status="open",
        total=Decimal("12.50"),
        labels=set(),
        meta={"b": [1, 2], "a": None},
        createdAt=created,
        ttl=1_900_000_000,
    )
    assert obj.to_item() == {
        "PK": {"S": "INV#1"},
        "SK": {"S": "META"},
        "status": {"S": "open"},
        "total": {"N": "12.50"},
        "meta": {"S": '{"a":null,"b":[1,2]}'},
        "createdAt": {"S": "2024-05-01T12:00:00.000000000Z"},
        "version": {"N": "0"},
        "ttl": {"N": "1900000000"},
    }
    assert invoice.from_item(obj.to_item()) == invoice(
        PK="INV#1",
        SK="META",
        status="open",
        total=Decimal("12.50"),
        meta={"a": None, "b": [1, 2]},
        createdAt=created,
        ttl=1_900_000_000,
    )
    minimal = invoice(PK="INV#2", SK="META").to_item()
    assert minimal["PK"] == {"S": "INV#2"} and minimal["version"] == {"N": "0"}
    assert "labels" not in minimal and "ttl" not in minimal


def test_json_document_with_every_type_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps(STORE))
    models = load_dms(str(path))
    assert list(models) == ["Order", "Customer"]
    assert to_dms(*models.values()) == STORE
    assert load_dms(path)["Customer"].to_dms()["models"] == STORE["models"][1:]


def test_types_follow_the_dms_types() -> None:
    order = load_dms(json.dumps(STORE))["Order"]
    obj = order(
        pk="O#1",
        sk="O",
        customer_id="C#1",
        amount=Decimal("3.5"),
        line_count=2,
        paid=True,
        lines=[{"sku": "x", "qty": 2}],
        address={"city": "Oslo"},
        coupons={"SPRING"},
        weights={Decimal("1.5"), Decimal(2)},
        receipts={b"\x00"},
        signature=b"\xff",
        placed_at=1_700_000_000,
        rank=Decimal(7),
    )
    item = obj.to_item()
    assert item["paid"] == {"BOOL": True}
    assert item["lines"] == {"L": [{"M": {"qty": {"N": "2"}, "sku": {"S": "x"}}}]}
    assert item["signature"] == {"B": b"\xff"} and item["receipts"] == {"BS": [b"\x00"]}
    assert item["legacy"] == {"NULL": True}
    assert item["placed_at"] == {"N": "1700000000"} and item["line_count"] == {"N": "2"}
    back = order.from_item(item)
    values = back.to_dict()
    assert back == obj and type(values["line_count"]) is int and type(values["amount"]) is Decimal
    customer = load_dms(json.dumps(STORE))["Customer"]
    assert customer(pk="C#1", emailHash=b"h").to_item() == {
        "pk": {"S": "C#1"},
        "emailHash": {"B": b"h"},
    }


def test_required_attributes_must_be_given() -> None:
    order = load_dms(json.dumps(STORE))["Order"]
    with pytest.raises(TypeError, match="customer_id"):
        order(pk="O#1", sk="O", placed_at=1)


def test_hand_written_model_exports_and_reloads() -> None:
    class User(Model, table="users", _projections={"by-email": ("KEYS_ONLY", ())}):
        id: str = field(pk=True)
        email: str = field(default="", gsi_pk="by-email")
        visits: int = 0
        score: float | None = None
        tags: set[str] = field(default_factory=set, omit_empty=True)
        created: datetime = field(created_at=True)
        expires: datetime | None = field(ttl=True, default=None)
        version: int = field(version=True)

    doc = User.to_dms()
    attrs = {a["attribute"]: a for a in doc["models"][0]["attributes"]}
    assert attrs["id"] == {"attribute": "id", "type": "S", "required": True, "roles": ["pk"]}
    assert attrs["visits"] == {
        "attribute": "visits",
        "type": "N",
        "optional": True,
        "format": "int",
    }
    assert attrs["expires"]["format"] == "unix_seconds" and attrs["expires"]["type"] == "N"
    assert attrs["created"] == {
        "attribute": "created",
        "type": "S",
        "roles": ["created_at"],
        "format": "rfc3339nano",
    }
    reloaded = load_dms(yaml.safe_dump(doc))["User"]
    assert reloaded.to_dms() == doc
    # DMS has no defaults: unset optional attributes are None after a reload.
    values: dict[str, Any] = {"id": "u", "email": "e", "visits": 3, "tags": {"t"}}
    assert reloaded(**values).to_item() == User(**values).to_item()


def test_richer_types_are_written_as_their_storage_types_and_reload_as_those() -> None:
    from tests.unit.model.test_types import Color, Geo, Home, Typed, U

    doc = Typed.to_dms()
    types = {a["attribute"]: a["type"] for a in doc["models"][0]["attributes"]}
    assert types == {
        "id": "S", "color": "S", "tier": "S", "level": "N", "kind": "S", "when": "S",
        "at": "S", "span": "N", "home": "M", "homes": "L", "floats": "L", "ratios": "M",
        "pair": "L", "many": "L", "colors": "SS", "ids": "SS", "extra": "M", "price": "S",
        "note": "S",
    }  # fmt: skip
    reloaded = load_dms(yaml.safe_dump(doc))["Typed"]
    assert reloaded.to_dms() == doc
    # The reloaded model reads what the typed one wrote, as the DMS types.
    item = Typed(id=U, color=Color.BLUE, home=Home(Geo(1.5))).to_item()
    back = reloaded.from_item(item)
    assert (back.id, back.color, back.home["geo"]["lat"]) == (str(U), "blue", Decimal("1.5"))


def test_models_without_a_dms_type_are_refused() -> None:
    class Loose(Model):
        id: str = field(pk=True)
        blob: Any = None

    with pytest.raises(InvalidModelError, match=r"model 'Loose', attribute 'blob'"):
        Loose.to_dms()


# -- the loader's rules ----------------------------------------------------------


def _with(change: Any) -> str:
    doc = copy.deepcopy(STORE)
    change(doc)
    return json.dumps(doc)


def _order(doc: dict[str, Any]) -> dict[str, Any]:
    order: dict[str, Any] = doc["models"][0]
    return order


def _attr(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in _order(doc)["attributes"] if a["attribute"] == name)
    return found


def _index(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in _order(doc)["indexes"] if i["name"] == name)
    return found


RULES: list[tuple[str, Any, str]] = [
    # (what, change to STORE, message fragment after "model 'Order'")
    (
        "unknown attribute key",
        lambda d: _attr(d, "paid").update(nullable=True),
        r", attribute 'paid': unknown key\(s\) 'nullable'",
    ),
    ("unknown model key", lambda d: _order(d).update(ttl=True), r": unknown key\(s\) 'ttl'"),
    (
        "unknown index key",
        lambda d: _index(d, "by-rank").update(sparse=True),
        r", index 'by-rank': unknown key",
    ),
    (
        "unknown projection key",
        lambda d: _index(d, "by-rank")["projection"].update(x=1),
        r", index 'by-rank' projection: unknown key",
    ),
    (
        "unknown keys key",
        lambda d: _order(d)["keys"].update(third={}),
        r" keys: unknown key\(s\) 'third'",
    ),
    (
        "bad attribute type",
        lambda d: _attr(d, "paid").update(type="BOOLEAN"),
        r", attribute 'paid': type must be one of",
    ),
    (
        "no pk role",
        lambda d: _attr(d, "pk").pop("roles"),
        r", attribute 'pk': is the partition key but no attribute has role pk",
    ),
    (
        "pk role elsewhere",
        lambda d: _attr(d, "pk").update(roles=["sk"]),
        r", attribute 'pk': is the partition key but no attribute has role pk",
    ),
    (
        "two pk roles",
        lambda d: _attr(d, "customer_id").update(roles=["pk"]),
        r": attributes \['pk', 'customer_id'\] all have role pk",
    ),
    (
        "two sk roles",
        lambda d: _attr(d, "customer_id").update(roles=["sk"]),
        r": attributes \['sk', 'customer_id'\] all have role sk",
    ),
    (
        "pk role not the key",
        lambda d: _order(d)["keys"]["partition"].update(attribute="customer_id"),
        r", attribute 'customer_id': is the partition key but role pk is on 'pk'",
    ),
    (
        "sk role without sort key",
        lambda d: _order(d)["keys"].pop("sort"),
        r", attribute 'sk': has role sk but keys has no sort key",
    ),
    (
        "sort key without sk role",
        lambda d: _attr(d, "sk").pop("roles"),
        r", attribute 'sk': is the sort key but no attribute has role sk",
    ),
    (
        "key type not S/N/B",
        lambda d: _attr(d, "pk").update(type="BOOL"),
        r", attribute 'pk': is a key \(pk\), so its type must be S, N or B",
    ),
    (
        "keys type differs",
        lambda d: _order(d)["keys"]["partition"].update(type="N"),
        r" keys.partition, attribute 'pk': key type N differs from the declared type S",
    ),
    (
        "optional key",
        lambda d: _attr(d, "sk").update(required=False),
        r", attribute 'sk': is a key \(sk\), so it cannot be optional",
    ),
    (
        "undeclared index key",
        lambda d: _index(d, "by-customer")["partition"].update(attribute="nope"),
        r", index 'by-customer' partition, attribute 'nope': is not declared",
    ),
    (
        "index key type M",
        lambda d: _index(d, "by-customer")["partition"].update(type="M"),
        r", index 'by-customer' partition, attribute 'customer_id': key type must be one of",
    ),
    (
        "index key type differs",
        lambda d: _index(d, "by-rank")["sort"].update(type="S"),
        r", index 'by-rank' sort, attribute 'rank': key type S differs",
    ),
    (
        "LSI on another partition",
        lambda d: _index(d, "by-rank")["partition"].update(attribute="customer_id"),
        r", index 'by-rank', attribute 'customer_id': an LSI's partition key must be the table's",
    ),
    (
        "INCLUDE without fields",
        lambda d: _index(d, "by-customer")["projection"].pop("fields"),
        r", index 'by-customer' projection: fields must be a list",
    ),
    (
        "fields without INCLUDE",
        lambda d: _index(d, "by-rank")["projection"].update(fields=["x"]),
        r", index 'by-rank' projection: fields is only allowed with INCLUDE",
    ),
    (
        "json on N",
        lambda d: _attr(d, "amount").update(json=True),
        r", attribute 'amount': json: true needs type S",
    ),
    (
        "binary on S",
        lambda d: _attr(d, "customer_id").update(binary=True),
        r", attribute 'customer_id': binary: true needs type B",
    ),
    (
        "snake_case broken",
        lambda d: _attr(d, "paid").update(attribute="isPaid"),
        r", attribute 'isPaid': name does not follow the snake_case",
    ),
    (
        "required and optional",
        lambda d: _attr(d, "paid").update(required=True),
        r", attribute 'paid': required: True and optional: True contradict",
    ),
    (
        "format on wrong type",
        lambda d: _attr(d, "amount").update(format="rfc3339nano"),
        r", attribute 'amount': format rfc3339nano needs type S",
    ),
    (
        "role storage",
        lambda d: _attr(d, "placed_at").update(roles=["created_at"]),
        r", attribute 'placed_at': role created_at needs type S with format rfc3339nano",
    ),
    (
        "library role required",
        lambda d: _attr(d, "line_count").update(roles=["version"], optional=None, required=True),
        r", attribute 'line_count': role version is set by the library",
    ),
    (
        "unknown role",
        lambda d: _attr(d, "paid").update(roles=["owner"]),
        r", attribute 'paid': role must be one of",
    ),
    (
        "duplicate attribute",
        lambda d: _order(d)["attributes"].append({"attribute": "paid", "type": "S"}),
        r", attribute 'paid': is declared twice",
    ),
    (
        "duplicate index",
        lambda d: _order(d)["indexes"].append(_index(d, "by-rank")),
        r", index 'by-rank': is declared twice",
    ),
    (
        "reserved field name",
        lambda d: _attr(d, "paid").update(attribute="to_item"),
        r", attribute 'to_item': this name cannot be a model field",
    ),
    (
        "flag not a bool",
        lambda d: _attr(d, "paid").update(omit_empty="yes"),
        r", attribute 'paid': omit_empty must be true or false",
    ),
]


@pytest.mark.parametrize(("change", "message"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_is_enforced_naming_model_and_attribute(change: Any, message: str) -> None:
    text = _with(change)
    with pytest.raises(InvalidModelError, match=r"^DMS model 'Order'" + message):
        load_dms(text)


def test_camel_case_convention_allows_pk_and_sk_only_in_capitals() -> None:
    text = INVOICE.read_text()
    load_dms(text)  # PK and SK are allowed
    with pytest.raises(
        InvalidModelError, match=r"'Invoice', attribute 'created_at': name does not"
    ):
        load_dms(text.replace('"createdAt"', '"created_at"'))
    with pytest.raises(InvalidModelError, match=r"'Invoice', attribute 'Status': name does not"):
        load_dms(text.replace('"status"', '"Status"'))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('dms_version: "0.2"\nmodels: []\n', r'dms_version must be the string "0.1"'),
        ("dms_version: 0.1\nmodels: []\n", r"dms_version must be the string"),
        ('dms_version: "0.1"\nmodels: []\n', "models must not be empty"),
        ('dms_version: "0.1"\nmodels: []\nextra: 1\n', r"unknown key\(s\) 'extra'"),
        ('models: [{name: "A"}]\n', "missing required key 'dms_version'"),
        ('dms_version: "0.1"\nx: &a 1\nmodels: *a\n', "line 2: YAML anchors and aliases"),
        ('dms_version: !!str "0.1"\nmodels: []\n', "line 1: YAML tags are not allowed"),
        ('dms_version: "0.1"\ndms_version: "0.1"\nmodels: []\n', "line 2: duplicate key"),
        ('{"dms_version": "0.1", "dms_version": "0.1", "models": []}', "duplicate key"),
        ("dms_version: [\n", "not valid YAML or JSON"),
        ("- 1\n- 2\n", "document: must be a mapping"),
    ],
)
def test_document_level_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidModelError, match=message):
        load_dms(text)


def test_unquoted_null_type_gets_a_hint() -> None:
    text = yaml.safe_dump(STORE).replace("type: 'NULL'", "type: NULL")
    assert "type: NULL" in text
    with pytest.raises(InvalidModelError, match=r"attribute 'legacy': .*quote it"):
        load_dms(text)


def test_an_entity_model_is_refused_naming_it() -> None:
    class Account(Model, table="app", entity="account", entity_attr="kind"):
        pk: str = field(pk=True)

    class Plain(Model, table="app"):
        pk: str = field(pk=True)

    message = (
        r"DMS model 'Account': entity='account' \(type attribute 'kind'\) has no DMS v0.1 "
        "representation"
    )
    with pytest.raises(InvalidModelError, match=message):
        Account.to_dms()
    with pytest.raises(InvalidModelError, match=message):
        to_dms(Plain, Account)


def test_model_names_must_be_python_class_names() -> None:
    text = _with(lambda d: _order(d).update(name="Order-v2"))
    with pytest.raises(InvalidModelError, match=r"model 'Order-v2': name must be a valid Python"):
        load_dms(text)


def test_missing_file_is_reported() -> None:
    with pytest.raises(InvalidModelError, match="cannot be read"):
        load_dms("no-such-dir/models.yaml")
