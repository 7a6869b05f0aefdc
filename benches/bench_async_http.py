"""asyncio HTTP clients for the asyncio transport: the library's GetItem,
sent through each, against dynalite.

Every client sends the request ``DirectTransport`` sends (the Rust core's
body, its headers signed per call by the Rust signer: ``async_http_clients.
Wire``) and reads the answer as it does (status, ``x-amz-crc32``, the item
decoded by the Rust core into the model). Per call: client CPU
(``time.process_time``, every thread of this process; the server's CPU is
not counted) and wall time, best of ``--repeat`` rounds after a warm-up
round, for ``--n`` GetItems at once on one event loop (``asyncio.gather``)
with the pool bounded at each of ``--limits`` connections, and for
``--sequential`` GetItems awaited one after another. A round longer than
``SLOW_ROUND`` is not repeated.

Rows: aiohttp; the library's own asyncio transport (``AioTransport.send``,
which sends over aiohttp: the same request, built by the executor); httpx
(HTTP/1.1) on httpcore's default network backend (anyio), as the locked
dependencies install it and with sniffio's failing
import short-circuited (``*``: as where sniffio is installed; see
``sniffio_short_circuited``), on asyncio's own streams (``AsyncioBackend``),
and with the concurrency bounded by a semaphore of the pool's size in front
of it; httpcore's pool alone. References: the request alone (written, signed and
read with no I/O), the sync path (botocore's ``URLLib3Session`` sending the
same request, and a ``DB``'s ``first()``), pydynox's ``await Model.get``,
and, with ``--aiobotocore-python``, aiobotocore's ``get_item``
(``aiobotocore_get.py``, in a virtualenv of its own).

``async_http_behaviour.py`` (run after the table unless ``--no-behaviour``)
checks the pool limits, timeouts, TLS options and cancellation.

    .venv/bin/python benches/bench_async_http.py
    .venv/bin/python benches/bench_async_http.py --repeat 5 --limits 10,100 --no-behaviour
    .venv/bin/python benches/bench_async_http.py --aiobotocore-python /tmp/abc-venv/bin/python
    .venv/bin/python benches/bench_async_http.py --clients aiohttp,AioTransport --no-behaviour

(``aiobotocore_get.py`` says how to make that virtualenv.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpcore
import httpx
from _async_timing import measure
from async_http_clients import (
    Live,
    Send,
    Wire,
    aiohttp_client,
    getter,
    httpcore_client,
    httpx_client,
    live_table,
    pydynox_get,
    transport_getter,
)

HERE = Path(__file__).resolve().parent


@dataclasses.dataclass
class Measured:
    """One row: seconds per call."""

    client: str
    mode: str
    pool: int | None
    cpu: float
    wall: float


@contextlib.asynccontextmanager
async def bounded(
    client: contextlib.AbstractAsyncContextManager[Send], limit: int
) -> AsyncIterator[Send]:
    """``client`` with at most ``limit`` of its calls in flight (the rest wait
    on an ``asyncio.Semaphore`` instead of in the client's pool)."""
    gate = asyncio.Semaphore(limit)
    async with client as send:

        async def gated(prepared: Any) -> Any:
            async with gate:
                return await send(prepared)

        yield gated


Factory = Callable[[int], contextlib.AbstractAsyncContextManager[Send]]

CLIENTS: list[tuple[str, Factory, bool]] = [
    ("aiohttp", aiohttp_client, False),
    ("httpx (anyio backend), as locked", httpx_client, False),
    ("httpx (anyio backend)*", httpx_client, True),
    (
        "httpx (asyncio streams backend)*",
        lambda limit: httpx_client(limit, asyncio_streams=True),
        True,
    ),
    ("httpx behind Semaphore(pool)*", lambda limit: bounded(httpx_client(limit), limit), True),
    ("httpcore pool alone*", httpcore_client, True),
]
"""(name, pool size -> client, ``*``: whether sniffio's import is
short-circuited) of every asyncio client measured."""


@contextlib.contextmanager
def sniffio_short_circuited(on: bool) -> Iterator[None]:
    """With ``on`` and no ``sniffio`` installed, its import fails at once
    (``sys.modules["sniffio"] = None``) instead of searching ``sys.path``:
    httpcore 1.0.9 imports it on every lock it sets up, and anyio 4.16 no
    longer brings it, so this is httpx as it runs where sniffio is
    installed."""
    if not on or "sniffio" in sys.modules or importlib.util.find_spec("sniffio") is not None:
        yield
        return
    sys.modules["sniffio"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        del sys.modules["sniffio"]


def wanted(name: str, args: argparse.Namespace) -> bool:
    """Whether ``--clients`` asks for the row ``name`` (all without it)."""
    return not args.clients or any(name.startswith(prefix) for prefix in args.clients)


async def async_rows(live: Live, args: argparse.Namespace) -> list[Measured]:
    """The asyncio clients, the library's own asyncio transport, then
    pydynox's async get."""
    wire = Wire(live.db, live.model, live.table)
    rows = []
    for name, make, short_circuit in CLIENTS:
        if not wanted(name, args):
            continue
        with sniffio_short_circuited(short_circuit):
            for limit in args.limits:
                async with make(limit) as send:
                    cpu, wall = await measure(getter(wire, send), args.n, True, args.repeat)
                rows.append(Measured(name, f"{args.n} concurrent", limit, cpu, wall))
            if "Semaphore" in name:
                continue  # sequential calls never wait on the semaphore
            async with make(args.limits[0]) as send:
                cpu, wall = await measure(getter(wire, send), args.sequential, False, args.repeat)
        rows.append(Measured(name, f"{args.sequential} sequential", args.limits[0], cpu, wall))
    name = "AioTransport.send"
    if wanted(name, args):
        for limit in args.limits:
            async with transport_getter(live, limit) as get:
                cpu, wall = await measure(get, args.n, True, args.repeat)
            rows.append(Measured(name, f"{args.n} concurrent", limit, cpu, wall))
        async with transport_getter(live, args.limits[0]) as get:
            cpu, wall = await measure(get, args.sequential, False, args.repeat)
        rows.append(Measured(name, f"{args.sequential} sequential", args.limits[0], cpu, wall))
    if not wanted("pydynox", args):
        return rows
    get = pydynox_get(live.endpoint, live.table)
    cpu, wall = await measure(get, args.n, True, args.repeat)
    rows.append(Measured("pydynox await Model.get", f"{args.n} concurrent", None, cpu, wall))
    cpu, wall = await measure(get, args.sequential, False, args.repeat)
    rows.append(
        Measured("pydynox await Model.get", f"{args.sequential} sequential", None, cpu, wall)
    )
    return rows


def sync_rows(live: Live, args: argparse.Namespace) -> list[Measured]:
    """The request with no I/O, and the sync path, one call after another."""
    wire = Wire(live.db, live.model, live.table)
    session = live.db.client._endpoint.http_session
    body = session.send(wire.prepare()).content
    crc = str(zlib.crc32(body))

    def alone() -> Any:
        wire.prepare()
        return wire.answer((200, crc, body))

    def urllib3() -> Any:
        answer = session.send(wire.prepare())
        return wire.answer((answer.status_code, answer.headers.get("x-amz-crc32"), answer.content))

    query = live.db.model(live.model).where("pk", "=", "u1").where("sk", "=", "s00007")
    n = args.sequential
    return [
        Measured(
            "the request alone (no I/O)",
            f"{n * 10} sequential",
            None,
            *_sync(alone, n * 10, args.repeat),
        ),
        Measured(
            "sync: URLLib3Session.send", f"{n} sequential", 10, *_sync(urllib3, n, args.repeat)
        ),
        Measured("sync: DB first()", f"{n} sequential", 10, *_sync(query.first, n, args.repeat)),
    ]


def _sync(fn: Callable[[], Any], n: int, repeat: int) -> tuple[float, float]:
    """``measure`` for a sync call: best of ``repeat`` rounds after a warm-up."""
    cpu = wall = float("inf")
    for done in range(repeat + 1):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            item = fn()
        c1, w1 = time.process_time(), time.perf_counter()
        if item.n != 7:
            raise RuntimeError(f"read {item!r}")
        if done:
            cpu, wall = min(cpu, (c1 - c0) / n), min(wall, (w1 - w0) / n)
    return cpu, wall


def aiobotocore_rows(live: Live, args: argparse.Namespace) -> list[Measured]:
    """aiobotocore, measured by ``aiobotocore_get.py`` under
    ``--aiobotocore-python``."""
    command = [
        args.aiobotocore_python,
        str(HERE / "aiobotocore_get.py"),
        "--endpoint",
        live.endpoint,
        "--table",
        live.table,
        "--n",
        str(args.n),
        "--sequential",
        str(args.sequential),
        "--limits",
        ",".join(map(str, args.limits)),
        "--repeat",
        str(args.repeat),
        *(["--gc-freeze"] if getattr(args, "gc_freeze", False) else []),
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=600).stdout
    return [Measured(**row) for row in json.loads(out)]


def print_rows(rows: list[Measured]) -> None:
    """The rows as a plain-text table (µs per call)."""
    width = max(len(r.client) for r in rows)
    print(f"{'client':<{width}}  {'mode':<16}  {'pool':>4}  {'CPU µs':>8}  {'wall µs':>8}")
    for r in rows:
        pool = "-" if r.pool is None else str(r.pool)
        print(
            f"{r.client:<{width}}  {r.mode:<16}  {pool:>4}  "
            f"{r.cpu * 1e6:>8.1f}  {r.wall * 1e6:>8.1f}"
        )


def print_ratios(rows: list[Measured]) -> None:
    """aiohttp's and the library's transport's best concurrent CPU per call
    against the issue's references (and the transport against aiohttp)."""

    def best(prefix: str, mode: str) -> float | None:
        found = [r.cpu for r in rows if r.client.startswith(prefix) and mode in r.mode]
        return min(found) if found else None

    references = [
        ("aiohttp concurrent", "aiohttp", "concurrent"),
        ("pydynox await Model.get, concurrent", "pydynox", "concurrent"),
        ("sync DB first()", "sync: DB first()", "sequential"),
        ("aiobotocore get_item, concurrent", "aiobotocore", "concurrent"),
        ("httpx (anyio backend)*, concurrent", "httpx (anyio backend)*", "concurrent"),
    ]
    for ours_name, ours_prefix in [("aiohttp", "aiohttp"), ("AioTransport.send", "AioTransport")]:
        ours = best(ours_prefix, "concurrent")
        if ours is None:
            continue
        for name, prefix, mode in references:
            theirs = best(prefix, mode)
            if theirs is not None and prefix != ours_prefix:
                print(
                    f"{ours_name} concurrent (best pool) vs {name}: "
                    f"{ours / theirs:.2f}x the CPU per call"
                )


def machine() -> Iterator[str]:
    """What the figures were measured on."""
    yield f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores"
    yield (
        f"aiohttp {aiohttp.__version__}, httpx {httpx.__version__}, httpcore {httpcore.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds per case; best is kept")
    parser.add_argument("--n", type=int, default=1000, help="concurrent GetItems per round")
    parser.add_argument("--sequential", type=int, default=300, help="sequential GetItems per round")
    parser.add_argument(
        "--limits",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[10, 50, 100],
        help="pool sizes, comma-separated",
    )
    parser.add_argument(
        "--clients",
        type=lambda s: [x for x in s.split(",") if x],
        default=[],
        help="only the rows whose name starts with one of these, comma-separated "
        "(the sync references always run)",
    )
    parser.add_argument("--aiobotocore-python", help="an interpreter with aiobotocore and boto3")
    parser.add_argument("--no-behaviour", action="store_true", help="the table only")
    args = parser.parse_args()
    for line in machine():
        print(line)
    with live_table() as live:
        rows = sync_rows(live, args)
        rows += asyncio.run(async_rows(live, args))
        if args.aiobotocore_python:
            rows += aiobotocore_rows(live, args)
        print_rows(rows)
        print("*: sniffio's failing import short-circuited, as where sniffio is installed")
        print_ratios(rows)
        if not args.no_behaviour:
            from async_http_behaviour import report

            asyncio.run(report(live))


if __name__ == "__main__":
    main()
