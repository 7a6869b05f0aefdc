"""A forward HTTP proxy on 127.0.0.1, for tests of clients configured with
``proxies``.

A client sends it each request with the absolute URI of the server it is
for (``POST http://127.0.0.1:8000/ HTTP/1.1``); it forwards the request
there (keep-alive both ways) and records it: the URI and the headers as the
client sent them (``Proxy-Authorization`` included). Only plain ``http://``
targets are forwarded (no ``CONNECT`` tunnels); a request without an
absolute URI is answered 400, as a proxy answers a request meant for a
server, and one the server does not answer 502.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# Hop-by-hop headers: for the proxy itself, not passed on either way.
_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True)
class Forwarded:
    """One request the proxy forwarded."""

    url: str
    """The absolute URI the client asked for."""
    headers: dict[str, str]
    """The request's headers as the client sent them (names lower-cased)."""


class ForwardProxy:
    """The proxy; a context manager that starts and stops it."""

    def __init__(self) -> None:
        self.requests: list[Forwarded] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the proxy URL to configure."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def forwarded(self) -> list[Forwarded]:
        """Every request forwarded so far, in arrival order."""
        with self._lock:
            return list(self.requests)

    def __enter__(self) -> ForwardProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: ForwardProxy


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    upstream: http.client.HTTPConnection | None = None
    upstream_address: tuple[str, int] | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def finish(self) -> None:
        super().finish()
        if self.upstream is not None:
            self.upstream.close()

    def do_POST(self) -> None:
        self._forward()

    def do_GET(self) -> None:
        self._forward()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = urlsplit(self.path)
        if target.scheme != "http" or target.hostname is None:
            self._answer(400, {}, b"not an absolute http:// URI: a proxy request names its server")
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        with self.server.proxy._lock:
            self.server.proxy.requests.append(Forwarded(self.path, headers))
        address = (target.hostname, target.port or 80)
        if self.upstream is None or self.upstream_address != address:
            if self.upstream is not None:
                self.upstream.close()
            self.upstream = http.client.HTTPConnection(*address, timeout=60)
            self.upstream_address = address
        passed = {name: value for name, value in headers.items() if name not in _HOP}
        passed["content-length"] = str(len(body))
        path = target.path or "/"
        if target.query:
            path += "?" + target.query
        try:
            self.upstream.request(self.command, path, body=body, headers=passed)
            response = self.upstream.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError) as exc:
            self.upstream.close()
            self.upstream = None
            self._answer(502, {}, f"the server did not answer: {exc}".encode())
            return
        answer = {k: v for k, v in response.getheaders() if k.lower() not in _HOP}
        self._answer(response.status, answer, data)

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            # send_response wrote its own Server and Date.
            if name.lower() not in ("content-length", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
