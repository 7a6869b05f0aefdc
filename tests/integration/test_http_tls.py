"""TLS on the requests of a client ``DB`` creates, on the library's own
request path (each test counts the requests it sent itself) and, with
``fast_path=False``, on botocore's pipeline alike: the server's certificate
is verified against botocore's CA bundle unless ``DB(verify=...)`` (or
``AWS_CA_BUNDLE``) names another or turns verification off, and the
``Config``'s ``client_cert`` is presented to a server that asks for one.
Against the test server behind a local TLS-terminating proxy whose
certificates come from a certificate authority made for the run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import SSLError
from dynamorm import DB, Model, RetryPolicy, field
from dynamorm.errors import RequestError

from tests._support.direct_sends import count_direct_sends
from tests._support.proxy import FaultProxy
from tests._support.tls import CertificateAuthority
from tests.conftest import REGION

PATHS = pytest.mark.parametrize("fast_path", [True, False], ids=["direct", "botocore"])
"""Each test on the library's own request path and on botocore's pipeline."""

NO_RETRIES = RetryPolicy(max_retries=0)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many requests went out on the library's own request path."""
    return count_direct_sends(monkeypatch)


@pytest.fixture
def Note(make_table: Callable[..., str]) -> Any:
    class Note(Model, table=make_table(sk=None)):
        pk: str = field(pk=True)
        n: int = 0

    return Note


def write_and_read(db: DB, Note: Any) -> None:
    db.model(Note(pk="a", n=7)).create()
    assert db.model(Note).where("pk", "=", "a").first().n == 7


def expect_sends(counted: dict[str, int], fast_path: bool, requests: int) -> None:
    """All ``requests`` went out on the path ``fast_path`` says."""
    assert counted["direct"] == (requests if fast_path else 0)


@PATHS
def test_a_certificate_botocore_does_not_trust_fails_as_a_request_error(
    fast_path: bool, counted: dict[str, int], https: FaultProxy, Note: Any
) -> None:
    db = DB(
        region_name=REGION,
        endpoint_url=https.endpoint,
        retry_policy=NO_RETRIES,
        fast_path=fast_path,
    )
    with pytest.raises(RequestError) as info:
        db.model(Note).where("pk", "=", "a").first()
    message = str(info.value)
    assert message.startswith("GetItem on Note failed: SSL validation failed")
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert isinstance(info.value.__cause__, SSLError)
    assert https.await_tls_failures(1) == 1 and https.requests == []
    expect_sends(counted, fast_path, 1)


@PATHS
def test_verify_with_the_authoritys_bundle_trusts_the_servers_certificate(
    fast_path: bool,
    counted: dict[str, int],
    https: FaultProxy,
    ca: CertificateAuthority,
    Note: Any,
) -> None:
    db = DB(
        region_name=REGION, endpoint_url=https.endpoint, verify=str(ca.bundle), fast_path=fast_path
    )
    write_and_read(db, Note)
    assert https.operations() == ["PutItem", "GetItem"]
    assert https.tls_failures == 0
    expect_sends(counted, fast_path, 2)


@PATHS
def test_aws_ca_bundle_is_the_default_for_verify(
    *,
    fast_path: bool,
    counted: dict[str, int],
    https: FaultProxy,
    ca: CertificateAuthority,
    Note: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", str(ca.bundle))
    write_and_read(DB(region_name=REGION, endpoint_url=https.endpoint, fast_path=fast_path), Note)
    assert https.operations() == ["PutItem", "GetItem"]
    expect_sends(counted, fast_path, 2)


@PATHS
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_accepts_any_certificate(
    fast_path: bool, counted: dict[str, int], https: FaultProxy, Note: Any
) -> None:
    write_and_read(
        DB(region_name=REGION, endpoint_url=https.endpoint, verify=False, fast_path=fast_path),
        Note,
    )
    assert https.operations() == ["PutItem", "GetItem"]
    expect_sends(counted, fast_path, 2)


@PATHS
def test_a_server_that_requires_a_client_certificate_refuses_a_client_without_one(
    fast_path: bool,
    counted: dict[str, int],
    mutual: FaultProxy,
    ca: CertificateAuthority,
    Note: Any,
) -> None:
    db = DB(
        region_name=REGION,
        endpoint_url=mutual.endpoint,
        verify=str(ca.bundle),
        retry_policy=NO_RETRIES,
        fast_path=fast_path,
    )
    with pytest.raises(RequestError) as info:
        db.model(Note).where("pk", "=", "a").first()
    assert str(info.value).startswith("GetItem on Note failed: ")
    assert mutual.await_tls_failures(1) == 1 and mutual.requests == []
    expect_sends(counted, fast_path, 1)


@PATHS
@pytest.mark.parametrize("form", ["pair", "one file"])
def test_the_configs_client_certificate_is_presented(
    *,
    fast_path: bool,
    form: str,
    counted: dict[str, int],
    mutual: FaultProxy,
    ca: CertificateAuthority,
    Note: Any,
) -> None:
    cert: str | tuple[str, str] = (
        (str(ca.client_cert), str(ca.client_key)) if form == "pair" else str(ca.client_pem)
    )
    db = DB(
        region_name=REGION,
        endpoint_url=mutual.endpoint,
        verify=str(ca.bundle),
        config=Config(client_cert=cert),
        fast_path=fast_path,
    )
    write_and_read(db, Note)
    assert mutual.operations() == ["PutItem", "GetItem"]
    assert mutual.tls_failures == 0
    expect_sends(counted, fast_path, 2)
