"""A ``DB`` made before ``os.fork()`` and used once (gunicorn ``--preload``,
``multiprocessing``): each forked child opens connections of its own, so no
process reads another's answers. Checked at the server side: the proxy
records which client connection carried each request, and each process
asks for its own key."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from dynamorm import DB, Model, field

from tests._support.proxy import FaultProxy
from tests.conftest import FAST_PATH, REGION, client_for

CHILDREN = 4
READS = 5


@pytest.fixture
def Owner(make_table: Callable[..., str], ddb_client: Any) -> Any:
    class Owner(Model, table=make_table()):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        who: str = ""

    for key in ["parent", *(f"child-{i}" for i in range(CHILDREN))]:
        ddb_client.put_item(
            TableName=Owner.__dynamorm__.table,
            Item={"pk": {"S": key}, "sk": {"S": "s"}, "who": {"S": key}},
        )
    return Owner


def read(db: DB, Owner: Any, key: str) -> str:
    return str(db.model(Owner).where("pk", "=", key).where("sk", "=", "s").first().who)


def child(db: DB, Owner: Any, key: str, out: int) -> None:
    """The forked child's whole life: its reads, reported on ``out``."""
    try:
        report: dict[str, Any] = {"got": [read(db, Owner, key) for _ in range(READS)]}
    except BaseException as exc:  # reported, never raised into pytest's frames
        report = {"error": repr(exc)}
    try:
        os.write(out, json.dumps(report).encode())
    finally:
        os._exit(0)


def fork_readers(db: DB, Owner: Any) -> dict[str, dict[str, Any]]:
    """Forks ``CHILDREN`` children reading their own keys; their reports by
    key (children still running after 20 s are killed and report nothing)."""
    pipes: dict[int, tuple[int, str]] = {}
    for i in range(CHILDREN):
        key = f"child-{i}"
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            child(db, Owner, key, w)
        os.close(w)
        pipes[r] = (pid, key)
    reports: dict[str, dict[str, Any]] = {}
    chunks: dict[int, bytes] = defaultdict(bytes)
    deadline = time.monotonic() + 20
    open_fds = set(pipes)
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.1)
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd] += data
            else:
                open_fds.discard(fd)
    for fd, (pid, key) in pipes.items():
        if fd in open_fds:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
        if chunks[fd]:
            reports[key] = json.loads(chunks[fd])
    return reports


def own_db(proxy: FaultProxy) -> DB:
    return DB(region_name=REGION, endpoint_url=proxy.endpoint, fast_path=FAST_PATH)


def given_db(proxy: FaultProxy) -> DB:
    return DB(client=client_for(proxy.endpoint), fast_path=FAST_PATH)


@pytest.mark.parametrize("make", [own_db, given_db], ids=["own-client", "given-client"])
def test_forked_children_read_their_own_items_on_their_own_connections(
    fault_proxy: FaultProxy, Owner: Any, make: Callable[[FaultProxy], DB]
) -> None:
    db = make(fault_proxy)
    assert read(db, Owner, "parent") == "parent"  # leaves a pooled keep-alive connection
    reports = fork_readers(db, Owner)
    assert read(db, Owner, "parent") == "parent"  # the parent keeps its connection
    for i in range(CHILDREN):
        key = f"child-{i}"
        assert reports.get(key) == {"got": [key] * READS}, key
    keys_by_connection: dict[int, set[str]] = defaultdict(set)
    for request in fault_proxy.of("GetItem"):
        keys_by_connection[request.connection].add(request.body["Key"]["pk"]["S"])
    shared = {c: keys for c, keys in keys_by_connection.items() if len(keys) > 1}
    assert shared == {}, "connections that carried requests of two processes"
    assert len(fault_proxy.of("GetItem")) == 2 + CHILDREN * READS
