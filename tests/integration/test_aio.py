"""What only the asyncio API has, against the session server: many
requests at once on one event loop, cancellation of the awaiting task,
``cancel=`` an ``asyncio.Event``, deadlines, ``async for``, ``async with``,
and an ``AsyncDB`` used across event loops. (Every other scenario of the
suite runs on the asyncio API in the ``DYNAMORM_TEST_API=async`` pass.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from dynamorm import AsyncDB, BatchGetOptions, Model, RetryPolicy, field
from dynamorm.errors import OperationCancelledError, OperationTimeoutError

from tests._support.proxy import FaultProxy
from tests._support.servers import silent_server
from tests.conftest import FAST_PATH, REGION

SLOW = RetryPolicy(max_retries=5, initial_delay=5.0, max_delay=5.0, jitter=0)


def note_model(table: str) -> type[Model]:
    class Note(Model, table=table):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        body: str = ""

    return Note


def async_db(endpoint: str, **options: Any) -> AsyncDB:
    return AsyncDB(region_name=REGION, endpoint_url=endpoint, fast_path=FAST_PATH, **options)


@pytest.fixture
def Note(make_table: Callable[..., str]) -> type[Model]:
    return note_model(make_table())


def fill(endpoint: str, Note: Any, count: int) -> list[Any]:
    notes = [Note(pk="p", sk=f"s{i:04d}", body=f"b{i}") for i in range(count)]

    async def write() -> None:
        async with async_db(endpoint) as db:
            await db.model(Note).batch_create(notes)

    asyncio.run(write())
    return notes


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]


def test_500_concurrent_firsts_on_one_loop_all_read_their_own_item(
    ddb_endpoint: str, Note: Any
) -> None:
    notes = fill(ddb_endpoint, Note, 50)

    async def main() -> list[Any]:
        async with async_db(ddb_endpoint) as db:
            reads = [
                db.model(Note).where("pk", "=", "p").where("sk", "=", f"s{i % 50:04d}").first()
                for i in range(500)
            ]
            got = await asyncio.gather(*reads)
            assert other_tasks() == set()
            return got

    got = asyncio.run(main())
    assert [n.sk for n in got] == [notes[i % 50].sk for i in range(500)]
    assert [n.body for n in got] == [notes[i % 50].body for i in range(500)]


def test_async_for_reads_every_page_of_a_query(ddb_endpoint: str, Note: Any) -> None:
    notes = fill(ddb_endpoint, Note, 30)

    async def main() -> tuple[list[Any], list[Any], list[Any]]:
        async with async_db(ddb_endpoint) as db:
            query = db.model(Note).where("pk", "=", "p")
            lazily = [n async for n in query.iter()]
            capped = [n async for n in db.model(Note).where("pk", "=", "p").limit(7).iter()]
            scanned = [n async for n in db.model(Note).scan_iter()]
            return lazily, capped, scanned

    lazily, capped, scanned = asyncio.run(main())
    assert [n.sk for n in lazily] == [n.sk for n in notes]
    assert [n.sk for n in capped] == [n.sk for n in notes[:7]]
    assert sorted(n.sk for n in scanned) == [n.sk for n in notes]


def test_cancelling_the_task_of_a_parallel_batch_get_leaves_no_task_behind(
    fault_proxy: FaultProxy, Note: Any
) -> None:
    fill(fault_proxy.endpoint, Note, 40)
    fault_proxy.delay("BatchGetItem", 1.5)
    keys = [("p", f"s{i:04d}") for i in range(40)]
    options = BatchGetOptions(chunk_size=5, parallel=True, max_concurrency=4)

    async def main() -> tuple[bool, set[asyncio.Task[Any]], float]:
        async with async_db(fault_proxy.endpoint) as db:
            task = asyncio.create_task(
                db.model(Note).batch_get_with_options(keys, options, timeout=30)
            )
            await asyncio.sleep(0.3)  # four chunks in flight, held at the proxy
            started = time.monotonic()
            task.cancel()
            try:
                await task
                cancelled = False
            except asyncio.CancelledError:
                cancelled = True
            return cancelled, other_tasks(), time.monotonic() - started

    cancelled, left, took = asyncio.run(main())
    assert cancelled
    assert left == set()
    assert took < 1.0  # the chunks in flight were cancelled, not waited for
    assert len(fault_proxy.of("BatchGetItem")) == 4  # no chunk was sent after the cancel


def test_an_asyncio_event_cancels_a_batch_during_its_backoff(
    fault_proxy: FaultProxy, Note: Any
) -> None:
    fill(fault_proxy.endpoint, Note, 3)
    fault_proxy.throttle("BatchGetItem", times=None)

    async def main() -> tuple[BaseException | None, float]:
        cancel = asyncio.Event()
        asyncio.get_running_loop().call_later(0.2, cancel.set)
        started = time.monotonic()
        async with async_db(fault_proxy.endpoint, retry_policy=SLOW) as db:
            try:
                await db.model(Note).batch_get([("p", "s0000")], cancel=cancel)
            except OperationCancelledError as exc:
                return exc, time.monotonic() - started
        return None, time.monotonic() - started

    error, took = asyncio.run(main())
    assert type(error) is OperationCancelledError
    assert error.partial == []
    assert 0.2 <= took < 1.5  # not the 5 s backoff


def test_with_timeout_ends_a_read_the_server_never_answers_at_the_deadline() -> None:
    async def main(endpoint: str) -> tuple[BaseException | None, float]:
        Note = note_model("never-answered")
        async with async_db(endpoint) as db:
            started = time.monotonic()
            try:
                await (
                    db.with_timeout(0.5)
                    .model(Note)
                    .where("pk", "=", "a")
                    .where("sk", "=", "s")
                    .first()
                )
            except OperationTimeoutError as exc:
                return exc, time.monotonic() - started
        return None, time.monotonic() - started

    with silent_server() as server:
        error, took = asyncio.run(main(server.endpoint))
    assert isinstance(error, TimeoutError)
    assert "GetItem on Note" in str(error)
    assert 0.5 <= took < 1.5


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_async_with_transaction_commits_on_exit_and_sends_nothing_when_the_block_raises(
    fault_proxy: FaultProxy, Note: Any
) -> None:
    async def main() -> tuple[list[Any], list[Any]]:
        async with async_db(fault_proxy.endpoint) as db:
            async with db.transaction() as tx:
                tx.model(Note(pk="p", sk="a")).create()
                tx.model(Note(pk="p", sk="b")).create()
            with pytest.raises(ZeroDivisionError):
                async with db.transaction() as tx:
                    tx.model(Note(pk="p", sk="c")).create()
                    _ = 1 / 0
            stored = await db.model(Note).where("pk", "=", "p").all()
            reads = await db.transact_get().get(Note, ("p", "a")).get(Note, ("p", "c")).execute()
            return stored, reads

    stored, reads = asyncio.run(main())
    assert [n.sk for n in stored] == ["a", "b"]
    assert reads[0] is not None and reads[0].sk == "a" and reads[1] is None
    assert len(fault_proxy.of("TransactWriteItems")) == 1


def test_one_async_db_serves_one_event_loop_after_another(ddb_endpoint: str, Note: Any) -> None:
    db = async_db(ddb_endpoint)

    async def put_and_read(sk: str) -> Any:
        await db.model(Note(pk="p", sk=sk, body=sk)).create()
        return await db.model(Note).where("pk", "=", "p").where("sk", "=", sk).first()

    async def close() -> None:
        await db.close()

    first = asyncio.run(put_and_read("one"))
    second = asyncio.run(put_and_read("two"))
    asyncio.run(close())
    assert (first.body, second.body) == ("one", "two")


def test_table_operations_are_awaited_on_a_worker_thread(ddb_endpoint: str) -> None:
    Note = note_model("aio-schema-notes")

    async def main() -> tuple[str, bool]:
        async with async_db(ddb_endpoint) as db:
            await db.create_table(Note)
            described = await db.describe_table(Note)
            await db.model(Note(pk="p", sk="s")).create()
            await db.delete_table(Note)
            return described["TableStatus"], db.blocking.client is db.client

    status, shared = asyncio.run(main())
    assert status == "ACTIVE"
    assert shared
