"""``MemoryBackend`` as a ``DB``'s transport, and its boto3 clients: every
operation the library sends, answered in-process, seen the same way from
``DB`` and from boto3."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamorm import DB, AsyncDB, KeyPair, unmarshal_stream_record
from dynamorm.errors import (
    ConditionFailedError,
    TableNotFoundError,
    TransactionConditionFailedError,
    ValidationError,
)
from dynamorm.tables import table_definition
from dynamorm.testing import MemoryBackend

from tests.testing.kit_models import Account, Event


@pytest.fixture
def backend() -> MemoryBackend:
    return MemoryBackend()


@pytest.fixture(params=[True, False], ids=["fast_path", "standard_path"])
def db(request: pytest.FixtureRequest, backend: MemoryBackend) -> DB:
    db = DB(backend=backend, fast_path=request.param)
    db.create_table(Account)
    return db


def test_an_item_a_db_writes_is_read_back_by_the_db_and_by_a_boto3_client_on_the_backend(
    db: DB, backend: MemoryBackend
) -> None:
    db.model(Account(id="a1", owner="ann", balance=5, blob=b"\x00\xff")).create()
    assert db.model(Account).where("id", "=", "a1").first() == Account(
        id="a1", owner="ann", balance=5, blob=b"\x00\xff"
    )
    item = backend.client().get_item(TableName="kit-accounts", Key={"id": {"S": "a1"}})["Item"]
    assert item == {
        "id": {"S": "a1"},
        "owner": {"S": "ann"},
        "balance": {"N": "5"},
        "blob": {"B": b"\x00\xff"},
    }


def test_an_item_a_boto3_client_writes_is_read_by_a_db_on_the_same_backend(
    db: DB, backend: MemoryBackend
) -> None:
    backend.client().put_item(
        TableName="kit-accounts", Item={"id": {"S": "a2"}, "balance": {"N": "7"}}
    )
    assert db.model(Account).where("id", "=", "a2").first() == Account(id="a2", balance=7)


def test_two_dbs_on_one_backend_share_tables_and_two_backends_do_not(
    db: DB, backend: MemoryBackend
) -> None:
    db.model(Account(id="a1")).create()
    assert DB(backend=backend).model(Account).where("id", "=", "a1").first() == Account(id="a1")
    with pytest.raises(TableNotFoundError):
        DB(backend=MemoryBackend()).model(Account).where("id", "=", "a1").first()


def test_db_client_is_a_boto3_client_answered_by_the_backend(db: DB) -> None:
    db.model(Account(id="a1")).create()
    assert db.client.meta.service_model.service_name == "dynamodb"
    assert db.client.scan(TableName="kit-accounts")["Count"] == 1


def test_a_failed_condition_raises_condition_failed_error_with_the_item(db: DB) -> None:
    db.model(Account(id="a1", balance=1)).create()
    with pytest.raises(ConditionFailedError) as failed:
        db.model(Account(id="a1", balance=2)).if_not_exists().create()
    assert failed.value.item == Account(id="a1", balance=1)


def test_update_and_delete_change_what_a_query_reads(db: DB) -> None:
    account = db.model(Account(id="a1", balance=1)).create()
    account.balance = 9
    db.model(account).update("balance")
    assert db.model(Account).where("id", "=", "a1").first() == Account(id="a1", balance=9)
    db.model(account).delete()
    assert db.model(Account).where("id", "=", "a1").all() == []


def test_a_gsi_query_and_a_paged_scan_read_every_matching_item(db: DB) -> None:
    for i in range(7):
        db.model(Account(id=f"a{i}", owner="ann" if i % 2 else "bob")).create()
    owned = db.model(Account).where("owner", "=", "ann").all()
    assert sorted(a.id for a in owned) == ["a1", "a3", "a5"]
    first = db.model(Account).limit(3).scan_paginated()
    second = db.model(Account).limit(3).cursor(first.next_cursor).scan_paginated()
    third = db.model(Account).limit(3).cursor(second.next_cursor).scan_paginated()
    assert [len(p.items) for p in (first, second, third)] == [3, 3, 1]
    read = [a.id for p in (first, second, third) for a in p.items]
    assert sorted(read) == [f"a{i}" for i in range(7)]


def test_batch_write_and_batch_get_round_trip_through_the_backend(db: DB) -> None:
    db.model(Account).batch_create([Account(id=f"a{i}", balance=i) for i in range(30)])
    got = db.model(Account).batch_get([f"a{i}" for i in (3, 29, 99)])
    assert [a.balance for a in got] == [3, 29]


def test_a_cancelled_transaction_names_the_failed_operation_and_writes_nothing(db: DB) -> None:
    db.model(Account(id="a1")).create()
    with pytest.raises(TransactionConditionFailedError) as cancelled, db.transaction() as tx:
        tx.model(Account(id="a2")).create()
        tx.model(Account(id="a1")).if_not_exists().create()
    assert cancelled.value.operation_index == 1
    assert db.model(Account).where("id", "=", "a2").all() == []
    got = db.transact_get().get(Account, "a1").get(Account, "a2").execute()
    assert got == [Account(id="a1"), None]


def test_describe_and_delete_table_go_through_the_backend(db: DB) -> None:
    assert db.describe_table(Account)["TableName"] == "kit-accounts"
    db.delete_table(Account)
    assert db.client.list_tables()["TableNames"] == []


def test_a_boto3_client_error_is_botocores_client_error_with_dynamodbs_code(
    backend: MemoryBackend,
) -> None:
    with pytest.raises(ClientError) as failed:
        backend.client().get_item(TableName="missing", Key={"id": {"S": "x"}})
    assert failed.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_stream_records_read_as_dynamodbstreams_gives_them_and_unmarshal_into_models(
    backend: MemoryBackend,
) -> None:
    backend.client().create_table(**table_definition(Event, stream="NEW_AND_OLD_IMAGES"))
    db = DB(backend=backend)
    event = db.model(Event(stream="s", seq=1, kind="a")).create()
    event.kind = "b"
    db.model(event).update("kind")
    records = backend.stream_records(Event)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], datetime)
    assert unmarshal_stream_record(records[1], Event) == Event(stream="s", seq=1, kind="b")
    assert unmarshal_stream_record(records[1], Event, image="OldImage") == Event(
        stream="s", seq=1, kind="a"
    )
    assert backend.stream_records("kit-events") == records


def test_expire_ttl_deletes_the_items_whose_time_has_come_and_records_their_removal(
    backend: MemoryBackend,
) -> None:
    client = backend.client()
    client.create_table(**table_definition(Event, stream="KEYS_ONLY"))
    client.update_time_to_live(
        TableName="kit-events",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
    )
    db = DB(backend=backend)
    db.model(Event(stream="s", seq=1, expires=1_000)).create()
    db.model(Event(stream="s", seq=2, expires=3_000)).create()
    assert backend.expire_ttl(now=2_000) == 1
    assert [e.seq for e in db.model(Event).where("stream", "=", "s").all()] == [2]
    assert backend.stream_records(Event)[-1]["eventName"] == "REMOVE"


def test_an_async_db_on_the_backend_sees_what_a_db_wrote(db: DB, backend: MemoryBackend) -> None:
    db.model(Account(id="a1", balance=3)).create()

    async def main() -> list[Any]:
        async with AsyncDB(backend=backend) as adb:
            await adb.model(Account(id="a2", balance=4)).create()
            return await adb.model(Account).batch_get(["a1", "a2"])

    assert [a.balance for a in asyncio.run(main())] == [3, 4]


def test_db_refuses_a_backend_with_a_client_or_client_options(backend: MemoryBackend) -> None:
    with pytest.raises(ValidationError, match=r"either backend= or client="):
        DB(backend=backend, client=backend.client())
    with pytest.raises(ValidationError, match=r"either backend= or endpoint_url="):
        DB(backend=backend, endpoint_url="http://127.0.0.1:1")
    with pytest.raises(ValidationError, match=r"AsyncDB: pass either backend= or region_name="):
        AsyncDB(backend=backend, region_name="us-east-1")


def test_db_refuses_a_backend_that_is_not_a_memory_backend() -> None:
    with pytest.raises(
        ValidationError, match=r"backend must be a dynamorm\.testing\.MemoryBackend"
    ):
        DB(backend=object())  # type: ignore[arg-type]


def test_stream_records_and_expire_ttl_refuse_what_they_cannot_read(
    backend: MemoryBackend,
) -> None:
    with pytest.raises(ValidationError, match="expected a model class or a table name"):
        backend.stream_records(42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="now must be a number"):
        backend.expire_ttl(now="soon")  # type: ignore[arg-type]


def test_a_key_pair_key_on_a_table_with_a_sort_key_reads_the_item(backend: MemoryBackend) -> None:
    db = DB(backend=backend)
    db.create_table(Event)
    db.model(Event(stream="s", seq=5, kind="k")).create()
    assert db.model(Event).batch_get([KeyPair("s", 5)]) == [Event(stream="s", seq=5, kind="k")]
