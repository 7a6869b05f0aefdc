"""The botocore ``Config`` (and ``session``) given to ``DB`` apply to the
requests of the client it creates on the library's own request path — each
test counts the requests that path sent itself — and, with
``fast_path=False``, on botocore's pipeline alike: timeouts, the pool size,
proxies, TCP keep-alive, the user agent, the signature version, the
session's credentials. Failures are dynamorm errors. Against the test server
through local proxies, and local servers that never answer or never
accept."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from dynamorm import DB, RetryPolicy
from dynamorm.errors import DynamORMError, RequestError, RetryExhaustedError
from dynamorm.transport._botocore_private import http_session

from tests._support.direct_sends import count_direct_sends
from tests._support.forward_proxy import ForwardProxy
from tests._support.proxy import FaultProxy
from tests._support.servers import silent_server, unaccepting_server
from tests.conftest import REGION
from tests.integration.db_models import define_note

PATHS = pytest.mark.parametrize("fast_path", [True, False], ids=["direct", "botocore"])
"""Each test on the library's own request path and on botocore's pipeline."""

NO_RETRIES = RetryPolicy(max_retries=0)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many requests went out on the library's own request path."""
    return count_direct_sends(monkeypatch)


@pytest.fixture
def Note(make_table: Callable[..., str]) -> Any:
    return define_note(make_table(sk=None))


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as proxy:
        yield proxy


def db_with(endpoint: str, fast_path: bool, **config: Any) -> DB:
    """A ``DB`` making its own client for ``endpoint``, with ``Config(**config)``."""
    return DB(
        region_name=REGION, endpoint_url=endpoint, config=Config(**config), fast_path=fast_path
    )


def get(db: DB, Note: Any, pk: str = "a") -> Any:
    return db.model(Note).where("pk", "=", pk).first()


def expect_sends(counted: dict[str, int], fast_path: bool, requests: int) -> None:
    """All ``requests`` went out on the path ``fast_path`` says."""
    assert counted["direct"] == (requests if fast_path else 0)


@PATHS
def test_the_configs_read_timeout_ends_a_request_the_server_never_answers(
    fast_path: bool, counted: dict[str, int]
) -> None:
    Note = define_note("silent-notes")
    with silent_server() as server:
        db = DB(
            region_name=REGION,
            endpoint_url=server.endpoint,
            config=Config(read_timeout=0.2),
            retry_policy=NO_RETRIES,
            fast_path=fast_path,
        )
        start = time.monotonic()
        with pytest.raises(RequestError) as info:
            # A deadline longer than the read timeout: the Config's wins.
            get(db.with_timeout(5), Note)
        elapsed = time.monotonic() - start
        accepted = server.accepted
    assert 0.2 <= elapsed < 1.0
    assert not isinstance(info.value, TimeoutError)
    assert isinstance(info.value.__cause__, ReadTimeoutError)
    assert str(info.value).startswith("GetItem on Note failed: Read timeout")
    assert accepted == 1
    expect_sends(counted, fast_path, 1)


@PATHS
def test_each_retry_of_a_read_timeout_waits_the_configs_read_timeout(
    fast_path: bool, counted: dict[str, int]
) -> None:
    Note = define_note("silent-notes")
    with silent_server() as server:
        db = DB(
            region_name=REGION,
            endpoint_url=server.endpoint,
            config=Config(read_timeout=0.2),
            retry_policy=RetryPolicy(max_retries=2, initial_delay=0.01, jitter=0),
            fast_path=fast_path,
        )
        start = time.monotonic()
        with pytest.raises(RetryExhaustedError) as info:
            get(db, Note)
        elapsed = time.monotonic() - start
        accepted = server.accepted
    assert 0.6 <= elapsed < 2.0
    assert info.value.attempts == 3
    assert isinstance(info.value.__cause__, ReadTimeoutError)
    assert accepted == 3  # each attempt on a new connection
    expect_sends(counted, fast_path, 3)


@PATHS
def test_the_configs_connect_timeout_ends_a_connect_that_never_completes(
    fast_path: bool, counted: dict[str, int]
) -> None:
    Note = define_note("unaccepted-notes")
    with unaccepting_server() as endpoint:
        db = DB(
            region_name=REGION,
            endpoint_url=endpoint,
            config=Config(connect_timeout=0.2),
            retry_policy=NO_RETRIES,
            fast_path=fast_path,
        )
        start = time.monotonic()
        with pytest.raises(RequestError) as info:
            get(db, Note)
        elapsed = time.monotonic() - start
    assert 0.2 <= elapsed < 1.0
    assert isinstance(info.value.__cause__, ConnectTimeoutError)
    assert str(info.value).startswith("GetItem on Note failed: Connect timeout")
    expect_sends(counted, fast_path, 1)


def connections_opened(
    proxy: FaultProxy, db: DB, Note: Any, threads: int = 4, rounds: int = 3
) -> int:
    """The connections ``db`` opens to ``proxy`` for ``rounds`` rounds of
    ``threads`` GetItems at once (each held at the proxy until all of its
    round's have come, so that they are in flight together)."""
    proxy.gather("GetItem", threads)
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            for _ in range(rounds):
                barrier.wait(timeout=10)
                assert get(db, Note).n == 1
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert failures == []
    assert proxy.max_in_flight_of("GetItem") == threads
    return proxy.connections


@PATHS
def test_the_configs_pool_size_is_the_number_of_connections_kept(
    fast_path: bool, counted: dict[str, int], ddb_endpoint: str, Note: Any
) -> None:
    DB(region_name=REGION, endpoint_url=ddb_endpoint, fast_path=fast_path).model(
        Note(pk="a", n=1)
    ).create()
    opened = {}
    for size in (1, 4):
        with FaultProxy(ddb_endpoint) as proxy:
            db = db_with(proxy.endpoint, fast_path, max_pool_connections=size)
            opened[size] = connections_opened(proxy, db, Note)
    # A pool of 4 keeps the 4 connections of the first round for the next
    # ones; a pool of 1 keeps one and the others are opened anew each round.
    assert opened[4] == 4
    assert opened[1] > 4
    expect_sends(counted, fast_path, 1 + 2 * 4 * 3)


@PATHS
def test_requests_go_through_the_configs_proxy(
    fast_path: bool,
    counted: dict[str, int],
    ddb_endpoint: str,
    forward_proxy: ForwardProxy,
    Note: Any,
) -> None:
    user = forward_proxy.url.replace("http://", "http://orders:s3cret@")
    db = db_with(ddb_endpoint, fast_path, proxies={"http": user})
    db.model(Note(pk="a", n=3)).create()
    assert get(db, Note).n == 3
    forwarded = forward_proxy.forwarded()
    # (botocore's pipeline asks for the endpoint's "/", the library's path
    # for the endpoint as configured: either names the root.)
    assert [f.url.rstrip("/") for f in forwarded] == [ddb_endpoint] * 2
    assert [f.headers["x-amz-target"] for f in forwarded] == [
        "DynamoDB_20120810.PutItem",
        "DynamoDB_20120810.GetItem",
    ]
    # The proxy's credentials, from its URL, as botocore sends them.
    assert {f.headers["proxy-authorization"] for f in forwarded} == {"Basic b3JkZXJzOnMzY3JldA=="}
    expect_sends(counted, fast_path, 2)


@PATHS
def test_the_configs_user_agent_extras_are_sent(
    fast_path: bool,
    counted: dict[str, int],
    ddb_endpoint: str,
    forward_proxy: ForwardProxy,
    Note: Any,
) -> None:
    db = db_with(
        ddb_endpoint,
        fast_path,
        proxies={"http": forward_proxy.url},
        user_agent_extra="orders-service/2.1",
        user_agent_appid="orders",
    )
    db.model(Note).where("pk", "=", "a").all()
    (request,) = forward_proxy.forwarded()
    agent = request.headers["user-agent"]
    assert agent.endswith(" orders-service/2.1")
    assert " app/orders " in agent
    expect_sends(counted, fast_path, 1)


@PATHS
def test_an_unsigned_config_sends_unsigned_requests(
    fast_path: bool,
    counted: dict[str, int],
    ddb_endpoint: str,
    forward_proxy: ForwardProxy,
    Note: Any,
) -> None:
    db = db_with(
        ddb_endpoint,
        fast_path,
        proxies={"http": forward_proxy.url},
        signature_version=botocore.UNSIGNED,
    )
    with pytest.raises(DynamORMError):
        # The server refuses an unsigned request, or cannot tell what it is for.
        db.model(Note).where("pk", "=", "a").all()
    (request,) = forward_proxy.forwarded()
    assert request.headers["x-amz-target"] == "DynamoDB_20120810.Query"
    assert "authorization" not in request.headers
    # The library's path signs with SigV4 only: botocore carries these.
    assert counted["direct"] == 0


@PATHS
def test_the_sessions_credentials_sign_the_requests(
    fast_path: bool,
    counted: dict[str, int],
    ddb_endpoint: str,
    forward_proxy: ForwardProxy,
    Note: Any,
) -> None:
    session = boto3.Session(
        aws_access_key_id="AKIDORDERSSESSION",
        aws_secret_access_key="orders-secret",
        aws_session_token="orders-token",
        region_name=REGION,
    )
    db = DB(
        session=session,
        endpoint_url=ddb_endpoint,
        config=Config(proxies={"http": forward_proxy.url}),
        fast_path=fast_path,
    )
    db.model(Note).where("pk", "=", "a").all()
    (request,) = forward_proxy.forwarded()
    assert request.headers["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDORDERSSESSION/"
    )
    assert f"/{REGION}/dynamodb/aws4_request" in request.headers["authorization"]
    assert request.headers["x-amz-security-token"] == "orders-token"
    expect_sends(counted, fast_path, 1)


def pooled_sockets(db: DB) -> list[socket.socket]:
    """The sockets of the idle connections in ``db``'s client's pools."""
    session = http_session(db.client)
    assert session is not None
    found = []
    for pool in session._manager.pools._container.values():
        for conn in list(pool.pool.queue):
            if conn is not None and conn.sock is not None:
                found.append(conn.sock)
    return found


@PATHS
@pytest.mark.parametrize("keepalive", [True, False])
def test_the_configs_tcp_keepalive_is_set_on_the_connections(
    fast_path: bool, keepalive: bool, counted: dict[str, int], fault_proxy: FaultProxy, Note: Any
) -> None:
    # The proxy keeps connections open (moto's server closes them).
    db = db_with(fault_proxy.endpoint, fast_path, tcp_keepalive=keepalive)
    db.model(Note).where("pk", "=", "a").all()
    (sock,) = pooled_sockets(db)
    assert bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)) is keepalive
    expect_sends(counted, fast_path, 1)
