"""The retry scheduler against a real server through the fault proxy: what is
retried, with what pauses, what never is, how deadlines and cancellation stop
it, how it layers with botocore's retries, and what it logs."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamorm import DB, Model, RetryPolicy, field
from dynamorm.errors import (
    ConditionFailedError,
    OperationCancelledError,
    OperationTimeoutError,
    RequestError,
    RetryExhaustedError,
    ValidationError,
)
from dynamorm.transport.executor import Target

from tests._support.proxy import FaultProxy
from tests.conftest import FAST_PATH, FAST_RETRIES, REGION, client_for, executor_call, make_db

SLOW = RetryPolicy(max_retries=5, initial_delay=5.0, max_delay=5.0, jitter=0)


@pytest.fixture
def Note(make_table: Callable[..., str]) -> Any:
    class Note(Model, table=make_table()):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0

    return Note


def get(db: DB, Note: Any, pk: str = "a") -> Any:
    return db.model(Note).where("pk", "=", pk).where("sk", "=", "s").first()


def gaps(proxy: FaultProxy, operation: str) -> list[float]:
    starts = [r.started for r in proxy.of(operation)]
    return [b - a for a, b in itertools.pairwise(starts)]


def test_throttling_is_retried_with_backoff_then_succeeds(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    proxied_db.model(Note(pk="a", sk="s", n=1)).create()
    fault_proxy.throttle("GetItem", times=2)
    fault_proxy.throttle("GetItem", times=1, code="ThrottlingException")
    assert get(proxied_db, Note).n == 1
    assert [r.status for r in fault_proxy.of("GetItem")] == [400, 400, 400, 200]
    # Backoff grows: 0.01, 0.02, 0.04 s before jitter.
    first, second, third = gaps(fault_proxy, "GetItem")
    assert first >= 0.01 and second >= 0.02 and third >= 0.04


def test_a_querys_with_retry_replaces_the_dbs_policy(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    proxied_db.model(Note(pk="a", sk="s", n=1)).create()
    query = proxied_db.model(Note).where("pk", "=", "a").where("sk", "=", "s")
    fault_proxy.throttle("GetItem", times=1)
    with pytest.raises(RequestError, match="ProvisionedThroughputExceededException"):
        query.with_retry(None).first()  # no retries: the one throttle ends it
    assert len(fault_proxy.of("GetItem")) == 1
    fault_proxy.throttle("GetItem", times=FAST_RETRIES.max_retries + 1)
    # More retries than the DB's policy allows, as a number (from 0.001 s) ...
    assert query.with_retry(FAST_RETRIES.max_retries + 1, 0.001).first().n == 1
    fault_proxy.throttle("GetItem", times=2)
    # ... or as a policy.
    assert query.with_retry(RetryPolicy(max_retries=2, initial_delay=0.001)).first().n == 1
    assert len(fault_proxy.of("GetItem")) == 1 + (FAST_RETRIES.max_retries + 2) + 3


def test_exhausted_retries_raise_with_the_cause(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    fault_proxy.throttle("GetItem", times=None)
    with pytest.raises(RetryExhaustedError) as info:
        get(proxied_db, Note)
    assert info.value.attempts == FAST_RETRIES.max_retries + 1
    assert len(fault_proxy.of("GetItem")) == FAST_RETRIES.max_retries + 1
    cause = info.value.__cause__
    assert isinstance(cause, ClientError)
    assert cause.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert "GetItem on Note" in str(info.value) and Note.__dynamorm__.table in str(info.value)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any, status: int
) -> None:
    fault_proxy.server_error("PutItem", times=2, status=status)
    proxied_db.model(Note(pk="a", sk="s", n=5)).create()
    assert [r.status for r in fault_proxy.of("PutItem")] == [status, status, 200]
    assert get(proxied_db, Note).n == 5


def test_connection_resets_are_retried(fault_proxy: FaultProxy, proxied_db: DB, Note: Any) -> None:
    fault_proxy.reset_connection("PutItem", times=2)
    proxied_db.model(Note(pk="a", sk="s", n=2)).create()
    assert [r.fault for r in fault_proxy.of("PutItem")] == ["reset_connection"] * 2 + [None]
    assert get(proxied_db, Note).n == 2


@pytest.mark.moto_only(reason="dynalite does not return the item with a failed condition")
def test_a_lost_answer_makes_a_conditional_create_recognise_its_own_write(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    # The first create reached the table but its answer was lost; the retry
    # fails its not-exists condition against the very item it sent, so the
    # create is reported applied (docs/retries.md, "Lost answers").
    fault_proxy.reset_connection("PutItem", after=True)
    proxied_db.model(Note(pk="a", sk="s", n=3)).if_not_exists().create()
    assert len(fault_proxy.of("PutItem")) == 2
    assert get(proxied_db, Note).n == 3


def test_condition_failures_are_never_retried(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    proxied_db.model(Note(pk="a", sk="s")).create()
    fault_proxy.reset()
    with pytest.raises(ConditionFailedError):
        proxied_db.model(Note(pk="a", sk="s")).if_not_exists().create()
    assert fault_proxy.operations() == ["PutItem"]


def test_validation_failures_are_never_retried(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    fault_proxy.custom(
        lambda op, body: (
            400,
            {"__type": "com.amazon.coral.validate#ValidationException", "message": "bad key"},
        ),
        operation="GetItem",
    )
    with pytest.raises(ValidationError, match="bad key"):
        get(proxied_db, Note)
    assert fault_proxy.operations() == ["GetItem"]


def test_other_client_errors_are_mapped_not_retried(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any
) -> None:
    fault_proxy.custom(
        lambda op, body: (
            400,
            {"__type": "com.amazonaws.dynamodb.v20120810#AccessDeniedException", "message": "no"},
        )
    )
    with pytest.raises(RequestError) as info:
        get(proxied_db, Note)
    assert info.value.code == "AccessDeniedException"
    assert len(fault_proxy.requests) == 1


def test_deadline_during_backoff_stops_fast(fault_proxy: FaultProxy, Note: Any) -> None:
    db = make_db(fault_proxy.endpoint, retry_policy=SLOW, single_attempt=True)
    fault_proxy.throttle("GetItem", times=None)
    start = time.monotonic()
    with pytest.raises(OperationTimeoutError) as info:
        get(db.with_timeout(0.3), Note)
    elapsed = time.monotonic() - start
    assert isinstance(info.value, TimeoutError)
    assert 0.25 <= elapsed < 2.0
    assert len(fault_proxy.of("GetItem")) == 1
    assert "GetItem on Note" in str(info.value)


def test_cancel_during_backoff(fault_proxy: FaultProxy, proxied_db: DB, Note: Any) -> None:
    cancel = threading.Event()
    fault_proxy.throttle("GetItem", times=None)
    executor = proxied_db._executor
    call = executor_call(proxied_db)
    scheduler = executor.scheduler(cancel=cancel, policy=SLOW)
    threading.Timer(0.2, cancel.set).start()
    params = {"TableName": Note.__dynamorm__.table, "Key": {"pk": {"S": "a"}, "sk": {"S": "s"}}}
    start = time.monotonic()
    with pytest.raises(OperationCancelledError) as info:
        call("GetItem", params, Target(Note, Note.__dynamorm__.table), scheduler, ["p"])
    assert not isinstance(info.value, TimeoutError)
    assert time.monotonic() - start < 2.0
    assert info.value.partial == ["p"]
    assert len(fault_proxy.of("GetItem")) == 1
    # Already cancelled: nothing is sent at all.
    fault_proxy.reset()
    with pytest.raises(OperationCancelledError):
        call("GetItem", params, Target(Note, Note.__dynamorm__.table), scheduler)
    assert fault_proxy.requests == []


def test_retries_are_logged(
    fault_proxy: FaultProxy, proxied_db: DB, Note: Any, caplog: pytest.LogCaptureFixture
) -> None:
    proxied_db.model(Note(pk="a", sk="s", n=4)).create()
    caplog.set_level(logging.INFO, logger="dynamorm")
    fault_proxy.server_error("GetItem", times=1)
    assert get(proxied_db, Note).n == 4
    messages = [r.getMessage() for r in caplog.records if r.name == "dynamorm"]
    assert len(messages) == 1
    assert "GetItem on Note" in messages[0]
    assert "attempt 1 failed with InternalServerError; retrying in" in messages[0]


def test_db_made_clients_leave_retrying_to_the_scheduler(
    fault_proxy: FaultProxy, Note: Any
) -> None:
    db = DB(
        endpoint_url=fault_proxy.endpoint,
        region_name=REGION,
        retry_policy=RetryPolicy(max_retries=2, initial_delay=0.01),
        fast_path=FAST_PATH,
    )
    fault_proxy.throttle("GetItem", times=None)
    with pytest.raises(RetryExhaustedError):
        get(db, Note)
    # Three attempts in all: botocore retried none of them.
    assert len(fault_proxy.of("GetItem")) == 3


def test_user_clients_keep_their_own_retries(fault_proxy: FaultProxy, Note: Any) -> None:
    client = client_for(fault_proxy.endpoint, retries={"total_max_attempts": 2, "mode": "standard"})
    db = DB(
        client=client,
        retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01),
        fast_path=FAST_PATH,
    )
    fault_proxy.throttle("GetItem", times=None)
    with pytest.raises(RetryExhaustedError):
        get(db, Note)
    # Bounded by the product: 2 scheduler attempts x 2 botocore attempts.
    assert len(fault_proxy.of("GetItem")) == 4


def test_schema_calls_are_retried(fault_proxy: FaultProxy, proxied_db: DB, Note: Any) -> None:
    fault_proxy.throttle("DescribeTable", times=1)
    table = proxied_db.describe_table(Note)
    assert table["TableName"] == Note.__dynamorm__.table
    assert [r.status for r in fault_proxy.of("DescribeTable")] == [400, 200]


# A deadline that stops the retries says why the last attempt failed.
@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_a_deadline_error_names_and_chains_the_last_failure(
    fault_proxy: FaultProxy, Note: Any, code: str
) -> None:
    db = make_db(fault_proxy.endpoint, retry_policy=SLOW, single_attempt=True)
    fault_proxy.throttle("GetItem", times=None, code=code)
    with pytest.raises(OperationTimeoutError) as info:
        db.with_timeout(0.3).model(Note).where("pk", "=", "a").where("sk", "=", "s").first()
    err = info.value
    assert f"the last attempt failed with {code}" in str(err) and "GetItem on Note" in str(err)
    cause = err.__cause__
    assert isinstance(cause, ClientError) and cause.response["Error"]["Code"] == code
