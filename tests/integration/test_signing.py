"""The Rust request signer (``dynamorm.transport.signing``) on clients ``DB`` creates:
every request the library sends is signed by it, with the header botocore's
own signer computes for the same request; other clients are untouched."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.transport import signing
from dynamorm.transport.direct import DirectTransport

from tests.conftest import FAST_PATH
from tests.integration.db_models import create_table_for, new_client

pytestmark = pytest.mark.integration


class Signed:
    """Records, for each request ``client`` signs, the header it carries and
    the one botocore's ``SigV4Auth`` computes for it, and counts the calls
    of ``RustSigV4Auth.add_auth``."""

    def __init__(self, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.client = client
        self.pairs: list[tuple[str, str]] = []
        self.rust_calls = 0
        real = signing.RustSigV4Auth.add_auth

        def add_auth(auth: Any, request: Any) -> None:
            # Not the library's one-time check of its signer, on a private client.
            if request.url.startswith(client.meta.endpoint_url):
                self.rust_calls += 1
            real(auth, request)

        monkeypatch.setattr(signing.RustSigV4Auth, "add_auth", add_auth)
        # Registered after botocore's signer on the same event: runs after it.
        client.meta.events.register("request-created.dynamodb", self._signed)

    def _signed(self, request: Any, **_: Any) -> None:
        ours = request.headers["Authorization"]
        del request.headers["Authorization"]
        # botocore's own SigV4Auth, on the same request at the same timestamp.
        expected = signing._botocore_authorization(self.client, request)
        request.headers["Authorization"] = ours
        self.pairs.append((ours, expected))


def _model() -> type[Model]:
    class Note(Model, table=f"sig-{uuid.uuid4().hex[:10]}"):
        pk: str = field(pk=True)
        sk: int = field(sk=True)
        text: str = ""

    return Note


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _exercise(db: DB, note: type[Any]) -> None:
    db.model(note(pk="a", sk=1, text="x  y")).create()
    db.model(note).batch_write(puts=[note(pk="a", sk=i) for i in range(2, 30)])
    assert db.model(note).where("pk", "=", "a").where("sk", "=", 1).first().text == "x  y"
    assert len(db.model(note).where("pk", "=", "a").all()) == 29
    assert len(db.model(note).batch_get([("a", i) for i in range(1, 30)])) == 29


def test_the_library_signs_its_own_clients_requests(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch, creds: None
) -> None:
    db = DB(region_name="us-east-1", endpoint_url=ddb_endpoint, fast_path=FAST_PATH)
    note = _model()
    create_table_for(new_client(ddb_endpoint), note)
    signed = Signed(db.client, monkeypatch)
    _exercise(db, note)
    assert len(signed.pairs) >= 6
    for ours, expected in signed.pairs:
        assert ours == expected
    assert signed.rust_calls == (len(signed.pairs) if FAST_PATH else 0)


def test_a_user_supplied_client_signs_as_configured(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = new_client(ddb_endpoint)
    db = DB(client=client)
    note = _model()
    create_table_for(client, note)
    signed = Signed(client, monkeypatch)
    _exercise(db, note)
    client.describe_table(TableName=note.__dynamorm__.table)
    assert signed.rust_calls == 0 and len(signed.pairs) >= 6
    assert all(ours == expected for ours, expected in signed.pairs)


def test_an_incompatible_botocore_falls_back_with_one_warning(
    ddb_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    creds: None,
) -> None:
    # A botocore whose signer writes something else than the Rust core does
    # (simulated by a core that computes a wrong header).
    class WrongCore:
        @staticmethod
        def sigv4_authorization(*args: Any) -> str:
            return "AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=0"

    monkeypatch.setattr(signing, "_core", WrongCore)
    monkeypatch.setattr(signing.signing_verdict, "ok", None)
    monkeypatch.setattr(signing.direct_signing_verdict, "ok", None)
    with caplog.at_level(logging.WARNING, logger="dynamorm"):
        first = DB(region_name="us-east-1", endpoint_url=ddb_endpoint)
        second = DB(region_name="us-east-1", endpoint_url=ddb_endpoint)
    warnings = [r for r in caplog.records if "request signer" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    # Nor does the library's own request path sign with it.
    assert not isinstance(first._executor.transport, DirectTransport)
    note = _model()
    create_table_for(new_client(ddb_endpoint), note)
    signed = Signed(second.client, monkeypatch)
    _exercise(first, note)
    _exercise(second, note)
    assert signed.rust_calls == 0
    assert signed.pairs and all(ours == expected for ours, expected in signed.pairs)


def test_a_client_configured_for_a_scheme_keeps_botocores_choice(
    ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch, creds: None
) -> None:
    # An auth scheme preference (here from the environment) is botocore's to
    # resolve: the Rust signer stays out of the choice.
    monkeypatch.setenv("AWS_AUTH_SCHEME_PREFERENCE", "sigv4")
    db = DB(region_name="us-east-1", endpoint_url=ddb_endpoint)
    assert db.client.meta.config.auth_scheme_preference == "sigv4"
    note = _model()
    create_table_for(new_client(ddb_endpoint), note)
    signed = Signed(db.client, monkeypatch)
    _exercise(db, note)
    assert signed.rust_calls == 0
    assert signed.pairs and all(ours == expected for ours, expected in signed.pairs)
