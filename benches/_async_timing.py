"""Timing of asyncio calls, shared by ``bench_async_http.py`` and
``aiobotocore_get.py`` (which runs in a virtualenv of its own, so this
module imports nothing but the standard library)."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import Any

Get = Callable[[], Awaitable[Any]]
"""One call: a coroutine function whose result has ``n == 7``."""


SLOW_ROUND = 5.0
"""Seconds of wall time past which a round is not repeated (the slowest
cases take tens of seconds a round on two shared cores)."""


async def measure(
    get: Get, n: int, concurrent: bool, repeat: int, freeze: bool = False
) -> tuple[float, float]:
    """Best client-CPU and wall seconds per call over ``repeat`` rounds of
    ``n`` calls of ``get``, all at once (``concurrent``) or one after
    another, after a first round that warms the pool up (one measured round
    only when a round takes more than ``SLOW_ROUND``). ``freeze``: after the
    warm-up, ``gc.collect()`` and ``gc.freeze()``, as a long-running service
    does once it has started, so that the garbage collector's full
    collections no longer walk the objects made before."""
    cpu = wall = float("inf")
    rounds = repeat + 1
    done = 0
    while done < rounds:
        c0, w0 = time.process_time(), time.perf_counter()
        if concurrent:
            items = await asyncio.gather(*(get() for _ in range(n)))
        else:
            items = [await get() for _ in range(n)]
        c1, w1 = time.process_time(), time.perf_counter()
        if items[-1].n != 7:
            raise RuntimeError(f"read {items[-1]!r}")
        if done:
            cpu, wall = min(cpu, (c1 - c0) / n), min(wall, (w1 - w0) / n)
        elif freeze:
            gc.collect()
            gc.freeze()
        done += 1
        if w1 - w0 > SLOW_ROUND:
            rounds = min(rounds, 2)
    return cpu, wall
