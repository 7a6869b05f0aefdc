"""User code that must NOT type-check: each marked line is a type error.

mypy runs with ``--warn-unused-ignores``, so a line whose error went missing
fails the check (its ``# type: ignore[...]`` becomes unused).
"""

from __future__ import annotations

from typing import Any

from dynamorm import DB, AsyncDB, Model, field, load_dms, unmarshal_item, unmarshal_stream_record


class User(Model, table="users"):
    id: str = field(pk=True)
    email: str = field(sk=True)
    name: str = ""
    visits: int = 0


class BadTable(Model, table=1):  # type: ignore[arg-type]
    id: str = field(pk=True)


class BadEntity(Model, table="app", entity=1):  # type: ignore[arg-type]
    id: str = field(pk=True)


class BadEntityAttr(Model, table="app", entity="x", entity_attr=["kind"]):  # type: ignore[arg-type]
    id: str = field(pk=True)


User(id=1, email="a@example.com")  # type: ignore[arg-type]
User(id="u1", email="a@example.com", visits="many")  # type: ignore[arg-type]
User(id="u1", email="a@example.com", nickname="x")  # type: ignore[call-arg]
User("u1", "a@example.com")  # type: ignore[call-arg]

user = User(id="u1", email="a@example.com")
user.id = 3  # type: ignore[assignment]
count: str = user.visits  # type: ignore[assignment]
user.nickname  # type: ignore[attr-defined]  # noqa: B018

from_item: int = User.from_item({})  # type: ignore[assignment]
from_dict: int = User.from_dict({"id": "u1", "email": "e"})  # type: ignore[assignment]
item: list[Any] = user.to_item()  # type: ignore[assignment]

image: dict[str, Any] = {}
unmarshal_item(image, User).nickname  # type: ignore[attr-defined]  # noqa: B018
unmarshal_stream_record({}, User).name  # type: ignore[union-attr]  # noqa: B018
load_dms(42)  # type: ignore[arg-type]


# -- SPEC §2's richer types ----------------------------------------------------

import enum as _enum  # noqa: E402
import uuid as _uuid  # noqa: E402
from typing import Literal as _Literal  # noqa: E402


class _Color(_enum.Enum):
    RED = "red"


class Typed(Model, table="typed"):
    id: _uuid.UUID = field(pk=True)
    color: _Color = _Color.RED
    kind: _Literal["a", "b"] = "a"


Typed(id="not-a-uuid")  # type: ignore[arg-type]
Typed(id=_uuid.uuid4(), color="red")  # type: ignore[arg-type]
Typed(id=_uuid.uuid4(), kind="c")  # type: ignore[arg-type]
wrong_color: str = Typed(id=_uuid.uuid4()).color  # type: ignore[assignment]


# -- the asyncio API: a terminal's coroutine is not its result ---------------


def takes_users(users: list[User]) -> None: ...


async def async_misuse(adb: AsyncDB) -> None:
    takes_users(adb.model(User).all())  # type: ignore[arg-type]
    for one in adb.model(User).iter():  # type: ignore[attr-defined]
        print(one)


# -- filled pages: ``fill`` is a bool ------------------------------------------


def fill_misuse(db: DB) -> None:
    db.model(User).limit(5).all_paginated(fill="yes")  # type: ignore[arg-type]
    db.model(User).limit(5).scan_paginated(fill=None)  # type: ignore[arg-type]


class Tagged(Model, table="app", entity="tagged"):
    id: str = field(pk=True)


def collection_lists_are_typed_by_model(db: DB) -> None:
    items = db.collection(Tagged).where(id="t1").all()
    wrong: list[User] = items.of(Tagged)  # type: ignore[arg-type]
    not_a_class: list[Any] = items.of("Tagged")  # type: ignore[arg-type]
    del wrong, not_a_class
