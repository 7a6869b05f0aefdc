"""``AsyncMemoryTransport``: a ``MemoryBackend`` as an ``AsyncDB``'s
transport.

The store answers in microseconds and holds its own lock for no longer, so
each attempt is answered on the event loop itself, not on a worker thread:
a thread hop (``asyncio.to_thread``) costs more than the work it would move
off the loop (docs/testing.md gives the figures). An injected latency is
waited with ``asyncio.sleep``, so other tasks run meanwhile, and an attempt
whose deadline comes first fails as a read timeout does.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from dynamorm.transport.base import Request, Response

if TYPE_CHECKING:
    from dynamorm.testing.backend import MemoryTransport

__all__ = ["AsyncMemoryTransport"]


class AsyncMemoryTransport:
    """``sync`` (a ``MemoryBackend``'s transport) awaited from event loops
    (see the module docstring)."""

    __slots__ = ("sync",)

    def __init__(self, sync: MemoryTransport) -> None:
        self.sync = sync
        """The blocking form."""

    @property
    def takes_body(self) -> bool:
        """Whether the Rust core's request bodies are sent (the blocking form's)."""
        return self.sync.takes_body

    @property
    def fast(self) -> bool:
        """Whether item-bearing reads decode into models (the blocking form's)."""
        return self.sync.fast

    @property
    def client(self) -> Any:
        """The backend's default boto3 client."""
        return self.sync.client

    async def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """One attempt of ``request``, answered on the loop (its latency
        awaited; ``ReadTimeoutError`` when ``timeout`` is shorter)."""
        backend = self.sync.backend
        request = self.sync.prepared(request)
        draw = backend.faults.draw(request.operation)
        if draw is not None and draw.seconds:
            if timeout is not None and draw.seconds > timeout:
                await asyncio.sleep(timeout)
                from botocore.exceptions import ReadTimeoutError

                from dynamorm.testing.backend import ENDPOINT

                raise ReadTimeoutError(endpoint_url=ENDPOINT)
            await asyncio.sleep(draw.seconds)
        return backend.answer(request, draw)

    async def close(self) -> None:
        """Nothing to let go of: the store is in-process."""
