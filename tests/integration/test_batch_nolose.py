"""The no-loss property (hypothesis): for random key sets and random fault
schedules — unprocessed subsets, throttling, 500s, per request — every key
asked for is either returned or listed as unprocessed in the error, never
dropped and never twice; every write request is either applied (checked with
a read) or listed as unprocessed, never both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from dynamorm import DB, BatchGetOptions, BatchWriteOptions, RetryPolicy
from dynamorm.errors import BatchGetError, BatchWriteError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._support.proxy import FaultProxy
from tests.conftest import client_for
from tests.integration.batch_support import BatchEnv, RandomFaults, batch_env

POOL = 300  # sk values drawn from; the first SEEDED exist in the table
SEEDED = 200


@pytest.fixture
def env(fault_proxy: FaultProxy, proxied_db: DB) -> Iterator[BatchEnv]:
    yield from batch_env(fault_proxy.endpoint, proxied_db)


@pytest.fixture
def faults(env: BatchEnv, fault_proxy: FaultProxy, ddb_endpoint: str) -> RandomFaults:
    env.seed(SEEDED)
    hook = RandomFaults(client_for(ddb_endpoint))
    fault_proxy.reset()
    fault_proxy.custom(hook, "BatchGetItem")
    fault_proxy.custom(hook, "BatchWriteItem")
    return hook


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

options = st.fixed_dictionaries(
    {
        "parallel": st.booleans(),
        "max_concurrency": st.integers(1, 6),
        "retries": st.integers(0, 4),
    }
)


def policy(retries: int) -> RetryPolicy:
    return RetryPolicy(max_retries=retries, initial_delay=0.001, max_delay=0.005)


@SETTINGS
@given(
    picks=st.lists(st.integers(0, POOL - 1), min_size=1, max_size=260),
    chunk=st.integers(1, 100),
    opts=options,
    seed=st.integers(0, 2**32),
)
def test_batch_get_never_loses_a_key(  # noqa: PLR0917
    env: BatchEnv,
    faults: RandomFaults,
    picks: list[int],
    chunk: int,
    opts: dict[str, Any],
    seed: int,
) -> None:
    faults.rng.seed(seed)
    wanted = [("p", f"s{i:04d}") for i in picks]
    try:
        got = env.db.model(env.Doc).batch_get_with_options(
            wanted,
            BatchGetOptions(
                chunk_size=chunk,
                parallel=opts["parallel"],
                max_concurrency=opts["max_concurrency"],
                retry_policy=policy(opts["retries"]),
            ),
        )
        unprocessed: list[Any] = []
    except BatchGetError as exc:
        got, unprocessed = exc.items, exc.unprocessed_keys
    returned = [(d.pk, d.sk) for d in got]
    first_seen = list(dict.fromkeys(wanted))
    assert len(returned) == len(set(returned)), "an item came back twice"
    assert len(unprocessed) == len(set(unprocessed)), "a key is listed twice"
    assert not set(returned) & set(unprocessed)
    existing = [k for k in first_seen if int(k[1][1:]) < SEEDED]
    assert set(returned) | (set(unprocessed) & set(existing)) == set(existing), "a key was lost"
    assert returned == [k for k in first_seen if k in set(returned)], "not in input order"
    assert set(unprocessed) <= set(first_seen)


def sks_of(client: Any, table: str, pk: str) -> set[str]:
    """The sort keys stored under ``pk`` (read straight from the server)."""
    found: set[str] = set()
    params: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": pk}},
        "ConsistentRead": True,
    }
    while True:
        out = client.query(**params)
        found.update(i["sk"]["S"] for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            return found
        params["ExclusiveStartKey"] = out["LastEvaluatedKey"]


@SETTINGS
@given(
    n=st.integers(1, 120),
    deletes=st.lists(st.integers(0, SEEDED - 1), max_size=60, unique=True),
    chunk=st.integers(1, 25),
    opts=options,
    seed=st.integers(0, 2**32),
)
def test_batch_write_never_loses_an_item(  # noqa: PLR0917
    env: BatchEnv,
    faults: RandomFaults,
    n: int,
    deletes: list[int],
    chunk: int,
    opts: dict[str, Any],
    seed: int,
) -> None:
    faults.rng.seed(seed)
    table = env.Doc.__dynamorm__.table
    run = uuid.uuid4().hex
    puts = [env.Doc(pk=run, sk=f"s{i:04d}", size=i) for i in range(n)]
    delete_sks = {f"s{i:04d}" for i in deletes}
    restore = [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": sk}}}} for sk in delete_sks]
    for start in range(0, len(restore), 25):  # put back what an earlier example deleted
        faults.upstream.batch_write_item(RequestItems={table: restore[start : start + 25]})
    try:
        env.db.model(env.Doc).batch_write(
            puts=puts,
            deletes=[("p", sk) for sk in sorted(delete_sks)],
            options=BatchWriteOptions(
                chunk_size=chunk,
                parallel=opts["parallel"],
                max_concurrency=opts["max_concurrency"],
                retry_policy=policy(opts["retries"]),
            ),
        )
        left: list[dict[str, Any]] = []
    except BatchWriteError as exc:
        left = exc.unprocessed
    left_puts = {r["PutRequest"]["Item"]["sk"]["S"] for r in left if "PutRequest" in r}
    left_deletes = {r["DeleteRequest"]["Key"]["sk"]["S"] for r in left if "DeleteRequest" in r}
    assert len(left) == len(left_puts) + len(left_deletes), "a request is listed twice"
    written = sks_of(faults.upstream, table, run)
    assert not written & left_puts, "a put is both stored and listed as unprocessed"
    assert written | left_puts == {d.sk for d in puts}, "a put was lost"
    remaining = sks_of(faults.upstream, table, "p") & delete_sks
    assert remaining == left_deletes, "a delete was lost, or applied and listed"
