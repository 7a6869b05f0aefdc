"""The server fixture itself: a real server answering real HTTP requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def test_put_and_get_round_trip_over_http(ddb_client: Any, make_table: Callable[..., str]) -> None:
    table = make_table()
    item = {"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1"}}
    ddb_client.put_item(TableName=table, Item=item)
    got = ddb_client.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    assert got["Item"] == item
    assert table in ddb_client.list_tables()["TableNames"]
