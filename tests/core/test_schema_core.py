"""dynamorm._core item codec and response reader bindings, called directly."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from dynamorm import _core
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
