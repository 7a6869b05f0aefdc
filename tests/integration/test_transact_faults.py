"""Transactions through the fault-injecting proxy (SPEC §8, §9): what is
checked before anything is sent, which cancellations are retried (with one
``ClientRequestToken`` for the whole logical transaction) and which never
are, and how deadlines and cancel stop the retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dynamorm import DB, RetryPolicy, condition, if_not_exists
from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    RetryExhaustedError,
    TransactionConditionFailedError,
    TransactionError,
    ValidationError,
)

from tests._support.proxy import FaultProxy
from tests.integration.test_transact_write import Models, define_models, tables_for

pytestmark = pytest.mark.moto_only(reason="dynalite has no transactions")

SLOW = RetryPolicy(max_retries=3, initial_delay=5.0, max_delay=5.0, jitter=0)


@pytest.fixture
def m(ddb_client: Any) -> Iterator[Models]:
    models = define_models()
    for _ in tables_for(ddb_client, models):
        yield models


def tokens(proxy: FaultProxy) -> list[str]:
    return [r.body.get("ClientRequestToken", "") for r in proxy.of("TransactWriteItems")]


def stored_user(db: DB, m: Models, id: str) -> Any:
    found = db.model(m.User).where("id", "=", id).all()
    return found[0] if found else None


def test_101_operations_send_nothing(fault_proxy: FaultProxy, proxied_db: DB, m: Models) -> None:
    builder = proxied_db.transact()
    for i in range(101):
        builder.put(m.User(id=f"u{i}"))
    with pytest.raises(ValidationError, match=r"operation 100 \(Put on User.*at most 100"):
        builder.execute()
    assert fault_proxy.requests == []


def test_same_item_twice_sends_nothing(fault_proxy: FaultProxy, proxied_db: DB, m: Models) -> None:
    builder = (
        proxied_db.transact()
        .put(m.Order(id="o1"))
        .create(m.User(id="u1"))
        .update(m.User(id="u1", name="x"), ["name"])
    )
    with pytest.raises(ValidationError, match=r"operation 2 \(Update on User.*operation 1"):
        builder.execute()
    assert fault_proxy.requests == []


def test_throttled_cancellation_is_retried_with_the_same_token(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    fault_proxy.transaction_cancel(["ThrottlingError", "None"], times=1)
    proxied_db.transact().create(m.User(id="u1", bookmark_count=1)).update_with_builder(
        m.Order(id="o1"), lambda ub: ub.set("status", "paid")
    ).execute()
    sent = fault_proxy.of("TransactWriteItems")
    assert [r.status for r in sent] == [400, 200]
    assert sent[0].fault == "transaction_cancel" and sent[1].fault is None
    first, second = tokens(fault_proxy)
    assert first and first == second
    assert sent[0].body == sent[1].body
    assert stored_user(proxied_db, m, "u1").bookmark_count == 1


def test_each_logical_transaction_has_its_own_token(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    builder = proxied_db.transact().put(m.User(id="u1"))
    builder.execute()
    builder.execute()
    first, second = tokens(fault_proxy)
    assert first != second


def test_conflicts_and_in_progress_are_retried(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    fault_proxy.transaction_cancel(["None", "TransactionConflict"], times=1)
    fault_proxy.throttle("TransactWriteItems", times=1, code="TransactionInProgressException")
    proxied_db.transact().put(m.User(id="u1")).put(m.User(id="u2")).execute()
    assert len(set(tokens(fault_proxy))) == 1 and len(tokens(fault_proxy)) == 3
    assert stored_user(proxied_db, m, "u2") is not None


def test_failed_condition_is_never_retried(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    proxied_db.model(m.User(id="u1", name="old")).create()
    with pytest.raises(TransactionConditionFailedError) as info:
        proxied_db.transact().create(m.User(id="u1", name="new")).execute()
    assert len(fault_proxy.of("TransactWriteItems")) == 1
    assert info.value.item.name == "old"


def test_condition_next_to_a_conflict_is_not_retried(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    fault_proxy.transaction_cancel(["TransactionConflict", "ConditionalCheckFailed"], times=5)
    with pytest.raises(TransactionConditionFailedError) as info:
        proxied_db.transact().put(m.User(id="u1")).put(m.User(id="u2")).execute()
    assert (info.value.operation_index, info.value.reason) == (1, "ConditionalCheckFailed")
    assert len(fault_proxy.of("TransactWriteItems")) == 1


def test_persistent_conflict_exhausts_the_retries(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    fault_proxy.transaction_cancel(["TransactionConflict"], times=None)
    with pytest.raises(RetryExhaustedError) as info:
        proxied_db.transact().put(m.User(id="u1")).execute()
    assert info.value.attempts == 4 and len(set(tokens(fault_proxy))) == 1
    assert stored_user(proxied_db, m, "u1") is None


def test_without_retries_the_throttled_cancellation_names_the_operation(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    proxied_db.retry_policy = RetryPolicy(max_retries=0)
    fault_proxy.transaction_cancel(["None", "ThrottlingError"], times=1)
    with pytest.raises(TransactionError) as info:
        proxied_db.transact().put(m.User(id="u1")).delete(m.Order(id="o1")).execute()
    err = info.value
    assert (err.operation_index, err.operation, err.model, err.reason) == (
        1,
        "Delete",
        "Order",
        "ThrottlingError",
    )
    assert not isinstance(err, TransactionConditionFailedError)
    assert len(fault_proxy.of("TransactWriteItems")) == 1


def test_deadline_shorter_than_the_backoff_stops(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    proxied_db.retry_policy = SLOW
    fault_proxy.transaction_cancel(["ThrottlingError"], times=1)
    started = time.monotonic()
    with pytest.raises(OperationTimeoutError) as info:
        proxied_db.transact().put(m.User(id="u1"), if_not_exists()).execute(timeout=0.3)
    assert isinstance(info.value, TimeoutError)
    assert time.monotonic() - started < 2.0
    assert len(fault_proxy.of("TransactWriteItems")) == 1
    assert stored_user(proxied_db, m, "u1") is None


def test_db_with_timeout_applies_to_transactions(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    proxied_db.retry_policy = SLOW
    fault_proxy.transaction_cancel(["TransactionConflict"], times=1)
    with pytest.raises(OperationTimeoutError):
        proxied_db.with_timeout(0.2).transact().put(m.User(id="u1")).execute()
    assert stored_user(proxied_db, m, "u1") is None


def test_cancel_stops_the_backoff(fault_proxy: FaultProxy, proxied_db: DB, m: Models) -> None:
    proxied_db.retry_policy = SLOW
    fault_proxy.transaction_cancel(["ThrottlingError"], times=1)
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(OperationCancelledError) as info:
            proxied_db.transact().put(m.User(id="u1")).execute(cancel=cancel)
    finally:
        timer.cancel()
    assert not isinstance(info.value, TimeoutError)
    assert time.monotonic() - started < 2.0
    assert stored_user(proxied_db, m, "u1") is None


def test_cancel_set_before_execute_sends_nothing(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelledError):
        proxied_db.transact().put(m.User(id="u1")).execute(cancel=cancel)
    assert fault_proxy.requests == []


def test_transact_get_is_retried_when_throttled(
    fault_proxy: FaultProxy, proxied_db: DB, m: Models
) -> None:
    proxied_db.model(m.Order(id="o1", status="paid")).create()
    fault_proxy.throttle("TransactGetItems", times=1, code="ThrottlingException")
    items = proxied_db.transact_get().get(m.Order, "o1").get(m.User, "nobody").execute()
    assert items[0].status == "paid" and items[1] is None
    assert [r.status for r in fault_proxy.of("TransactGetItems")] == [400, 200]


def test_condition_check_sends_all_old(fault_proxy: FaultProxy, proxied_db: DB, m: Models) -> None:
    proxied_db.transact().condition_check(m.Order(id="o1"), condition("status", "NOT_EXISTS")).put(
        m.User(id="u1")
    ).execute()
    (request,) = fault_proxy.of("TransactWriteItems")
    check = request.body["TransactItems"][0]["ConditionCheck"]
    assert check["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    put = request.body["TransactItems"][1]["Put"]
    assert "ReturnValuesOnConditionCheckFailure" not in put
    assert "ReturnValues" not in put and "ReturnConsumedCapacity" not in request.body
