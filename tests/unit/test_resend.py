"""resend.py without a server: which updates may be sent again after a lost
answer, and how a resend's failed condition is recognised as the write's own."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm.expr import compile_request
from dynamorm.resend import delete_resend, guard, put_resend, update_resend

ITEM = {"pk": {"S": "a"}, "n": {"N": "1.50"}, "tags": {"SS": ["x", "y"]}}


@pytest.mark.parametrize(
    "action",
    [
        ("set", ["a"], 1),
        ("set_if_not_exists", ["a"], 1),
        ("remove", ["a"]),
        ("delete", ["tags"], {"x"}),
        ("add", ["tags"], {"x"}),
        ("set_list_element", ["items"], 0, "v"),
    ],
    ids=lambda a: a[0],
)
def test_idempotent_updates_may_be_sent_again(action: Any) -> None:
    assert update_resend([action]).allowed


@pytest.mark.parametrize(
    "action",
    [
        ("increment", ["n"], 1),
        ("decrement", ["n"], 1),
        ("add", ["n"], 5),
        ("append_to_list", ["items"], ["x"]),
        ("prepend_to_list", ["items"], ["x"]),
        ("remove_from_list_at", ["items"], 0),
    ],
    ids=lambda a: a[0] + (":number" if a[0] == "add" else ""),
)
def test_counting_updates_are_not_sent_again_unless_a_version_guards_them(action: Any) -> None:
    unsafe = update_resend([("set", ["s"], "x"), action])
    assert not unsafe.allowed and f"its {action[0]} on '{action[1][0]}'" in unsafe.reason
    assert update_resend([action, ("add", ["version"], 1)], version=("version", 3)).allowed


@pytest.mark.parametrize("which", ["ALL_OLD", "UPDATED_OLD", "updated_old"])
def test_updates_returning_old_values_are_not_sent_again(which: str) -> None:
    assert not update_resend([("set", ["a"], 1)], return_values=which).allowed


def test_an_update_is_recognised_by_every_value_it_set_and_the_next_version() -> None:
    actions = [
        ("set", ["n"], 1.5),
        ("set", ["profile", "city"], "Oslo"),
        ("remove", ["gone"]),
        ("set_list_element", ["items"], 1, "b"),
        ("add", ["version"], 1),
    ]
    recognise = update_resend(actions, version=("version", 3)).recognise
    assert recognise is not None
    mine = {
        "pk": {"S": "a"},
        "n": {"N": "1.50"},  # DynamoDB normalises numbers: compared by value
        "profile": {"M": {"city": {"S": "Oslo"}, "zip": {"S": "1"}}},
        "items": {"L": [{"S": "a"}, {"S": "b"}]},
        "version": {"N": "4"},
    }
    assert recognise(mine) == {"Attributes": mine}
    for changed in (
        {**mine, "version": {"N": "5"}},
        {**mine, "gone": {"S": "back"}},
        {**mine, "profile": {"M": {"city": {"S": "Bergen"}}}},
        {**mine, "items": {"L": [{"S": "a"}]}},
    ):
        assert recognise(changed) is None
    assert recognise(None) is None


def test_a_put_is_recognised_by_the_very_item_it_sent() -> None:
    recognise = put_resend(ITEM, conditioned=True).recognise
    assert recognise is not None
    assert recognise({**ITEM, "tags": {"SS": ["y", "x"]}, "n": {"N": "1.5"}}) == {}
    assert recognise({**ITEM, "extra": {"S": "e"}}) is None
    assert recognise(None) is None
    assert put_resend(ITEM, conditioned=False).recognise is None


def test_a_conditioned_delete_is_recognised_by_the_item_being_gone() -> None:
    recognise = delete_resend(conditioned=True).recognise
    assert recognise is not None
    assert recognise(None) == {} and recognise(ITEM) is None


def test_the_guard_compiles_to_not_every_value_being_there() -> None:
    clause = guard([("set", ["a"], 1), ("set", ["b"], None), ("remove", ["c"]), ("add", ["v"], 1)])
    assert clause is not None
    params = compile_request(condition=[clause]).to_params()
    assert params["ConditionExpression"] == (
        "NOT (#n0 = :v0 AND attribute_type(#n1, :v1) AND attribute_not_exists(#n2))"
    )
    assert params["ExpressionAttributeValues"] == {":v0": {"N": "1"}, ":v1": {"S": "NULL"}}
    assert guard([("add", ["v"], 1)]) is None
