"""Reads: where resolution (GetItem / Query / index Query), filters and OR
groups, ordering, projection, pagination by cursor, lazy iteration, count,
scans and timeouts (SPEC §3, §4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from dynamorm import Page
from dynamorm.cursor import decode_cursor, encode_cursor
from dynamorm.errors import (
    OperationCancelledError,
    OperationTimeoutError,
    ValidationError,
)

from tests.conftest import make_db
from tests.integration.db_models import Env, env_for, page_size_two


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    yield from env_for(ddb_endpoint)


def seed(env: Env, n: int = 5, pk: str = "p") -> None:
    for i in range(n):
        env.db.model(
            env.User(
                id=pk,
                email=f"e{i:02d}",
                name=f"n{i}",
                status="active" if i % 2 == 0 else "idle",
                score=i * 10,
                rank=100 - i,
            )
        ).create()
    env.recorder.clear()


def test_full_key_with_eq_is_get_item(env: Env) -> None:
    seed(env, 2)
    user = env.db.model(env.User).where("id", "=", "p").where("email", "=", "e01").first()
    assert user.name == "n1"
    assert env.recorder.ops == ["GetItem"]


def test_partial_key_is_table_query(env: Env) -> None:
    seed(env, 3)
    first = env.db.model(env.User).where("id", "=", "p").first()
    assert first.email == "e00"
    assert env.recorder.ops == ["Query"]
    assert "IndexName" not in env.recorder.params[0]
    env.recorder.clear()
    users = env.db.model(env.User).where("id", "=", "p").where("email", ">", "e00").all()
    assert [u.email for u in users] == ["e01", "e02"]
    assert env.recorder.ops == ["Query"]


def test_key_with_extra_condition_is_query_with_filter(env: Env) -> None:
    seed(env, 3)
    user = (
        env.db.model(env.User)
        .where("id", "=", "p")
        .where("email", "=", "e01")
        .where("name", "=", "zzz")
    )
    with pytest.raises(LookupError):
        user.first()
    assert env.recorder.ops == ["Query"]
    assert "FilterExpression" in env.recorder.params[0]


def test_gsi_chosen_from_where_fields(env: Env) -> None:
    seed(env, 5)
    users = env.db.model(env.User).where("status", "=", "active").where("score", ">=", 20).all()
    assert sorted(u.email for u in users) == ["e02", "e04"]
    assert env.recorder.ops == ["Query"]
    assert env.recorder.params[0]["IndexName"] == "status-index"


def test_lsi_chosen_when_its_sort_key_is_used(env: Env) -> None:
    seed(env, 5)
    users = env.db.model(env.User).where("id", "=", "p").where("rank", "<", 98).all()
    assert [u.rank for u in users] == [96, 97]  # ordered by the LSI sort key
    assert env.recorder.params[0]["IndexName"] == "rank-index"


def test_named_index_and_desc_order(env: Env) -> None:
    seed(env, 5)
    users = (
        env.db.model(env.User)
        .index("status-index")
        .where("status", "=", "active")
        .order_by("score", "DESC")
        .all()
    )
    assert [u.score for u in users] == [40, 20, 0]
    assert env.recorder.params[0]["ScanIndexForward"] is False


def test_no_key_condition_is_an_error_not_a_scan(env: Env) -> None:
    with pytest.raises(ValidationError, match="'id'") as info:
        env.db.model(env.User).where("name", "=", "x").all()
    assert "status-index" in str(info.value)
    with pytest.raises(ValidationError, match="status"):
        env.db.model(env.User).index("status-index").where("id", "=", "p").first()
    assert env.recorder.ops == []


def test_consistent_read_on_gsi_is_rejected_before_sending(env: Env) -> None:
    with pytest.raises(ValidationError, match="status-index"):
        env.db.model(env.User).where("status", "=", "a").consistent_read().all()
    assert env.recorder.ops == []
    seed(env, 1)
    env.db.model(env.User).where("id", "=", "p").consistent_read().all()
    assert env.recorder.params[0]["ConsistentRead"] is True


def test_filters_and_or_groups(env: Env) -> None:
    seed(env, 6)
    q = env.db.model(env.User).where("id", "=", "p")
    assert [u.email for u in q.filter("score", ">=", 30).filter("status", "=", "idle").all()] == [
        "e03",
        "e05",
    ]
    q = (
        env.db.model(env.User)
        .where("id", "=", "p")
        .filter("name", "=", "n0")
        .or_filter("name", "=", "n4")
    )
    assert [u.email for u in q.all()] == ["e00", "e04"]
    q = (
        env.db.model(env.User)
        .where("id", "=", "p")
        .filter("status", "=", "idle")
        .filter_group(lambda g: g.filter("score", "<", 20).or_filter("score", ">", 40))
    )
    assert [u.email for u in q.all()] == ["e01", "e05"]
    q = (
        env.db.model(env.User)
        .where("id", "=", "p")
        .filter("name", "=", "n2")
        .or_filter_group(lambda g: g.filter("status", "=", "idle").filter("score", "=", 30))
    )
    assert [u.email for u in q.all()] == ["e02", "e03"]


def test_filter_operators_and_encoded_values(env: Env) -> None:
    seed(env, 4)
    q = lambda: env.db.model(env.User).where("id", "=", "p")  # noqa: E731
    assert [u.email for u in q().filter("score", "between", (10, 20)).all()] == ["e01", "e02"]
    assert [u.email for u in q().filter("name", "IN", ["n0", "n3"]).all()] == ["e00", "e03"]
    assert [u.email for u in q().filter("name", "begins_with", "n2").all()] == ["e02"]
    assert len(q().filter("nick", "not_exists").all()) == 4
    assert len(q().filter("name", "!=", "n1").all()) == 3
    assert len(q().filter("name", "size =", 2).all()) == 4
    assert q().filter("name", "attribute_type", "S").count() == 4
    # A datetime field compares against its stored RFC 3339 text.
    future = datetime(2100, 1, 1, tzinfo=UTC)
    assert len(q().filter("created", "<", future).all()) == 4
    assert q().filter("created", ">", future).all() == []


def test_nested_paths_in_filters(env: Env) -> None:
    env.db.model(env.User(id="n", email="1", profile={"city": "Oslo"}, items=[{"p": 5}])).create()
    env.db.model(env.User(id="n", email="2", profile={"city": "Rome"}, items=[{"p": 9}])).create()
    q = lambda: env.db.model(env.User).where("id", "=", "n")  # noqa: E731
    assert [u.email for u in q().filter("profile.city", "=", "Rome").all()] == ["2"]
    assert [u.email for u in q().filter("items[0].p", "<", 6).all()] == ["1"]


def test_select_projects_fields(env: Env) -> None:
    seed(env, 1)
    user = env.db.model(env.User).where("id", "=", "p").select("name").first()
    assert user.name == "n0" and user.id == "p" and user.score == 0
    assert "ProjectionExpression" in env.recorder.params[0]


def test_unknown_field_or_index_or_operator(env: Env) -> None:
    with pytest.raises(ValidationError, match="User has no field 'nope'"):
        env.db.model(env.User).where("nope", "=", 1)
    with pytest.raises(ValidationError, match="no index 'x-index'"):
        env.db.model(env.User).index("x-index")
    with pytest.raises(ValidationError, match="operator"):
        env.db.model(env.User).where("name", "~", 1)


def test_pagination_by_cursor_across_pages_and_a_fresh_db(env: Env) -> None:
    seed(env, 7)
    q = lambda db: db.model(env.User).where("id", "=", "p").limit(2)  # noqa: E731
    page = q(env.db).all_paginated()
    assert isinstance(page, Page) and page.has_more and page.count == 2
    seen = [u.email for u in page.items]
    pages = 1
    while page.next_cursor is not None:
        # The third page is read by a DB on a brand-new client: the cursor
        # alone carries the position.
        db = make_db(env.endpoint) if pages == 2 else env.db
        page = q(db).cursor(page.next_cursor).all_paginated()
        seen.extend(u.email for u in page.items)
        pages += 1
    assert pages >= 4
    assert seen == [f"e{i:02d}" for i in range(7)]
    assert page.has_more is False


def test_cursor_records_index_and_sort(env: Env) -> None:
    seed(env, 4)
    q = env.db.model(env.User).where("status", "=", "active").order_by("score", "DESC").limit(1)
    page = q.all_paginated()
    assert page.next_cursor is not None
    cursor = decode_cursor(page.next_cursor)
    assert cursor.index == "status-index" and cursor.sort == "DESC"
    with pytest.raises(ValidationError, match="index"):
        env.db.model(env.User).where("id", "=", "p").cursor(page.next_cursor).all_paginated()
    with pytest.raises(ValidationError, match="order"):
        env.db.model(env.User).where("status", "=", "active").order_by("score").cursor(
            page.next_cursor
        ).all()


def test_malformed_and_tampered_cursor(env: Env) -> None:
    q = env.db.model(env.User).where("id", "=", "p")
    with pytest.raises(ValidationError):
        q.cursor("%%%not-a-cursor").all_paginated()
    good = encode_cursor({"id": {"S": "p"}, "email": {"S": "e"}})
    with pytest.raises(ValidationError):
        q.cursor(good[:-6] + "AAAAAA").all_paginated()
    wrong_model = encode_cursor({"other": {"S": "x"}})
    with pytest.raises(ValidationError, match="does not belong"):
        q.cursor(wrong_model).all_paginated()
    assert env.recorder.ops == []


def test_iter_is_lazy(env: Env) -> None:
    seed(env, 5)
    it = env.db.model(env.User).where("id", "=", "p").limit(4).iter()
    assert env.recorder.ops == []
    # limit caps the total; page size comes from Limit = remaining.
    assert next(it).email == "e00"
    assert env.recorder.ops == ["Query"]
    assert [u.email for u in it] == ["e01", "e02", "e03"]
    env.recorder.clear()

    # Two-item pages (Limit set on the real request through a botocore hook):
    # each page is requested only when the caller reaches it.
    page_size_two(env)
    it = env.db.model(env.User).where("id", "=", "p").iter()
    assert env.recorder.ops == []
    assert next(it).email == "e00" and len(env.recorder.ops) == 1
    assert next(it).email == "e01" and len(env.recorder.ops) == 1
    assert next(it).email == "e02" and len(env.recorder.ops) == 2
    assert [u.email for u in it] == ["e03", "e04"] and len(env.recorder.ops) == 3


def test_count_reads_all_pages(env: Env) -> None:
    seed(env, 5)
    q = env.db.model(env.User).where("id", "=", "p")
    assert q.count() == 5
    assert env.recorder.params[-1]["Select"] == "COUNT"
    assert env.db.model(env.User).where("id", "=", "p").filter("status", "=", "idle").count() == 2
    assert env.db.model(env.User).where("id", "=", "p").select("name").count() == 5


def test_scan_and_parallel_scan(env: Env) -> None:
    seed(env, 4, pk="a")
    seed(env, 3, pk="b")
    everything = env.db.model(env.User).scan()
    assert len(everything) == 7 and env.recorder.ops == ["Scan"]
    idle = env.db.model(env.User).filter("status", "=", "idle").scan()
    assert sorted((u.id, u.email) for u in idle) == [("a", "e01"), ("a", "e03"), ("b", "e01")]
    where_as_filter = env.db.model(env.User).where("id", "=", "b").scan()
    assert len(where_as_filter) == 3
    segments = [env.db.model(env.User).parallel_scan(s, 3).scan() for s in range(3)]
    keys = sorted((u.id, u.email) for part in segments for u in part)
    assert len(keys) == 7 and len(set(keys)) == 7


def test_scan_all_segments_returns_each_item_once(env: Env) -> None:
    seed(env, 6, pk="a")
    seed(env, 6, pk="b")
    users = env.db.model(env.User).scan_all_segments(4)
    keys = [(u.id, u.email) for u in users]
    assert len(keys) == 12 and len(set(keys)) == 12
    assert env.recorder.ops.count("Scan") >= 4


def test_timeouts_raise_with_partial_results(env: Env) -> None:
    seed(env, 6)
    slow = env.db.with_timeout(0)
    assert slow.client is env.db.client and env.db.timeout is None
    q = lambda: slow.model(env.User).where("id", "=", "p")  # noqa: E731
    page_size_two(env)
    with pytest.raises(OperationTimeoutError) as info:
        q().all()
    assert isinstance(info.value, OperationCancelledError)
    assert isinstance(info.value, TimeoutError)
    assert [u.email for u in info.value.partial] == ["e00", "e01"]
    assert "User.all()" in str(info.value)
    with pytest.raises(OperationTimeoutError) as info:
        q().count()
    assert info.value.partial == 2
    with pytest.raises(OperationTimeoutError) as info:
        slow.model(env.User).scan()
    assert len(info.value.partial) == 2
    with pytest.raises(OperationTimeoutError) as info:
        slow.model(env.User).scan_all_segments(2)
    assert 2 <= len(info.value.partial) < 6
    it = q().iter()
    assert [next(it).email, next(it).email] == ["e00", "e01"]
    with pytest.raises(OperationTimeoutError):
        next(it)
    # Without a deadline the same reads complete.
    assert len(env.db.model(env.User).where("id", "=", "p").all()) == 6
    assert len(env.db.with_timeout(60).model(env.User).where("id", "=", "p").all()) == 6
