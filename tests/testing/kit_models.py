"""Models the test kit's tests share (no tests here)."""

from __future__ import annotations

from dynamorm import Model, field


class Account(Model, table="kit-accounts"):
    id: str = field(pk=True)
    owner: str | None = field(default=None, gsi_pk="owner-index")
    balance: int = 0
    blob: bytes = b""


class Event(Model, table="kit-events"):
    stream: str = field(pk=True)
    seq: int = field(sk=True)
    kind: str = ""
    expires: int | None = field(default=None, ttl=True)
