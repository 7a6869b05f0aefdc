"""How aiohttp and httpx behave where the asyncio transport depends on them,
checked against local servers (``bench_async_http.py`` runs this after its
table; it also runs on its own):

* signed headers: what each client puts on the wire, read by a local
  server: whether every header the request was signed with (``host``
  included) and the body arrive as signed, and what the client adds;
* pool limit: 200 GetItems at once with a pool of 10, counted at a
  ``FaultProxy`` in front of dynalite (connections it accepted, requests in
  flight at once); pydynox too, which has no pool setting;
* failures: a read timeout on a server that never answers, a connect
  timeout on one whose accept queue is full, a refused connection, a
  connection reset before and after the request reached the server, and a
  keep-alive connection the server closed while it was idle — what each
  client raises (class, and whether it is a ``TimeoutError`` / ``OSError``)
  and after how long;
* TLS: a ``FaultProxy`` terminating TLS with a certificate from an
  authority made on the spot (``tests/_support/tls.py``): verification on by
  default, the authority given as an ``ssl.SSLContext``, verification off, a
  client certificate the server requires;
* cancellation: the awaiting task cancelled while its request waits at the
  server (pool of 1): tasks left behind, whether the next request reads its
  own answer or the cancelled one's, whether the connection was dropped;
  then ten cancelled at once on a pool of 2 and whether the pool still
  serves;
* httpcore's async-library detection: how often a request calls it, and its
  cost when ``sniffio`` is not installed (anyio 4.16 no longer needs it).

    .venv/bin/python benches/async_http_behaviour.py
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpcore
import httpx
from async_http_clients import Live, Send, Wire, aiohttp_client, httpx_client, live_table
from async_http_clients import pydynox_get as pydynox_getter
from dynamorm import DB

CLIENT_NAMES = ("aiohttp", "httpx")


def _support() -> Any:
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    import tests._support.proxy
    import tests._support.servers
    import tests._support.tls

    return tests._support


@contextlib.contextmanager
def quiet(proxy: Any) -> Iterator[Any]:
    """``proxy`` (a ``FaultProxy``) not printing the broken pipes of the
    answers it writes to connections a cancelled client closed."""
    proxy._server.handle_error = lambda request, address: None
    with proxy:
        yield proxy


def open_client(
    name: str,
    limit: int,
    *,
    connect: float = 10.0,
    read: float = 10.0,
    tls: ssl.SSLContext | bool = True,
) -> contextlib.AbstractAsyncContextManager[Send]:
    """Client ``name`` with ``limit`` connections, ``connect`` and ``read``
    timeouts (seconds) and ``tls`` verification (``True``: the client's
    default trust store; a context; ``False``: off)."""
    if name == "aiohttp":
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        return aiohttp_client(limit, ssl_option=tls, timeout=timeout)
    return httpx_client(limit, verify=tls, timeout=httpx.Timeout(read, connect=connect, pool=None))


def wire_at(live: Live, endpoint: str, sk: str = "s00007") -> Wire:
    """The GetItem of ``sk`` sent to ``endpoint`` (a proxy or a local server)."""
    return Wire(DB(region_name="us-east-1", endpoint_url=endpoint), live.model, live.table, sk)


def describe(exc: BaseException) -> str:
    """An exception's class, its client's base and whether it is a
    ``TimeoutError`` / ``OSError``."""
    kinds = [k for k in (TimeoutError, OSError) if isinstance(exc, k)]
    bases = [
        c.__name__
        for c in type(exc).__mro__[1:]
        if c.__module__.split(".")[0] in ("aiohttp", "httpx", "httpcore")
    ]
    text = type(exc).__module__.split(".")[0] + "." + type(exc).__name__
    if bases:
        text += f" ({' < '.join(bases)})"
    if kinds:
        text += " is " + ", ".join(k.__name__ for k in kinds)
    return text


async def outcome(send: Send, wire: Wire) -> str:
    """What sending ``wire``'s request did, and after how long."""
    return await timed(read(send, wire))


async def read(send: Send, wire: Wire) -> Any:
    """``wire``'s request sent with ``send``, read into its model."""
    return wire.answer(await send(wire.prepare()))


async def timed(call: Awaitable[Any]) -> str:
    """What ``call`` did and after how long."""
    start = time.perf_counter()
    try:
        result = await call
    except Exception as exc:
        return f"{describe(exc)} after {time.perf_counter() - start:.2f}s"
    return f"ok ({result!r:.40}) after {time.perf_counter() - start:.2f}s"


def others() -> set[asyncio.Task[Any]]:
    """The tasks of this loop but the running one."""
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]


@contextlib.asynccontextmanager
async def capturing() -> AsyncIterator[tuple[str, asyncio.Queue[tuple[dict[str, str], bytes]]]]:
    """A local server answering ``{}`` to each request: its endpoint, and a
    queue of what it received (headers, names lower-cased, and body)."""
    received: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")[1:-2]
        headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()
        received.put_nowait((headers, body))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", received


async def signed_headers(live: Live) -> list[str]:
    """Whether every header the request was signed with (the ``host`` the
    signer was given included) and the body reach the server as signed, and
    what each client adds."""
    lines = []
    for name in CLIENT_NAMES:
        async with capturing() as (endpoint, received):
            wire = wire_at(live, endpoint)
            prepared = wire.prepare()
            async with open_client(name, 1) as send:
                await send(prepared)
            headers, body = await received.get()
        sent = {k.lower(): v for k, v in prepared.headers.items()}
        sent["host"] = wire.host
        auth = sent["authorization"]
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        wrong = [h for h in signed if headers.get(h) != sent.get(h)]
        added = sorted(set(headers) - set(sent))
        lines.append(
            f"{name}: signed headers {';'.join(signed)}: "
            f"{'all as signed' if not wrong else f'changed: {wrong}'}; body "
            f"{'as signed' if body == prepared.body else 'changed'}; "
            f"the client adds {', '.join(f'{h}: {headers[h]}' for h in added)}"
        )
    return lines


async def pool_limit(live: Live) -> list[str]:
    """200 GetItems at once, pool of 10: what the proxy saw."""
    fault_proxy = _support().proxy.FaultProxy
    lines = []
    for name in (*CLIENT_NAMES, "pydynox"):
        pool = "no pool setting" if name == "pydynox" else "pool 10"
        with fault_proxy(live.endpoint) as proxy:
            if name == "pydynox":
                get = pydynox_getter(proxy.endpoint, live.table)
                await asyncio.gather(*(get() for _ in range(200)))
            else:
                wire = wire_at(live, proxy.endpoint)
                async with open_client(name, 10) as send:
                    await asyncio.gather(*(send(wire.prepare()) for _ in range(200)))
            lines.append(
                f"{name}: {pool}, 200 at once: {proxy.connections} connections, "
                f"at most {proxy.max_in_flight} requests in flight"
            )
    return lines


async def failures(live: Live) -> list[str]:
    """Timeouts, refusals, resets and a server-closed idle connection."""
    support = _support()
    servers = support.servers
    lines = []
    for name in CLIENT_NAMES:
        with servers.silent_server() as silent:
            wire = wire_at(live, silent.endpoint)
            async with open_client(name, 1, read=0.3) as send:
                got = await outcome(send, wire)
            lines.append(f"{name}: read timeout 0.3s, server silent: {got}")
        with servers.unaccepting_server() as endpoint:
            wire = wire_at(live, endpoint)
            async with open_client(name, 1, connect=0.3) as send:
                got = await outcome(send, wire)
            lines.append(f"{name}: connect timeout 0.3s, accept queue full: {got}")
        wire = wire_at(live, f"http://127.0.0.1:{servers.free_port()}")
        async with open_client(name, 1) as send:
            got = await outcome(send, wire)
        lines.append(f"{name}: nothing listening: {got}")
        for after in (False, True):
            with support.proxy.FaultProxy(live.endpoint) as proxy:
                proxy.reset_connection("GetItem", after=after)
                wire = wire_at(live, proxy.endpoint)
                async with open_client(name, 1) as send:
                    got = await outcome(send, wire)
            when = "after the server answered" if after else "before forwarding"
            lines.append(f"{name}: connection reset {when}: {got}")
        wire = Wire(live.db, live.model, live.table)
        async with open_client(name, 1) as send:
            await send(wire.prepare())
            await asyncio.sleep(5.5)  # node's keep-alive timeout is 5 s
            got = await outcome(send, wire)
        lines.append(f"{name}: request on a connection the server closed when idle: {got}")
    return lines


@contextlib.contextmanager
def _tls_proxy(live: Live, require_client_cert: bool) -> Iterator[tuple[Any, Any]]:
    support = _support()
    with tempfile.TemporaryDirectory() as directory:
        ca = support.tls.CertificateAuthority(Path(directory))
        context = ca.server_context(require_client_cert=require_client_cert)
        with support.proxy.FaultProxy(live.endpoint, tls=context) as proxy:
            yield ca, proxy


async def tls(live: Live) -> list[str]:
    """Verification on, with the authority, off; a client certificate."""
    lines = []
    for name in CLIENT_NAMES:
        with _tls_proxy(live, require_client_cert=False) as (ca, proxy):
            wire = wire_at(live, proxy.endpoint)
            trusted = ssl.create_default_context(cafile=str(ca.bundle))
            for label, option in (
                ("default verification", True),
                ("the authority as an SSLContext", trusted),
                ("verification off", False),
            ):
                async with open_client(name, 1, tls=option) as send:
                    got = await outcome(send, wire)
                lines.append(f"{name}: TLS, {label}: {got}")
        with _tls_proxy(live, require_client_cert=True) as (ca, proxy):
            wire = wire_at(live, proxy.endpoint)
            for label, with_cert in (("no client certificate", False), ("client cert", True)):
                context = ssl.create_default_context(cafile=str(ca.bundle))
                if with_cert:
                    context.load_cert_chain(str(ca.client_cert), str(ca.client_key))
                async with open_client(name, 1, tls=context) as send:
                    got = await outcome(send, wire)
                lines.append(f"{name}: TLS, server requires a client cert, {label}: {got}")
    return lines


async def cancellation(live: Live) -> list[str]:
    """Cancelling the awaiting task mid-request (see the module docstring)."""
    fault_proxy = _support().proxy.FaultProxy
    lines = []
    for name in CLIENT_NAMES:
        with quiet(fault_proxy(live.endpoint)) as proxy:
            seven, three = wire_at(live, proxy.endpoint), wire_at(live, proxy.endpoint, "s00003")
            proxy.delay("GetItem", 0.5, times=1)
            async with open_client(name, 1) as send:
                task = asyncio.ensure_future(send(seven.prepare()))
                await asyncio.sleep(0.15)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await asyncio.sleep(0)
                left = len(others())
                got = (await read(send, three)).n
                await asyncio.sleep(0.6)  # the delayed answer has been written by now
                again = (await read(send, seven)).n
            lines.append(
                f"{name}: cancelled mid-request (pool 1): {left} tasks left; next requests read "
                f"n={got} (want 3), then n={again} (want 7); {proxy.connections} connections "
                f"(2: the cancelled one was dropped); after closing: {len(others())} tasks left"
            )
        with quiet(fault_proxy(live.endpoint)) as proxy:
            wire = wire_at(live, proxy.endpoint)
            proxy.delay("GetItem", 0.5, times=2)  # the two that get a connection
            async with open_client(name, 2) as send:
                tasks = [asyncio.ensure_future(send(wire.prepare())) for _ in range(10)]
                await asyncio.sleep(0.15)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                got = await timed(five(send, wire))
            lines.append(
                f"{name}: 10 cancelled at once on a pool of 2, then 5 requests: {got}; "
                f"{len(others())} tasks left"
            )
    return lines


async def five(send: Send, wire: Wire) -> str:
    """Five GetItems at once, within 10 s."""
    async with asyncio.timeout(10):
        items = await asyncio.gather(*(read(send, wire) for _ in range(5)))
    return f"{len(items)} items"


async def library_detection(live: Live) -> list[str]:
    """httpcore's ``current_async_library`` per request, and its cost."""
    module = httpcore._synchronization
    original = module.current_async_library
    calls = 0

    def counted() -> str:
        nonlocal calls
        calls += 1
        return original()

    wire = Wire(live.db, live.model, live.table)
    module.current_async_library = counted
    try:
        async with open_client("httpx", 10) as send:
            await send(wire.prepare())
            calls = 0
            for _ in range(20):
                await send(wire.prepare())
    finally:
        module.current_async_library = original
    start = time.process_time()
    for _ in range(2000):
        original()
    each = (time.process_time() - start) / 2000
    try:
        import sniffio  # noqa: F401

        sniffio_state = "installed"
    except ImportError:
        sniffio_state = "not installed: each call fails to import it"
    return [
        f"httpcore current_async_library: {calls / 20:.0f} calls per request, "
        f"{each * 1e6:.1f} µs each (sniffio {sniffio_state})"
    ]


async def report(live: Live) -> None:
    """Every probe, printed."""
    for probe in (signed_headers, library_detection, pool_limit, failures, tls, cancellation):
        for line in await probe(live):
            print(line)


async def _run_alone() -> None:
    with live_table() as live:
        await report(live)


if __name__ == "__main__":
    asyncio.run(_run_alone())
