"""TLS on the asyncio transport's direct path, as on the sync path: the
server's certificate is verified against botocore's CA bundle unless
``DB(verify=...)`` (or ``AWS_CA_BUNDLE``) names another or turns
verification off, the host name is checked, and the ``Config``'s
``client_cert`` is presented to a server that asks for one. A refusal is the
exception the sync path raises for it. Against the test server behind a
local TLS-terminating proxy whose certificates come from a certificate
authority made for the run (``tests._support.tls``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, SSLError
from dynamorm import DB
from dynamorm.retry import is_ambiguous, is_retryable

from tests._support.proxy import FaultProxy
from tests._support.tls import CertificateAuthority
from tests.conftest import REGION
from tests.integration.aio.transport_support import NO_RETRIES, Ways, aio, get_request


def tls_db(endpoint: str, **options: Any) -> DB:
    return DB(region_name=REGION, endpoint_url=endpoint, retry_policy=NO_RETRIES, **options)


def read(db: DB, model: Any) -> Any:
    return asyncio.run(aio(db).send(get_request(db, model))).parsed["Item"]


def sync_and_async_failures(db: DB, model: Any) -> tuple[Exception, Exception]:
    """What the sync direct path and the asyncio transport raise for the
    same GetItem."""
    request = get_request(db, model)
    with pytest.raises(Exception) as sync:
        db._executor.transport.send(request)
    with pytest.raises(Exception) as awaited:
        asyncio.run(aio(db).send(request))
    return sync.value, awaited.value


def test_verify_with_the_authoritys_bundle_trusts_the_servers_certificate(
    stored: Any, ways: Ways, https: FaultProxy, ca: CertificateAuthority
) -> None:
    assert read(tls_db(https.endpoint, verify=str(ca.bundle)), stored) == stored(pk="a", n=7)
    assert https.operations() == ["GetItem"] and https.tls_failures == 0
    assert ways.direct == 1 and ways.threads == []


def test_aws_ca_bundle_is_the_default_for_verify(
    stored: Any,
    ways: Ways,
    https: FaultProxy,
    ca: CertificateAuthority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca.bundle))
    assert read(tls_db(https.endpoint), stored) == stored(pk="a", n=7)
    assert ways.direct == 1 and ways.threads == []


def test_a_certificate_botocore_does_not_trust_is_the_sync_paths_ssl_error(
    stored: Any, ways: Ways, https: FaultProxy
) -> None:
    sync, awaited = sync_and_async_failures(tls_db(https.endpoint), stored)
    assert type(awaited) is type(sync) is SSLError
    assert str(awaited) == str(sync)
    assert str(awaited).startswith(f"SSL validation failed for {https.endpoint}/ [SSL: ")
    assert "CERTIFICATE_VERIFY_FAILED" in str(awaited)
    assert https.await_tls_failures(2) == 2 and https.requests == []
    assert ways.direct == 2 and ways.threads == ["MainThread"]  # the sync send's


def test_a_certificate_for_another_host_is_refused(
    stored: Any, https: FaultProxy, ca: CertificateAuthority
) -> None:
    # The certificate names 127.0.0.1, not localhost.
    endpoint = https.endpoint.replace("127.0.0.1", "localhost")
    sync, awaited = sync_and_async_failures(tls_db(endpoint, verify=str(ca.bundle)), stored)
    assert type(awaited) is type(sync) is SSLError
    assert https.requests == []


def test_verify_false_accepts_any_certificate(stored: Any, https: FaultProxy) -> None:
    assert read(tls_db(https.endpoint, verify=False), stored) == stored(pk="a", n=7)
    assert https.operations() == ["GetItem"]


@pytest.mark.parametrize("form", ["pair", "one file"])
def test_the_configs_client_certificate_is_presented(
    stored: Any, ways: Ways, mutual: FaultProxy, ca: CertificateAuthority, form: str
) -> None:
    cert: str | tuple[str, str] = (
        (str(ca.client_cert), str(ca.client_key)) if form == "pair" else str(ca.client_pem)
    )
    db = tls_db(mutual.endpoint, verify=str(ca.bundle), config=Config(client_cert=cert))
    assert read(db, stored) == stored(pk="a", n=7)
    assert mutual.operations() == ["GetItem"] and mutual.tls_failures == 0
    assert ways.direct == 1 and ways.threads == []


def test_a_server_that_requires_a_client_certificate_refuses_one_without_it_retryably(
    stored: Any, mutual: FaultProxy, ca: CertificateAuthority
) -> None:
    sync, awaited = sync_and_async_failures(tls_db(mutual.endpoint, verify=str(ca.bundle)), stored)
    # TLS 1.3: the server's alert comes after the handshake, and races the
    # reset of the connection it then closes: either may reach the client
    # first, on either path (the alert, nearly always).
    for failure in (sync, awaited):
        assert type(failure) in (SSLError, ConnectionClosedError)
        assert is_retryable(failure) and is_ambiguous(failure)
    assert mutual.await_tls_failures(2) == 2 and mutual.requests == []
