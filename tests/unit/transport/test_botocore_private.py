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
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.httpsession import URLLib3Session
from dynamorm.transport._botocore_private import (
    DeadlineSession,
    _handler_kinds,
    builtin_handlers_mark,
    client_loader,
    deadline_cap,
    discovers_endpoints,
    forget_connections,
    frozen_credentials,
    handlers_added,
    host_from_url,
    http_session,
    proxy_for,
    refresh_due,
    resolve_endpoint,
    session_handlers_added,
    session_verify,
    sign,
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


def _sent_by_botocore(client: Any, operation: str, params: dict[str, Any]) -> Any:
    """The request botocore's client call hands its HTTP session."""
    from botocore.awsrequest import AWSResponse
    from dynamorm.transport.probe import CannedRaw

    sent: list[Any] = []

    def send(request: Any, **_: Any) -> Any:
        sent.append(request)
        return AWSResponse(request.url, 200, {}, CannedRaw(b"{}"))

    client.meta.events.register("before-send.dynamodb", send)
    getattr(client, "".join("_" + c.lower() if c.isupper() else c for c in operation)[1:])(**params)
    return sent[0]


def _configured(region: str = "us-west-2", endpoint: str | None = None, **config: Any) -> Any:
    return boto3.client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        aws_account_id="111122223333",
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


_GET = {"TableName": "t", "Key": {"k": {"S": "a"}}}


@pytest.mark.parametrize(
    ("region", "endpoint", "config"),
    [
        ("us-west-2", None, {}),
        ("us-west-2", None, {"use_fips_endpoint": True}),
        ("us-west-2", None, {"use_dualstack_endpoint": True}),
        ("us-west-2", None, {"account_id_endpoint_mode": "disabled"}),
        ("local", None, {}),
        ("us-west-2", "https://gateway.example:8443/base", {}),
    ],
)
def test_resolve_endpoint_is_where_and_how_botocores_client_call_sends(
    region: str, endpoint: str | None, config: dict[str, Any]
) -> None:
    ours = resolve_endpoint(_configured(region, endpoint, **config), "GetItem", _GET)
    theirs = _sent_by_botocore(_configured(region, endpoint, **config), "GetItem", _GET)
    assert ours.url == theirs.url
    assert ours.host == host_from_url(theirs.url)
    scope = theirs.headers["Authorization"].decode().split("Credential=")[1].split(",")[0]
    assert scope.split("/")[2:4] == [ours.region, ours.signing_name]
    assert ours.path == urlsplit(theirs.url).path and ours.query == ""
    assert ours.headers == ()
    # A client the library did not wire for its signer: botocore's own v4.
    assert ours.signature_version == "v4"


def test_resolve_endpoint_names_the_rust_signer_on_a_client_wired_for_it() -> None:
    from dynamorm.transport.signing import SIGNATURE_VERSION, wire_signing

    client = _configured()
    assert wire_signing(client)
    assert resolve_endpoint(client, "GetItem", _GET).signature_version == SIGNATURE_VERSION


def test_resolve_endpoint_starts_from_the_request_context_botocores_client_call_builds() -> None:
    def capture(client: Any) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        client.meta.events.register(
            "before-endpoint-resolution.dynamodb", lambda context, **_: seen.append(dict(context))
        )
        return seen

    client = _configured()
    seen = capture(client)
    resolve_endpoint(client, "PutItem", {"TableName": "t", "Item": {}})
    _sent_by_botocore(client, "PutItem", {"TableName": "t", "Item": {}})
    ours, theirs = seen
    assert ours == theirs


_TABLES: dict[str, Any] = {
    "GetItem": lambda t: {"TableName": t[0]},
    "PutItem": lambda t: {"TableName": t[0]},
    "UpdateItem": lambda t: {"TableName": t[0]},
    "DeleteItem": lambda t: {"TableName": t[0]},
    "Query": lambda t: {"TableName": t[0]},
    "Scan": lambda t: {"TableName": t[0]},
    "BatchGetItem": lambda t: {"RequestItems": {n: {"Keys": []} for n in t}},
    "BatchWriteItem": lambda t: {"RequestItems": {n: [] for n in t}},
    "TransactGetItems": lambda t: {"TransactItems": [{"Get": {"TableName": n}} for n in t]},
    "TransactWriteItems": lambda t: {
        "TransactItems": [{"Put": {"TableName": n}} for n in t]
        + [{"ConditionCheck": {"TableName": n}} for n in t]
    },
}


@pytest.mark.parametrize(
    ("config", "by_arn"),
    [
        ({}, "https://999988887777.ddb.us-west-2.amazonaws.com/"),
        (
            {"account_id_endpoint_mode": "required"},
            "https://999988887777.ddb.us-west-2.amazonaws.com/",
        ),
        ({"account_id_endpoint_mode": "disabled"}, "https://dynamodb.us-west-2.amazonaws.com/"),
        ({"use_fips_endpoint": True}, "https://dynamodb-fips.us-west-2.amazonaws.com/"),
        ({"use_dualstack_endpoint": True}, "https://999988887777.ddb.us-west-2.api.aws/"),
    ],
)
def test_dynamodbs_endpoint_rules_read_a_table_name_only_when_it_is_an_arn(
    config: dict[str, Any], by_arn: str
) -> None:
    from dynamorm.transport.base import DATA_OPERATIONS

    # What the direct path's endpoint cache, keyed by operation and account
    # ID, relies on: any plain table names give one endpoint...
    assert set(_TABLES) == DATA_OPERATIONS
    client = _configured(**config)
    for operation, params in _TABLES.items():
        endpoints = {
            resolve_endpoint(client, operation, params(tables))
            for tables in (["users"], ["orders-2024.v1"], ["a_b", "users", "zzz"])
        }
        assert len(endpoints) == 1, operation
    # ... while an ARN is read: where the rules route by it, its account wins
    # over the credentials' (111122223333).
    arn = "arn:aws:dynamodb:us-west-2:999988887777:table/users"
    for operation, params in _TABLES.items():
        assert resolve_endpoint(client, operation, params([arn, "users"])).url == by_arn


def test_discovers_endpoints_sees_botocores_endpoint_discovery_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not discovers_endpoints(dynamodb())
    assert discovers_endpoints(_configured(endpoint_discovery_enabled=True))
    monkeypatch.setenv("AWS_ENDPOINT_DISCOVERY_ENABLED", "true")
    assert discovers_endpoints(_configured())
    # An emitter it cannot read: assume discovery, so botocore's pipeline sends.
    client = dynamodb()
    monkeypatch.setattr(client.meta, "events", object())
    assert discovers_endpoints(client)


def test_frozen_credentials_of_a_client_without_any_is_botocores_no_credentials_error() -> None:
    from botocore.exceptions import NoCredentialsError

    client = dynamodb()
    client._request_signer._credentials = None
    with pytest.raises(NoCredentialsError):
        frozen_credentials(client)


def test_a_failed_refresh_is_a_botocore_credential_error() -> None:
    import datetime

    from botocore.credentials import RefreshableCredentials
    from botocore.exceptions import CredentialRetrievalError, NoCredentialsError

    failure: list[Exception] = [ValueError("no token")]

    def refresh() -> dict[str, Any]:
        raise failure[0]

    expired = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    client = dynamodb()
    client._request_signer._credentials = RefreshableCredentials(
        "k", "s", None, expired, refresh, "custom-process"
    )
    with pytest.raises(CredentialRetrievalError, match="custom-process: ValueError: no token") as e:
        frozen_credentials(client)
    assert e.value.__cause__ is failure[0]
    # botocore's own errors are left as they are.
    failure[0] = NoCredentialsError()
    with pytest.raises(NoCredentialsError) as caught:
        frozen_credentials(client)
    assert caught.value is failure[0]


def test_refreshed_credentials_that_are_already_expired_are_a_botocore_credential_error() -> None:
    import datetime

    from botocore.credentials import RefreshableCredentials
    from botocore.exceptions import CredentialRetrievalError

    expired = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)

    def refresh() -> dict[str, Any]:
        # botocore raises a RuntimeError of its own for these.
        return {"access_key": "k2", "secret_key": "s2", "token": None, "expiry_time": str(expired)}

    client = dynamodb()
    client._request_signer._credentials = RefreshableCredentials(
        "k", "s", None, expired, refresh, "custom-process"
    )
    with pytest.raises(CredentialRetrievalError, match="RuntimeError: Credentials were refreshed"):
        frozen_credentials(client)


def test_refresh_due_is_whether_reading_the_credentials_would_refresh_them() -> None:
    import datetime

    from botocore.credentials import DeferredRefreshableCredentials, RefreshableCredentials

    now = [datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)]
    refreshed: list[int] = []

    def refresh() -> dict[str, Any]:
        refreshed.append(1)
        expiry = now[0] + datetime.timedelta(hours=1)
        return {"access_key": "k2", "secret_key": "s2", "token": None, "expiry_time": str(expiry)}

    client = dynamodb()
    assert refresh_due(client) is False  # fixed credentials
    credentials = RefreshableCredentials(
        "k", "s", None, now[0] + datetime.timedelta(minutes=20), refresh, "m", lambda: now[0]
    )
    client._request_signer._credentials = credentials
    assert refresh_due(client) is False
    assert refreshed == []  # asking refreshes nothing
    now[0] += datetime.timedelta(minutes=6)  # 14 minutes left: botocore's advisory window
    assert refresh_due(client) is True and refreshed == []
    assert frozen_credentials(client).access_key == "k2" and refreshed == [1]
    assert refresh_due(client) is False
    client._request_signer._credentials = DeferredRefreshableCredentials(
        refresh, "m", lambda: now[0]
    )
    assert refresh_due(client) is True  # not fetched yet
    frozen_credentials(client)
    assert refresh_due(client) is False
    client._request_signer._credentials = None
    assert refresh_due(client) is False


def test_session_verify_is_how_the_http_session_verifies_certificates(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    assert session_verify(http_session(dynamodb())) is True

    def verifying(verify: Any) -> Any:
        return boto3.client(
            "dynamodb",
            region_name="us-east-1",
            endpoint_url="https://127.0.0.1:9",
            aws_access_key_id="k",
            aws_secret_access_key="s",
            verify=verify,
        )

    assert session_verify(http_session(verifying(False))) is False
    assert session_verify(http_session(verifying(str(bundle)))) == str(bundle)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
    assert session_verify(http_session(verifying(None))) == str(bundle)


def test_proxy_for_is_the_proxy_the_http_session_resolved_for_a_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    plain = http_session(dynamodb())
    assert proxy_for(plain, "http://127.0.0.1:9/") == (None, {}, False)
    session = http_session(dynamodb(proxies={"http": "proxy.test:3128", "https": "https://p:1"}))
    assert proxy_for(session, "https://example.com/") == ("https://p:1", {}, False)
    session = http_session(dynamodb(proxies={"http": "http://u:p%40ss@proxy.test:3128"}))
    proxy, headers, configured = proxy_for(session, "http://127.0.0.1:9/")
    assert proxy == "http://u:p%40ss@proxy.test:3128"
    assert headers == {"Proxy-Authorization": "Basic dTpwQHNz"}  # u:p@ss
    assert configured is False
    assert proxy_for(session, "https://example.com/") == (None, {}, False)
    configured_session = http_session(
        dynamodb(proxies={"http": "http://p:1"}, proxies_config={"proxy_ca_bundle": "/x.pem"})
    )
    assert proxy_for(configured_session, "http://127.0.0.1:9/")[2] is True
    monkeypatch.setenv("HTTP_PROXY", "http://env-proxy.test:8080")
    from_env = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url="http://db.test:9",
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )
    assert proxy_for(http_session(from_env), "http://db.test:9/")[0] == (
        "http://env-proxy.test:8080"
    )


def test_session_handlers_added_tells_a_users_handler_from_a_sessions_own() -> None:
    # botocore's event emitter keeps its handlers in a prefix trie
    # (``_emitter._handlers._root``): if that changes, the walk finds nothing
    # and every session counts as listened to (the safe answer), which this
    # test's first assertion catches.
    import boto3

    session = boto3.Session(region_name="us-east-1")
    session.client("dynamodb", aws_access_key_id="a", aws_secret_access_key="b")
    assert not session_handlers_added(session)
    kinds = _handler_kinds(session._session.get_component("event_emitter"))
    assert kinds is not None and len(kinds) > 50
    session.events.register("before-send.dynamodb", lambda **_: None)
    assert session_handlers_added(session)


def test_a_library_adding_a_builtin_handler_changes_the_mark_and_the_reference() -> None:
    # moto's import appends its stubber to botocore's built-in handlers: a
    # session made after it has one handler more than the reference taken
    # before, and must not count as listened to for that.
    import boto3
    from botocore import handlers

    def extra(**_: object) -> None: ...

    boto3.Session(region_name="us-east-1")
    assert not session_handlers_added(boto3.Session(region_name="us-east-1"))
    before = builtin_handlers_mark()
    handlers.BUILTIN_HANDLERS.append(("before-send.dynamodb", extra))
    try:
        assert builtin_handlers_mark() != before
        assert not session_handlers_added(boto3.Session(region_name="us-east-1"))
    finally:
        handlers.BUILTIN_HANDLERS.remove(("before-send.dynamodb", extra))
    assert builtin_handlers_mark() == before


def test_sign_writes_the_sigv4_authorization_the_clients_signer_writes() -> None:
    client = dynamodb()
    request = AWSRequest(
        method="POST",
        url="https://dynamodb.us-east-1.amazonaws.com/",
        headers={"X-Amz-Target": "DynamoDB_20120810.GetItem"},
        data=b"{}",
    )
    sign(client, "GetItem", request)
    authorization = request.headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=k/")
    assert "/us-east-1/dynamodb/aws4_request" in authorization
    assert "X-Amz-Date" in request.headers
