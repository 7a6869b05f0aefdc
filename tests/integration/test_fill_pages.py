"""Filled pages (SPEC §17): ``all_paginated(fill=True)`` and
``scan_paginated(fill=True)`` return ``limit`` matching items per page however
many the filters drop, reading on only until the page is full, and each
page's cursor resumes right after its last item — on the table, a GSI or an
LSI, in either order, with ``select()``, consistent reads, plain pages'
cursors and a deadline. Against the session server, through ``make_db``.

The table holds partition ``p``: 200 items of which every tenth (``i % 10 ==
3``) matches the filter — 90 % dropped — and partition ``q``: 30 items
matching at 0 and 5 to 9, so that a page's second read returns more matches
than the page has room for and the page ends inside it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.cursor import decode_cursor
from dynamorm.errors import OperationTimeoutError, ValidationError
from dynamorm.observe import RequestInfo
from dynamorm.responses import Page

from tests.conftest import CLIENT, FAST_PATH, REGION, client_for, make_db
from tests.integration.db_models import Recorder, create_table_for

TABLE = f"fill-entries-{uuid.uuid4().hex[:8]}"


class Entry(Model, table=TABLE):
    owner: str = field(pk=True)
    sk: str = field(sk=True)
    hit: int = 0
    group: str = field(default="", gsi_pk="rank-index")
    rank: int = field(default=0, gsi_sk="rank-index")
    score: int = field(default=0, lsi="score-index")


P_HITS = [i for i in range(200) if i % 10 == 3]
Q_HITS = [0, 5, 6, 7, 8, 9]


def sk(i: int) -> str:
    return f"i{i:03d}"


def raw_entry(owner: str, i: int, hit: bool) -> dict[str, Any]:
    return {
        "owner": {"S": owner},
        "sk": {"S": sk(i)},
        "hit": {"N": "1" if hit else "0"},
        "group": {"S": "g" + owner},
        "rank": {"N": str(i)},
        "score": {"N": str(1000 - i)},
    }


def batch_put(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        chunk = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        left = client.batch_write_item(RequestItems={table: chunk})["UnprocessedItems"]
        while left:
            left = client.batch_write_item(RequestItems=left)["UnprocessedItems"]


@pytest.fixture(scope="module")
def table(ddb_endpoint: str) -> Iterator[str]:
    """The module's table, written once by a plain boto3 client."""
    client = client_for(ddb_endpoint)
    create_table_for(client, Entry)
    items = [raw_entry("p", i, i in P_HITS) for i in range(200)]
    items += [raw_entry("q", i, i in Q_HITS) for i in range(30)]
    batch_put(client, TABLE, items)
    yield TABLE
    client.delete_table(TableName=TABLE)


@pytest.fixture
def db(table: str, ddb_endpoint: str) -> DB:
    return make_db(ddb_endpoint)


def read_pages(read: Callable[[str | None], Page[Any]]) -> list[Page[Any]]:
    """Every page of a read, each from the cursor of the one before."""
    pages: list[Page[Any]] = []
    cursor = None
    for _ in range(60):
        page = read(cursor)
        pages.append(page)
        if not page.has_more:
            return pages
        cursor = page.next_cursor
    raise AssertionError("no last page after 60 pages")


def filled_pages(query: Any, *, scan: bool = False) -> list[Page[Any]]:
    """Every filled page of ``query`` (``all_paginated(fill=True)``, or
    ``scan_paginated(fill=True)`` with ``scan``), each read from the cursor
    of the one before (``read_pages``)."""

    def read(cursor: str | None) -> Page[Any]:
        resumed = query.cursor(cursor)
        return resumed.scan_paginated(fill=True) if scan else resumed.all_paginated(fill=True)

    return read_pages(read)


def sks(pages: list[Page[Any]]) -> list[str]:
    return [item.sk for page in pages for item in page.items]


def sizes(pages: list[Page[Any]]) -> list[int]:
    return [len(page.items) for page in pages]


def hits_p(db: DB) -> Any:
    return db.model(Entry).where("owner", "=", "p").filter("hit", "=", 1).limit(5)


# The last match of p (193) is followed by items that do not match: when the
# read that returns it stops before them, DynamoDB hands back a
# LastEvaluatedKey and one more, empty, page follows (as it does for plain
# pages). Either way the pages hold the same items.
FOUR_FULL_PAGES = ([5, 5, 5, 5], [5, 5, 5, 5, 0])


def test_filled_pages_hold_limit_matches_in_order_with_no_gap_or_repeat(db: DB) -> None:
    pages = filled_pages(hits_p(db))
    assert sizes(pages) in FOUR_FULL_PAGES
    assert sks(pages) == [sk(i) for i in P_HITS]
    assert all(page.has_more for page in pages[:-1]) and not pages[-1].has_more
    assert all(page.count == len(page.items) for page in pages)
    assert all(page.consumed_capacity is None for page in pages)  # not asked for
    assert sum(page.scanned_count for page in pages) >= 200


def test_a_plain_page_of_the_same_read_holds_what_one_request_found(db: DB) -> None:
    page = hits_p(db).all_paginated()
    assert [u.sk for u in page.items] == [sk(3)] and page.scanned_count == 5


def test_each_filled_page_resumes_on_a_new_db_from_the_cursor_alone(
    table: str, ddb_endpoint: str
) -> None:
    pages = read_pages(
        lambda cursor: hits_p(make_db(ddb_endpoint)).cursor(cursor).all_paginated(fill=True)
    )
    assert sizes(pages) in FOUR_FULL_PAGES
    assert sks(pages) == [sk(i) for i in P_HITS]


def test_a_page_ending_inside_a_response_resumes_right_after_its_last_item(db: DB) -> None:
    q = lambda: db.model(Entry).where("owner", "=", "q").filter("hit", "=", 1).limit(5)  # noqa: E731
    first = q().all_paginated(fill=True)
    assert [u.sk for u in first.items] == [sk(0), sk(5), sk(6), sk(7), sk(8)]
    assert first.next_cursor is not None
    # Not DynamoDB's LastEvaluatedKey (past 9): the key of the item returned last.
    assert decode_cursor(first.next_cursor).last_key == {
        "owner": {"S": "q"},
        "sk": {"S": sk(8)},
    }
    rest = read_pages(lambda cursor: q().cursor(cursor or first.next_cursor).all_paginated(True))
    assert sks(rest) == [sk(9)] and not rest[-1].has_more


def test_filled_pages_on_a_gsi_resume_with_the_index_key_in_their_cursor(db: DB) -> None:
    q = (  # noqa: E731
        lambda: db.model(Entry).where("group", "=", "gq").order_by("rank").filter("hit", "=", 1)
    )
    first = q().limit(5).all_paginated(fill=True)
    assert [u.sk for u in first.items] == [sk(0), sk(5), sk(6), sk(7), sk(8)]
    assert first.next_cursor is not None
    cursor = decode_cursor(first.next_cursor)
    assert cursor.index == "rank-index" and cursor.sort == "ASC"
    assert cursor.last_key == {
        "owner": {"S": "q"},
        "sk": {"S": sk(8)},
        "group": {"S": "gq"},
        "rank": {"N": "8"},
    }
    assert [u.sk for u in q().limit(5).cursor(first.next_cursor).all()] == [sk(9)]
    pages = filled_pages(db.model(Entry).where("group", "=", "gp").filter("hit", "=", 1).limit(5))
    assert sizes(pages) in FOUR_FULL_PAGES
    assert sks(pages) == [sk(i) for i in P_HITS]


def test_filled_pages_on_an_lsi_follow_its_sort_key(db: DB) -> None:
    # score = 1000 - i: the LSI reads the partition from its last item.
    pages = filled_pages(
        db.model(Entry).where("owner", "=", "p").index("score-index").filter("hit", "=", 1).limit(5)
    )
    assert sks(pages) == [sk(i) for i in reversed(P_HITS)]
    assert all(len(page.items) == 5 for page in pages[:4])
    assert pages[0].next_cursor is not None
    assert set(decode_cursor(pages[0].next_cursor).last_key) == {"owner", "sk", "score"}


def test_descending_filled_pages_read_the_partition_backwards(db: DB) -> None:
    pages = filled_pages(
        db.model(Entry)
        .where("owner", "=", "p")
        .order_by("sk", "DESC")
        .filter("hit", "=", 1)
        .limit(5)
    )
    assert sks(pages) == [sk(i) for i in reversed(P_HITS)]
    assert all(len(page.items) == 5 for page in pages[:4])
    assert pages[0].next_cursor is not None
    assert decode_cursor(pages[0].next_cursor).sort == "DESC"
    q = db.model(Entry).where("owner", "=", "q").order_by("sk", "DESC").filter("hit", "=", 1)
    first = q.limit(5).all_paginated(fill=True)
    assert [u.sk for u in first.items] == [sk(9), sk(8), sk(7), sk(6), sk(5)]
    assert first.has_more


def test_scan_paginated_fill_pages_the_whole_table(db: DB) -> None:
    pages = filled_pages(db.model(Entry).filter("hit", "=", 1).limit(5), scan=True)
    got = [(u.owner, u.sk) for page in pages for u in page.items]
    expected = {("p", sk(i)) for i in P_HITS} | {("q", sk(i)) for i in Q_HITS}
    assert len(got) == len(expected) == 26 and set(got) == expected
    assert sizes(pages) == [5, 5, 5, 5, 5, 1]


def test_scan_paginated_fill_on_an_index_resumes_with_the_index_key(db: DB) -> None:
    pages = filled_pages(
        db.model(Entry).index("rank-index").filter("hit", "=", 1).limit(4), scan=True
    )
    got = [(u.owner, u.sk) for page in pages for u in page.items]
    assert len(got) == 26 and len(set(got)) == 26
    assert all(len(page.items) == 4 for page in pages[:6])
    assert pages[0].next_cursor is not None
    cursor = decode_cursor(pages[0].next_cursor)
    assert cursor.index == "rank-index"
    assert set(cursor.last_key) == {"owner", "sk", "group", "rank"}


def test_each_parallel_scan_segment_fills_its_pages_on_its_own(db: DB) -> None:
    got: list[tuple[str, str]] = []
    for segment in range(3):
        pages = filled_pages(
            db.model(Entry).parallel_scan(segment, 3).filter("hit", "=", 1).limit(3), scan=True
        )
        assert all(len(page.items) == 3 for page in pages[:-2])
        got.extend((u.owner, u.sk) for page in pages for u in page.items)
    assert len(got) == 26 and len(set(got)) == 26


def test_a_filled_page_reads_on_only_until_it_is_full(db: DB) -> None:
    recorder = Recorder(db.client)
    per_page: list[list[dict[str, Any]]] = []

    def read(cursor: str | None) -> Page[Any]:
        recorder.clear()
        page = hits_p(db).cursor(cursor).all_paginated(fill=True)
        per_page.append(list(recorder.params))
        return page

    pages = read_pages(read)

    def position(params: dict[str, Any]) -> int:
        start = params.get("ExclusiveStartKey")
        return -1 if start is None else int(start["sk"]["S"][1:])

    for requests in per_page:
        assert requests[0]["Limit"] == 5  # a page starts as a plain page does
        # Before its last request the page still lacked matches: no read is
        # made once it is full, and each read starts where the last ended.
        start, before_last = position(requests[0]), position(requests[-1])
        assert len([i for i in P_HITS if start < i <= before_last]) < 5
        assert [position(r) for r in requests] == sorted(position(r) for r in requests)
        if len(requests) > 1:
            assert max(r["Limit"] for r in requests[1:]) > 5  # sized by the matches seen
    requests = sum(len(r) for r in per_page)
    # Asking each time for only the matches still needed takes 89 requests
    # here; the reads sized by the share of matches seen, 13.
    assert requests <= 16
    assert sum(page.scanned_count for page in pages) <= 300


def test_a_filled_page_whose_first_read_suffices_sends_one_request(db: DB) -> None:
    recorder = Recorder(db.client)
    page = db.model(Entry).where("owner", "=", "p").limit(5).all_paginated(fill=True)
    assert [u.sk for u in page.items] == [sk(i) for i in range(5)] and page.has_more
    assert recorder.ops == ["Query"] and recorder.params[0]["Limit"] == 5


def test_cursors_of_plain_and_filled_pages_resume_each_other(db: DB) -> None:
    turn = [False]

    def read(cursor: str | None) -> Page[Any]:
        turn[0] = not turn[0]
        return hits_p(db).cursor(cursor).all_paginated(fill=turn[0])

    pages = read_pages(read)
    assert sks(pages) == [sk(i) for i in P_HITS]
    assert all(len(page.items) == 5 for page in pages[0:-1:2])


def test_select_on_an_index_reads_the_index_key_for_the_cursor(db: DB) -> None:
    recorder = Recorder(db.client)
    q = lambda: db.model(Entry).where("group", "=", "gq").filter("hit", "=", 1).select("hit")  # noqa: E731
    first = q().limit(5).all_paginated(fill=True)
    assert [u.sk for u in first.items] == [sk(0), sk(5), sk(6), sk(7), sk(8)]
    assert [u.rank for u in first.items] == [0, 5, 6, 7, 8]
    assert all(u.score == 0 for u in first.items)  # not selected: the default
    projected = set(recorder.params[0]["ExpressionAttributeNames"].values())
    assert {"group", "rank", "owner", "sk", "hit"} <= projected and "score" not in projected
    assert first.next_cursor is not None
    assert decode_cursor(first.next_cursor).last_key["rank"] == {"N": "8"}
    rest = q().limit(5).cursor(first.next_cursor).all_paginated(fill=True)
    assert [u.sk for u in rest.items] == [sk(9)]


def test_consistent_filled_reads_ask_every_read_to_be_consistent(db: DB) -> None:
    recorder = Recorder(db.client)
    page = hits_p(db).consistent_read().all_paginated(fill=True)
    assert [u.sk for u in page.items] == [sk(i) for i in P_HITS[:5]]
    assert len(recorder.params) > 1
    assert all(params["ConsistentRead"] is True for params in recorder.params)


def test_a_filled_pages_consumed_capacity_lists_each_requests(
    table: str, ddb_endpoint: str
) -> None:
    seen: list[RequestInfo] = []
    options: dict[str, Any] = {
        "fast_path": FAST_PATH,
        "return_consumed_capacity": "TOTAL",
        "on_request": seen.append,
    }
    if CLIENT == "own":
        db = DB(region_name=REGION, endpoint_url=ddb_endpoint, **options)
    else:
        db = DB(client=client_for(ddb_endpoint), **options)
    page = hits_p(db).all_paginated(fill=True)
    assert len(page.items) == 5 and len(seen) > 1
    assert page.consumed_capacity == [info.consumed_capacity for info in seen]
    assert all(entry["TableName"] == table for entry in page.consumed_capacity)


def test_fill_must_be_a_bool_and_needs_a_limit(db: DB) -> None:
    recorder = Recorder(db.client)
    query = db.model(Entry).where("owner", "=", "p")
    with pytest.raises(ValidationError, match=r"Entry\.all_paginated\(\): fill must be True"):
        query.limit(5).all_paginated(fill="yes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"Entry\.scan_paginated\(\): fill must be True"):
        db.model(Entry).limit(5).scan_paginated(fill=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"Entry\.all_paginated\(fill=True\) needs a page"):
        db.model(Entry).where("owner", "=", "p").all_paginated(fill=True)
    with pytest.raises(ValidationError, match=r"Entry\.scan_paginated\(fill=True\).*limit"):
        db.model(Entry).scan_paginated(fill=True)
    assert recorder.ops == []


def test_a_deadline_between_reads_raises_with_the_page_so_far_and_its_cursor(db: DB) -> None:
    with pytest.raises(OperationTimeoutError) as info:
        hits_p(db.with_timeout(0)).all_paginated(fill=True)
    assert "Entry.all_paginated(fill=True)" in str(info.value)
    partial = info.value.partial
    assert isinstance(partial, Page)
    # The first request always goes out: items 0-4, one match.
    assert [u.sk for u in partial.items] == [sk(3)] and partial.has_more
    rest = hits_p(db).cursor(partial.next_cursor).all_paginated(fill=True)
    assert [u.sk for u in [*partial.items, *rest.items]] == [sk(i) for i in P_HITS[:6]]


class Reading(Model, table=f"fill-readings-{uuid.uuid4().hex[:8]}"):
    sensor: str = field(pk=True)
    at: datetime = field(sk=True)
    hit: int = 0


def test_sort_keys_another_client_spelled_are_resumed_from_dynamodbs_own_keys(
    db: DB, ddb_endpoint: str
) -> None:
    client = client_for(ddb_endpoint)
    create_table_for(client, Reading)
    table = Reading.__dynamorm__.table
    try:
        # Stored as "...:05Z": the instance encodes "...:05.000000000Z", which
        # sorts before it, so a cursor rebuilt from it would repeat the item.
        batch_put(
            client,
            table,
            [
                {
                    "sensor": {"S": "s"},
                    "at": {"S": f"2024-01-01T00:00:{i:02d}Z"},
                    "hit": {"N": "1" if i in Q_HITS else "0"},
                }
                for i in range(30)
            ],
        )
        recorder = Recorder(db.client)
        pages = filled_pages(
            db.model(Reading).where("sensor", "=", "s").filter("hit", "=", 1).limit(5)
        )
        got = [u.at.second for page in pages for u in page.items]
        assert got == Q_HITS
        assert sizes(pages)[0] == 5
        assert all(params["Limit"] <= 5 for params in recorder.params)
    finally:
        client.delete_table(TableName=table)
