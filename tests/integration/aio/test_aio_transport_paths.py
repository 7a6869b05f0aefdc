"""Which way the asyncio transport sends, and with what: the thread path
(the sync transport's own ``send`` in a worker thread) whenever the sync
path would not send directly — moto's ``mock_aws``, a handler on the
client, a client passed in, ``fast_path=False`` — or aiohttp cannot do what
the ``Config`` asks (an ``https://`` proxy, ``proxies_config``); otherwise
aiohttp from the loop, through the ``Config``'s ``http://`` proxy, with TCP
keep-alive when asked; and credentials refreshed in a worker thread, only
when botocore says they are due."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ProxyConnectionError
from dynamorm import DB
from dynamorm.aio.pool import Wire
from dynamorm.retry import is_ambiguous, is_retryable
from dynamorm.transport.botocore import BotocoreTransport

from tests._support.credentials import Clock, Refresher, refreshable, use_credentials
from tests._support.forward_proxy import ForwardProxy
from tests._support.proxy import FaultProxy
from tests._support.servers import refusing_port
from tests.conftest import REGION, client_for
from tests.integration.aio.transport_support import (
    NO_RETRIES,
    Ways,
    aio,
    direct_db,
    get_request,
    put_request,
)
from tests.integration.db_models import define_note

MINUTE = 60.0


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as proxy:
        yield proxy


def read(db: DB, model: Any, pk: str = "a") -> Any:
    return asyncio.run(aio(db).send(get_request(db, model, pk))).parsed.get("Item")


def test_under_motos_mock_aws_requests_take_the_thread_path_and_the_mock_answers(
    ways: Ways, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        db = DB(region_name=REGION, retry_policy=NO_RETRIES)
        Note = define_note(f"mocked-{uuid.uuid4().hex[:8]}")
        db.create_table(Note)
        db.model(Note(pk="a", n=5)).create()
        ways.threads.clear()
        transport = aio(db)

        async def main() -> Any:
            await transport.send(put_request(db, Note(pk="b", n=6)))
            return (await transport.send(get_request(db, Note, "b"))).parsed["Item"]

        assert asyncio.run(main()) == Note(pk="b", n=6)
        assert db.model(Note).where("pk", "=", "a").first() == Note(pk="a", n=5)
    assert ways.direct == 0
    assert len(ways.threads) == 2 + 1  # and the sync read
    assert all(name != "MainThread" for name in ways.threads[:2])


def test_a_handler_on_the_client_sees_the_requests_sent_from_a_thread(
    stored: Any, ways: Ways, ddb_endpoint: str
) -> None:
    db = direct_db(ddb_endpoint)
    seen: list[str] = []
    db.client.meta.events.register(
        "before-send.dynamodb.GetItem", lambda request, **_: seen.append(request.url)
    )
    assert read(db, stored) == stored(pk="a", n=7)
    assert len(seen) == 1
    assert ways.direct == 0 and len(ways.threads) == 1 and ways.threads[0] != "MainThread"


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "fast_path=False"])
def test_a_client_passed_in_sends_through_botocore_in_a_thread(
    stored: Any, ways: Ways, ddb_endpoint: str, fast_path: bool
) -> None:
    db = DB(client=client_for(ddb_endpoint), fast_path=fast_path, retry_policy=NO_RETRIES)
    transport = aio(db)
    assert isinstance(transport.sync, BotocoreTransport)
    assert transport.fast is fast_path and transport.client is db.client
    response = asyncio.run(transport.send(get_request(db, stored)))
    item = response.parsed["Item"]
    # Decoded into the model on the fast path; botocore's DynamoDB JSON otherwise.
    assert item == (stored(pk="a", n=7) if fast_path else {"pk": {"S": "a"}, "n": {"N": "7"}})
    assert ways.direct == 0 and len(ways.threads) == 1 and ways.threads[0] != "MainThread"


def test_a_db_made_client_on_botocores_pipeline_sends_from_a_thread(
    stored: Any, ways: Ways, ddb_endpoint: str
) -> None:
    db = DB(region_name=REGION, endpoint_url=ddb_endpoint, fast_path=False)
    assert read(db, stored) == {"pk": {"S": "a"}, "n": {"N": "7"}}
    assert ways.direct == 0 and len(ways.threads) == 1


def test_requests_go_through_the_configs_http_proxy_with_its_credentials(
    stored: Any, ways: Ways, ddb_endpoint: str, forward_proxy: ForwardProxy
) -> None:
    user = forward_proxy.url.replace("http://", "http://orders:s3cret@")
    db = direct_db(ddb_endpoint, proxies={"http": user})
    assert read(db, stored) == stored(pk="a", n=7)
    (forwarded,) = forward_proxy.forwarded()
    assert forwarded.url.rstrip("/") == ddb_endpoint
    assert forwarded.headers["x-amz-target"] == "DynamoDB_20120810.GetItem"
    # The proxy's credentials, from its URL, as botocore sends them.
    assert forwarded.headers["proxy-authorization"] == "Basic b3JkZXJzOnMzY3JldA=="
    assert ways.direct == 1 and ways.threads == []


def test_a_proxy_that_cannot_be_reached_is_the_sync_paths_proxy_connection_error(
    stored: Any, ddb_endpoint: str
) -> None:
    with refusing_port() as port:
        db = direct_db(ddb_endpoint, proxies={"http": f"http://u:pw@127.0.0.1:{port}"})
        request = get_request(db, stored)
        with pytest.raises(ProxyConnectionError) as sync:
            db._executor.transport.send(request)
        with pytest.raises(ProxyConnectionError) as awaited:
            asyncio.run(aio(db).send(request))
    assert str(awaited.value) == str(sync.value)
    assert "***:***@127.0.0.1" in str(awaited.value)  # the proxy's credentials masked
    assert is_retryable(awaited.value) and not is_ambiguous(awaited.value)


def test_the_environments_proxy_is_the_one_botocore_resolved(
    stored: Any,
    ways: Ways,
    ddb_endpoint: str,
    forward_proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    db = direct_db(ddb_endpoint)
    assert read(db, stored) == stored(pk="a", n=7)
    assert [f.headers["x-amz-target"] for f in forward_proxy.forwarded()] == [
        "DynamoDB_20120810.GetItem"
    ]
    assert ways.direct == 1 and ways.threads == []


@pytest.mark.parametrize(
    "config",
    [
        {"proxies": {"http": "https://127.0.0.1:9"}},
        {"proxies": {"http": "http://127.0.0.1:9"}, "proxies_config": {"proxy_ca_bundle": "x"}},
    ],
    ids=["https-proxy", "proxies_config"],
)
def test_what_aiohttp_cannot_do_as_the_config_asks_takes_the_thread_path(
    ways: Ways, config: dict[str, Any]
) -> None:
    # Both proxies are unreachable: the sync path fails to reach them, in a thread.
    db = direct_db("http://127.0.0.1:1", connect_timeout=0.5, **config)
    with pytest.raises(Exception) as info:
        read(db, define_note("notes-behind-a-proxy"))
    assert type(info.value).__module__.startswith("botocore")
    assert len(ways.threads) == 1 and ways.threads[0] != "MainThread"
    assert ways.direct == 2  # prepared here, then again by the sync path in its thread


@pytest.mark.parametrize("keepalive", [True, False])
def test_the_configs_tcp_keepalive_is_set_on_the_connections(
    stored: Any, fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch, keepalive: bool
) -> None:
    made: list[socket.socket] = []
    factory = Wire.socket_factory

    def recording(self: Wire) -> Callable[[Any], socket.socket]:
        make = factory(self) or (lambda info: socket.socket(info[0], info[1], info[2]))

        def made_by(info: Any) -> socket.socket:
            made.append(make(info))
            return made[-1]

        return made_by

    monkeypatch.setattr(Wire, "socket_factory", recording)
    db = direct_db(fault_proxy.endpoint, tcp_keepalive=keepalive)
    transport = aio(db)

    async def main() -> list[bool]:
        await transport.send(get_request(db, stored))
        # The connection is in the pool, open: its socket's options are readable.
        return [bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)) for s in made]

    assert asyncio.run(main()) == [keepalive]


class ThreadNoting(Refresher):
    """A refresh function that also notes the thread each call ran on."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.threads: list[int] = []

    def __call__(self) -> dict[str, Any]:
        self.threads.append(threading.get_ident())
        return super().__call__()


def test_credentials_are_refreshed_in_a_thread_once_and_only_when_due(
    Note: Any, fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch, ways: Ways
) -> None:
    clock = Clock()
    refresher = ThreadNoting(clock)
    use_credentials(monkeypatch, refreshable(clock, refresher, expires_in=60 * MINUTE))
    db = direct_db(fault_proxy.endpoint)
    transport = aio(db)

    async def main() -> int:
        for _ in range(20):
            await transport.send(get_request(db, Note))
        assert refresher.calls == 0  # far from expiry: never refreshed
        clock.advance(48 * MINUTE)  # 12 minutes left: botocore's advisory window
        await asyncio.gather(*(transport.send(get_request(db, Note)) for _ in range(20)))
        await asyncio.gather(*(transport.send(get_request(db, Note)) for _ in range(20)))
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert refresher.calls == 1
    assert refresher.threads != [loop_thread]
    assert [r.access_key for r in fault_proxy.requests] == ["AKID0"] * 20 + ["AKID1"] * 40
    assert ways.direct == 60 and ways.threads == []


def test_a_refresh_failing_in_the_advisory_window_is_retried_off_the_loop_keeping_the_old_key(
    Note: Any, fault_proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch, ways: Ways
) -> None:
    clock = Clock()
    refresher = ThreadNoting(clock)
    refresher.fail = RuntimeError("token service unavailable")
    use_credentials(monkeypatch, refreshable(clock, refresher, expires_in=12 * MINUTE))
    db = direct_db(fault_proxy.endpoint)
    transport = aio(db)

    async def main() -> int:
        # The first GetItem resolves its endpoint, whose rules read the
        # credentials (and so try the refresh) once more.
        await asyncio.gather(*(transport.send(get_request(db, Note)) for _ in range(10)))
        await asyncio.gather(*(transport.send(get_request(db, Note)) for _ in range(10)))
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert refresher.calls >= 2
    assert loop_thread not in refresher.threads
    assert [r.access_key for r in fault_proxy.requests] == ["AKID0"] * 20
    assert ways.direct == 20 and ways.threads == []
