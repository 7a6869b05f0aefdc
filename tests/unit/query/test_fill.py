"""Filled pages without I/O (query/fill.py): the key a filled page's cursor
resumes from, which key fields allow building it from an instance, and how
much the next read asks for."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

import pytest
from dynamorm import Model, field
from dynamorm.cursor import decode_cursor, encode_cursor
from dynamorm.errors import ValidationError
from dynamorm.query.fill import exact_keys, read_size, resume_key, start_key_fields


class Kind(enum.Enum):
    BOOK = "book"
    TOY = "toy"


class Line(Model, table="lines"):
    order: str = field(pk=True)
    line: int = field(sk=True)
    sku: str = field(default="", gsi_pk="sku-index")
    price: Decimal = field(default=Decimal(0), gsi_sk="sku-index", lsi="price-index")
    kind: Kind = field(default=Kind.BOOK, gsi_pk="kind-index")
    blob: bytes = field(default=b"", gsi_pk="blob-index")
    state: Literal["new", "old"] = field(default="new", gsi_pk="state-index")
    shipped: datetime | None = field(default=None, gsi_pk="shipped-index")
    note: str = ""


class Visit(Model, table="visits"):
    visitor: uuid.UUID = field(pk=True)
    day: date = field(sk=True)


META = Line.__dynamorm__


def names(index: str | None) -> list[str]:
    return [f.attr for f in start_key_fields(META, index)]


def test_start_key_fields_are_the_table_key_then_the_index_key() -> None:
    assert names(None) == ["order", "line"]
    assert names("sku-index") == ["order", "line", "sku", "price"]
    assert names("kind-index") == ["order", "line", "kind"]
    # An LSI shares the table's partition key: it appears once.
    assert names("price-index") == ["order", "line", "price"]


def test_resume_key_of_a_table_read_is_the_items_table_key() -> None:
    item = Line(order="o1", line=7, sku="A", price=Decimal("2.50"), note="n")
    assert resume_key(start_key_fields(META, None), item) == {
        "order": {"S": "o1"},
        "line": {"N": "7"},
    }


def test_resume_key_of_an_index_read_holds_the_index_key_encoded_by_type() -> None:
    item = Line(order="o1", line=7, sku="A", price=Decimal("2.50"))
    assert resume_key(start_key_fields(META, "sku-index"), item) == {
        "order": {"S": "o1"},
        "line": {"N": "7"},
        "sku": {"S": "A"},
        "price": {"N": "2.50"},
    }
    toy = Line(order="o2", line=1, kind=Kind.TOY, blob=b"\x00\x01", state="old")
    assert resume_key(start_key_fields(META, "kind-index"), toy)["kind"] == {"S": "toy"}
    assert resume_key(start_key_fields(META, "blob-index"), toy)["blob"] == {"B": b"\x00\x01"}
    assert resume_key(start_key_fields(META, "state-index"), toy)["state"] == {"S": "old"}


def test_a_resume_key_is_a_cursor_key_of_the_usual_format() -> None:
    item = Line(order="o1", line=7, sku="A", price=Decimal(3))
    key = resume_key(start_key_fields(META, "sku-index"), item)
    token = encode_cursor(key, index="sku-index", sort="DESC")
    cursor = decode_cursor(token)
    assert cursor.last_key == key and cursor.index == "sku-index" and cursor.sort == "DESC"


def test_resume_key_refuses_an_item_without_its_index_key() -> None:
    item = Line(order="o1", line=7)  # shipped is None: not in shipped-index
    with pytest.raises(ValidationError, match=r"Line: .*key attribute 'shipped'"):
        resume_key(start_key_fields(META, "shipped-index"), item)


def test_keys_of_str_number_bytes_enum_and_literal_fields_are_exact() -> None:
    for index in (None, "sku-index", "kind-index", "blob-index", "state-index", "price-index"):
        assert exact_keys(start_key_fields(META, index)), index


def test_keys_of_datetime_date_and_uuid_fields_are_not_exact() -> None:
    # Another client's spelling of these reads back and encodes differently.
    assert not exact_keys(start_key_fields(META, "shipped-index"))
    assert not exact_keys(start_key_fields(Visit.__dynamorm__, None))
    stored = datetime(2024, 1, 1, tzinfo=UTC)
    item = Line(order="o", line=1, shipped=stored)
    written = resume_key(start_key_fields(META, "shipped-index"), item)["shipped"]
    assert written != {"S": "2024-01-01T00:00:00Z"}


def test_read_size_scales_what_is_needed_by_the_share_of_matches() -> None:
    # 1 match in the 5 evaluated so far, 4 more needed: about 20 to evaluate.
    assert read_size(4, 1, 5, 5, exact=True) == 20
    # Rounded up, never below what is needed.
    assert read_size(2, 3, 10, 20, exact=True) == 7
    assert read_size(3, 9, 9, 5, exact=True) == 3


def test_read_size_doubles_while_nothing_has_matched() -> None:
    assert read_size(5, 0, 5, 5, exact=True) == 10
    assert read_size(5, 0, 15, 10, exact=True) == 20


def test_read_size_without_exact_keys_is_what_is_needed() -> None:
    assert read_size(4, 1, 5, 5, exact=False) == 4
    assert read_size(5, 0, 40, 5, exact=False) == 5
