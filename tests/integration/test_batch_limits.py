"""Batch writes against DynamoDB's item limits and a chunk the server refuses.

Items DynamoDB would refuse (over 400 KB, an empty or over-long key value)
are refused before any chunk is sent, naming the request; a chunk refused by
the server anyway (a ValidationException, a missing table) is a
``BatchWriteError`` listing exactly the writes not applied — that chunk and
the ones not sent — while the chunks before it stay stored. Stored items are
read with a plain boto3 client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dynamorm import DB, BatchWriteOptions, KeyPair, RetryPolicy
from dynamorm.errors import BatchWriteError, TableNotFoundError, ValidationError
from dynamorm.item_limits import MAX_ITEM_BYTES, item_size

from tests._support.proxy import FaultProxy
from tests.conftest import client_for
from tests.integration.batch_support import BatchEnv, batch_env, define_models

FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[BatchEnv]:
    yield from batch_env(ddb_endpoint)


@pytest.fixture
def proxied(fault_proxy: FaultProxy, proxied_db: DB) -> Iterator[BatchEnv]:
    yield from batch_env(fault_proxy.endpoint, proxied_db)


def stored_sks(endpoint: str, env: BatchEnv) -> list[str]:
    """The sort keys in the Doc table, read with a plain boto3 client."""
    client = client_for(endpoint)
    table = env.Doc.__dynamorm__.table
    pages = client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return sorted(item["sk"]["S"] for page in pages for item in page["Items"])


def docs(env: BatchEnv, n: int) -> list[Any]:
    return [env.Doc(pk="p", sk=f"s{i:04d}") for i in range(n)]


def put_sks(requests: list[dict[str, Any]]) -> list[str]:
    return [r["PutRequest"]["Item"]["sk"]["S"] for r in requests]


# -- refused before sending -----------------------------------------------------


def test_a_500_kb_item_at_position_60_is_refused_naming_it_and_nothing_is_written(
    env: BatchEnv, ddb_endpoint: str
) -> None:
    items = docs(env, 100)
    items[60].data = "x" * 500_000
    with pytest.raises(ValidationError) as info:
        env.db.model(env.Doc).batch_create(items)
    message = str(info.value)
    assert message.startswith("Doc.batch_create(): puts[60]: the item (key ")
    assert "'s0060'" in message
    assert "is 500,1" in message  # 500,000 bytes of data plus the other attributes
    assert "over DynamoDB's limit of 409,600 bytes (400 KB)" in message
    assert env.recorder.ops == []
    assert stored_sks(ddb_endpoint, env) == []
    assert items[0].created is None  # nothing stored, nothing stamped


def test_an_item_of_exactly_400_kb_is_sent_and_one_byte_more_is_not(
    env: BatchEnv, ddb_endpoint: str, ddb_server: str
) -> None:
    env.db.model(env.Doc).batch_create([env.Doc(pk="p", sk="s0000")])
    (stored,) = client_for(ddb_endpoint).scan(TableName=env.Doc.__dynamorm__.table)["Items"]
    room = MAX_ITEM_BYTES - item_size(stored)  # the timestamps are fixed-length text
    with pytest.raises(ValidationError, match=r"puts\[0\]: .* is 409,601 bytes"):
        env.db.model(env.Doc).batch_create([env.Doc(pk="p", sk="s0001", data="x" * (room + 1))])
    env.recorder.clear()
    exact = env.Doc(pk="p", sk="s0001", data="x" * room)
    if ddb_server == "dynalite":  # counts sizes as DynamoDB documents them
        env.db.model(env.Doc).batch_create([exact])
        assert stored_sks(ddb_endpoint, env) == ["s0000", "s0001"]
    else:  # moto refuses items over its own, lower, 405,000-byte estimate
        with pytest.raises(BatchWriteError) as info:
            env.db.model(env.Doc).batch_create([exact])
        assert isinstance(info.value.__cause__, ValidationError)
    assert env.recorder.ops == ["BatchWriteItem"]  # the check let it through


@pytest.mark.parametrize(
    ("position", "change", "fault"),
    [
        (30, {"pk": ""}, "the partition key 'pk' is empty"),
        (30, {"sk": ""}, "the sort key 'sk' is empty"),
        # 1,025 characters but 2,050 UTF-8 bytes: the limit counts bytes.
        (40, {"pk": "é" * 1025}, "the partition key 'pk' is 2,050 bytes, over DynamoDB's limit "),
        (40, {"sk": "k" * 1025}, "the sort key 'sk' is 1,025 bytes, over DynamoDB's limit of "),
    ],
)
def test_a_bad_key_in_a_put_is_refused_naming_it_before_any_chunk_is_sent(
    env: BatchEnv, ddb_endpoint: str, position: int, change: dict[str, str], fault: str
) -> None:
    items = docs(env, 50)
    for name, value in change.items():
        setattr(items[position], name, value)
    with pytest.raises(ValidationError) as info:
        env.db.model(env.Doc).batch_write(puts=items)
    assert str(info.value).startswith(f"Doc.batch_write(): puts[{position}]: {fault}")
    assert env.recorder.ops == []
    assert stored_sks(ddb_endpoint, env) == []


def test_keys_at_the_limits_are_stored(env: BatchEnv, ddb_endpoint: str) -> None:
    pk, sk = "p" * 2048, "€" * 341 + "k"  # 2,048 bytes; 1,024 bytes in 342 characters
    env.db.model(env.Doc).batch_create([env.Doc(pk=pk, sk=sk)])
    assert stored_sks(ddb_endpoint, env) == [sk]
    env.db.model(env.Doc).batch_delete([KeyPair(pk, sk)])
    assert stored_sks(ddb_endpoint, env) == []


@pytest.mark.parametrize(
    ("key", "fault"),
    [
        (("p", ""), "the sort key 'sk' is empty"),
        (
            ("p" * 2049, "s"),
            "the partition key 'pk' is 2,049 bytes, over DynamoDB's limit of 2,048",
        ),
    ],
)
def test_a_bad_key_in_a_delete_is_refused_naming_it_before_any_chunk_is_sent(
    env: BatchEnv, ddb_endpoint: str, key: tuple[str, str], fault: str
) -> None:
    env.seed(40)
    deletes = [("p", f"s{i:04d}") for i in range(40)]
    deletes.insert(33, key)
    with pytest.raises(ValidationError) as info:
        env.db.model(env.Doc).batch_delete(deletes)
    assert str(info.value).startswith(f"Doc.batch_delete(): deletes[33]: {fault}")
    assert env.recorder.ops == []
    assert len(stored_sks(ddb_endpoint, env)) == 40


# -- refused by the server ------------------------------------------------------


def refuse_chunk_holding(sk: str) -> Any:
    """A proxy hook answering ValidationException, as DynamoDB refuses a
    whole batch, to every BatchWriteItem whose first put has sort key ``sk``."""

    def hook(operation: str, body: dict[str, Any]) -> Any:
        (requests,) = body["RequestItems"].values()
        if requests[0]["PutRequest"]["Item"]["sk"]["S"] == sk:
            message = "One or more parameter values were invalid (injected)"
            return 400, {
                "__type": "com.amazon.coral.validate#ValidationException",
                "message": message,
            }
        return None

    return hook


def test_a_chunk_the_server_refuses_is_a_batch_write_error_listing_it_and_the_rest(
    proxied: BatchEnv, fault_proxy: FaultProxy, ddb_endpoint: str
) -> None:
    items = docs(proxied, 100)
    fault_proxy.reset()
    fault_proxy.custom(refuse_chunk_holding("s0025"), "BatchWriteItem")
    with pytest.raises(BatchWriteError) as info:
        proxied.db.model(proxied.Doc).batch_create(items, BatchWriteOptions(retry_policy=FAST))
    err = info.value
    assert isinstance(err.__cause__, ValidationError)
    assert "injected" in str(err.__cause__)
    assert put_sks(err.unprocessed) == [d.sk for d in items[25:]]
    assert "25 write requests were applied, 75 were not" in str(err)
    assert str(err).startswith("Doc.batch_create(): a BatchWriteItem request failed")
    assert stored_sks(ddb_endpoint, proxied) == [d.sk for d in items[:25]]
    assert len(fault_proxy.of("BatchWriteItem")) == 2  # refused once, never retried
    assert items[24].created is not None and items[25].created is None


def test_in_parallel_a_refused_chunk_lists_every_write_not_applied(
    proxied: BatchEnv, fault_proxy: FaultProxy, ddb_endpoint: str
) -> None:
    items = docs(proxied, 200)
    fault_proxy.reset()
    fault_proxy.delay("BatchWriteItem", 0.05)
    fault_proxy.custom(refuse_chunk_holding("s0050"), "BatchWriteItem")
    with pytest.raises(BatchWriteError) as info:
        proxied.db.model(proxied.Doc).batch_create(
            items, BatchWriteOptions(parallel=True, max_concurrency=3, retry_policy=FAST)
        )
    left = put_sks(info.value.unprocessed)
    stored = stored_sks(ddb_endpoint, proxied)
    assert {d.sk for d in items[50:75]} <= set(left)  # the refused chunk
    assert not set(left) & set(stored)
    assert sorted(left + stored) == [d.sk for d in items]
    assert f"{len(stored)} write requests were applied, {len(left)} were not" in str(info.value)


def test_a_missing_table_is_a_batch_write_error_whose_cause_names_it(env: BatchEnv) -> None:
    Ghost, _ = define_models("never-created")
    items = [Ghost(pk="p", sk=f"s{i}") for i in range(30)]
    with pytest.raises(BatchWriteError) as info:
        env.db.model(Ghost).batch_create(items)
    assert isinstance(info.value.__cause__, TableNotFoundError)
    assert len(info.value.unprocessed) == 30
    assert "0 write requests were applied, 30 were not" in str(info.value)
