"""``AioTransport``: a ``DB``'s transport, awaited from an event loop.

It wraps the sync transport a ``DB`` sends through (``DB(...)._executor.
transport``) and sends each attempt one of two ways:

- **Directly, over aiohttp**, when the sync transport is the library's own
  request path (``DirectTransport``) and would send this request itself: the
  request ``DirectTransport.prepare`` writes and signs (the same bytes and
  headers), sent from the loop (``dynamorm.aio.pool``), and its answer read
  by ``DirectTransport.answer`` (the crc32 check, an error answer's
  ``ClientError`` with its modelled members, items decoded by the Rust core
  into models, the shape check). aiohttp's failures are raised as the
  botocore exceptions the sync path raises for the same situation
  (``dynamorm.aio.failures``). aiohttp is imported by the first such send,
  not before: ``import dynamorm`` (and this module) does not import it.
- **In a thread otherwise**, with ``asyncio.to_thread`` (which keeps the
  caller's context variables): the sync transport's own ``send``, so that
  whatever listens to botocore's pipeline (moto's ``mock_aws``, a
  ``Stubber``, a user's handlers, an instrumentation), a client passed in
  (``BotocoreTransport``), another signer, the operations the direct path
  does not cover, and what aiohttp cannot do as the client's ``Config`` asks
  (an ``https://`` proxy, ``proxies_config``) behave exactly as with ``DB``.
  Cancelling the awaiting task does not stop that thread: its request runs
  to its end (bounded by the attempt's timeouts), and its connection goes
  back to the client's pool.

Credentials come from the client's provider chain as on the sync path
(``_botocore_private.frozen_credentials``). When botocore says a refresh is
due (``refresh_due``: its advisory window, or deferred credentials not
fetched yet), the refresh (which may block on IMDS, STS or a process) runs
in a thread while the loop goes on: one at a time per loop, the sends that
need credentials meanwhile waiting for it and sharing what it returns.
Otherwise the credentials are read on the loop, which costs microseconds:
never a refresh, nor a thread, per call.

**Event loops.** An aiohttp session belongs to the loop it was made on, so
the transport keeps one pool (a session and its connections) per loop,
made by the first direct send on that loop. A pool is closed on its own
loop: by ``close()``, or when the loop shuts down its async generators
(``loop.shutdown_asyncgens()``, which ``asyncio.run`` and ``asyncio.Runner``
do before closing the loop; the pool keeps one suspended for that). So one
transport serves two ``asyncio.run()`` calls in a row, each on its own pool,
and leaves no socket open and no "Unclosed client session" behind. A loop
closed without shutting down its async generators cannot close its pool
any more: the transport forgets it when it next opens or closes a pool
(its session marked closed, its sockets left to the garbage collector,
which reports them with ``ResourceWarning``); close such a loop's pool
with ``close()`` before closing the loop. Several loops may use one
transport at the same time, each with its own pool of
``max_pool_connections``.

**Closing.** ``close()`` closes the running loop's pool (its connections
are closed; requests in flight on them fail as closed connections) and
forgets the pools of loops that are gone; calling it again does nothing.
The transport stays usable: a send after ``close()`` opens a new pool, so a
transport shared by an application's successive loops never refuses to
work. Pools of other loops still running are closed on their loops.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from dynamorm.transport import _botocore_private as private
from dynamorm.transport.base import Request, Response, Transport
from dynamorm.transport.direct import DirectTransport

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

    from dynamorm.aio.pool import Pool, Wire

__all__ = ["AioTransport"]


class AioTransport:
    """``sync`` (a ``DB``'s transport: a ``DirectTransport`` or a
    ``BotocoreTransport``) awaited from event loops (see the module
    docstring). Safe to use from several loops and threads at once."""

    __slots__ = ("_direct", "_lock", "_pools", "_wire", "sync")

    def __init__(self, sync: Transport) -> None:
        self.sync = sync
        """The sync transport: what the thread path sends through."""
        direct = sync if isinstance(sync, DirectTransport) else None
        session = None if direct is None else private.http_session(direct.client)
        self._direct = direct if session is not None else None
        self._wire: Wire | None = None
        self._pools: dict[asyncio.AbstractEventLoop, Pool] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The botocore client behind the sync transport."""
        return getattr(self.sync, "client", None)

    @property
    def takes_body(self) -> bool:
        """Whether ``send`` uses ``Request.body`` (the sync transport's)."""
        return self.sync.takes_body

    @property
    def fast(self) -> bool:
        """Whether item-bearing reads decode into models (the sync transport's)."""
        return bool(getattr(self.sync, "fast", False))

    async def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """One attempt of ``request``: directly over aiohttp or through the
        sync transport in a thread (see the module docstring). ``timeout``
        caps the attempt's connect and read waits (the time left before the
        operation's deadline). Returns the ``Response`` of a 2xx answer and
        raises what the sync transport raises for the same failure, as
        botocore exceptions; ``asyncio.CancelledError`` passes through, and
        a cancelled direct send drops its connection."""
        direct = self._direct
        if direct is not None and request.body is not None and direct.direct(request.operation):
            pool = self._pools.get(asyncio.get_running_loop())
            if pool is None:
                pool = await self._open()
            prepared = await self._prepared(direct, pool, request)
            if prepared is not None:
                route = pool.wire.route(prepared.url)
                if route is not None:
                    status, headers, body = await pool.exchange(prepared, route, timeout)
                    return direct.answer(request, status, headers, body)
        return await asyncio.to_thread(self.sync.send, request, timeout=timeout)

    async def close(self) -> None:
        """Closes the running loop's pool and forgets those of loops that are
        gone (see the module docstring); idempotent."""
        loop = asyncio.get_running_loop()
        with self._lock:
            self._forget_gone()
            pool = self._pools.get(loop)
        if pool is not None:
            # Its keeper's end closes it (on this loop).
            await pool.keeper.aclose()
            await pool.close()

    async def _prepared(
        self, direct: DirectTransport, pool: Pool, request: Request
    ) -> AWSPreparedRequest | None:
        """``direct.prepare`` of ``request`` with the client's credentials,
        refreshed in a thread when due (``Pool.refreshed``)."""
        client = direct.client
        if not private.refresh_due(client):
            return direct.prepare(request, private.frozen_credentials(client))
        credentials = await pool.refreshed()
        if private.refresh_due(client):
            # The refresh failed and botocore kept the credentials it had (it
            # does until they are close to expiry); resolving an endpoint
            # reads them again, and would try again: not on the loop.
            return await asyncio.to_thread(direct.prepare, request, credentials)
        return direct.prepare(request, credentials)

    async def _open(self) -> Pool:
        """The running loop's pool, made now (aiohttp imported with the
        first)."""
        from dynamorm.aio.pool import Pool, Wire

        direct = self._direct
        assert direct is not None
        loop = asyncio.get_running_loop()
        with self._lock:
            self._forget_gone()
            if self._wire is None:
                self._wire = Wire(direct.client, private.http_session(direct.client))
            pool = Pool(self._wire, self._forget)
            self._pools[loop] = pool
        await pool.keep()
        return pool

    def _forget(self, pool: Pool) -> None:
        """Drops ``pool`` (closed) from the pools."""
        with self._lock:
            for loop, kept in list(self._pools.items()):
                if kept is pool:
                    del self._pools[loop]

    def _forget_gone(self) -> None:
        """Drops the pools of closed loops (under ``_lock``)."""
        for loop in [loop for loop in self._pools if loop.is_closed()]:
            self._pools.pop(loop).abandon()
