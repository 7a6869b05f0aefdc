"""User code on the asyncio API that must type-check under ``mypy
--strict``: every awaited terminal is typed as its blocking twin's result."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, assert_type

from dynamorm import AsyncDB, AsyncQuery, CollectionItems, CollectionPage, Model, Page, field
from dynamorm.aio.builders import (
    AsyncBatchGetBuilder,
    AsyncTransaction,
    AsyncTransactionBuilder,
    AsyncUpdateBuilder,
)


class User(Model, table="users"):
    id: str = field(pk=True)
    email: str = ""
    visits: int = 0


async def reads(db: AsyncDB) -> list[User]:
    query = db.model(User).where("id", "=", "u1").consistent_read()
    assert_type(query, AsyncQuery[User])
    assert_type(await query.first(), User)
    assert_type(await db.model(User).where("id", "=", "u1").all(), list[User])
    assert_type(await db.model(User).count(), int)
    assert_type(await db.model(User).limit(10).all_paginated(), Page[User])
    assert_type(await db.model(User).limit(10).all_paginated(fill=True), Page[User])
    assert_type(await db.model(User).limit(10).scan_paginated(fill=True), Page[User])
    assert_type(db.model(User).iter(), AsyncIterator[User])
    found = [user async for user in db.model(User).scan_iter()]
    assert_type(found, list[User])
    assert_type(await db.model(User).scan_all_segments(4), list[User])
    return await db.model(User).batch_get(["u1", "u2"], cancel=asyncio.Event())


async def writes(db: AsyncDB, user: User) -> User:
    assert_type(await db.model(user).create(), User)
    assert_type(await db.model(user).update("email"), User)
    builder = db.model(user).update_builder().increment("visits").return_values("ALL_NEW")
    assert_type(builder, AsyncUpdateBuilder)
    changed: Any = await builder.execute()
    assert_type(await db.model(User).batch_create([user]), list[User])
    batch = db.model(User).batch_get_builder().keys(["u1"]).parallel(8)
    assert_type(batch, AsyncBatchGetBuilder[User])
    assert_type(await batch.execute(), list[User])
    await db.model(user).delete()
    return changed if isinstance(changed, User) else user


async def transactions(db: AsyncDB, user: User) -> list[Any]:
    tx = db.transact().put(user)
    assert_type(tx, AsyncTransactionBuilder)
    await tx.execute(timeout=5)
    async with db.transaction() as block:
        assert_type(block, AsyncTransaction)
        block.model(user).if_exists().update("email")
    await db.transact_write(lambda b: b.delete(user))
    return await db.transact_get().get(User, "u1").execute()


async def lifetime() -> None:
    async with AsyncDB(region_name="us-east-1") as db:
        assert_type(db.with_timeout(2.0), AsyncDB)
        await db.ensure_table(User)


class Member(Model, table="app", entity="member"):
    user_id: str
    pk: str = field(pk=True, template="USER#{user_id}")
    sk: str = field(sk=True, template="MEMBER")


async def collections(db: AsyncDB) -> list[Member]:
    items = await db.collection(Member).where(user_id="u1").all()
    assert_type(items, CollectionItems)
    assert_type(
        await db.collection(Member).where(user_id="u1").limit(2).all_paginated(), CollectionPage
    )
    assert_type(db.collection(Member).where(user_id="u1").iter(), AsyncIterator[Model])
    assert_type(await db.collection(Member).where(user_id="u1").count(), int)
    return items.of(Member)
