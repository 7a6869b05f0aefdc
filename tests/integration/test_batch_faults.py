"""Batch get and write through the fault-injecting proxy: unprocessed keys
and items re-sent after a backoff, throttling and 5xx answers retried, a
failing chunk handed to ``on_error`` or surfacing as a dynamorm error, keys
still unprocessed after the last retry listed in the error, reordered
responses, the concurrency limit as the server sees it, and cancel/timeout
during backoff. Request counts and chunk sizes are counted at the proxy."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dynamorm import DB, BatchGetOptions, BatchWriteOptions, RetryPolicy
from dynamorm.errors import (
    BatchGetError,
    BatchWriteError,
    DynamORMError,
    OperationCancelledError,
    OperationTimeoutError,
    RequestError,
    RetryExhaustedError,
)

from tests._support.proxy import RESET, FaultProxy
from tests.integration.batch_support import BatchEnv, batch_env, get_sizes, write_sizes

FAST = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def env(fault_proxy: FaultProxy, proxied_db: DB) -> Iterator[BatchEnv]:
    yield from batch_env(fault_proxy.endpoint, proxied_db)


def keys(n: int, start: int = 0) -> list[tuple[str, str]]:
    return [("p", f"s{i:04d}") for i in range(start, start + n)]


def seeded(env: BatchEnv, proxy: FaultProxy, n: int) -> list[Any]:
    docs = env.seed(n)
    proxy.reset()
    return docs


# -- batch get ------------------------------------------------------------------


def test_keys_left_by_a_round_that_read_some_are_re_requested_at_once(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 100)
    fault_proxy.unprocess_keys(20)
    policy = RetryPolicy(max_retries=3, initial_delay=2.0, jitter=0)
    got = env.db.model(env.Doc).batch_get_with_options(
        keys(100), BatchGetOptions(retry_policy=policy)
    )
    assert got == docs
    assert get_sizes(fault_proxy) == [100, 20]
    first, second = fault_proxy.of("BatchGetItem")
    assert second.body["RequestItems"][env.Doc.__dynamorm__.table]["Keys"] == [
        {"pk": {"S": "p"}, "sk": {"S": f"s{i:04d}"}} for i in range(80, 100)
    ]
    assert second.started - first.ended < 1.0  # no 2 s backoff: the round made progress


def test_keys_left_by_a_round_that_read_none_are_re_requested_after_a_backoff(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 100)
    fault_proxy.unprocess_keys(100)
    policy = RetryPolicy(max_retries=3, initial_delay=0.2, jitter=0)
    got = env.db.model(env.Doc).batch_get_with_options(
        keys(100), BatchGetOptions(retry_policy=policy)
    )
    assert got == docs
    assert get_sizes(fault_proxy) == [100, 100]
    first, second = fault_proxy.of("BatchGetItem")
    assert second.started - first.ended >= 0.19  # the backoff


def test_500_keys_in_parallel_never_exceed_max_concurrency(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 500)
    fault_proxy.delay("BatchGetItem", 0.05)
    got = env.db.model(env.Doc).batch_get_with_options(
        keys(500), BatchGetOptions(chunk_size=25, parallel=True, max_concurrency=5)
    )
    assert got == docs
    assert sorted(get_sizes(fault_proxy)) == [25] * 20
    assert fault_proxy.max_in_flight_of("BatchGetItem") == 5


def test_reordered_responses_come_back_in_input_order(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 60)
    fault_proxy.reorder_items()
    wanted = list(reversed(keys(60)))[::2] + keys(60)[::2]
    got = env.db.model(env.Doc).batch_get_with_options(wanted, BatchGetOptions(chunk_size=20))
    by_sk = {d.sk: d for d in docs}
    assert got == [by_sk[sk] for _, sk in wanted]
    assert all(r.fault == "reorder_items" for r in fault_proxy.of("BatchGetItem"))


def test_throttling_and_5xx_and_resets_are_retried(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    docs = seeded(env, fault_proxy, 30)
    answers: list[Any] = [
        (400, {"__type": "ProvisionedThroughputExceededException", "message": "slow down"}),
        (500, {"__type": "InternalServerError", "message": "oops"}),
        RESET,
    ]
    fault_proxy.custom(lambda op, body: answers.pop(0) if answers else None, "BatchGetItem")
    got = env.db.model(env.Doc).batch_get_with_options(
        keys(30), BatchGetOptions(chunk_size=10, retry_policy=FAST)
    )
    assert got == docs
    faults = [r.fault for r in fault_proxy.of("BatchGetItem")]
    assert faults == ["custom", "custom", "custom", None, None, None]


def failing_chunk(sk: str) -> Any:
    """A hook answering 500 to every BatchGetItem whose first key has ``sk``."""

    def hook(operation: str, body: dict[str, Any]) -> Any:
        (spec,) = body["RequestItems"].values()
        if spec["Keys"][0]["sk"]["S"] == sk:
            return 500, {"__type": "InternalServerError", "message": "down (injected)"}
        return None

    return hook


def test_a_failing_chunk_goes_to_on_error_and_the_rest_come_back(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 30)
    fault_proxy.custom(failing_chunk("s0010"), "BatchGetItem")
    seen: list[tuple[list[Any], BaseException]] = []
    got = (
        env.db.model(env.Doc)
        .batch_get_builder()
        .keys(keys(30))
        .chunk_size(10)
        .with_retry(FAST)
        .on_error(lambda ks, exc: seen.append((ks, exc)))
        .execute()
    )
    assert got == docs[:10] + docs[20:]
    ((failed_keys, exc),) = seen
    assert failed_keys == keys(10, start=10)  # as given
    assert isinstance(exc, RetryExhaustedError) and exc.attempts == 4


def test_a_failing_chunk_without_handler_is_a_batch_get_error(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 30)
    fault_proxy.custom(failing_chunk("s0010"), "BatchGetItem")
    with pytest.raises(BatchGetError) as info:
        env.db.model(env.Doc).batch_get_with_options(
            keys(30), BatchGetOptions(chunk_size=10, retry_policy=FAST)
        )
    err = info.value
    assert isinstance(err, DynamORMError)
    assert isinstance(err.__cause__, RetryExhaustedError)
    assert err.items == docs[:10]
    assert err.unprocessed_keys == keys(20, start=10)  # the failed chunk and the unsent one
    assert len(fault_proxy.of("BatchGetItem")) == 1 + 4


def test_a_handler_that_raises_aborts(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    seeded(env, fault_proxy, 30)
    fault_proxy.custom(failing_chunk("s0000"), "BatchGetItem")

    def handler(ks: list[Any], exc: BaseException) -> None:
        raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        env.db.model(env.Doc).batch_get_with_options(
            keys(30), BatchGetOptions(chunk_size=10, retry_policy=None, on_chunk_error=handler)
        )
    assert len(fault_proxy.of("BatchGetItem")) == 1


def test_keys_unprocessed_after_the_last_retry_are_in_the_error(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = seeded(env, fault_proxy, 100)
    fault_proxy.unprocess_keys(10, times=None)
    policy = RetryPolicy(max_retries=2, initial_delay=0.01)
    with pytest.raises(BatchGetError) as info:
        env.db.model(env.Doc).batch_get_with_options(
            keys(100), BatchGetOptions(retry_policy=policy)
        )
    assert info.value.unprocessed_keys == keys(10, start=90)
    assert info.value.items == docs[:90]
    # The first round read 90 (progress: its 10 go again at once); then the
    # first send and 2 retries that read nothing.
    assert get_sizes(fault_proxy) == [100, 10, 10, 10]
    assert "10 keys still unprocessed after 2 retries" in str(info.value)


def test_with_retry_none_fails_fast(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    docs = seeded(env, fault_proxy, 20)
    fault_proxy.unprocess_keys(5, times=None)
    builder = env.db.model(env.Doc).batch_get_builder().keys(keys(20)).with_retry(None)
    with pytest.raises(BatchGetError) as info:
        builder.execute()
    assert info.value.unprocessed_keys == keys(5, start=15)
    assert info.value.items == docs[:15]
    # No retry at all for a round that read nothing; one that read some is
    # not a failure, so its leftover goes once more.
    assert get_sizes(fault_proxy) == [20, 5]
    fault_proxy.reset()
    fault_proxy.throttle("BatchGetItem")
    with pytest.raises(BatchGetError) as info:
        builder.execute()
    assert isinstance(info.value.__cause__, RequestError)
    assert info.value.__cause__.code == "ProvisionedThroughputExceededException"
    assert info.value.unprocessed_keys == keys(20) and info.value.items == []
    assert len(fault_proxy.of("BatchGetItem")) == 1


def test_cancel_during_the_backoff_wakes_at_once(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    docs = seeded(env, fault_proxy, 20)
    fault_proxy.unprocess_keys(5, times=None)  # the re-send of those 5 reads nothing: backoff
    cancel = threading.Event()
    policy = RetryPolicy(max_retries=3, initial_delay=5.0, jitter=0)
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(OperationCancelledError) as info:
        env.db.model(env.Doc).batch_get_with_options(
            keys(20), BatchGetOptions(retry_policy=policy), cancel=cancel
        )
    assert time.monotonic() - started < 3
    assert info.value.partial == docs[:15]
    assert get_sizes(fault_proxy) == [20, 5]


def test_timeout_during_the_backoff(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    docs = seeded(env, fault_proxy, 20)
    fault_proxy.unprocess_keys(5, times=None)  # the re-send of those 5 reads nothing: backoff

    policy = RetryPolicy(max_retries=3, initial_delay=5.0, jitter=0)
    started = time.monotonic()
    with pytest.raises(OperationTimeoutError) as info:
        env.db.model(env.Doc).batch_get_with_options(
            keys(20), BatchGetOptions(retry_policy=policy, parallel=True), timeout=0.5
        )
    assert isinstance(info.value, TimeoutError)
    assert time.monotonic() - started < 3
    assert info.value.partial == docs[:15]


# -- batch write ----------------------------------------------------------------


def stored_sks(env: BatchEnv) -> list[str]:
    table = env.Doc.__dynamorm__.table
    items = env.client.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(i["sk"]["S"] for i in items)


def test_unprocessed_items_are_re_sent(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i:04d}") for i in range(60)]
    fault_proxy.reset()
    fault_proxy.unprocess_items(7)
    env.db.model(env.Doc).batch_create(docs, BatchWriteOptions(retry_policy=FAST))
    assert write_sizes(fault_proxy) == [25, 25, 10, 7]
    assert stored_sks(env) == [d.sk for d in docs]


def test_items_unprocessed_after_the_last_retry_are_in_the_error(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i:04d}") for i in range(30)]
    fault_proxy.reset()
    fault_proxy.unprocess_items(3, times=None)
    with pytest.raises(BatchWriteError) as info:
        env.db.model(env.Doc).batch_create(
            docs, BatchWriteOptions(retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01))
        )
    unprocessed = [r["PutRequest"]["Item"]["sk"]["S"] for r in info.value.unprocessed]
    # Chunk 1 loses its last 3, chunk 2 (5 requests) too; each re-send loses all 3.
    assert unprocessed == ["s0022", "s0023", "s0024", "s0027", "s0028", "s0029"]
    assert stored_sks(env) == sorted({d.sk for d in docs} - set(unprocessed))
    assert docs[0].version == 0 and docs[0].created is not None
    assert docs[29].created is None  # not stored, not stamped


def test_a_write_chunk_that_keeps_failing_is_a_batch_write_error(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i:04d}") for i in range(50)]
    fault_proxy.reset()
    fault_proxy.throttle("BatchWriteItem", times=None)
    with pytest.raises(BatchWriteError) as info:
        env.db.model(env.Doc).batch_create(docs, BatchWriteOptions(retry_policy=FAST))
    assert isinstance(info.value.__cause__, RetryExhaustedError)
    assert len(info.value.unprocessed) == 50
    fault_proxy.reset()
    assert stored_sks(env) == []


def test_parallel_writes_respect_max_concurrency(env: BatchEnv, fault_proxy: FaultProxy) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i:04d}") for i in range(200)]
    fault_proxy.reset()
    fault_proxy.delay("BatchWriteItem", 0.05)
    progress: list[int] = []
    env.db.model(env.Doc).batch_create(
        docs,
        BatchWriteOptions(
            parallel=True, max_concurrency=3, progress_callback=lambda d, t: progress.append(d)
        ),
    )
    assert fault_proxy.max_in_flight_of("BatchWriteItem") == 3
    assert sorted(write_sizes(fault_proxy)) == [25] * 8
    assert progress == [25 * i for i in range(1, 9)]
    env.db.model(env.Doc).batch_delete(docs[:100], BatchWriteOptions(parallel=True))
    assert stored_sks(env) == [d.sk for d in docs[100:]]


def test_cancel_a_batch_write_returns_what_is_not_written(
    env: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i:04d}") for i in range(100)]
    fault_proxy.reset()
    cancel = threading.Event()
    with pytest.raises(OperationCancelledError) as info:
        env.db.model(env.Doc).batch_create(
            docs,
            BatchWriteOptions(progress_callback=lambda d, t: cancel.set() if d >= 50 else None),
            cancel=cancel,
        )
    left = [r["PutRequest"]["Item"]["sk"]["S"] for r in info.value.partial]
    assert left == [d.sk for d in docs[50:]]
    assert stored_sks(env) == [d.sk for d in docs[:50]]
