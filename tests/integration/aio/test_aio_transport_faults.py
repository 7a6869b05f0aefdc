"""The asyncio transport's direct path when the network misbehaves: every
failure is the botocore exception the sync path raises for it (so the retry
scheduler classifies it alike), timeouts end at the ``Config``'s or at the
attempt's cap (which also bounds the wait for a free connection), the pool
holds at most ``max_pool_connections`` connections, and cancelling a send
leaves no task and no pool slot behind. Against the test server through the
fault proxy, and local servers that never answer, never accept or are not
there."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from dynamorm.retry import is_ambiguous, is_retryable

from tests._support.proxy import FaultProxy
from tests._support.servers import refusing_port, silent_server, unaccepting_server
from tests.integration.aio.transport_support import Ways, aio, direct_db, get_request
from tests.integration.db_models import define_note

Lonely = define_note("notes-nobody-answers")
"""A model whose requests go to servers without its table."""


async def failing(transport: Any, request: Any, timeout: float | None) -> tuple[float, Any]:
    """How long ``transport.send(request, timeout=timeout)`` took to fail,
    and the exception."""
    start = time.monotonic()
    try:
        await transport.send(request, timeout=timeout)
    except Exception as exc:
        return time.monotonic() - start, exc
    raise AssertionError("the request succeeded")


def elapsed_failure(transport: Any, request: Any, timeout: float | None) -> tuple[float, Any]:
    """``failing`` on a loop of its own."""
    return asyncio.run(failing(transport, request, timeout))


@pytest.mark.parametrize("where", ["config", "cap"])
def test_a_read_the_server_never_answers_ends_at_the_read_timeout(ways: Ways, where: str) -> None:
    # "cap": the attempt's cap ends the read long before the Config's timeout.
    with silent_server() as server:
        if where == "config":
            db, cap = direct_db(server.endpoint, read_timeout=0.3), None
        else:
            db, cap = direct_db(server.endpoint, read_timeout=30), 0.3
        took, exc = elapsed_failure(aio(db), get_request(db, Lonely), cap)
        accepted = server.accepted
    assert isinstance(exc, ReadTimeoutError)
    assert 0.3 <= took < 1.0
    assert is_retryable(exc) and is_ambiguous(exc)
    assert accepted == 1 and ways.direct == 1 and ways.threads == []


@pytest.mark.parametrize("where", ["config", "cap"])
def test_a_connect_that_never_completes_ends_at_the_connect_timeout(where: str) -> None:
    with unaccepting_server() as endpoint:
        if where == "config":
            db, cap = direct_db(endpoint, connect_timeout=0.3), None
        else:
            db, cap = direct_db(endpoint, connect_timeout=30), 0.3
        took, exc = elapsed_failure(aio(db), get_request(db, Lonely), cap)
    assert isinstance(exc, ConnectTimeoutError)
    assert 0.3 <= took < 1.0
    assert is_retryable(exc) and not is_ambiguous(exc)


def test_a_refused_connection_is_an_endpoint_connection_error() -> None:
    with refusing_port() as port:
        db = direct_db(f"http://127.0.0.1:{port}")
        _, exc = elapsed_failure(aio(db), get_request(db, Lonely), None)
    assert isinstance(exc, EndpointConnectionError)
    assert f"{db.client.meta.endpoint_url}/" in str(exc)
    assert is_retryable(exc) and not is_ambiguous(exc)


@pytest.mark.parametrize("after", [False, True], ids=["before-the-server", "after-the-server"])
def test_a_connection_reset_once_the_request_went_out_is_a_connection_closed_error(
    stored: Any, fault_proxy: FaultProxy, after: bool
) -> None:
    db = direct_db(fault_proxy.endpoint)
    fault_proxy.reset_connection("GetItem", after=after)
    _, exc = elapsed_failure(aio(db), get_request(db, stored), None)
    assert isinstance(exc, ConnectionClosedError)
    assert is_retryable(exc) and is_ambiguous(exc)  # a write's outcome is unknown
    assert [r.fault for r in fault_proxy.requests] == ["reset_connection"]


def test_concurrent_sends_share_at_most_max_pool_connections_connections(
    stored: Any, ways: Ways, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint, max_pool_connections=2)
    transport = aio(db)
    fault_proxy.delay("GetItem", 0.1)

    async def main() -> list[Any]:
        answers = await asyncio.gather(*(transport.send(get_request(db, stored)) for _ in range(8)))
        return [a.parsed["Item"].n for a in answers]

    assert asyncio.run(main()) == [7] * 8
    assert fault_proxy.connections == 2
    assert fault_proxy.max_in_flight_of("GetItem") == 2
    assert ways.direct == 8 and ways.threads == []


def test_the_attempts_cap_bounds_the_wait_for_a_free_connection_as_a_connect_timeout(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint, max_pool_connections=1)
    transport = aio(db)
    fault_proxy.delay("GetItem", 1.0, times=1)

    async def main() -> tuple[float, Any, int]:
        holding = asyncio.create_task(transport.send(get_request(db, stored)))
        await asyncio.sleep(0.2)  # the pool's one connection is held at the proxy
        took, exc = await failing(transport, get_request(db, stored), 0.3)
        return took, exc, (await holding).parsed["Item"].n

    took, exc, held = asyncio.run(main())
    assert isinstance(exc, ConnectTimeoutError)  # nothing was sent
    assert 0.3 <= took < 0.8
    assert held == 7
    assert len(fault_proxy.of("GetItem")) == 1 and fault_proxy.connections == 1


def test_a_pooled_connection_idle_for_longer_than_the_read_timeout_serves_the_next_send(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    # aiohttp 3.14.0 and 3.14.1 left a read timer on a pooled connection,
    # failing the next request on it at once.
    db = direct_db(fault_proxy.endpoint, read_timeout=0.2)
    transport = aio(db)

    async def main() -> list[int]:
        first = await transport.send(get_request(db, stored))
        await asyncio.sleep(0.5)
        second = await transport.send(get_request(db, stored))
        return [first.parsed["Item"].n, second.parsed["Item"].n]

    assert asyncio.run(main()) == [7, 7]
    assert fault_proxy.connections == 1


def test_cancelling_a_send_leaves_no_task_and_frees_its_connection(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint, max_pool_connections=1)
    transport = aio(db)
    fault_proxy.delay("GetItem", 0.5, times=1)

    async def main() -> tuple[set[asyncio.Task[Any]], list[int]]:
        sending = asyncio.create_task(transport.send(get_request(db, stored)))
        await asyncio.sleep(0.2)  # held at the proxy
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
        left = asyncio.all_tasks() - {asyncio.current_task()}
        # The pool of one is free at once: these do not wait for the cancelled one.
        async with asyncio.timeout(2):
            after = [await transport.send(get_request(db, stored)) for _ in range(3)]
        return left, [a.parsed["Item"].n for a in after]

    left, after = asyncio.run(main())
    assert left == set()
    assert after == [7, 7, 7]
    # The cancelled request's connection was dropped, not reused.
    assert fault_proxy.connections == 2
    assert [r.connection for r in fault_proxy.requests] == [1, 2, 2, 2]


def test_cancelling_many_sends_on_a_small_pool_leaks_no_slot(
    stored: Any, fault_proxy: FaultProxy
) -> None:
    db = direct_db(fault_proxy.endpoint, max_pool_connections=2)
    transport = aio(db)
    fault_proxy.delay("GetItem", 0.5, times=2)

    async def main() -> list[int]:
        sending = [asyncio.create_task(transport.send(get_request(db, stored))) for _ in range(10)]
        await asyncio.sleep(0.2)  # two at the proxy, eight waiting for a connection
        for task in sending:
            task.cancel()
        await asyncio.gather(*sending, return_exceptions=True)
        assert all(task.cancelled() for task in sending)
        async with asyncio.timeout(2):
            after = await asyncio.gather(
                *(transport.send(get_request(db, stored)) for _ in range(4))
            )
        return [a.parsed["Item"].n for a in after]

    assert asyncio.run(main()) == [7] * 4
    assert len(fault_proxy.of("GetItem")) == 2 + 4
