"""``Faults`` on a real server (moto, over HTTP), answered from the
``before-send`` event of the ``DB``'s client: the same faults the
``MemoryBackend`` injects, seen the same way through the library."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from dynamorm import DB, RetryPolicy
from dynamorm.observe import RequestInfo
from dynamorm.testing import Faults
from dynamorm.testing.server_faults import attach

from tests.conftest import REGION
from tests.testing.kit_models import Account

pytestmark = pytest.mark.integration

FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.01)


@pytest.fixture
def seen() -> list[RequestInfo]:
    return []


@pytest.fixture
def db(ddb_endpoint: str, seen: list[RequestInfo]) -> Iterator[DB]:
    db = DB(
        region_name=REGION,
        endpoint_url=ddb_endpoint,
        retry_policy=FAST,
        on_request=seen.append,
        table_prefix=f"{uuid.uuid4().hex[:8]}-",
    )
    db.create_table(Account)
    seen.clear()
    yield db
    db.delete_table(Account)


def _count(db: DB) -> int:
    table = db.table_prefix + "kit-accounts"
    count: int = db.client.scan(TableName=table, Select="COUNT")["Count"]
    return count


def test_throttles_from_before_send_are_retried_and_the_write_reaches_the_server(
    db: DB, seen: list[RequestInfo]
) -> None:
    faults = Faults().throttle("PutItem", times=2)
    detach = attach(faults, db.client)
    db.model(Account(id="a1")).create()
    detach()
    assert [i.status for i in seen] == [400, 400, 200]
    assert _count(db) == 1


def test_a_lost_answer_after_the_server_applied_the_write_is_retried(
    db: DB, seen: list[RequestInfo]
) -> None:
    attach(Faults().server_error("PutItem", times=1, applied=True), db.client)
    db.model(Account(id="a1")).create()
    assert [i.status for i in seen] == [500, 200]
    assert _count(db) == 1


def test_unprocessed_items_are_cut_signed_again_and_resent_until_all_are_written(
    db: DB, seen: list[RequestInfo]
) -> None:
    faults = Faults().unprocessed("BatchWriteItem", share=0.5, times=1)
    attach(faults, db.client)
    db.model(Account).batch_create([Account(id=f"a{i}") for i in range(8)])
    assert [i.operation for i in seen] == ["BatchWriteItem", "BatchWriteItem"]
    assert faults.count("unprocessed") == 1
    assert _count(db) == 8
