"""Scans page like queries (SPEC §4): ``scan_paginated()`` returns a ``Page``
whose cursor resumes the scan (also from another ``DB``), ``scan_iter()``
requests each page only when the caller reaches it, and each segment of a
parallel scan pages and resumes on its own. Cursors have the Query format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dynamorm.cursor import decode_cursor
from dynamorm.errors import ValidationError

from tests.conftest import make_db
from tests.integration.db_models import Env, env_for, page_size_two


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    yield from env_for(ddb_endpoint)


def seed(env: Env, n: int) -> set[tuple[str, str]]:
    for i in range(n):
        env.db.model(env.User(id=f"p{i % 4}", email=f"e{i:02d}", score=i)).create()
    env.recorder.clear()
    return {(f"p{i % 4}", f"e{i:02d}") for i in range(n)}


def test_scan_paginated_pages_through_the_table_by_cursor(env: Env) -> None:
    everything = seed(env, 11)
    seen: list[tuple[str, str]] = []
    page = env.db.model(env.User).limit(4).scan_paginated()
    pages = [page]
    while page.has_more:
        page = env.db.model(env.User).limit(4).cursor(page.next_cursor).scan_paginated()
        pages.append(page)
    for p in pages:
        assert len(p.items) <= 4
        seen.extend((u.id, u.email) for u in p.items)
    assert len(seen) == 11 and set(seen) == everything
    assert len([p for p in pages if p.items]) == 3
    assert env.recorder.ops == ["Scan"] * len(pages)
    assert all(params["Limit"] == 4 for params in env.recorder.params)
    assert "ExclusiveStartKey" not in env.recorder.params[0]
    assert all("ExclusiveStartKey" in params for params in env.recorder.params[1:])


def test_scan_cursor_has_the_query_cursor_format_and_resumes_on_another_db(
    env: Env, ddb_endpoint: str
) -> None:
    everything = seed(env, 6)
    first = env.db.model(env.User).limit(3).scan_paginated()
    assert first.has_more and len(first.items) == 3
    assert first.next_cursor is not None
    cursor = decode_cursor(first.next_cursor)
    assert cursor.index is None and cursor.sort is None
    assert set(cursor.last_key) == {"id", "email"}
    other = make_db(ddb_endpoint)
    rest = other.model(env.User).cursor(first.next_cursor).scan()
    got = [(u.id, u.email) for u in [*first.items, *rest]]
    assert len(got) == 6 and set(got) == everything


def test_scan_paginated_applies_filters_and_reports_scanned_count(env: Env) -> None:
    seed(env, 8)
    page = env.db.model(env.User).filter("score", ">=", 6).limit(8).scan_paginated()
    assert sorted(u.score for u in page.items) == [6, 7]
    assert page.count == 2 and page.scanned_count == 8


def test_scan_iter_requests_each_page_only_when_reached(env: Env) -> None:
    seed(env, 7)
    page_size_two(env)
    it = env.db.model(env.User).scan_iter()
    assert env.recorder.ops == []
    first_two = [next(it), next(it)]
    assert env.recorder.ops == ["Scan"]
    third = next(it)
    assert env.recorder.ops == ["Scan", "Scan"]
    rest = list(it)
    keys = {(u.id, u.email) for u in [*first_two, third, *rest]}
    assert len(keys) == 7 and len(env.recorder.ops) == 4


def test_scan_iter_stops_at_limit(env: Env) -> None:
    seed(env, 7)
    assert len(list(env.db.model(env.User).limit(3).scan_iter())) == 3
    assert env.recorder.ops == ["Scan"] and env.recorder.params[0]["Limit"] == 3


def test_each_parallel_scan_segment_pages_and_resumes_on_its_own(env: Env) -> None:
    everything = seed(env, 13)
    total = 3
    seen: list[tuple[str, str]] = []
    for segment in range(total):
        page = env.db.model(env.User).parallel_scan(segment, total).limit(2).scan_paginated()
        while True:
            seen.extend((u.id, u.email) for u in page.items)
            if not page.has_more:
                break
            page = (
                env.db.model(env.User)
                .parallel_scan(segment, total)
                .limit(2)
                .cursor(page.next_cursor)
                .scan_paginated()
            )
    assert len(seen) == 13 and set(seen) == everything
    segments = {(p["Segment"], p["TotalSegments"]) for p in env.recorder.params}
    assert segments == {(0, 3), (1, 3), (2, 3)}


def test_scan_cursor_of_an_index_is_refused_on_the_table(env: Env) -> None:
    seed(env, 4)
    page = env.db.model(env.User).index("status-index").limit(1).scan_paginated()
    assert page.next_cursor is not None and decode_cursor(page.next_cursor).index == "status-index"
    with pytest.raises(ValidationError, match="cursor was taken on 'status-index'"):
        env.db.model(env.User).cursor(page.next_cursor).scan_paginated()


def test_scan_all_segments_refuses_a_cursor(env: Env) -> None:
    seed(env, 3)
    page = env.db.model(env.User).limit(1).scan_paginated()
    env.recorder.clear()
    with pytest.raises(ValidationError, match=r"scan_all_segments\(\).*cursor"):
        env.db.model(env.User).cursor(page.next_cursor).scan_all_segments(2)
    assert env.recorder.ops == []
