"""Writes whose answer is lost after DynamoDB applied them (SPEC §10,
docs/retries.md "Lost answers"), through the fault proxy: the server does the
work, then the client sees a reset connection or a 500. A write the server
applied is reported applied (recognised from the item a resend's failed
condition returns), never applied twice, and when neither can be made sure
the error says the outcome is unknown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamorm import DB, BatchWriteOptions, Model, RetryPolicy, WriteOutcomeUnknownError, field
from dynamorm.errors import BatchWriteError, ConditionFailedError, OperationTimeoutError

from tests._support.proxy import FaultProxy
from tests.conftest import make_db

RECOGNISES = pytest.mark.moto_only(
    reason="dynalite does not return the item with a failed condition "
    "(ReturnValuesOnConditionCheckFailure), which recognising an applied write needs"
)

HOW = [
    pytest.param("reset", id="connection reset after the server applied it"),
    pytest.param("500", id="500 after the server applied it"),
]


def lose(proxy: FaultProxy, operation: str, how: str, times: int | None = 1) -> None:
    """The next ``operation`` reaches the server, but its answer is lost."""
    if how == "reset":
        proxy.reset_connection(operation, times=times, after=True)
    else:
        proxy.server_error(operation, times=times, after=True)


@pytest.fixture
def Doc(make_table: Callable[..., str]) -> Any:
    class Doc(Model, table=make_table()):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0
        status: str = "new"
        items: list[str] = field(default_factory=list)
        updated: datetime | None = field(updated_at=True, default=None)
        version: int = field(version=True)

    return Doc


@pytest.fixture
def Plain(make_table: Callable[..., str]) -> Any:
    class Plain(Model, table=make_table()):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0
        status: str = "new"
        items: list[str] = field(default_factory=list)

    return Plain


@dataclass
class Env:
    """The proxy, a ``DB`` through it (``proxied_db``), and ``direct``: a
    ``DB`` straight to the server, to set up and to read what is stored."""

    proxy: FaultProxy
    db: DB
    direct: DB


@pytest.fixture
def env(fault_proxy: FaultProxy, proxied_db: DB, ddb_endpoint: str) -> Env:
    return Env(fault_proxy, proxied_db, make_db(ddb_endpoint))


def stored(db: DB, model: Any) -> Any:
    found = db.model(model).where("pk", "=", "a").where("sk", "=", "s").all()
    return found[0] if found else None


def builder(db: DB, model: Any) -> Any:
    return db.model(model).where("pk", "=", "a").where("sk", "=", "s").update_builder()


# -- recognised as applied ---------------------------------------------------------


@RECOGNISES
@pytest.mark.parametrize("how", HOW)
def test_an_if_not_exists_create_whose_answer_was_lost_is_reported_applied(
    env: Env, Doc: Any, how: str
) -> None:
    lose(env.proxy, "PutItem", how)
    doc = env.db.model(Doc(pk="a", sk="s", n=3)).if_not_exists().create()
    assert len(env.proxy.of("PutItem")) == 2
    assert doc.version == 0
    assert stored(env.direct, Doc) == doc


@RECOGNISES
@pytest.mark.parametrize("how", HOW)
def test_a_versioned_update_whose_answer_was_lost_is_reported_applied(
    env: Env, Doc: Any, how: str
) -> None:
    doc = env.direct.model(Doc(pk="a", sk="s")).create()
    doc.n = 5
    lose(env.proxy, "UpdateItem", how)
    env.db.model(doc).update("n")
    assert len(env.proxy.of("UpdateItem")) == 2
    assert doc.version == 1
    assert (stored(env.direct, Doc).n, stored(env.direct, Doc).version) == (5, 1)
    # The instance holds the stored version: its next update goes through.
    doc.n = 6
    env.db.model(doc).update("n")
    assert (stored(env.direct, Doc).n, stored(env.direct, Doc).version) == (6, 2)


@RECOGNISES
@pytest.mark.parametrize("how", HOW)
def test_an_unversioned_conditional_update_whose_answer_was_lost_is_reported_applied(
    env: Env, Plain: Any, how: str
) -> None:
    obj = env.direct.model(Plain(pk="a", sk="s", status="pending")).create()
    obj.status = "approved"
    lose(env.proxy, "UpdateItem", how)
    env.db.model(obj).with_condition("status", "=", "pending").update("status")
    assert len(env.proxy.of("UpdateItem")) == 2
    assert stored(env.direct, Plain).status == "approved"


@RECOGNISES
@pytest.mark.parametrize("how", HOW)
def test_a_counter_under_condition_version_whose_answer_was_lost_is_applied_once(
    env: Env, Doc: Any, how: str
) -> None:
    env.direct.model(Doc(pk="a", sk="s", n=10)).create()
    lose(env.proxy, "UpdateItem", how)
    builder(env.db, Doc).increment("n").condition_version(0).execute()
    assert len(env.proxy.of("UpdateItem")) == 2
    assert (stored(env.direct, Doc).n, stored(env.direct, Doc).version) == (11, 1)


@RECOGNISES
@pytest.mark.parametrize("existing", [False, True], ids=["new item", "existing item"])
@pytest.mark.parametrize("how", HOW)
def test_create_or_update_whose_answer_was_lost_moves_the_version_once(
    env: Env, Doc: Any, how: str, existing: bool
) -> None:
    if existing:
        env.direct.model(Doc(pk="a", sk="s", n=1)).create()  # version 0
    lose(env.proxy, "UpdateItem", how)
    doc = env.db.model(Doc(pk="a", sk="s", n=7)).create_or_update()
    assert len(env.proxy.of("UpdateItem")) == 2
    expected = 1  # 0 -> 1 for the existing item; a new item starts at 1
    assert (doc.n, doc.version) == (7, expected)
    assert (stored(env.direct, Doc).n, stored(env.direct, Doc).version) == (7, expected)


@pytest.mark.parametrize("how", HOW)
def test_a_delete_at_a_version_whose_answer_was_lost_is_reported_applied(
    env: Env, Doc: Any, how: str
) -> None:
    doc = env.direct.model(Doc(pk="a", sk="s")).create()
    env.direct.model(doc).update("n")  # version 1: the delete is conditioned on it
    lose(env.proxy, "DeleteItem", how)
    env.db.model(doc).delete()
    assert len(env.proxy.of("DeleteItem")) == 2
    assert stored(env.direct, Doc) is None


# -- never applied twice -------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(lambda b: b.increment("n"), (1, []), id="increment"),
        pytest.param(lambda b: b.add("n", 5), (5, []), id="add to a number"),
        pytest.param(lambda b: b.append_to_list("items", ["x"]), (0, ["x"]), id="append_to_list"),
    ],
)
@pytest.mark.parametrize("how", HOW)
def test_a_non_idempotent_update_whose_answer_was_lost_is_not_sent_again(
    env: Env,
    Plain: Any,
    how: str,
    change: Callable[[Any], Any],
    expected: tuple[int, list[str]],
) -> None:
    env.direct.model(Plain(pk="a", sk="s")).create()
    lose(env.proxy, "UpdateItem", how)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        change(builder(env.db, Plain)).execute()
    err = info.value
    assert len(env.proxy.of("UpdateItem")) == 1
    now = stored(env.direct, Plain)
    assert (now.n, now.items) == expected  # applied exactly once
    assert err.model == "Plain" and "UpdateItem on Plain" in str(err)
    assert "not sent again" in str(err) and "may or may not have applied" in str(err)
    assert isinstance(err.__cause__, Exception) and "botocore" in type(err.__cause__).__module__


@pytest.mark.parametrize("how", HOW)
def test_an_update_returning_old_values_is_not_sent_again_after_a_lost_answer(
    env: Env, Plain: Any, how: str
) -> None:
    # A resend would see the first attempt's values as the "old" ones.
    env.direct.model(Plain(pk="a", sk="s", status="before")).create()
    lose(env.proxy, "UpdateItem", how)
    with pytest.raises(WriteOutcomeUnknownError, match="old values"):
        builder(env.db, Plain).set("status", "after").return_values("ALL_OLD").execute()
    assert len(env.proxy.of("UpdateItem")) == 1
    assert stored(env.direct, Plain).status == "after"


def test_a_throttled_counter_is_retried_and_applied_once(env: Env, Plain: Any) -> None:
    # A throttle is a refusal, not a lost answer: retrying cannot double it.
    env.direct.model(Plain(pk="a", sk="s")).create()
    env.proxy.throttle("UpdateItem", times=2)
    builder(env.db, Plain).increment("n").execute()
    assert [r.status for r in env.proxy.of("UpdateItem")] == [400, 400, 200]
    assert stored(env.direct, Plain).n == 1


# -- outcome unknown -------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_a_write_whose_answers_keep_being_lost_raises_outcome_unknown(
    env: Env, Doc: Any, how: str
) -> None:
    lose(env.proxy, "PutItem", how, times=None)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        env.db.model(Doc(pk="a", sk="s", n=1)).create()
    err = info.value
    assert err.attempts == 4 == len(env.proxy.of("PutItem"))
    assert "PutItem on Doc" in str(err) and "may or may not have applied" in str(err)
    assert "botocore" in type(err.__cause__).__module__
    assert stored(env.direct, Doc).n == 1  # it was applied, and not reported as failed


def test_without_retries_a_lost_answer_raises_outcome_unknown(env: Env, Doc: Any) -> None:
    db = make_db(env.proxy.endpoint, retry_policy=RetryPolicy(max_retries=0), single_attempt=True)
    env.proxy.server_error("PutItem", after=True)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        db.model(Doc(pk="a", sk="s", n=1)).create()
    assert isinstance(info.value.__cause__, ClientError)
    assert info.value.__cause__.response["Error"]["Code"] == "InternalServerError"
    assert len(env.proxy.of("PutItem")) == 1


@RECOGNISES
def test_a_resend_failing_against_an_item_it_did_not_write_raises_outcome_unknown(
    env: Env, Doc: Any
) -> None:
    # The first attempt failed its condition on the server, but the client only
    # saw a 500: from the resend's failure alone it cannot tell.
    env.direct.model(Doc(pk="a", sk="s", n=1)).create()
    env.proxy.server_error("PutItem", after=True)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        env.db.model(Doc(pk="a", sk="s", n=2)).if_not_exists().create()
    err = info.value
    assert not isinstance(err, ConditionFailedError)
    assert isinstance(err.item, Doc) and err.item.n == 1
    assert "failed its condition against an item this write did not leave" in str(err)
    assert stored(env.direct, Doc).n == 1


def test_a_deadline_that_stops_the_resends_raises_outcome_unknown(env: Env, Doc: Any) -> None:
    slow = RetryPolicy(max_retries=5, initial_delay=5.0, max_delay=5.0, jitter=0)
    db = make_db(env.proxy.endpoint, retry_policy=slow, single_attempt=True)
    env.proxy.server_error("PutItem", after=True)
    with pytest.raises(WriteOutcomeUnknownError, match="deadline") as info:
        db.with_timeout(0.3).model(Doc(pk="a", sk="s", n=1)).create()
    assert not isinstance(info.value, OperationTimeoutError)
    assert len(env.proxy.of("PutItem")) == 1


# -- transactions ------------------------------------------------------------------------


def tokens(proxy: FaultProxy) -> list[str]:
    return [r.body.get("ClientRequestToken", "") for r in proxy.of("TransactWriteItems")]


@pytest.mark.moto_only(reason="dynalite has no transactions")
@pytest.mark.parametrize("how", HOW)
def test_a_transaction_whose_answer_was_lost_is_resent_with_its_token(
    env: Env, Doc: Any, how: str
) -> None:
    lose(env.proxy, "TransactWriteItems", how)
    env.db.transact().put(Doc(pk="a", sk="s", n=4)).execute()
    first, second = tokens(env.proxy)
    assert first and first == second  # DynamoDB answers a repeated token with the first outcome
    assert stored(env.direct, Doc).n == 4


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_a_transaction_whose_answers_keep_being_lost_raises_outcome_unknown(
    env: Env, Doc: Any
) -> None:
    env.proxy.server_error("TransactWriteItems", times=None, after=True)
    with pytest.raises(WriteOutcomeUnknownError) as info:
        env.db.transact().put(Doc(pk="a", sk="s", n=4)).execute()
    assert info.value.attempts == 4
    assert len(set(tokens(env.proxy))) == 1


@pytest.mark.parametrize("how", HOW)
def test_a_batch_write_chunk_whose_answers_keep_being_lost_is_of_unknown_outcome(
    env: Env, Plain: Any, how: str
) -> None:
    items = [Plain(pk="b", sk=f"{i:02d}", n=i) for i in range(30)]
    # The first chunk (25 puts) goes through; every answer to the second is lost.
    options = BatchWriteOptions(
        retry_policy=env.db.retry_policy,
        progress_callback=lambda done, total: lose(env.proxy, "BatchWriteItem", how, None),
    )
    with pytest.raises(BatchWriteError) as info:
        env.db.model(Plain).batch_create(items, options)
    err = info.value
    assert isinstance(err.__cause__, WriteOutcomeUnknownError)
    assert "its 5 write requests may or may not have been applied" in str(err)
    assert "25 were applied" in str(err)
    assert [r["PutRequest"]["Item"]["sk"]["S"] for r in err.unprocessed] == [
        f"{i:02d}" for i in range(25, 30)
    ]
    # They were applied (the server did the work each time): not lost, not "failed".
    assert len(env.direct.model(Plain).where("pk", "=", "b").all()) == 30


def test_a_malformed_answer_to_a_batch_write_is_of_unknown_outcome(env: Env, Plain: Any) -> None:
    env.proxy.custom(lambda op, body: (200, {"UnprocessedItems": 5}), operation="BatchWriteItem")
    with pytest.raises(BatchWriteError) as info:
        env.db.model(Plain).batch_create([Plain(pk="c", sk="1")])
    assert isinstance(info.value.__cause__, WriteOutcomeUnknownError)
    assert "may or may not have been applied" in str(info.value)
    assert len(env.proxy.of("BatchWriteItem")) == 1  # a malformed answer is not retried
