"""User code that must NOT type-check: each marked line is a type error.

mypy runs with ``--warn-unused-ignores``, so a line whose error went missing
fails the check (its ``# type: ignore[...]`` becomes unused).
"""

from __future__ import annotations

from typing import Any

from dynamorm import Model, field, load_dms, unmarshal_item, unmarshal_stream_record


class User(Model, table="users"):
    id: str = field(pk=True)
    email: str = field(sk=True)
    name: str = ""
    visits: int = 0


class BadTable(Model, table=1):  # type: ignore[arg-type]
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
