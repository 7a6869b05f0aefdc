"""Batch writes on a plain server: chunks of 25, creates stamped like
``create``, deletes by key or instance, mixed puts and deletes, duplicate
keys refused before sending, progress, timeout; and batch get's real
``UnprocessedKeys`` path (large items, no injection)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dynamorm import BatchGetOptions, BatchWriteOptions, KeyPair, RetryPolicy
from dynamorm.errors import OperationTimeoutError, ValidationError

from tests.integration.batch_support import BatchEnv, batch_env


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[BatchEnv]:
    yield from batch_env(ddb_endpoint)


def sizes(env: BatchEnv) -> list[int]:
    table = env.Doc.__dynamorm__.table
    return [len(p["RequestItems"][table]) for p in env.batch_requests("BatchWriteItem")]


def stored(env: BatchEnv) -> dict[str, dict[str, object]]:
    table = env.Doc.__dynamorm__.table
    items = env.client.scan(TableName=table, ConsistentRead=True)["Items"]
    return {i["sk"]["S"]: i for i in items}


def test_batch_create_in_chunks_of_25_stamped_like_create(env: BatchEnv) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i:04d}", name=f"n{i}") for i in range(60)]
    docs[5].version = 4
    progress: list[tuple[int, int]] = []
    out = env.db.model(env.Doc).batch_create(
        docs, BatchWriteOptions(progress_callback=lambda d, t: progress.append((d, t)))
    )
    assert out == docs
    assert sizes(env) == [25, 25, 10]
    assert progress == [(25, 60), (50, 60), (60, 60)]
    items = stored(env)
    assert sorted(items) == [d.sk for d in docs]
    assert docs[0].created is not None and docs[0].updated == docs[0].created
    assert docs[0].version == 0 and docs[5].version == 4
    got = env.db.model(env.Doc).batch_get([d for d in docs])
    assert got == docs


def test_batch_delete_by_keys_and_instances(env: BatchEnv) -> None:
    docs = env.seed(30)
    env.db.model(env.Doc).batch_delete([("p", "s0000"), KeyPair("p", "s0001"), *docs[2:20]])
    assert sorted(stored(env)) == [d.sk for d in docs[20:]]
    assert sizes(env) == [20]
    tags = [env.Tag(id=i) for i in range(3)]
    env.db.model(env.Tag).batch_create(tags)
    env.db.model(env.Tag).batch_delete([0, 2])
    assert env.db.model(env.Tag).batch_get([0, 1, 2]) == [tags[1]]


def test_batch_write_puts_and_deletes_together(env: BatchEnv) -> None:
    docs = env.seed(10)
    new = [env.Doc(pk="q", sk=f"s{i}") for i in range(20)]
    env.db.model(env.Doc).batch_write(
        puts=new, deletes=[("p", d.sk) for d in docs[:8]], options=BatchWriteOptions(chunk_size=10)
    )
    assert sizes(env) == [10, 10, 8]
    assert sorted(stored(env)) == sorted([d.sk for d in docs[8:]] + [d.sk for d in new])


@pytest.mark.parametrize(
    ("puts", "deletes", "message"),
    [
        ([("p", "a"), ("p", "b"), ("p", "a")], [], r"puts\[0\] and puts\[2\] have the same key"),
        ([("p", "a")], [("p", "x"), ("p", "a")], r"puts\[0\] and deletes\[1\] have the same key"),
        ([], [KeyPair("p", "x"), ("p", "x")], r"deletes\[0\] and deletes\[1\]"),
    ],
)
def test_duplicate_keys_are_refused_before_sending(
    env: BatchEnv, puts: list[tuple[str, str]], deletes: list[object], message: str
) -> None:
    items = [env.Doc(pk=pk, sk=sk) for pk, sk in puts]
    with pytest.raises(ValidationError, match=message):
        env.db.model(env.Doc).batch_write(puts=items, deletes=deletes)
    assert env.recorder.ops == []


def test_bad_input_is_refused_before_sending(env: BatchEnv) -> None:
    with pytest.raises(ValidationError, match=r"puts\[1\] is Tag, expected a Doc instance"):
        env.db.model(env.Doc).batch_create([env.Doc(pk="p", sk="a"), env.Tag(id=1)])
    with pytest.raises(ValidationError, match="expected an iterable of Doc instances"):
        env.db.model(env.Doc).batch_create(env.Doc(pk="p", sk="a"))
    with pytest.raises(ValidationError, match=r"deletes: keys\[0\]"):
        env.db.model(env.Doc).batch_delete(["p"])
    with pytest.raises(ValidationError, match=r"chunk_size must be an int in 1\.\.25"):
        env.db.model(env.Doc).batch_create([], BatchWriteOptions(chunk_size=26))
    assert env.recorder.ops == []


def test_timeout_zero_writes_nothing(env: BatchEnv) -> None:
    docs = [env.Doc(pk="p", sk=f"s{i}") for i in range(30)]
    with pytest.raises(OperationTimeoutError) as info:
        env.db.model(env.Doc).batch_create(docs, timeout=0)
    assert len(info.value.partial) == 30
    assert env.recorder.ops == [] and docs[0].created is None


def test_real_unprocessed_keys_from_large_items(env: BatchEnv, ddb_server: str) -> None:
    """The server itself leaves keys unprocessed when a response would be
    too large (dynalite: ~1 MB, moto: 16 MB); nothing is injected."""
    size = 30_000 if ddb_server == "dynalite" else 250_000
    docs = env.seed(100, size=size)
    got = env.db.model(env.Doc).batch_get_with_options(
        [(d.pk, d.sk) for d in docs],
        BatchGetOptions(retry_policy=RetryPolicy(max_retries=10, initial_delay=0.01)),
    )
    assert got == docs
    table = env.Doc.__dynamorm__.table
    sent = [len(p["RequestItems"][table]["Keys"]) for p in env.batch_requests()]
    assert sent[0] == 100 and len(sent) >= 2 and sum(sent) > 100
