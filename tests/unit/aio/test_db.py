"""``AsyncDB``'s arguments are ``DB``'s, checked before any client or
connection is made, and its errors name ``AsyncDB``; its views share the
blocking ``DB``'s settings."""

from __future__ import annotations

import asyncio

import pytest
from dynamorm import AsyncDB, Model, RetryPolicy, field
from dynamorm.errors import ValidationError


class Note(Model, table="notes"):
    pk: str = field(pk=True)


def make(**options: object) -> AsyncDB:
    return AsyncDB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"table_prefix": "bad prefix!"}, "AsyncDB: table_prefix"),
        ({"retry_policy": 3}, "AsyncDB: retry_policy must be a RetryPolicy"),
        ({"return_consumed_capacity": "ALL"}, "AsyncDB: return_consumed_capacity"),
        ({"fast_path": "yes"}, "AsyncDB: fast_path must be a bool"),
    ],
)
def test_a_bad_argument_is_refused_naming_async_db(options: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(**options)
    assert str(info.value).startswith(says)


def test_a_view_with_a_timeout_keeps_the_policy_and_checks_its_seconds() -> None:
    db = make(retry_policy=RetryPolicy(max_retries=7))
    view = db.with_timeout(2)
    assert view.timeout == 2.0 and db.timeout is None
    assert view.retry_policy.max_retries == 7
    with pytest.raises(ValidationError, match="with_timeout: seconds must be >= 0"):
        db.with_timeout(-1)


def test_setting_the_retry_policy_reaches_the_requests_of_both_apis() -> None:
    db = make()
    db.retry_policy = RetryPolicy(max_retries=2)
    assert db._executor.policy == RetryPolicy(max_retries=2)
    assert db.blocking.retry_policy == RetryPolicy(max_retries=2)


def test_a_cancel_that_is_not_an_event_is_refused_before_sending() -> None:
    db = make()

    async def main() -> None:
        await db.model(Note).batch_get(["a"], cancel=object())  # type: ignore[arg-type]

    with pytest.raises(
        ValidationError, match=r"cancel must be a threading\.Event or an asyncio\.Event"
    ):
        asyncio.run(main())


def test_from_db_shares_the_db_and_refuses_anything_else() -> None:
    from dynamorm import DB

    db = DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9", table_prefix="t-")
    adb = AsyncDB.from_db(db.with_timeout(3))
    assert adb.client is db.client
    assert adb.timeout == 3.0 and adb.table_prefix == "t-"
    assert adb._executor.transport.sync is db._executor.transport  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match=r"AsyncDB\.from_db: expected a DB"):
        AsyncDB.from_db(adb)  # type: ignore[arg-type]
