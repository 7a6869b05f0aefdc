"""``DB(on_request=...)``: a ``RequestInfo`` after every attempt of every
request, on both request paths; a hook that raises does not break the
request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from dynamorm import DB, Model, RetryPolicy, field
from dynamorm.errors import ValidationError
from dynamorm.observe import RequestInfo

from tests._support.proxy import FaultProxy
from tests.conftest import CLIENT, FAST_PATH, REGION, client_for


def db_with(endpoint: str, *hooks: Any) -> DB:
    policy = RetryPolicy(max_retries=3, initial_delay=0.001, jitter=0)
    if CLIENT == "own":
        return DB(
            region_name=REGION,
            endpoint_url=endpoint,
            retry_policy=policy,
            fast_path=FAST_PATH,
            on_request=list(hooks),
        )
    client = client_for(endpoint, retries={"total_max_attempts": 1})
    return DB(client=client, retry_policy=policy, fast_path=FAST_PATH, on_request=list(hooks))


def test_every_attempt_is_reported_with_its_status_items_and_retry_kind(
    fault_proxy: FaultProxy, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)

    class Note(Model, table=table):
        pk: str = field(pk=True)
        n: int = 0

    seen: list[RequestInfo] = []
    db = db_with(fault_proxy.endpoint, seen.append)
    db.model(Note(pk="a", n=1)).create()
    fault_proxy.throttle("GetItem", times=2)
    assert db.model(Note).where("pk", "=", "a").first().n == 1
    assert len(db.model(Note).where("pk", "=", "a").all()) == 1
    put, *gets, query = seen
    assert (put.operation, put.status, put.attempt, put.error) == ("PutItem", 200, 1, None)
    assert put.table == table and put.model == "Note" and put.item_count is None
    assert [(g.operation, g.attempt, g.status, g.retryable) for g in gets] == [
        ("GetItem", 1, 400, True),
        ("GetItem", 2, 400, True),
        ("GetItem", 3, 200, False),
    ]
    assert gets[0].error is not None and gets[-1].error is None and gets[-1].item_count == 1
    assert (query.operation, query.item_count) == ("Query", 1)
    assert all(info.duration > 0 for info in seen)


def test_a_hook_that_raises_is_logged_and_the_request_goes_on(
    ddb_endpoint: str, make_table: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    table = make_table(sk=None)

    class Note(Model, table=table):
        pk: str = field(pk=True)

    def broken(info: RequestInfo) -> None:
        raise RuntimeError("hook bug")

    seen: list[str] = []
    db = db_with(ddb_endpoint, broken, lambda info: seen.append(info.operation))
    with caplog.at_level(logging.ERROR, logger="dynamorm"):
        db.model(Note(pk="a")).create()
    assert seen == ["PutItem"]
    assert "on_request hook raised for PutItem" in caplog.text


@pytest.mark.parametrize("hooks", ["print", [1], 3])
def test_on_request_takes_callables_only(hooks: Any) -> None:
    with pytest.raises(ValidationError, match="on_request"):
        DB(region_name=REGION, endpoint_url="http://127.0.0.1:9", on_request=hooks)


def test_consumed_capacity_is_asked_for_and_reported_per_page_and_in_stats(
    ddb_endpoint: str, make_table: Callable[..., str]
) -> None:
    table = make_table(sk=None)

    class Note(Model, table=table):
        pk: str = field(pk=True)

    seen: list[RequestInfo] = []
    if CLIENT == "own":
        db = DB(
            region_name=REGION,
            endpoint_url=ddb_endpoint,
            fast_path=FAST_PATH,
            return_consumed_capacity="TOTAL",
            on_request=seen.append,
        )
    else:
        db = DB(
            client=client_for(ddb_endpoint),
            fast_path=FAST_PATH,
            return_consumed_capacity="TOTAL",
            on_request=seen.append,
        )
    db.model(Note(pk="a")).create()
    page = db.model(Note).where("pk", "=", "a").all_paginated()
    assert page.consumed_capacity is not None
    assert page.consumed_capacity["TableName"] == table
    assert seen[-1].consumed_capacity == page.consumed_capacity
    stats = db.stats()[table]
    assert stats["PutItem"]["requests"] == 1 and stats["Query"]["requests"] == 1
    assert stats["Query"]["capacity_units"] == float(page.consumed_capacity["CapacityUnits"])
    with pytest.raises(ValidationError, match="return_consumed_capacity"):
        DB(region_name=REGION, endpoint_url=ddb_endpoint, return_consumed_capacity="ALL")
