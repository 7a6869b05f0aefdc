"""The GetItem the library sends, the asyncio HTTP clients measured sending
it, and the dynalite table it reads (``bench_async_http.py``,
``async_http_behaviour.py``).

``live_table()`` starts dynalite (``tests/_support/servers.py``), makes a
table holding ten small items and yields a ``Live``: the endpoint, the table,
a ``DB`` on a client it created and the model.

``Wire`` writes the request exactly as ``DirectTransport`` does — the Rust
core's body, the headers ``DirectTransport._prepare`` writes and signs (the
Rust SigV4 signer, credentials from the client's provider chain), re-signed
for every call as a real client would — and handles the answer as it does:
the status, the ``x-amz-crc32`` check, the item decoded by the Rust core
straight into the model (``_core.decode_response``).

Each client is an async context manager yielding ``send(prepared)``, a
coroutine function sending one request and returning its status,
``x-amz-crc32`` header and body; ``getter(wire, send)`` makes of it a
``get()`` reading the item into its model:

* ``aiohttp_client``: ``aiohttp.ClientSession`` on a ``TCPConnector(limit=)``.
* ``httpx_client``: ``httpx.AsyncClient`` on ``AsyncHTTPTransport(limits=)``
  (HTTP/1.1), on httpcore's default network backend (anyio's streams) or,
  with ``asyncio_streams=True``, on ``AsyncioBackend`` below.
* ``httpcore_client``: httpcore's ``AsyncConnectionPool`` with no httpx
  layer above it.

``transport_getter`` is the library's own asyncio transport
(``dynamorm.aio.transport.AioTransport``) sending the same GetItem, built as
the executor builds it; ``pydynox_get`` is pydynox's async get of the same
item, for reference.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import ssl
import sys
import tempfile
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import httpcore
import httpx
import yarl
from _async_timing import Get
from _timing import create_pk_sk_table
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from dynamorm import DB, Model, _core, field
from dynamorm.aio.transport import AioTransport
from dynamorm.transport._botocore_private import frozen_credentials
from dynamorm.transport.base import Target
from dynamorm.transport.direct import DirectTransport

Answer = tuple[int, str | None, bytes]
"""An answer's status, ``x-amz-crc32`` header and body."""
Send = Callable[[AWSPreparedRequest], Awaitable[Answer]]
"""Sends one prepared request and returns its ``Answer``."""

IDENTITY = "identity"
"""The ``Accept-Encoding`` sent: what urllib3 (botocore's HTTP client) sends,
so that DynamoDB answers uncompressed and ``x-amz-crc32`` is the body's."""


@dataclasses.dataclass
class Live:
    """A running dynalite and the table the benchmarks read."""

    endpoint: str
    table: str
    db: DB
    model: Any


@contextlib.contextmanager
def live_table() -> Iterator[Live]:
    """dynalite with a table of ten items ``pk="u1"``, ``sk="s00000"`` ...
    (``n`` their number), and a ``DB`` on it (see the module docstring)."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)  # the test support package starts the server
    from tests._support.servers import running, start_dynalite

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with tempfile.TemporaryDirectory() as logs, running(start_dynalite(Path(logs))) as server:
        table = f"bench-async-http-{uuid.uuid4().hex[:8]}"
        db = DB(region_name="us-east-1", endpoint_url=server.endpoint)
        create_pk_sk_table(db.client, table)

        class Small(Model, table=table):
            pk: str = field(pk=True)
            sk: str = field(sk=True)
            n: int = 0
            name: str = ""

        for i in range(10):
            db.model(Small(pk="u1", sk=f"s{i:05d}", n=i, name=f"name {i}")).create()
        yield Live(server.endpoint, table, db, Small)


class Wire:
    """``DB``'s GetItem of the item ``sk`` in ``table`` into ``model``,
    written and read as ``DirectTransport`` does (see the module docstring)."""

    def __init__(self, db: DB, model: Any, table: str, sk: str = "s00007") -> None:
        transport = db._executor.transport
        if not isinstance(transport, DirectTransport) or not transport.direct("GetItem"):
            raise RuntimeError("GetItem does not take the library's own request path here")
        self._transport = transport
        self._client = db.client
        self._params = {"TableName": table, "Key": {"pk": {"S": "u1"}, "sk": {"S": sk}}}
        account = frozen_credentials(db.client).account_id
        endpoint = transport._resolve("GetItem", self._params, account)[1]
        if endpoint is None:
            raise RuntimeError("GetItem is not signed with the Rust signer here")
        self._endpoint = endpoint
        self._schema = model.__dynamorm_codec__.schema
        self.url = endpoint.url
        self.host = endpoint.host
        """The ``host`` header value the request is signed with."""

    def prepare(self) -> AWSPreparedRequest:
        """A freshly written and signed request (its ``headers`` a new dict)."""
        body = _core.encode_request(self._params)
        credentials = frozen_credentials(self._client)
        prepared = self._transport._prepare("GetItem", body, self._endpoint, credentials)
        prepared.headers["Accept-Encoding"] = IDENTITY
        return prepared

    def answer(self, answer: Answer) -> Any:
        """The model instance in a GetItem answer."""
        status, crc, body = answer
        if status != 200:
            raise RuntimeError(f"GetItem answered {status}: {body[:300]!r}")
        if crc is not None and int(crc) != zlib.crc32(body):
            raise RuntimeError("x-amz-crc32 does not match the body")
        decoded, _ = _core.decode_response(body, "GetItem", self._schema)
        return decoded["Item"]


def getter(wire: Wire, send: Send) -> Get:
    """``get()``: ``wire``'s request, sent with ``send``, read into a model."""

    async def get() -> Any:
        return wire.answer(await send(wire.prepare()))

    return get


@contextlib.asynccontextmanager
async def transport_getter(live: Live, limit: int, sk: str = "s00007") -> AsyncIterator[Get]:
    """``get()``: the GetItem of the item ``sk`` as a ``DB``'s executor builds
    it (the Rust core's body), sent by ``AioTransport.send`` on a ``DB`` with
    ``max_pool_connections=limit``, its item decoded by the transport; the
    transport is closed after."""
    db = DB(
        region_name="us-east-1",
        endpoint_url=live.endpoint,
        config=Config(max_pool_connections=limit),
    )
    transport = AioTransport(db._executor.transport)
    target = Target(live.model, live.table)
    params = {"TableName": live.table, "Key": {"pk": {"S": "u1"}, "sk": {"S": sk}}}

    async def get() -> Any:
        request = db._executor.request("GetItem", params, target)
        return (await transport.send(request)).parsed["Item"]

    try:
        yield get
    finally:
        await transport.close()


def pydynox_get(endpoint: str, table: str) -> Get:
    """pydynox's async ``Model.get`` of the same item at ``endpoint`` (its own
    Rust HTTP client; it has no pool-size setting)."""
    from pydynox import DynamoDBClient, ModelConfig
    from pydynox import Model as PModel
    from pydynox.attributes import NumberAttribute, StringAttribute

    client = DynamoDBClient(
        region="us-east-1", access_key="testing", secret_key="testing", endpoint_url=endpoint
    )

    class PSmall(PModel):
        model_config = ModelConfig(table=table, client=client, skip_hooks=True)
        pk = StringAttribute(partition_key=True)
        sk = StringAttribute(sort_key=True)
        n = NumberAttribute()
        name = StringAttribute()

    async def get() -> Any:
        return await PSmall.get(pk="u1", sk="s00007")

    return get


@contextlib.asynccontextmanager
async def aiohttp_client(
    limit: int,
    *,
    ssl_option: ssl.SSLContext | bool = True,
    timeout: aiohttp.ClientTimeout | None = None,
) -> AsyncIterator[Send]:
    """aiohttp, at most ``limit`` connections, keep-alive, no decompression;
    each URL parsed once (an endpoint is fixed per operation)."""
    connector = aiohttp.TCPConnector(limit=limit, ssl=ssl_option)
    timeout = timeout or aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=10)
    urls: dict[str, yarl.URL] = {}
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, auto_decompress=False
    ) as session:

        async def send(prepared: AWSPreparedRequest) -> Answer:
            url = urls.get(prepared.url)
            if url is None:
                url = urls[prepared.url] = yarl.URL(prepared.url)
            async with session.post(url, data=prepared.body, headers=prepared.headers) as r:
                return r.status, r.headers.get("x-amz-crc32"), await r.read()

        yield send


@contextlib.asynccontextmanager
async def httpx_client(
    limit: int,
    *,
    asyncio_streams: bool = False,
    verify: ssl.SSLContext | bool = True,
    timeout: httpx.Timeout | None = None,
) -> AsyncIterator[Send]:
    """httpx over HTTP/1.1, at most ``limit`` connections, keep-alive, the
    environment's proxy and CA settings ignored (``trust_env=False``: the
    transport takes them from botocore's ``Config``)."""
    limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    transport = httpx.AsyncHTTPTransport(verify=verify, limits=limits, trust_env=False)
    if asyncio_streams:
        # httpx takes no network backend; its pool does.
        transport._pool._network_backend = AsyncioBackend()
    timeout = timeout or httpx.Timeout(10.0, pool=None)
    urls: dict[str, httpx.URL] = {}
    async with httpx.AsyncClient(transport=transport, timeout=timeout, trust_env=False) as client:

        async def send(prepared: AWSPreparedRequest) -> Answer:
            url = urls.get(prepared.url)
            if url is None:
                url = urls[prepared.url] = httpx.URL(prepared.url)
            r = await client.post(url, content=prepared.body, headers=prepared.headers)
            return r.status_code, r.headers.get("x-amz-crc32"), r.content

        yield send


@contextlib.asynccontextmanager
async def httpcore_client(limit: int) -> AsyncIterator[Send]:
    """httpcore's connection pool alone (no httpx layer), HTTP/1.1."""
    async with httpcore.AsyncConnectionPool(
        max_connections=limit, max_keepalive_connections=limit
    ) as pool:

        async def send(prepared: AWSPreparedRequest) -> Answer:
            r = await pool.request(
                "POST",
                prepared.url,
                headers=prepared.headers,
                content=prepared.body,
                extensions=_TIMEOUTS,
            )
            return r.status, _header(r.headers, b"x-amz-crc32"), r.content

        yield send


_TIMEOUTS = {"timeout": {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": None}}


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection on asyncio's streams, for httpcore."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        async with asyncio.timeout(timeout):
            return await self._reader.read(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        self._writer.write(buffer)
        async with asyncio.timeout(timeout):
            await self._writer.drain()

    async def aclose(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        async with asyncio.timeout(timeout):
            await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        return self

    def get_extra_info(self, info: str) -> Any:
        sock: socket.socket | None = self._writer.get_extra_info("socket")
        if info == "is_readable":
            # What httpcore asks of an idle connection before reusing it.
            return sock is not None and httpcore._utils.is_socket_readable(sock)
        names: Mapping[str, str] = {
            "ssl_object": "ssl_object",
            "client_addr": "sockname",
            "server_addr": "peername",
            "socket": "socket",
        }
        name = names.get(info)
        return None if name is None else self._writer.get_extra_info(name)


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's streams instead of anyio's
    (timeouts and OS errors are not mapped to httpcore's exceptions: a probe
    of the backend's cost, not a replacement)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = None if local_address is None else (local_address, 0)
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
