"""Rounds that make progress do not spend the retry budget.

A batch get page cut by the response-size limit (DynamoDB 16 MB, dynalite
about 1.4 MB), or a write chunk partly applied, read or wrote something: the
rest goes again at once, at the same attempt count. Only rounds in which
nothing was processed count against ``max_retries`` and back off — and they
still exhaust it. Request sizes are counted at the proxy or the client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from dynamorm import DB, BatchGetOptions, BatchWriteOptions, RetryPolicy
from dynamorm.errors import BatchGetError, BatchWriteError

from tests._support.proxy import FaultProxy
from tests.conftest import client_for
from tests.integration.batch_support import BatchEnv, batch_env, get_sizes, write_sizes

ONE_RETRY = RetryPolicy(max_retries=1, initial_delay=30.0, jitter=0)
"""One retry after a 30 s backoff: a run that backs off even once is slow."""


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[BatchEnv]:
    yield from batch_env(ddb_endpoint)


@pytest.fixture
def proxied(fault_proxy: FaultProxy, proxied_db: DB) -> Iterator[BatchEnv]:
    yield from batch_env(fault_proxy.endpoint, proxied_db)


def keys(n: int) -> list[tuple[str, str]]:
    return [("p", f"s{i:04d}") for i in range(n)]


def test_pages_cut_by_the_servers_response_size_limit_complete_with_one_retry(
    env: BatchEnv, ddb_server: str
) -> None:
    """Nothing injected: the server itself returns part of each batch. On
    dynalite (~1.4 MB a response) 100 items of 100 KB take about 8 rounds; on
    moto (16 MB) 100 of 390 KB take 3."""
    size = 100_000 if ddb_server == "dynalite" else 390_000
    docs = env.seed(100, size=size)
    got = env.db.model(env.Doc).batch_get_with_options(
        keys(100), BatchGetOptions(retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01))
    )
    assert got == docs
    table = env.Doc.__dynamorm__.table
    sent = [len(p["RequestItems"][table]["Keys"]) for p in env.batch_requests()]
    assert len(sent) >= 3  # more rounds than one retry would have allowed
    assert sent[0] == 100 and sent == sorted(sent, reverse=True)


@pytest.mark.parametrize("parallel", [False, True])
def test_keys_held_back_on_many_rounds_while_some_are_read_complete_with_one_retry(
    proxied: BatchEnv, fault_proxy: FaultProxy, parallel: bool
) -> None:
    docs = proxied.seed(200)
    fault_proxy.reset()
    fault_proxy.let_through("BatchGetItem", 10)
    started = time.monotonic()
    got = proxied.db.model(proxied.Doc).batch_get_with_options(
        keys(200), BatchGetOptions(retry_policy=ONE_RETRY, parallel=parallel, max_concurrency=2)
    )
    assert got == docs
    assert sorted(get_sizes(fault_proxy), reverse=True) == sorted(
        [n for n in range(100, 0, -10) for _ in range(2)], reverse=True
    )
    assert time.monotonic() - started < ONE_RETRY.initial_delay


def test_rounds_that_read_nothing_still_exhaust_the_budget(
    proxied: BatchEnv, fault_proxy: FaultProxy
) -> None:
    proxied.seed(100)
    fault_proxy.reset()
    fault_proxy.let_through("BatchGetItem", 0)
    policy = RetryPolicy(max_retries=2, initial_delay=0.01, jitter=0)
    with pytest.raises(BatchGetError) as info:
        proxied.db.model(proxied.Doc).batch_get_with_options(
            keys(100), BatchGetOptions(retry_policy=policy)
        )
    assert info.value.unprocessed_keys == keys(100) and info.value.items == []
    assert get_sizes(fault_proxy) == [100, 100, 100]
    assert "100 keys still unprocessed after 2 retries" in str(info.value)


def test_a_round_with_progress_does_not_reset_the_budget(
    proxied: BatchEnv, fault_proxy: FaultProxy, ddb_endpoint: str
) -> None:
    """Rounds without progress count over the keys' whole history: progress
    in between sends the rest again at once, but gives no retry back."""
    docs = proxied.seed(30)
    fault_proxy.reset()
    upstream = client_for(ddb_endpoint)
    reads = iter([0, 1, 0, 0])  # keys the server reads in each round

    def hook(operation: str, body: dict[str, Any]) -> Any:
        ((table, spec),) = body["RequestItems"].items()
        n = next(reads, 0)
        found = []
        if n:
            request = {table: {**spec, "Keys": spec["Keys"][:n]}}
            found = upstream.batch_get_item(RequestItems=request)["Responses"][table]
        unprocessed = {table: {**spec, "Keys": spec["Keys"][n:]}}
        return 200, {"Responses": {table: found}, "UnprocessedKeys": unprocessed}

    fault_proxy.custom(hook, "BatchGetItem")
    policy = RetryPolicy(max_retries=2, initial_delay=0.01, jitter=0)
    with pytest.raises(BatchGetError) as info:
        proxied.db.model(proxied.Doc).batch_get_with_options(
            keys(30), BatchGetOptions(retry_policy=policy)
        )
    # Nothing read (retry 1); one read (the rest at once, still retry 1);
    # nothing (retry 2); nothing: given up.
    assert get_sizes(fault_proxy) == [30, 30, 29, 29]
    assert info.value.items == docs[:1]
    assert info.value.unprocessed_keys == keys(30)[1:]


def test_write_requests_held_back_on_many_rounds_while_some_are_applied_complete_with_one_retry(
    proxied: BatchEnv, fault_proxy: FaultProxy, ddb_endpoint: str
) -> None:
    docs = [proxied.Doc(pk="p", sk=f"s{i:04d}") for i in range(50)]
    fault_proxy.reset()
    fault_proxy.let_through("BatchWriteItem", 5)
    started = time.monotonic()
    proxied.db.model(proxied.Doc).batch_create(docs, BatchWriteOptions(retry_policy=ONE_RETRY))
    assert write_sizes(fault_proxy) == [25, 25, 20, 20, 15, 15, 10, 10, 5, 5]
    assert time.monotonic() - started < ONE_RETRY.initial_delay
    table = proxied.Doc.__dynamorm__.table
    items = client_for(ddb_endpoint).scan(TableName=table, ConsistentRead=True)["Items"]
    assert sorted(i["sk"]["S"] for i in items) == [d.sk for d in docs]


def test_write_rounds_that_apply_nothing_still_exhaust_the_budget(
    proxied: BatchEnv, fault_proxy: FaultProxy
) -> None:
    docs = [proxied.Doc(pk="p", sk=f"s{i:04d}") for i in range(25)]
    fault_proxy.reset()
    fault_proxy.let_through("BatchWriteItem", 0)
    policy = RetryPolicy(max_retries=1, initial_delay=0.01, jitter=0)
    with pytest.raises(BatchWriteError) as info:
        proxied.db.model(proxied.Doc).batch_create(docs, BatchWriteOptions(retry_policy=policy))
    assert len(info.value.unprocessed) == 25
    assert write_sizes(fault_proxy) == [25, 25]
