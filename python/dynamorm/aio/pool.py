"""The aiohttp side of the asyncio transport (``dynamorm.aio.transport``):
how a client's requests travel from one event loop.

``Wire`` holds what does not depend on the loop, worked out once from the
botocore client and its HTTP session, as the sync request path applies them:

- the pool size (``Config.max_pool_connections``: aiohttp's connector limit;
  a request waits for a free connection rather than opening one more);
- the timeouts (``Config.connect_timeout``: ``sock_connect``;
  ``Config.read_timeout``: ``sock_read``, the longest wait for each read),
  both capped per attempt by the time left before the operation's deadline,
  which also bounds the wait for a free connection;
- TLS: the certificate verification the HTTP session applies (botocore's CA
  bundle, ``verify=``'s or ``AWS_CA_BUNDLE``'s, or none with
  ``verify=False``), the ``Config``'s ``client_cert``, on a context made by
  botocore's own ``create_urllib3_context`` (so the same TLS options), with
  the host name checked;
- the proxy the session resolved for each endpoint (the ``Config``'s
  ``proxies`` or the environment's), with its ``Proxy-Authorization``;
- TCP keep-alive on each connection when ``Config.tcp_keepalive`` asks.

``Pool`` is one loop's ``aiohttp.ClientSession`` on a ``TCPConnector`` with
those settings: keep-alive connections (aiohttp's 15 s idle limit), no
decompression (``Accept-Encoding: identity`` is sent, as urllib3 sends it,
so ``x-amz-crc32`` is the crc of the body read), no cookies, no redirects,
no ``Accept`` header (urllib3 sends none), no environment settings of
aiohttp's own (``trust_env=False``: only botocore's resolution applies).
Timeouts are not rounded up to whole seconds as aiohttp otherwise does past
5 s, so a deadline is not overrun.

What aiohttp cannot do as the session would, the thread path carries
(``Wire.route`` is ``None``): an ``https://`` proxy and any
``proxies_config`` setting (a proxy CA bundle or client certificate,
forwarding for ``https``).
"""

from __future__ import annotations

import asyncio
import math
import socket
import ssl
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import yarl
from botocore.awsrequest import AWSPreparedRequest, HeadersDict
from botocore.exceptions import SSLError
from botocore.httpsession import create_urllib3_context, get_cert_path

from dynamorm.aio.failures import failure
from dynamorm.transport import _botocore_private as private

__all__ = ["Pool", "Route", "Wire"]

IDENTITY = {"Accept-Encoding": "identity"}
"""What urllib3 (botocore's HTTP client) asks for: an uncompressed answer."""

_NO_CEILING = math.inf
"""aiohttp's ``ceil_threshold``: no timeout is rounded up."""


@dataclass(frozen=True, slots=True)
class Route:
    """How requests for one endpoint URL travel."""

    url: yarl.URL
    """The endpoint URL, as signed (not re-quoted)."""
    headers: dict[str, str]
    """Headers added to each request: ``Accept-Encoding: identity``, and
    for a plain-HTTP endpoint behind a proxy the proxy's own (urllib3 sends
    them with each request)."""
    proxy: yarl.URL | None
    """The proxy (without its credentials), ``None`` for none."""
    proxy_headers: dict[str, str] | None
    """The headers of the ``CONNECT`` to the proxy, for an ``https``
    endpoint (``Proxy-Authorization``)."""
    tls: ssl.SSLContext | bool
    """The TLS context of an ``https`` endpoint (``True``: plain HTTP)."""
    where: str
    """The endpoint URL as errors name it."""
    proxy_url: str | None
    """The proxy URL as errors name it (masked when they do)."""


def _capped(configured: float | None, cap: float) -> float:
    return cap if configured is None else min(float(configured), cap)


def _keepalive_socket(addr_info: Any) -> socket.socket:
    """A socket for aiohttp's connector with ``SO_KEEPALIVE`` on (what
    botocore's socket options add for ``Config(tcp_keepalive=True)``)."""
    family, kind, proto, _, _ = addr_info
    sock = socket.socket(family=family, type=kind, proto=proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    return sock


class Wire:
    """The loop-independent settings of a client's requests over aiohttp
    (see the module docstring); thread-safe."""

    __slots__ = ("_connect", "_read", "_routes", "_session", "_tls", "client", "limit", "timeout")

    def __init__(self, client: Any, session: Any) -> None:
        self.client = client
        self._session = session
        config = client.meta.config
        self.limit: int = config.max_pool_connections
        self._connect: float | None = config.connect_timeout
        self._read: float | None = config.read_timeout
        self.timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._connect,
            sock_read=self._read,
            ceil_threshold=_NO_CEILING,
        )
        """The timeouts of an attempt without a deadline."""
        self._tls: ssl.SSLContext | None = None
        self._routes: dict[str, Route | None] = {}

    def capped(self, cap: float | None) -> aiohttp.ClientTimeout:
        """The timeouts of an attempt that may last at most ``cap`` seconds
        to get a connection and for each read (``None``: the ``Config``'s)."""
        if cap is None:
            return self.timeout
        return aiohttp.ClientTimeout(
            total=None,
            connect=cap,
            sock_connect=_capped(self._connect, cap),
            sock_read=_capped(self._read, cap),
            ceil_threshold=_NO_CEILING,
        )

    def socket_factory(self) -> Callable[[Any], socket.socket] | None:
        """The connector's socket factory (``None``: aiohttp's own)."""
        return _keepalive_socket if self.client.meta.config.tcp_keepalive else None

    def route(self, url: str) -> Route | None:
        """How a request for ``url`` travels (worked out once per URL);
        ``None`` when aiohttp cannot send it as the HTTP session would (see
        the module docstring)."""
        try:
            return self._routes[url]
        except KeyError:
            pass
        proxy, headers, configured = private.proxy_for(self._session, url)
        route: Route | None = None
        if not configured and (proxy is None or proxy.startswith("http://")):
            target = yarl.URL(url, encoded=True)
            tunnel = target.scheme == "https"
            route = Route(
                url=target,
                headers={**IDENTITY, **({} if tunnel else headers)},
                proxy=None if proxy is None else yarl.URL(proxy).with_user(None),
                proxy_headers=(headers or None) if tunnel else None,
                tls=self._context(url) if tunnel else True,
                where=url,
                proxy_url=proxy,
            )
        self._routes[url] = route
        return route

    def _context(self, url: str) -> ssl.SSLContext:
        """The TLS context of ``https`` requests, made on first use; a CA
        bundle or client certificate that cannot be loaded is the
        ``SSLError`` botocore raises for it."""
        made = self._tls
        if made is not None:
            return made
        verify = private.session_verify(self._session)
        cert = self.client.meta.config.client_cert
        try:
            context: ssl.SSLContext = create_urllib3_context()
            if verify:
                context.check_hostname = True
                context.load_verify_locations(cafile=get_cert_path(verify))
            else:
                context.verify_mode = ssl.CERT_NONE
            if cert is not None:
                pair = (cert, None) if isinstance(cert, str) else cert
                context.load_cert_chain(pair[0], keyfile=pair[1])
        except OSError as exc:  # ssl.SSLError included
            raise SSLError(endpoint_url=url, error=exc) from exc
        self._tls = context
        return context


class Pool:
    """One event loop's aiohttp session for a ``Wire`` (see the module
    docstring). Made, used and closed on that loop only."""

    __slots__ = ("_closed", "_forget", "_refresh", "keeper", "session", "wire")

    def __init__(self, wire: Wire, forget: Callable[[Pool], None]) -> None:
        self.wire = wire
        self._forget = forget
        connector = aiohttp.TCPConnector(
            limit=wire.limit,
            timeout_ceil_threshold=_NO_CEILING,
            socket_factory=wire.socket_factory(),
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=wire.timeout,
            auto_decompress=False,
            skip_auto_headers=("Accept",),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        self._refresh: asyncio.Future[Any] | None = None
        self._closed = False
        self.keeper = _keeper(self)
        """Suspended until the loop shuts down its async generators (which
        ``asyncio.run`` does before closing the loop), which closes the pool
        on the loop; started by ``keep``."""

    async def keep(self) -> None:
        """Starts ``keeper`` on the running loop."""
        await anext(self.keeper)

    async def refreshed(self) -> Any:
        """The client's frozen credentials, read in a thread (where a due
        refresh may block on IMDS, STS or a process without blocking the
        loop); concurrent callers wait for the one read in flight and share
        what it returns, or raises."""
        future = self._refresh
        if future is None:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(None, private.frozen_credentials, self.wire.client)
            future.add_done_callback(self._refreshed)
            self._refresh = future
        # A caller cancelled while it waits leaves the read to the others.
        return await asyncio.shield(future)

    def _refreshed(self, future: asyncio.Future[Any]) -> None:
        self._refresh = None
        if not future.cancelled():
            future.exception()  # retrieved: every waiter may have been cancelled

    async def exchange(
        self, prepared: AWSPreparedRequest, route: Route, cap: float | None
    ) -> tuple[int, HeadersDict, bytes]:
        """Sends ``prepared`` along ``route`` and returns the answer's status,
        headers and body, all read, its connection back in the pool (or
        dropped when it was cut short or cancelled). Every failure is raised
        as a botocore exception (``dynamorm.aio.failures``)."""
        headers = prepared.headers
        headers.update(route.headers)
        try:
            async with self.session.post(
                route.url,
                data=prepared.body,
                headers=headers,
                proxy=route.proxy,
                proxy_headers=route.proxy_headers,
                ssl=route.tls,
                timeout=self.wire.capped(cap),
                allow_redirects=False,
            ) as answer:
                body = await answer.read()
                return answer.status, HeadersDict(answer.headers), body
        except Exception as exc:
            raise failure(exc, route.where, route.proxy_url) from exc

    async def close(self) -> None:
        """Closes the session and its connections (once; later calls do
        nothing), and has the transport forget this pool."""
        if self._closed:
            return
        self._closed = True
        self._forget(self)
        await self.session.close()
        # The closed connections' sockets close in callbacks the loop runs next.
        await asyncio.sleep(0)

    def abandon(self) -> None:
        """Marks the session closed without running its loop, which is
        closed: nothing can be sent or closed on it any more (aiohttp then
        does no I/O), and the session does not report itself unclosed when
        collected. Its sockets are left to the garbage collector."""
        self._closed = True
        closing = self.session.close().__await__()
        try:
            next(closing)
        except StopIteration:
            return
        closing.close()  # it would have waited on the loop: never resumed


async def _keeper(pool: Pool) -> AsyncGenerator[None, None]:
    """``pool.keeper`` (see ``Pool``)."""
    try:
        yield
    finally:
        await pool.close()
