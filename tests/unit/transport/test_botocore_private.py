"""Each private botocore/urllib3 name ``dynamorm.transport._botocore_private`` relies
on still exists and behaves as used (one test each)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.httpsession import URLLib3Session
from dynamorm.transport._botocore_private import (
    DeadlineSession,
    client_loader,
    deadline_cap,
    forget_connections,
    frozen_credentials,
    handlers_added,
    host_from_url,
    http_session,
    use_deadline_session,
    user_agent,
    watch_handlers,
)
from urllib3.util.timeout import Timeout


def dynamodb(endpoint: str = "http://127.0.0.1:9", **config: Any) -> Any:
    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


def test_client_loader_is_the_clients_service_model_loader() -> None:
    loader = client_loader(dynamodb())
    assert loader.load_service_model("dynamodb", "service-2")["metadata"]["protocol"] == "json"
    assert client_loader(object()) is None


def test_http_session_is_the_endpoints_urllib3_session() -> None:
    client = dynamodb()
    assert isinstance(http_session(client), URLLib3Session)
    assert http_session(client) is client._endpoint.http_session
    assert http_session(object()) is None


def prepared() -> Any:
    return AWSRequest(method="POST", url="http://127.0.0.1:9/", data=b"{}").prepare()


def test_the_deadline_session_caps_botocores_per_request_timeout() -> None:
    client = dynamodb(connect_timeout=0.2, read_timeout=30)
    session = http_session(client)
    assert use_deadline_session(client)
    assert http_session(client) is session and type(session) is DeadlineSession
    # botocore's own hook: None (the pool's timeout) for a plain request.
    assert URLLib3Session._get_request_timeout(session, prepared()) is None
    assert session._get_request_timeout(prepared()) is None  # no cap on this thread
    with deadline_cap(0.5):
        timeout = session._get_request_timeout(prepared())
    assert isinstance(timeout, Timeout)
    assert (timeout.connect_timeout, timeout.read_timeout) == (0.2, 0.5)
    session._timeout = 7  # a bare number is botocore's form of one timeout for both
    with deadline_cap(9.0):
        timeout = session._get_request_timeout(prepared())
    assert (timeout.connect_timeout, timeout.read_timeout) == (7, 7)


class _Keepalive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    closed: list[str]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def finish(self) -> None:
        type(self).closed.append("closed")
        super().finish()

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def keepalive_server() -> Iterator[tuple[str, list[str]]]:
    handler = type("Handler", (_Keepalive,), {"closed": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.closed
    finally:
        server.shutdown()
        server.server_close()


class Watched(socket.socket):
    """A socket that records ``close``/``shutdown`` calls."""

    __slots__ = ("calls",)

    def __init__(self, fileno: int) -> None:
        super().__init__(fileno=fileno)
        self.calls: list[str] = []

    def close(self) -> None:
        self.calls.append("close")
        super().close()

    def shutdown(self, how: int) -> None:
        self.calls.append("shutdown")
        super().shutdown(how)


def pooled_connections(session: Any) -> list[Any]:
    return [
        conn
        for pool in session._manager.pools._container.values()
        for conn in pool.pool.queue
        if conn is not None and conn.sock is not None
    ]


def test_forget_connections_drops_the_pool_without_touching_the_stream() -> None:
    with keepalive_server() as (endpoint, closed):
        client = dynamodb(endpoint)
        client.get_item(TableName="t", Key={"k": {"S": "a"}})
        session = http_session(client)
        [conn] = pooled_connections(session)
        # The other process's copy of the socket, as a fork leaves it.
        theirs = socket.socket(fileno=os.dup(conn.sock.fileno()))
        watched = conn.sock = Watched(fileno=conn.sock.detach())
        forget_connections(session)
        assert conn.sock is None and pooled_connections(session) == []
        # Its descriptor here is gone without a protocol-level close or
        # shutdown (which TLS would answer with a close_notify).
        assert watched.calls == [] and watched.fileno() == -1
        assert len(session._manager.pools) == 0
        # Nothing was sent (no FIN): the other copy still has a working stream.
        theirs.settimeout(5)
        theirs.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        assert theirs.recv(4096).startswith(b"HTTP/1.1 200 ")
        assert closed == []
        theirs.close()
        client.get_item(TableName="t", Key={"k": {"S": "a"}})  # a new connection
        assert len(pooled_connections(session)) == 1


def test_host_from_url_is_the_host_header_botocore_signs() -> None:
    assert host_from_url("https://dynamodb.us-east-1.amazonaws.com/") == (
        "dynamodb.us-east-1.amazonaws.com"
    )
    assert host_from_url("http://127.0.0.1:8000/") == "127.0.0.1:8000"
    assert host_from_url("https://example.com:443/") == "example.com"


def test_frozen_credentials_are_the_clients_own() -> None:
    client = dynamodb()
    credentials = frozen_credentials(client)
    assert (credentials.access_key, credentials.secret_key) == ("k", "s")


def test_user_agent_is_the_header_botocore_sends() -> None:
    client = dynamodb()
    sent: list[Any] = []
    client.meta.events.register(
        "before-send.dynamodb.*", lambda request, **_: sent.append(request.headers["User-Agent"])
    )
    with contextlib.suppress(Exception):
        client.list_tables()
    header = sent[0].decode() if isinstance(sent[0], bytes) else sent[0]
    # The same library and version tokens (botocore may append per-request ones).
    assert user_agent(client).split(" ")[:2] == header.split(" ")[:2]
    assert header.startswith("Boto3/")


def test_handlers_registered_after_watching_are_noted() -> None:
    client = dynamodb()
    client.meta.events.register("before-call.dynamodb.GetItem", lambda **_: None)
    watch_handlers(client)
    assert not handlers_added(client)
    client.meta.events.register_first("before-send.dynamodb.*", lambda **_: None)
    assert handlers_added(client)
    other = dynamodb()
    watch_handlers(other)
    assert not handlers_added(other)  # noted per client, not per class


def test_botocore_client_calls_and_error_shapes_are_as_the_direct_path_reads_them() -> None:
    import types

    import botocore.client

    assert isinstance(botocore.client.BaseClient._make_api_call, types.FunctionType)
    client = dynamodb()
    shape = client.meta.service_model.shape_for_error_code("TransactionCanceledException")
    assert shape is not None and "CancellationReasons" in shape.members
    assert client.exceptions.from_code("ConditionalCheckFailedException").__name__ == (
        "ConditionalCheckFailedException"
    )
