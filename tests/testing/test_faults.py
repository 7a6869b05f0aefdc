"""``Faults`` on a ``MemoryBackend``: each fault is answered as a failing
DynamoDB would, and the library's own retries, resends and deadlines are
what a test sees (through ``on_request`` hooks)."""

from __future__ import annotations

import pytest
from botocore.config import Config
from dynamorm import DB, RetryPolicy
from dynamorm.errors import (
    OperationTimeoutError,
    RetryExhaustedError,
    ValidationError,
    WriteOutcomeUnknownError,
)
from dynamorm.observe import RequestInfo
from dynamorm.testing import Faults, MemoryBackend

from tests.testing.kit_models import Account

FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.01)


def _db(backend: MemoryBackend, seen: list[RequestInfo], policy: RetryPolicy = FAST) -> DB:
    db = DB(backend=backend, retry_policy=policy, on_request=seen.append)
    db.create_table(Account)
    seen.clear()
    return db


def test_two_throttles_are_retried_and_the_write_lands_on_the_third_attempt() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.throttle("PutItem", times=2)
    db.model(Account(id="a1")).create()
    assert [(i.attempt, i.status) for i in seen] == [(1, 400), (2, 400), (3, 200)]
    assert backend.faults.count("throttle", "PutItem") == 2
    assert db.model(Account).where("id", "=", "a1").first() == Account(id="a1")


def test_a_throttling_exception_on_every_attempt_exhausts_the_retries() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.throttle("GetItem", code="ThrottlingException")
    with pytest.raises(RetryExhaustedError, match="still failing with ThrottlingException"):
        db.model(Account).where("id", "=", "a1").first()
    assert [i.status for i in seen] == [400] * 4


def test_a_lost_answer_of_an_applied_write_is_retried_and_the_item_is_there() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.server_error("PutItem", times=1, applied=True)
    db.model(Account(id="a1", balance=2)).create()
    assert [i.status for i in seen] == [500, 200]
    assert backend.client().scan(TableName="kit-accounts")["Count"] == 1


def test_a_503_not_applied_leaves_the_write_unknown_and_nothing_written() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen, RetryPolicy(max_retries=0))
    backend.faults.server_error("PutItem", status=503)
    with pytest.raises(WriteOutcomeUnknownError, match="ServiceUnavailable"):
        db.model(Account(id="a1")).create()
    assert backend.client().scan(TableName="kit-accounts")["Count"] == 0


def test_unprocessed_batch_writes_are_resent_until_every_item_is_written() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.unprocessed("BatchWriteItem", share=0.5, times=2)
    db.model(Account).batch_create([Account(id=f"a{i}") for i in range(10)])
    assert [i.operation for i in seen] == ["BatchWriteItem"] * 3
    assert backend.client().scan(TableName="kit-accounts")["Count"] == 10


def test_unprocessed_batch_get_keys_are_asked_for_again_and_every_item_is_read() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    db.model(Account).batch_create([Account(id=f"a{i}") for i in range(6)])
    seen.clear()
    backend.faults.unprocessed("BatchGetItem", share=1.0, times=1)
    got = db.model(Account).batch_get([f"a{i}" for i in range(6)])
    assert sorted(a.id for a in got) == [f"a{i}" for i in range(6)]
    assert [i.operation for i in seen] == ["BatchGetItem"] * 2


def test_latency_longer_than_the_deadline_stops_a_read_with_operation_timeout_error() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.latency(0.5, "GetItem")
    with pytest.raises(OperationTimeoutError):
        db.with_timeout(0.05).model(Account).where("id", "=", "a1").first()
    assert seen[0].duration < 0.4


def test_latency_longer_than_the_deadline_leaves_a_write_unknown_and_unapplied() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.latency(0.5, "PutItem")
    with pytest.raises(WriteOutcomeUnknownError):
        db.with_timeout(0.05).model(Account(id="a1")).create()
    assert backend.client().scan(TableName="kit-accounts")["Count"] == 0


def test_latency_within_the_deadline_is_waited_and_the_request_answered() -> None:
    backend, seen = MemoryBackend(), []
    db = _db(backend, seen)
    backend.faults.latency(0.05, "PutItem", times=1)
    db.model(Account(id="a1")).create()
    assert seen[0].duration >= 0.05
    assert seen[0].status == 200


def test_a_fraction_draws_the_same_requests_for_the_same_seed() -> None:
    def drawn(seed: int) -> list[bool]:
        faults = Faults(seed=seed).throttle("GetItem", fraction=0.5)
        return [faults.draw("GetItem") is not None for _ in range(40)]

    assert drawn(7) == drawn(7)
    assert 5 < sum(drawn(7)) < 35
    assert drawn(7) != drawn(8)


def test_rules_for_one_operation_leave_the_others_alone_and_clear_drops_them() -> None:
    faults = Faults().throttle("PutItem")
    assert faults.draw("GetItem") is None
    assert faults.draw("PutItem") is not None
    faults.clear()
    assert faults.draw("PutItem") is None
    assert faults.injected == []


def test_a_boto3_client_on_the_backend_gets_the_faults_and_botocore_retries_them() -> None:
    backend = MemoryBackend()
    client = backend.client(config=Config(retries={"total_max_attempts": 3, "mode": "standard"}))
    DB(backend=backend).create_table(Account)
    backend.faults.throttle("PutItem", times=2)
    answer = client.put_item(TableName="kit-accounts", Item={"id": {"S": "a1"}})
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: f.throttle(code="Nope"), "Faults.throttle: code must be one of"),
        (lambda f: f.server_error(status=502), "Faults.server_error: status must be 500 or 503"),
        (lambda f: f.unprocessed("PutItem"), "Faults.unprocessed: operation must be"),
        (lambda f: f.unprocessed(share=0), r"Faults.unprocessed: share must be in \(0, 1\]"),
        (lambda f: f.latency(-1), "Faults.latency: seconds must be >= 0"),
        (lambda f: f.throttle(times=0), "Faults.throttle: times must be an int >= 1"),
        (lambda f: f.throttle(fraction=2), r"Faults.throttle: fraction must be in \[0, 1\]"),
    ],
)
def test_a_rule_that_cannot_be_applied_is_refused_naming_the_method(
    call: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        call(Faults())  # type: ignore[operator]
