"""``dynamorm.observe``: reading hooks and counting items of an answer."""

from __future__ import annotations

import pytest
from dynamorm.errors import ValidationError
from dynamorm.observe import hooks_of, item_count


def test_item_count_reads_every_item_bearing_answer() -> None:
    assert item_count({"Items": [{}, {}], "Count": 2}) == 2
    assert item_count({"Item": {"pk": {"S": "a"}}}) == 1
    assert item_count({"Item": None}) == 0
    assert item_count({"Responses": {"t1": [{}, {}], "t2": [{}]}}) == 3
    assert item_count({"Responses": [{"Item": {}}, {}, {"Item": {}}]}) == 2
    assert item_count({"Attributes": {}}) is None


def test_hooks_of_takes_none_one_callable_or_a_list_of_them() -> None:
    assert hooks_of(None) == ()
    assert hooks_of(print) == (print,)
    assert hooks_of([print, repr]) == (print, repr)
    for wrong in ("print", [1], 3):
        with pytest.raises(ValidationError, match="on_request"):
            hooks_of(wrong)
