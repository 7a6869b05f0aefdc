"""The asyncio transport (provisional): every attempt is the blocking
transport's, run on a worker thread."""

from __future__ import annotations

import asyncio
from typing import Any

from dynamorm.transport.base import Request, Response

__all__ = ["AioTransport"]


class AioTransport:
    """Sends through ``sync`` on a worker thread."""

    __slots__ = ("sync",)

    def __init__(self, sync: Any) -> None:
        self.sync = sync

    @property
    def client(self) -> Any:
        """The botocore client behind the transport."""
        return getattr(self.sync, "client", None)

    @property
    def takes_body(self) -> bool:
        """Whether the Rust core's bodies are sent."""
        return bool(self.sync.takes_body)

    @property
    def fast(self) -> bool:
        """Whether item-bearing reads decode into models."""
        return bool(getattr(self.sync, "fast", False))

    async def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """One attempt."""
        response: Response = await asyncio.to_thread(self.sync.send, request, timeout=timeout)
        return response

    async def close(self) -> None:
        """Nothing to close."""
