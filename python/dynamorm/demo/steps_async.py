"""Demo step: the same library under asyncio — many reads at once on one
event loop, a lazy ``async for``, and an ``async with`` transaction."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from dynamorm.aio.db import AsyncDB
from dynamorm.db import DB
from dynamorm.demo.checks import Checks
from dynamorm.demo.models import Models

__all__ = ["asyncio_step"]

READS = 250


async def _walk(db: AsyncDB, m: Models) -> dict[str, Any]:
    keys = [(f"c{i % 4}", f"o{i:04d}") for i in range(READS)]
    started = time.perf_counter()
    reads = [
        db.model(m.Order).where("customer", "=", c).where("order_id", "=", o).first()
        for c, o in keys
    ]
    got = await asyncio.gather(*reads)
    took = time.perf_counter() - started
    lazily = [
        order.order_id async for order in db.model(m.Order).where("customer", "=", "c1").iter()
    ]
    async with db.transaction() as tx:
        tx.model(m.Bookmark(user_id="u1", url="https://example.com/async", title="Async")).create()
    stored = await db.model(m.Bookmark).where("user_id", "=", "u1").all()
    return {"got": got, "keys": keys, "took": took, "lazily": lazily, "stored": stored}


def asyncio_step(checks: Checks, db: DB, m: Models) -> None:
    """250 concurrent reads, an ``async for`` and an ``async with`` transaction."""
    checks.step(f"asyncio: AsyncDB, {READS} reads at once on one event loop")
    checks.say("async with AsyncDB.from_db(db) as adb:   # the same client and settings")
    checks.say("    await asyncio.gather(*(adb.model(Order).where(...).first() for ...))")

    async def main() -> dict[str, Any]:
        async with AsyncDB.from_db(db) as adb:
            return await _walk(adb, m)

    out = asyncio.run(main())
    got = [(o.customer, o.order_id) for o in out["got"]]
    checks.check(f"all {READS} reads came back, each its own item", got == out["keys"])
    checks.say(f"{READS} concurrent reads took {out['took'] * 1000:.0f} ms")
    expected = [f"o{i:04d}" for i in range(1, 1000, 4)]
    checks.check("async for read every page of a query, in order", out["lazily"] == expected)
    urls = [b.url for b in out["stored"]]
    checks.check(
        "the async with transaction committed on exit", "https://example.com/async" in urls
    )
