"""The asyncio transport across event loops and ``close()``: one transport
serves successive ``asyncio.run()`` calls (each loop's connections closed
when it shuts down, nothing reported unclosed), several loops at once (each
with its own pool), and a send after ``close()`` (which closes the running
loop's connections, once) opens a new pool. The process's own sockets to
the fault proxy are counted with psutil."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from tests._support.proxy import FaultProxy
from tests.integration.aio.transport_support import Ways, aio, direct_db, get_request


def open_sockets_to(proxy: FaultProxy) -> int:
    """This process's open client sockets connected to ``proxy``."""
    port = int(proxy.endpoint.rsplit(":", 1)[1])
    return sum(
        1 for c in psutil.Process().net_connections(kind="tcp") if c.raddr and c.raddr.port == port
    )


class Unclosed:
    """What is reported unclosed: ``ResourceWarning``s, and asyncio's
    "Unclosed ..." errors."""

    def __init__(
        self, caught: list[warnings.WarningMessage], log: pytest.LogCaptureFixture
    ) -> None:
        self._caught = caught
        self._log = log

    def reports(self) -> list[str]:
        """Everything reported so far, after a garbage collection."""
        gc.collect()
        found = [str(w.message) for w in self._caught if issubclass(w.category, ResourceWarning)]
        found += [r.getMessage() for r in self._log.records if "nclosed" in r.getMessage()]
        return found


@pytest.fixture
def unclosed(caplog: pytest.LogCaptureFixture) -> Iterator[Unclosed]:
    """What is reported unclosed during the test."""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.ERROR, "asyncio"):
        warnings.simplefilter("always", ResourceWarning)
        yield Unclosed(caught, caplog)


def test_one_transport_serves_two_asyncio_runs_and_closes_each_loops_connections(
    stored: Any, ways: Ways, fault_proxy: FaultProxy, unclosed: Unclosed
) -> None:
    db = direct_db(fault_proxy.endpoint)
    transport = aio(db)

    async def main() -> int:
        answer = await transport.send(get_request(db, stored))
        assert open_sockets_to(fault_proxy) == 1  # kept open in the pool
        return int(answer.parsed["Item"].n)

    assert asyncio.run(main()) == 7
    assert open_sockets_to(fault_proxy) == 0
    assert asyncio.run(main()) == 7
    assert open_sockets_to(fault_proxy) == 0
    assert unclosed.reports() == []
    assert fault_proxy.connections == 2  # one per loop
    assert ways.direct == 2 and ways.threads == []


def test_close_closes_the_loops_connections_once_and_a_later_send_opens_a_new_pool(
    stored: Any, fault_proxy: FaultProxy, unclosed: Unclosed
) -> None:
    db = direct_db(fault_proxy.endpoint)
    transport = aio(db)

    async def main() -> list[int]:
        first = await transport.send(get_request(db, stored))
        await transport.close()
        assert open_sockets_to(fault_proxy) == 0
        await transport.close()  # again: nothing to do
        second = await transport.send(get_request(db, stored))
        assert open_sockets_to(fault_proxy) == 1
        await transport.close()
        return [first.parsed["Item"].n, second.parsed["Item"].n]

    assert asyncio.run(main()) == [7, 7]
    assert fault_proxy.connections == 2
    assert unclosed.reports() == []


def test_close_before_any_send_does_nothing(unclosed: Unclosed) -> None:
    db = direct_db("http://127.0.0.1:9")
    asyncio.run(aio(db).close())
    assert unclosed.reports() == []


def test_two_loops_at_once_each_send_on_a_pool_of_their_own(
    stored: Any, fault_proxy: FaultProxy, unclosed: Unclosed
) -> None:
    db = direct_db(fault_proxy.endpoint, max_pool_connections=1)
    transport = aio(db)
    fault_proxy.delay("GetItem", 0.3)
    both = threading.Barrier(2)
    read: list[int] = []

    def run() -> None:
        async def main() -> None:
            both.wait(timeout=10)
            answer = await transport.send(get_request(db, stored))
            read.append(answer.parsed["Item"].n)

        asyncio.run(main())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert read == [7, 7]
    # Each loop's pool of one: both requests were in flight together.
    assert fault_proxy.max_in_flight_of("GetItem") == 2
    assert fault_proxy.connections == 2
    assert open_sockets_to(fault_proxy) == 0
    assert unclosed.reports() == []


def test_the_pool_of_a_loop_closed_without_shutting_down_is_forgotten_not_reported_unclosed(
    stored: Any, fault_proxy: FaultProxy, unclosed: Unclosed
) -> None:
    db = direct_db(fault_proxy.endpoint)
    transport = aio(db)
    loop = asyncio.new_event_loop()
    try:
        first = loop.run_until_complete(transport.send(get_request(db, stored)))
    finally:
        loop.close()  # no loop.shutdown_asyncgens(): its pool stays open
    second = asyncio.run(transport.send(get_request(db, stored)))
    assert [first.parsed["Item"].n, second.parsed["Item"].n] == [7, 7]
    del first, loop
    # Its session is not reported; only the sockets the collector closed are.
    reports = unclosed.reports()
    assert not [r for r in reports if "session" in r or "connector" in r]
