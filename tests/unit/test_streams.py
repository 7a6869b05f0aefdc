"""Stream images from a recorded Lambda event, read into models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dynamorm import unmarshal_item, unmarshal_items, unmarshal_stream_record
from dynamorm.errors import ValidationError
from dynamorm.model import Model
from dynamorm.model.fields import field

EVENT = Path(__file__).parents[1] / "data" / "stream_event.json"


class Document(Model, table="documents"):
    doc: str = field(pk=True, attr="PK")
    rev: str = field(sk=True, attr="SK")
    title: str = ""
    size: int = 0
    price: Decimal | None = None
    thumbnail: bytes | None = None
    chunks: set[bytes] = field(default_factory=set, omit_empty=True)
    tags: set[str] = field(default_factory=set, omit_empty=True)
    meta: dict[str, Any] = field(default_factory=dict)
    updated: datetime = field(updated_at=True, attr="updatedAt")
    version: int = field(version=True)


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    event: dict[str, Any] = json.loads(EVENT.read_text())
    records: list[dict[str, Any]] = event["Records"]
    return records


def test_insert_new_image_decodes_base64_binary(records: list[dict[str, Any]]) -> None:
    insert = records[0]
    assert insert["eventName"] == "INSERT"
    doc = unmarshal_stream_record(insert, Document)
    assert doc == Document(
        doc="DOC#42",
        rev="V#1",
        title="Quarterly report",
        size=2048,
        price=Decimal("19.99"),
        thumbnail=b"\x89PNG\r\n",
        chunks={b"chunk-1", b"chunk-2"},
        tags={"finance", "q2"},
        meta={"pages": 12, "checksum": b"\x00\x01\xff", "draft": True},
        updated=datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=UTC),
        version=0,
    )
    assert type(doc.size) is int and type(doc.meta["pages"]) is int
    assert unmarshal_stream_record(insert, Document, image="OldImage") is None


def test_modify_has_both_images(records: list[dict[str, Any]]) -> None:
    modify = records[1]
    assert modify["eventName"] == "MODIFY"
    new = unmarshal_stream_record(modify, Document)
    old = unmarshal_stream_record(modify, Document, image="OldImage")
    assert new is not None and old is not None
    assert (old.title, new.title) == ("Quarterly report", "Quarterly report (final)")
    assert (old.version, new.version) == (0, 1)
    assert new.chunks == {b"chunk-1", b"chunk-2", b"sig"}
    assert new.meta["reviewers"] == ["ana", b"\x00\x01\xff"]
    assert old == unmarshal_stream_record(records[0], Document)


def test_remove_has_only_the_old_image(records: list[dict[str, Any]]) -> None:
    remove = records[2]
    assert remove["eventName"] == "REMOVE"
    assert unmarshal_stream_record(remove, Document) is None
    old = unmarshal_stream_record(remove, Document, image="OldImage")
    assert old is not None and old.price is None and old.version == 1
    keys = unmarshal_stream_record(remove, Document, image="Keys")
    assert keys is not None and (keys.doc, keys.rev) == ("DOC#42", "V#1")


def test_the_dynamodb_part_of_a_record_is_accepted_alone(
    records: list[dict[str, Any]],
) -> None:
    assert unmarshal_stream_record(records[0]["dynamodb"], Document) == unmarshal_stream_record(
        records[0], Document
    )


def test_unmarshal_items_keeps_order(records: list[dict[str, Any]]) -> None:
    images = [r["dynamodb"]["OldImage"] for r in records if "OldImage" in r["dynamodb"]]
    docs = unmarshal_items(images, Document)
    assert [d.title for d in docs] == ["Quarterly report", "Quarterly report (final)"]


def test_already_decoded_bytes_are_accepted() -> None:
    doc = Document(
        doc="D",
        rev="1",
        thumbnail=b"\xff\x00",
        chunks={b"a", b"\x00"},
        meta={"raw": b"\x01", "list": [b"\x02"]},
    )
    # What boto3's dynamodbstreams client returns: binary already as bytes.
    assert unmarshal_item(doc.to_item(), Document) == doc


def test_bad_base64_names_model_and_attribute(records: list[dict[str, Any]]) -> None:
    image = dict(records[0]["dynamodb"]["NewImage"])
    image["meta"] = {"M": {"checksum": {"B": "not base64!"}}}
    with pytest.raises(ValidationError, match=r"Document\.meta\.checksum: not valid base64"):
        unmarshal_item(image, Document)
    image["meta"] = {"M": {}}
    image["chunks"] = {"BS": ["AAH/", 7]}
    with pytest.raises(ValidationError, match=r"Document\.chunks\[1\]"):
        unmarshal_item(image, Document)


def test_unknown_image_name_is_refused(records: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError, match="image must be one of"):
        unmarshal_stream_record(records[0], Document, image="NewImages")


class Profile(Model, table="app", entity="user"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)
    name: str = ""


def _change(kind: str | None, sk: str) -> dict[str, Any]:
    image: dict[str, Any] = {"pk": {"S": "U#1"}, "sk": {"S": sk}, "name": {"S": "x"}}
    if kind is not None:
        image["_type"] = {"S": kind}
    keys = {"pk": {"S": "U#1"}, "sk": {"S": sk}}
    return {"eventName": "MODIFY", "dynamodb": {"Keys": keys, "NewImage": image}}


def test_an_entity_model_reads_its_own_images_and_not_another_types() -> None:
    own, order, untyped = _change("user", "PROFILE"), _change("order", "O#1"), _change(None, "N")
    assert unmarshal_stream_record(own, Profile) == Profile(pk="U#1", sk="PROFILE", name="x")
    assert unmarshal_stream_record(order, Profile) is None
    assert unmarshal_stream_record(untyped, Profile) is None
    # The keys carry no type: they are read as the model.
    assert unmarshal_stream_record(order, Profile, "Keys") == Profile(pk="U#1", sk="O#1")
    images = [r["dynamodb"]["NewImage"] for r in (order, own, untyped)]
    assert [p.sk for p in unmarshal_items(images, Profile)] == ["PROFILE"]
    with pytest.raises(
        ValidationError, match="holds _type=\\{'S': 'order'\\}, not this model's 'user'"
    ):
        unmarshal_item(images[0], Profile)
