"""An ``AsyncDB`` on a ``MemoryBackend``: each request answered on the event
loop (as ``dynamorm.testing.aio`` does) against the same request sent through
a worker thread (``asyncio.to_thread``), and the store's own ``GetItem``
answer on the loop and through a thread.

Wall seconds per operation (the loop waits on the thread hop), best of five
runs of ``--number`` calls; ``ratio`` = through a thread / on the loop.

    .venv/bin/python benches/bench_memory_aio.py      # after a --release build
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from _timing import print_rows, row
from dynamorm import DB, AsyncDB, Model, field
from dynamorm.testing import MemoryBackend


class Item(Model, table="bench-memory-aio"):
    id: str = field(pk=True)
    value: int = 0


def _best(step: Callable[[], Awaitable[object]], number: int) -> float:
    async def run() -> float:
        start = time.perf_counter()
        for _ in range(number):
            await step()
        return (time.perf_counter() - start) / number

    return min(asyncio.run(run()) for _ in range(5))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--number", type=int, default=2000)
    number = parser.parse_args().number
    backend = MemoryBackend()
    db = DB(backend=backend)
    db.create_table(Item)
    db.model(Item(id="i1", value=1)).create()
    adb = AsyncDB(backend=backend)
    body = b'{"TableName":"bench-memory-aio","Key":{"id":{"S":"i1"}}}'
    store = backend.store

    async def handle_inline() -> object:
        return store.handle("GetItem", body)

    print_rows(
        [
            row(
                "first() on the loop vs through a thread",
                _best(lambda: adb.model(Item).where("id", "=", "i1").first(), number),
                _best(
                    lambda: asyncio.to_thread(db.model(Item).where("id", "=", "i1").first),
                    number,
                ),
            ),
            row(
                "MemoryStore.handle(GetItem) on the loop vs through a thread",
                _best(handle_inline, number),
                _best(lambda: asyncio.to_thread(store.handle, "GetItem", body), number),
            ),
        ]
    )


if __name__ == "__main__":
    main()
