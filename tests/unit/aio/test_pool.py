"""``Wire``: what aiohttp is configured with, read from a botocore client and
its HTTP session as the sync request path applies them — the timeouts and
their per-attempt cap, TCP keep-alive, TLS verification and client
certificates, the proxy of each endpoint, and which endpoints aiohttp must
leave to the thread path. No request is sent here (``tests/integration/aio/``
sends them)."""

from __future__ import annotations

import math
import re
import socket
import ssl
from pathlib import Path
from typing import Any

import boto3
import pytest
import trustme
from botocore.config import Config
from botocore.exceptions import SSLError
from dynamorm.aio.pool import Wire
from dynamorm.transport._botocore_private import http_session


def wire(endpoint: str = "http://127.0.0.1:9", verify: Any = None, **config: Any) -> Wire:
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        verify=verify,
        config=Config(**config),
    )
    return Wire(client, http_session(client))


@pytest.fixture(autouse=True)
def no_environment_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_the_timeouts_are_the_configs_and_never_rounded_up() -> None:
    timeout = wire(connect_timeout=2, read_timeout=7).timeout
    assert (timeout.total, timeout.connect) == (None, None)
    assert (timeout.sock_connect, timeout.sock_read) == (2, 7)
    assert timeout.ceil_threshold == math.inf
    default = wire()
    assert default.capped(None) is default.timeout
    assert (default.timeout.sock_connect, default.timeout.sock_read) == (60, 60)  # botocore's


def test_an_attempts_cap_lowers_each_timeout_and_bounds_the_wait_for_a_connection() -> None:
    capped = wire(connect_timeout=2, read_timeout=7).capped(3.5)
    assert capped.connect == 3.5  # a free connection of the pool, or a new one
    assert (capped.sock_connect, capped.sock_read) == (2, 3.5)
    assert capped.ceil_threshold == math.inf
    assert wire(connect_timeout=2, read_timeout=7).capped(0.5).sock_connect == 0.5


def test_tcp_keepalive_is_set_on_each_socket_when_the_config_asks() -> None:
    factory = wire(tcp_keepalive=True).socket_factory()
    assert factory is not None
    with factory((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("", 0))) as sock:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    assert wire(tcp_keepalive=False).socket_factory() is None  # aiohttp's own sockets
    assert wire().socket_factory() is None


def test_a_plain_endpoint_has_no_proxy_and_asks_for_an_uncompressed_answer() -> None:
    route = wire().route("http://127.0.0.1:9/")
    assert route is not None
    assert str(route.url) == "http://127.0.0.1:9/" and route.tls is True
    assert route.proxy is None and route.proxy_headers is None
    assert route.headers == {"Accept-Encoding": "identity"}
    assert wire().route("http://127.0.0.1:9/") == route


def test_an_http_proxys_credentials_go_with_each_request_of_a_plain_endpoint() -> None:
    route = wire(proxies={"http": "http://u:pw@proxy.test:3128"}).route("http://127.0.0.1:9/")
    assert route is not None
    assert str(route.proxy) == "http://proxy.test:3128"
    assert route.headers == {"Accept-Encoding": "identity", "Proxy-Authorization": "Basic dTpwdw=="}
    assert route.proxy_headers is None
    assert route.proxy_url == "http://u:pw@proxy.test:3128"


def test_an_http_proxys_credentials_go_with_the_connect_of_an_https_endpoint() -> None:
    proxied = wire("https://127.0.0.1:9", proxies={"https": "http://u:pw@proxy.test:3128"})
    route = proxied.route("https://127.0.0.1:9/")
    assert route is not None
    assert route.headers == {"Accept-Encoding": "identity"}
    assert route.proxy_headers == {"Proxy-Authorization": "Basic dTpwdw=="}


@pytest.mark.parametrize(
    "config",
    [
        {"proxies": {"http": "https://proxy.test:3128"}},
        {"proxies": {"http": "http://proxy.test:1"}, "proxies_config": {"proxy_ca_bundle": "x"}},
        {"proxies_config": {"proxy_use_forwarding_for_https": True}},
    ],
    ids=["https-proxy", "proxy-ca-bundle", "forwarding"],
)
def test_what_aiohttp_cannot_do_as_the_session_would_has_no_route(config: dict[str, Any]) -> None:
    assert wire(**config).route("http://127.0.0.1:9/") is None


def test_tls_verifies_with_the_sessions_bundle_and_checks_the_host_name(tmp_path: Path) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    route = wire("https://127.0.0.1:9", verify=str(bundle)).route("https://127.0.0.1:9/")
    assert route is not None and isinstance(route.tls, ssl.SSLContext)
    assert route.tls.verify_mode == ssl.CERT_REQUIRED and route.tls.check_hostname
    assert [c["subject"] for c in route.tls.get_ca_certs()] == [
        c["subject"] for c in ssl.create_default_context(cafile=str(bundle)).get_ca_certs()
    ]


def test_verify_false_turns_verification_off_but_still_presents_the_client_certificate(
    tmp_path: Path,
) -> None:
    issued = trustme.CA().issue_cert("client.test")
    pem = tmp_path / "client.pem"
    issued.private_key_and_cert_chain_pem.write_to_path(str(pem))
    route = wire("https://127.0.0.1:9", verify=False, client_cert=str(pem)).route(
        "https://127.0.0.1:9/"
    )
    assert route is not None and isinstance(route.tls, ssl.SSLContext)
    assert route.tls.verify_mode == ssl.CERT_NONE and not route.tls.check_hostname


def test_a_ca_bundle_that_cannot_be_loaded_is_botocores_ssl_error(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    with pytest.raises(SSLError, match=re.escape("https://127.0.0.1:9/")):
        wire("https://127.0.0.1:9", verify=str(bundle)).route("https://127.0.0.1:9/")
