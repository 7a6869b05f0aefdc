"""A deadline bounds the request in flight, not only the gaps between
requests: on a client ``DB`` creates, each attempt may wait to connect and to
read only for the time left before the deadline (at least
``MIN_ATTEMPT_SECONDS``), and being cut off there raises the deadline's
``OperationTimeoutError`` — not retried, not a ``RetryExhaustedError`` or a
botocore timeout. Against local servers that never answer or never accept."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from dynamorm import DB, BatchGetOptions, Model, RetryPolicy, field
from dynamorm.errors import OperationTimeoutError, RequestError
from dynamorm.retry import MIN_ATTEMPT_SECONDS

from tests._support.servers import silent_server, unaccepting_server
from tests.conftest import FAST_PATH, REGION, client_for

# How far past its deadline a cut-off call may end on a loaded 2-core machine.
# Without the deadline in flight the same calls wait for botocore's 60 s read
# timeout and three retries, so the bound still tells the two apart.
LATE = 0.6

DEADLINE = 0.5
"""The deadline of the calls cut off in flight: twice ``MIN_ATTEMPT_SECONDS``,
so what bounds the attempt is the time left, not the minimum."""


class Note(Model, table="r2-deadline-notes"):
    pk: str = field(pk=True)
    sk: str = field(sk=True)


def own_db(endpoint: str, retry_policy: RetryPolicy | None = None) -> DB:
    return DB(
        region_name=REGION, endpoint_url=endpoint, retry_policy=retry_policy, fast_path=FAST_PATH
    )


def get(db: DB) -> Any:
    return db.model(Note).where("pk", "=", "a").where("sk", "=", "s").first()


def timed_out(run: Any) -> tuple[OperationTimeoutError, float]:
    start = time.monotonic()
    with pytest.raises(OperationTimeoutError) as info:
        run()
    return info.value, time.monotonic() - start


def test_a_read_the_server_never_answers_ends_at_the_deadline() -> None:
    with silent_server() as server:
        db = own_db(server.endpoint)  # the default policy retries 3 times
        error, elapsed = timed_out(lambda: get(db.with_timeout(DEADLINE)))
        accepted = server.accepted
    assert DEADLINE <= elapsed < DEADLINE + LATE
    assert isinstance(error, TimeoutError)
    assert isinstance(error.__cause__, ReadTimeoutError)
    assert "GetItem on Note" in str(error) and f"{DEADLINE}s deadline" in str(error)
    assert accepted == 1  # cut off once, not retried past the deadline


def test_a_connect_that_never_completes_ends_at_the_deadline() -> None:
    with unaccepting_server() as endpoint:
        error, elapsed = timed_out(lambda: get(own_db(endpoint).with_timeout(DEADLINE)))
    assert DEADLINE <= elapsed < DEADLINE + LATE
    assert isinstance(error.__cause__, ConnectTimeoutError)


def test_a_deadline_already_past_gives_the_first_attempt_the_minimum() -> None:
    with silent_server() as server:
        error, elapsed = timed_out(lambda: get(own_db(server.endpoint).with_timeout(0)))
    assert MIN_ATTEMPT_SECONDS <= elapsed < MIN_ATTEMPT_SECONDS + LATE
    assert isinstance(error.__cause__, ReadTimeoutError)


def test_each_thread_waits_only_for_its_own_deadline() -> None:
    elapsed: dict[float, float] = {}

    def run(db: DB, seconds: float) -> None:
        start = time.monotonic()
        with pytest.raises(OperationTimeoutError):
            get(db.with_timeout(seconds))
        elapsed[seconds] = time.monotonic() - start

    with silent_server() as server:
        db = own_db(server.endpoint)
        threads = [threading.Thread(target=run, args=(db, s)) for s in (0.4, 1.2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    # The short deadline ends well before the long one (the bounds leave room
    # for a loaded machine; what matters is that neither waits for the other).
    assert 0.4 <= elapsed[0.4] < 1.1
    assert 1.2 <= elapsed[1.2] < 1.9


def test_batch_chunks_on_worker_threads_end_at_the_deadline() -> None:
    options = BatchGetOptions(chunk_size=2, parallel=True, max_concurrency=3)
    keys = [("p", f"s{i}") for i in range(6)]
    with silent_server() as server:
        db = own_db(server.endpoint)
        error, elapsed = timed_out(
            lambda: db.model(Note).batch_get_with_options(keys, options, timeout=DEADLINE)
        )
        accepted = server.accepted
    assert elapsed < DEADLINE + LATE
    assert error.partial == []
    assert accepted == 3  # the chunks in flight, none sent again


def test_a_read_timeout_shorter_than_the_deadline_stays_a_request_failure() -> None:
    with silent_server() as server:
        client = client_for(server.endpoint, read_timeout=0.3, retries={"total_max_attempts": 1})
        db = DB(client=client, retry_policy=RetryPolicy(max_retries=0), fast_path=FAST_PATH)
        start = time.monotonic()
        with pytest.raises(RequestError) as info:
            get(db.with_timeout(5))
        elapsed = time.monotonic() - start
    assert elapsed < 1.0
    assert not isinstance(info.value, TimeoutError)
    assert isinstance(info.value.__cause__, ReadTimeoutError)
