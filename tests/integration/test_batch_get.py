"""Batch get on a plain server (SPEC §7): chunking and request counts,
progress, input order, duplicates and missing keys, every key form, options
and the builder, projection, consistent reads, cancel and timeout. Fault
scenarios (unprocessed keys, throttling, failing chunks, reordering,
concurrency limits) are in test_batch_faults.py."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from dynamorm import BatchGetOptions, KeyPair, RetryPolicy
from dynamorm.errors import OperationCancelledError, OperationTimeoutError, ValidationError

from tests.integration.batch_support import BatchEnv, batch_env


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[BatchEnv]:
    yield from batch_env(ddb_endpoint)


def keys(n: int, prefix: str = "p") -> list[tuple[str, str]]:
    return [(prefix, f"s{i:04d}") for i in range(n)]


def chunk_sizes(env: BatchEnv, table: str | None = None) -> list[int]:
    table = table or env.Doc.__dynamorm__.table
    return [len(p["RequestItems"][table]["Keys"]) for p in env.batch_requests()]


@pytest.mark.parametrize("n", [50, 100])
def test_up_to_100_keys_is_one_request(env: BatchEnv, n: int) -> None:
    docs = env.seed(n)
    got = env.db.model(env.Doc).batch_get(keys(n))
    assert got == docs
    assert env.recorder.ops == ["BatchGetItem"]
    assert chunk_sizes(env) == [n]


def test_250_keys_in_chunks_of_100_with_progress(env: BatchEnv) -> None:
    docs = env.seed(250)
    progress: list[tuple[int, int]] = []
    opts = BatchGetOptions(
        chunk_size=100, progress_callback=lambda done, total: progress.append((done, total))
    )
    got = env.db.model(env.Doc).batch_get_with_options(keys(250), opts)
    assert got == docs
    assert chunk_sizes(env) == [100, 100, 50]
    assert progress == [(100, 250), (200, 250), (250, 250)]


def test_input_order_duplicates_once_missing_skipped(env: BatchEnv) -> None:
    docs = env.seed(30)
    order = list(range(30))
    random.Random(7).shuffle(order)
    wanted: list[Any] = [("p", f"s{i:04d}") for i in order]
    wanted.insert(5, ("p", "nope"))  # missing
    wanted.insert(9, wanted[2])  # a duplicate
    wanted.append(("q", "s0001"))  # missing
    got = env.db.model(env.Doc).batch_get(wanted)
    assert got == [docs[i] for i in order]
    sent = env.batch_requests()[0]["RequestItems"][env.Doc.__dynamorm__.table]["Keys"]
    assert len(sent) == 32  # 30 found + 2 missing, the duplicate once
    assert len({(k["pk"]["S"], k["sk"]["S"]) for k in sent}) == 32


def test_every_key_form(env: BatchEnv) -> None:
    docs = env.seed(4)
    got = env.db.model(env.Doc).batch_get(
        [KeyPair("p", "s0002"), ("p", "s0000"), docs[3], env.Doc(pk="p", sk="s0001")]
    )
    assert [d.sk for d in got] == ["s0002", "s0000", "s0003", "s0001"]
    tags = [env.Tag(id=i, label=f"l{i}") for i in range(5)]
    for tag in tags:
        env.db.model(tag).create()
    got_tags = env.db.model(env.Tag).batch_get([3, KeyPair(1), tags[4], 3, 99])
    assert got_tags == [tags[3], tags[1], tags[4]]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["p"], r"keys\[0\]: Doc has a sort key \('sk'\)"),
        ([("p", "a"), ("p", "b", "c")], r"keys\[1\]: a key tuple must be \(pk, sk\)"),
        ([KeyPair("p")], r"keys\[0\]: the sk \('sk'\) is missing"),
        ([("p", "a"), ("p", 5)], r"keys\[1\]"),
        ("pa", "expected an iterable of keys"),
    ],
)
def test_bad_keys_are_refused_before_sending(env: BatchEnv, given: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        env.db.model(env.Doc).batch_get(given)
    assert env.recorder.ops == []


def test_bad_keys_on_a_pk_only_table(env: BatchEnv) -> None:
    with pytest.raises(ValidationError, match=r"keys\[1\]: Tag has no sort key"):
        env.db.model(env.Tag).batch_get([1, (1, 2)])
    with pytest.raises(ValidationError, match=r"keys\[0\]: Tag has no sort key, but sk=2"):
        env.db.model(env.Tag).batch_get([KeyPair(1, 2)])
    with pytest.raises(ValidationError, match=r"keys\[0\]: a Doc instance, expected Tag"):
        env.db.model(env.Tag).batch_get([env.Doc(pk="p", sk="s")])
    assert env.recorder.ops == []


def test_key_forms_mixed_deep_in_a_list_encode_like_one_by_one(env: BatchEnv) -> None:
    # key_dicts takes the common forms in a quick loop and hands the rest to
    # the careful per-key path: the result, and errors, must not depend on
    # where in the list the quick loop stops.
    from dynamorm.keys import _key_dict, key_dicts

    meta = env.Doc.__dynamorm__
    doc = env.Doc(pk="p", sk="inst")
    given: list[Any] = [*keys(5), KeyPair("p", "kp"), doc, ("q", "after"), KeyPair("r", "s")]
    one_by_one = [_key_dict(meta, k, "x") for k in given]
    assert key_dicts(meta, given, "x") == one_by_one
    assert one_by_one[6] == {"pk": {"S": "p"}, "sk": {"S": "inst"}}
    tag_meta = env.Tag.__dynamorm__
    tags: list[Any] = [1, KeyPair(2), 3, env.Tag(id=4), 5]
    assert key_dicts(tag_meta, tags, "x") == [_key_dict(tag_meta, k, "x") for k in tags]
    for bad, message in [
        (("p", None), r"x: keys\[7\]: the sk \('sk'\) is missing"),
        (("p", 5), r"x: keys\[7\]"),
        (KeyPair(None, "s"), r"x: keys\[7\]: the pk \('pk'\) is missing"),
    ]:
        with pytest.raises(ValidationError, match=message):
            key_dicts(meta, [*keys(7), bad, *keys(3)], "x")
    with pytest.raises(ValidationError, match=r"x: keys\[2\]: the pk \('id'\) is missing"):
        key_dicts(tag_meta, [1, 2, KeyPair(None), 4], "x")


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        (BatchGetOptions(chunk_size=101), "chunk_size must be an int in 1..100"),
        (BatchGetOptions(chunk_size=0), "chunk_size must be an int in 1..100"),
        (BatchGetOptions(max_concurrency=0), "max_concurrency must be a positive int"),
    ],
)
def test_bad_options(env: BatchEnv, opts: BatchGetOptions, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        env.db.model(env.Doc).batch_get_with_options(keys(3), opts)
    assert env.recorder.ops == []


def test_no_keys_sends_nothing(env: BatchEnv) -> None:
    assert env.db.model(env.Doc).batch_get([]) == []
    assert env.recorder.ops == []


def test_consistent_read_on_every_chunk(env: BatchEnv) -> None:
    env.seed(30)
    got = env.db.model(env.Doc).batch_get_with_options(
        keys(30), BatchGetOptions(chunk_size=10, consistent_read=True)
    )
    assert len(got) == 30
    table = env.Doc.__dynamorm__.table
    requests = env.batch_requests()
    assert len(requests) == 3
    assert all(p["RequestItems"][table]["ConsistentRead"] is True for p in requests)


def test_select_projects_escaped_names_and_the_key(env: BatchEnv) -> None:
    env.seed(3)
    got = env.db.model(env.Doc).batch_get_builder().keys(keys(3)).select("name", "size").execute()
    assert [(d.sk, d.name, d.size, d.status) for d in got] == [
        ("s0000", "n0", 0, "new"),
        ("s0001", "n1", 1, "new"),
        ("s0002", "n2", 2, "new"),
    ]
    request = env.batch_requests()[0]["RequestItems"][env.Doc.__dynamorm__.table]
    names = request["ExpressionAttributeNames"]
    assert sorted(names.values()) == ["name", "pk", "size", "sk"]
    projected = [p.strip() for p in request["ProjectionExpression"].split(",")]
    assert sorted(names[p] for p in projected) == ["name", "pk", "size", "sk"]


def test_builder_with_every_option(env: BatchEnv) -> None:
    docs = env.seed(120)
    progress: list[tuple[int, int]] = []
    got = (
        env.db.model(env.Doc)
        .batch_get_builder()
        .keys(keys(60))
        .keys(keys(120)[60:])
        .chunk_size(25)
        .consistent_read()
        .parallel(3)
        .with_retry(RetryPolicy(max_retries=1))
        .on_progress(lambda done, total: progress.append((done, total)))
        .on_error(lambda keys, exc: None)
        .execute(timeout=30)
    )
    assert got == docs
    assert sorted(chunk_sizes(env)) == [20, 25, 25, 25, 25]
    assert len(progress) == 5 and progress[-1] == (120, 120)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_builder_refuses_bad_input_where_it_is_given(env: BatchEnv) -> None:
    builder = env.db.model(env.Doc).batch_get_builder()
    with pytest.raises(ValidationError, match=r"keys\[1\]"):
        builder.keys([("p", "a"), "b"])
    with pytest.raises(ValidationError, match="chunk_size"):
        builder.chunk_size(500)
    with pytest.raises(ValidationError, match="max_concurrency"):
        builder.parallel(0)
    with pytest.raises(ValidationError, match="has no field 'nope'"):
        builder.select("nope")
    with pytest.raises(ValidationError, match=r"Doc\.batch_get_builder\(\)\.with_retry\(\)"):
        builder.with_retry("3")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="initial_delay goes into the RetryPolicy"):
        builder.with_retry(RetryPolicy(), 0.5)


def test_parallel_returns_everything_in_order(env: BatchEnv) -> None:
    docs = env.seed(500)
    order = list(range(500))
    random.Random(3).shuffle(order)
    got = env.db.model(env.Doc).batch_get_with_options(
        [("p", f"s{i:04d}") for i in order],
        BatchGetOptions(chunk_size=50, parallel=True, max_concurrency=5),
    )
    assert got == [docs[i] for i in order]
    assert sorted(chunk_sizes(env)) == [50] * 10


def test_cancel_after_3_of_10_chunks(env: BatchEnv) -> None:
    docs = env.seed(100)
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 30:
            cancel.set()

    with pytest.raises(OperationCancelledError) as info:
        env.db.model(env.Doc).batch_get_with_options(
            keys(100), BatchGetOptions(chunk_size=10, progress_callback=progress), cancel=cancel
        )
    assert not isinstance(info.value, TimeoutError)
    assert info.value.partial == docs[:30]
    assert chunk_sizes(env) == [10, 10, 10]


def test_cancel_in_parallel_stops_after_the_requests_in_flight(env: BatchEnv) -> None:
    docs = env.seed(100)
    cancel = threading.Event()
    with pytest.raises(OperationCancelledError) as info:
        env.db.model(env.Doc).batch_get_with_options(
            keys(100),
            BatchGetOptions(
                chunk_size=10,
                parallel=True,
                max_concurrency=2,
                progress_callback=lambda done, total: cancel.set(),
            ),
            cancel=cancel,
        )
    sent = len(env.batch_requests())
    assert 1 <= sent <= 3  # the first to finish, plus at most two in flight
    partial = info.value.partial
    assert len(partial) == sent * 10
    assert partial == [d for d in docs if d in partial]  # input order


def test_timeout_zero_stops_before_the_first_request(env: BatchEnv) -> None:
    env.seed(5)
    with pytest.raises(OperationTimeoutError) as info:
        env.db.model(env.Doc).batch_get(keys(5), timeout=0)
    assert isinstance(info.value, TimeoutError)
    assert info.value.partial == []
    assert env.recorder.ops == []
    with pytest.raises(OperationTimeoutError):
        env.db.with_timeout(0).model(env.Doc).batch_get(keys(5))
    assert env.recorder.ops == []


def test_missing_table_surfaces_as_a_dynamorm_error(env: BatchEnv) -> None:
    from dynamorm.errors import TableNotFoundError

    from tests.integration.batch_support import define_models

    Ghost, _ = define_models("never-created")
    with pytest.raises(TableNotFoundError):
        env.db.model(Ghost).batch_get([("p", "a")])
