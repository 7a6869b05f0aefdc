"""A fault-injecting HTTP proxy in front of a DynamoDB-compatible test server.

``FaultProxy(upstream)`` listens on 127.0.0.1 (one thread per client
connection, keep-alive both ways), forwards DynamoDB JSON requests and records
each one. Rules added with its methods change what the client sees: throttling
and 5xx answers, reset connections, delays, requests held until several have
come (``gather``), unprocessed batch keys and items, reordered batch
responses, cancelled transactions, answers whose ``x-amz-crc32`` is not their
body's, or anything a ``custom`` hook decides.
Each record also keeps the request's headers and the access key it was
signed with. Each rule fires at most ``times`` times (``None``: always), in
the order rules were added; only tests use this.

With ``tls`` (a server ``ssl.SSLContext``) it is a TLS-terminating proxy on
``https://127.0.0.1:<port>``: each connection's handshake runs on its own
thread, and ``tls_failures`` counts those that failed (an untrusted
certificate, a missing client certificate).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_PREFIX = "com.amazonaws.dynamodb.v20120810#"

# What a custom hook may return: ``None`` (forward as usual), an answer
# ``(status, body)`` sent without forwarding (a JSON value, or ``bytes`` sent
# as they are), or ``RESET`` to reset the connection.
RESET = "RESET"
Hook = Callable[[str, dict[str, Any]], "tuple[int, Any] | str | None"]


@dataclass
class Recorded:
    """One request as the client sent it, and what the client got back."""

    operation: str
    body: dict[str, Any]
    status: int = 0
    started: float = 0.0
    ended: float = 0.0
    fault: str | None = None
    """The name of the rule that answered or changed it (``None``: untouched)."""
    connection: int = 0
    """The client connection that carried it (1, 2, ... in the order accepted)."""
    access_key: str | None = None
    """The access key of its signature (``Credential=`` in its
    ``Authorization`` header), ``None`` when it was not signed."""
    headers: list[tuple[str, str]] = field(default_factory=list)
    """Its headers as the client sent them, in order."""


@dataclass
class _Rule:
    kind: str
    operation: str | None
    times: int | None
    args: dict[str, Any] = field(default_factory=dict)
    fired: int = 0

    def take(self, operation: str) -> bool:
        """Whether the rule fires for this request (and counts it if so)."""
        if self.operation is not None and self.operation != operation:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True


class _Reset(Exception):
    """Ends the client connection with a TCP reset."""


class FaultProxy:
    """The proxy; a context manager that starts and stops it."""

    def __init__(self, upstream_endpoint: str, *, tls: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(upstream_endpoint)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"FaultProxy: need an http:// upstream, got {upstream_endpoint!r}")
        self.upstream = (parts.hostname, parts.port or 80)
        self.requests: list[Recorded] = []
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._in_flight: dict[str | None, int] = {}
        self._peak: dict[str | None, int] = {}
        self._sockets: set[socket.socket] = set()
        self.connections = 0
        """Client connections accepted so far (keep-alive reuses them)."""
        self.tls_failures = 0
        """TLS handshakes that failed (with ``tls``)."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._server.tls = tls
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` with ``tls``): point the
        client here."""
        scheme = "http" if self._server.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- observations ------------------------------------------------------

    @property
    def max_in_flight(self) -> int:
        """The most requests the proxy was handling at once (any operation)."""
        with self._lock:
            return self._peak.get(None, 0)

    def max_in_flight_of(self, operation: str) -> int:
        """The most ``operation`` requests the proxy was handling at once."""
        with self._lock:
            return self._peak.get(operation, 0)

    def await_tls_failures(self, count: int, timeout: float = 5.0) -> int:
        """``tls_failures`` once it reaches ``count`` (or after ``timeout``
        seconds): a client that gives up on the handshake is done before
        the proxy's side of it notices."""
        deadline = time.monotonic() + timeout
        while self.tls_failures < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.tls_failures

    def operations(self) -> list[str]:
        """The operation of every recorded request, in arrival order."""
        with self._lock:
            return [r.operation for r in self.requests]

    def of(self, operation: str) -> list[Recorded]:
        """The recorded requests of one operation."""
        with self._lock:
            return [r for r in self.requests if r.operation == operation]

    def reset(self) -> None:
        """Forgets the rules, the recorded requests and the in-flight peaks."""
        with self._lock:
            self._rules.clear()
            self.requests.clear()
            self._peak.clear()

    # -- rules -------------------------------------------------------------

    def _add(self, kind: str, operation: str | None, times: int | None, **args: Any) -> None:
        if times is not None and times < 0:
            raise ValueError(f"FaultProxy.{kind}: times must be >= 0 or None, got {times}")
        with self._lock:
            self._rules.append(_Rule(kind, operation, times, args))

    def throttle(
        self,
        operation: str | None = None,
        times: int | None = 1,
        code: str = "ProvisionedThroughputExceededException",
    ) -> None:
        """Answers 400 with the throttling error ``code``, without forwarding."""
        self._add("throttle", operation, times, code=code)

    def server_error(
        self,
        operation: str | None = None,
        times: int | None = 1,
        status: int = 500,
        after: bool = False,
    ) -> None:
        """Answers ``status`` (5xx) with ``InternalServerError`` (or
        ``ServiceUnavailable`` for 503): without forwarding, or with
        ``after=True`` in place of the server's answer once it has done the
        work (a lost answer)."""
        kind = "server_error_after" if after else "server_error"
        self._add(kind, operation, times, status=status)

    def reset_connection(
        self, operation: str | None = None, times: int | None = 1, after: bool = False
    ) -> None:
        """Resets the client's connection: before forwarding, or with
        ``after=True`` once the server has done the work (a lost answer)."""
        kind = "reset_connection_after" if after else "reset_connection"
        self._add(kind, operation, times)

    def delay(self, operation: str | None, seconds: float, times: int | None = None) -> None:
        """Waits ``seconds`` before forwarding."""
        self._add("delay", operation, times, seconds=seconds)

    def gather(self, operation: str, count: int, timeout: float = 10.0) -> None:
        """Holds each ``operation`` request until ``count`` of them are at the
        proxy, then forwards them together (and gathers the next ``count``
        anew): they are in flight at once however the client's threads were
        scheduled, with no fixed delay. A request kept waiting ``timeout``
        seconds goes on alone, and so do all after it."""
        self._add("gather", operation, None, barrier=threading.Barrier(count), timeout=timeout)

    def unprocess_keys(self, count: int, times: int | None = 1) -> None:
        """BatchGetItem: the last ``count`` keys of the request are held back
        from the server and answered in ``UnprocessedKeys`` (with the
        request's projection and consistency), as DynamoDB does when it
        reads only part of a batch."""
        self._add("unprocess_keys", "BatchGetItem", times, count=count)

    def unprocess_items(self, count: int, times: int | None = 1) -> None:
        """BatchWriteItem: the last ``count`` write requests are held back
        from the server and answered in ``UnprocessedItems``."""
        self._add("unprocess_items", "BatchWriteItem", times, count=count)

    def let_through(self, operation: str, per_request: int, times: int | None = None) -> None:
        """BatchGetItem / BatchWriteItem: only the first ``per_request`` keys
        (or write requests) of each request reach the server; the rest are
        answered as unprocessed, as DynamoDB does when every response fills
        up to its size limit."""
        kind = "unprocess_keys" if operation == "BatchGetItem" else "unprocess_items"
        self._add(kind, operation, times, count=None, keep=per_request)

    def reorder_items(self, times: int | None = None) -> None:
        """BatchGetItem: reverses each table's ``Responses`` list."""
        self._add("reorder_items", "BatchGetItem", times)

    def transaction_cancel(self, reasons: list[Any], times: int | None = 1) -> None:
        """TransactWriteItems: answers 400 ``TransactionCanceledException``
        with ``CancellationReasons`` (codes as strings, or whole reason
        dicts), without forwarding."""
        self._add("transaction_cancel", "TransactWriteItems", times, reasons=reasons)

    def damage_checksum(self, operation: str | None = None, times: int | None = 1) -> None:
        """Forwards the request and sends the answer back with an
        ``x-amz-crc32`` header that is not its body's (an answer damaged on
        the way)."""
        self._add("damage_checksum", operation, times)

    def custom(self, fn: Hook, operation: str | None = None, times: int | None = None) -> None:
        """Calls ``fn(operation, body)`` for each request: it returns ``None``
        to forward, ``(status, body)`` to answer that instead (``body`` a JSON
        value, or ``bytes`` sent verbatim), or ``RESET``."""
        self._add("custom", operation, times, fn=fn)

    # -- the exchange --------------------------------------------------------

    def _track(self, operation: str, delta: int) -> None:
        with self._lock:
            for key in (None, operation):
                now = self._in_flight.get(key, 0) + delta
                self._in_flight[key] = now
                if now > self._peak.get(key, 0):
                    self._peak[key] = now

    def _take(self, rule: _Rule, operation: str) -> bool:
        with self._lock:
            return rule.take(operation)

    def handle(
        self, record: Recorded, forward: Callable[[bytes], tuple[int, dict[str, str], bytes]]
    ) -> tuple[int, dict[str, str], bytes]:
        """Applies the rules to one request; returns the answer for the client.

        Delays add up and every matching change (held-back keys or items,
        reordering, a reset after forwarding) applies; of the rules that answer
        in the server's place, only the first one that fires counts."""
        operation, body = record.operation, record.body
        with self._lock:
            rules = list(self._rules)
        changes = [r for r in rules if r.kind in _CHANGES and self._take(r, operation)]
        if any(rule.kind == "damage_checksum" for rule in changes):
            record.fault = "damage_checksum"
        for rule in changes:
            if rule.kind == "gather":
                with contextlib.suppress(threading.BrokenBarrierError):
                    rule.args["barrier"].wait(rule.args["timeout"])
            if rule.kind == "delay":
                time.sleep(rule.args["seconds"])
        for rule in rules:
            if rule.kind in _CHANGES or not self._take(rule, operation):
                continue
            answer = self._answer(rule, operation, body)
            if answer is not None:
                record.fault = rule.kind
                if answer == RESET:
                    raise _Reset
                assert not isinstance(answer, str)
                return answer
        send, held = body, None
        for rule in changes:
            if rule.kind in ("unprocess_keys", "unprocess_items"):
                record.fault = rule.kind
                send, held = _hold_back(rule.kind, send, rule.args["count"], rule.args.get("keep"))
        if held is not None and not _has_requests(send):
            status, headers, raw = 200, {}, b"{}"
        else:
            status, headers, raw = forward(json.dumps(send).encode())
        if any(rule.kind == "reset_connection_after" for rule in changes):
            record.fault = "reset_connection"
            raise _Reset
        failed = next((r for r in changes if r.kind == "server_error_after"), None)
        if failed is not None:
            record.fault = "server_error"
            return _server_error(failed.args["status"])
        if status != 200:
            return status, headers, raw
        reorder = any(rule.kind == "reorder_items" for rule in changes)
        if held is None and not reorder:
            return status, headers, raw
        response = json.loads(raw or b"{}")
        if held is not None:
            _merge_held(response, held)
        if reorder:
            record.fault = record.fault or "reorder_items"
            for table_items in response.get("Responses", {}).values():
                table_items.reverse()
        return 200, headers, json.dumps(response).encode()

    @staticmethod
    def _answer(
        rule: _Rule, operation: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes] | str | None:
        """The answer ``rule`` gives in the server's place (``RESET`` to reset
        the connection), or ``None`` to let the request through."""
        kind = rule.kind
        if kind == "throttle":
            return _error(400, rule.args["code"], "Throughput exceeded (injected)")
        if kind == "server_error":
            return _server_error(rule.args["status"])
        if kind == "reset_connection":
            return RESET
        if kind == "transaction_cancel":
            reasons = [
                r if isinstance(r, dict) else {"Code": r, **({"Message": r} if r else {})}
                for r in rule.args["reasons"]
            ]
            codes = ", ".join(str(r.get("Code", "None")) for r in reasons)
            return _error(
                400,
                "TransactionCanceledException",
                "Transaction cancelled, please refer cancellation reasons for "
                f"specific reasons [{codes}]",
                CancellationReasons=reasons,
            )
        assert kind == "custom"
        result = rule.args["fn"](operation, body)
        if result is None or result == RESET:
            return result  # type: ignore[no-any-return]
        status, answer = result
        return status, {}, answer if isinstance(answer, bytes) else json.dumps(answer).encode()


# Rules that change a forwarded exchange rather than answer in the server's place.
_CHANGES = frozenset(
    {
        "delay",
        "gather",
        "unprocess_keys",
        "unprocess_items",
        "reorder_items",
        "reset_connection_after",
        "server_error_after",
        "damage_checksum",
    }
)


def _error(status: int, code: str, message: str, **extra: Any) -> tuple[int, dict[str, str], bytes]:
    body = {"__type": _PREFIX + code, "message": message, **extra}
    return status, {}, json.dumps(body).encode()


def _server_error(status: int) -> tuple[int, dict[str, str], bytes]:
    code = "ServiceUnavailable" if status == 503 else "InternalServerError"
    return _error(status, code, "The server failed (injected)")


def _hold_back(
    kind: str, body: dict[str, Any], count: int | None, keep: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Splits the last ``count`` keys (or write requests) off the request
    (with ``keep``: all but the first ``keep``)."""
    request_items = body.get("RequestItems", {})
    sent: dict[str, Any] = {}
    held: dict[str, Any] = {}
    if keep is not None:
        entries = [
            spec["Keys"] if kind == "unprocess_keys" else spec for spec in request_items.values()
        ]
        count = max(sum(len(e) for e in entries) - keep, 0)
    assert count is not None
    # Walk from the end so the held back ones are the request's last ones.
    left = count
    for table in reversed(list(request_items)):
        spec = request_items[table]
        entries = list(spec["Keys"] if kind == "unprocess_keys" else spec)
        take = min(left, len(entries))
        left -= take
        keep, hold = entries[: len(entries) - take], entries[len(entries) - take :]
        if kind == "unprocess_keys":
            if keep:
                sent[table] = {**spec, "Keys": keep}
            if hold:
                held[table] = {**spec, "Keys": hold}
        else:
            if keep:
                sent[table] = keep
            if hold:
                held[table] = hold
    sent = dict(reversed(list(sent.items())))
    held = dict(reversed(list(held.items())))
    return {**body, "RequestItems": sent}, {"kind": kind, "items": held}


def _access_key(authorization: str | None) -> str | None:
    """The access key of a SigV4 ``Authorization`` header
    (``AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...``)."""
    if authorization is None or "Credential=" not in authorization:
        return None
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def _has_requests(body: dict[str, Any]) -> bool:
    return bool(body.get("RequestItems"))


def _merge_held(response: dict[str, Any], held: dict[str, Any]) -> None:
    key = "UnprocessedKeys" if held["kind"] == "unprocess_keys" else "UnprocessedItems"
    merged = response.setdefault(key, {})
    for table, entries in held["items"].items():
        if held["kind"] == "unprocess_keys":
            if table in merged:
                merged[table]["Keys"].extend(entries["Keys"])
            else:
                merged[table] = entries
            response.setdefault("Responses", {}).setdefault(table, [])
        else:
            merged.setdefault(table, []).extend(entries)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FaultProxy
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        # On the connection's own thread, so that a client stuck in its
        # handshake holds up no other.
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            with self.proxy._lock:
                self.proxy.tls_failures += 1
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on,
    # the client's delayed ACK would hold each answer back by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server
    upstream: http.client.HTTPConnection | None = None
    number = 0

    def setup(self) -> None:
        super().setup()
        with self.server.proxy._lock:
            self.server.proxy._sockets.add(self.connection)
            self.server.proxy.connections += 1
            self.number = self.server.proxy.connections

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.proxy._lock:
            self.server.proxy._sockets.discard(self.connection)
        if self.upstream is not None:
            self.upstream.close()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def do_POST(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1]
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        record = Recorded(
            operation,
            body,
            started=time.monotonic(),
            connection=self.number,
            access_key=_access_key(self.headers.get("Authorization")),
            headers=list(self.headers.items()),
        )
        with proxy._lock:
            proxy.requests.append(record)
        proxy._track(operation, +1)
        try:
            status, headers, payload = proxy.handle(record, self._forward)
        except _Reset:
            record.status, record.ended = 0, time.monotonic()
            proxy._track(operation, -1)
            self._reset()
            return
        record.status, record.ended = status, time.monotonic()
        proxy._track(operation, -1)
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("x-amzn-RequestId", headers.get("x-amzn-requestid", "fault-proxy"))
        # botocore checks this checksum on DynamoDB answers; a changed body needs a new one.
        crc = zlib.crc32(payload) & 0xFFFFFFFF
        if record.fault == "damage_checksum":
            crc ^= 1
        self.send_header("x-amz-crc32", str(crc))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _forward(self, payload: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in ("host", "content-length", "connection", "accept-encoding")
        }
        headers["Content-Length"] = str(len(payload))
        reused = self.upstream is not None
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection(*self.server.proxy.upstream, timeout=60)
        try:
            return self._exchange(payload, headers)
        except (http.client.HTTPException, OSError):
            self.upstream.close()
            self.upstream = None
            if not reused:
                raise
        # The upstream had closed the idle keep-alive connection before the
        # request reached it: send it again on a new one.
        self.upstream = http.client.HTTPConnection(*self.server.proxy.upstream, timeout=60)
        return self._exchange(payload, headers)

    def _exchange(
        self, payload: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        assert self.upstream is not None
        self.upstream.request("POST", "/", body=payload, headers=headers)
        response = self.upstream.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        self.close_connection = True


@contextlib.contextmanager
def fault_proxy(upstream_endpoint: str) -> Iterator[FaultProxy]:
    """``with fault_proxy(endpoint) as proxy:`` — a started proxy, closed after."""
    with FaultProxy(upstream_endpoint) as proxy:
        yield proxy
