"""dynamorm._core's item codec and response reader (rust/dynamorm-py/src/schema.rs,
schema/), called directly."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from dynamorm import Model, _core, field
from dynamorm.errors import ValidationError
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
