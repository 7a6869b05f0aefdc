"""Signature Version 4 by the Rust core, on clients the library creates.

botocore signs every request in Python: it copies the headers into a new
``HTTPHeaders`` twice, builds the canonical request with string operations
and derives the signing key with four HMACs, about a sixth of a single
GetItem's client CPU. ``RustSigV4Auth`` is botocore's ``SigV4Auth`` with
``add_auth`` computed by ``dynamorm._core.sigv4_authorization``: the same
header, byte for byte (checked once per process against botocore's signer,
and by differential tests on generated requests).

It is plugged in through botocore's own extension points: the class is
registered under its own signature version name in
``botocore.auth.AUTH_TYPE_MAPS`` (an addition: no existing name changes),
and a ``choose-signer.dynamodb`` handler on the client picks that name where
botocore would have used its plain ``v4`` signer. Only clients ``DB``
creates get the handler; a client the user passes in signs as configured.
Requests this signer does not cover — query parameters, a streamed or
non-bytes body, non-ASCII headers — are signed by botocore's code.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
from botocore.auth import SIGV4_TIMESTAMP, UNSIGNED_PAYLOAD, SigV4Auth
from botocore.exceptions import NoCredentialsError

from dynamorm import _core
from dynamorm.transport._botocore_private import frozen_credentials, host_from_url
from dynamorm.transport.probe import CannedRaw, Verdict, probe_client

__all__ = [
    "SIGNATURE_VERSION",
    "RustSigV4Auth",
    "direct_signing_available",
    "signing_available",
    "signs_v4",
    "wire_signing",
]

logger = logging.getLogger("dynamorm")

SIGNATURE_VERSION = "dynamorm-v4"
"""The name ``RustSigV4Auth`` is registered under in ``AUTH_TYPE_MAPS``."""

EVENT = "choose-signer.dynamodb"
"""The botocore event the signer choice is made at."""

_UNIQUE_ID = "dynamorm-rust-sigv4"
_hosts: dict[str, str] = {}


def _host(url: str) -> str:
    """The ``host`` botocore signs for ``url`` (kept per endpoint: a client
    sends to one or a few)."""
    host = _hosts.get(url)
    if host is None:
        host = host_from_url(url)
        if len(_hosts) < 64:
            _hosts[url] = host
    return host


class RustSigV4Auth(SigV4Auth):  # type: ignore[misc]  # botocore ships no types
    """botocore's ``SigV4Auth`` whose signature is computed by the Rust core."""

    def add_auth(self, request: Any) -> None:
        if self.credentials is None:
            raise NoCredentialsError()
        # ``request.data``, not ``request.body``: the property prepares a
        # copy of the whole request to read it.
        body = request.data
        if body is None:
            body = b""
        elif type(body) is str:
            body = body.encode("utf-8")
        if (
            request.params
            or type(body) is not bytes
            or self._is_streaming_checksum_payload(request)
        ):
            super().add_auth(request)
            return
        # Looked up on the module at each call, as botocore's signer does, so
        # anything that patches botocore's clock applies here too.
        timestamp = botocore.auth.get_current_datetime().strftime(SIGV4_TIMESTAMP)
        request.context["timestamp"] = timestamp
        self._modify_request_before_signing(request)
        headers = request.headers
        payload_hash: str | None = None
        if "X-Amz-Content-SHA256" in headers:
            payload_hash = headers["X-Amz-Content-SHA256"]
        elif not self._should_sha256_sign_payload(request):
            payload_hash = UNSIGNED_PAYLOAD
        url = request.url
        parts = urlsplit(url)
        credentials = self.credentials
        try:
            authorization = _core.sigv4_authorization(
                request.method,
                self._normalize_url_path(parts.path),
                self._canonical_query_string_url(parts),
                headers.items(),
                _host(url),
                body if payload_hash is None else None,
                payload_hash,
                timestamp,
                credentials.access_key,
                credentials.secret_key,
                self._region_name,
                self._service_name,
            )
        except _core.Fallback as exc:
            logger.debug("signing with botocore's SigV4: %s", exc)
            super().add_auth(request)
            return
        headers["Authorization"] = authorization


def _choose_signer(signature_version: Any = None, context: Any = None, **_: Any) -> str | None:
    # Only where botocore's own pure-Python v4 signer would sign, and where
    # botocore's later choose-signer handlers (which this one pre-empts) would
    # pick it too: no operation-specific auth type or unsigned payload
    # (``wire_signing`` has already refused clients configured with another
    # scheme). awscrt's signer, when installed, is left in place.
    if (
        signature_version == "v4"
        and botocore.auth.AUTH_TYPE_MAPS.get("v4") is SigV4Auth
        and context is not None
        and context.get("auth_type") in (None, "v4")
        and not context.get("unsigned_payload")
    ):
        return SIGNATURE_VERSION
    return None


def signing_available(client: Any = None) -> bool:
    """Whether this botocore picks the signer at ``choose-signer`` and
    ``RustSigV4Auth`` writes the header botocore's ``SigV4Auth`` writes:
    checked once per process on a private client. Logs one warning when not."""
    return signing_verdict.get(client)


def _probe_signing(loader: Any) -> bool:
    from botocore.awsrequest import AWSResponse

    botocore.auth.AUTH_TYPE_MAPS.setdefault(SIGNATURE_VERSION, RustSigV4Auth)
    if botocore.auth.AUTH_TYPE_MAPS[SIGNATURE_VERSION] is not RustSigV4Auth:
        return False
    client = probe_client(loader)
    seen: list[tuple[Any, str]] = []

    def signed(request: Any, **_: Any) -> None:
        # Runs after botocore's signer (registered after it on the same
        # event): the request as signed, before it is prepared for sending.
        ours = request.headers.get("Authorization")
        del request.headers["Authorization"]
        seen.append((ours, _botocore_authorization(client, request)))

    def send(request: Any, **_: Any) -> Any:
        return AWSResponse(request.url, 200, {}, CannedRaw(b"{}"))

    client.meta.events.register("request-created.dynamodb", signed)
    client.meta.events.register("before-send.dynamodb", send)
    client.meta.events.register(EVENT, _choose_signer, unique_id=_UNIQUE_ID)
    client.get_item(TableName="probe", Key={"k": {"S": "probe \t value"}})
    return len(seen) == 1 and isinstance(seen[0][0], str) and seen[0][0] == seen[0][1]


def _botocore_authorization(client: Any, request: Any) -> str:
    """The header botocore's ``SigV4Auth`` writes for ``request`` (already
    dated by a signer) with ``client``'s credentials."""
    return _sigv4_header(frozen_credentials(client), client.meta.region_name, request)


def _sigv4_header(credentials: Any, region: str, request: Any, service: str = "dynamodb") -> str:
    """The header botocore's ``SigV4Auth`` writes for ``request`` (its
    ``context["timestamp"]`` set) with ``credentials`` in ``region``."""
    theirs = SigV4Auth(credentials, service, region)
    canonical = theirs.canonical_request(request)
    signature = theirs.signature(theirs.string_to_sign(request, canonical), request)
    signed_headers = theirs.signed_headers(theirs.headers_to_sign(request))
    return (
        f"AWS4-HMAC-SHA256 Credential={theirs.scope(request)}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


signing_verdict = Verdict(_probe_signing, "Rust request signer", lambda: EVENT)


def _signer_agrees() -> bool:
    """Whether the Rust signer writes, for a request of the library's own
    path (``transport.direct``), the header botocore's ``SigV4Auth`` writes:
    compared on one made-up request, with no client and no event involved."""
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    credentials = Credentials("AKIDPROBE", "probe/secret+key", "probe token")
    timestamp = "20260101T000000Z"
    url = "https://dynamodb.eu-west-3.amazonaws.com"
    body = b'{"TableName": "probe", "Key": {"k": {"S": "probe \t value"}}}'
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "User-Agent": "probe/1.0 (x y)",
        "X-Amz-Target": "DynamoDB_20120810.GetItem",
        "X-Amz-Date": timestamp,
        "X-Amz-Security-Token": credentials.token,
    }
    request = AWSRequest("POST", url, headers, body)
    request.context["timestamp"] = timestamp
    ours = _core.sigv4_authorization(
        "POST",
        "/",
        "",
        list(headers.items()),
        host_from_url(url),
        body,
        None,
        timestamp,
        credentials.access_key,
        credentials.secret_key,
        "eu-west-3",
        "dynamodb",
    )
    return bool(ours == _sigv4_header(credentials, "eu-west-3", request))


def _probe_direct(_loader: Any) -> bool:
    return _signer_agrees()


direct_signing_verdict = Verdict(_probe_direct, "Rust request signer", None)


def direct_signing_available() -> bool:
    """Whether the Rust signer may sign the library's own requests
    (``_signer_agrees``): checked once per process, without a client. Logs
    one warning when not."""
    return direct_signing_verdict.get(None)


def signs_v4(client: Any) -> bool:
    """Whether ``client``'s ``Config`` leaves the signature to botocore's
    default, SigV4 (no other signature version, no auth scheme preference)."""
    config = client.meta.config
    return config.signature_version in (None, "v4") and not config.auth_scheme_preference


def wire_signing(client: Any) -> bool:
    """Has ``client`` (one ``DB`` created) sign with ``RustSigV4Auth``;
    ``False`` when this botocore cannot."""
    if not signs_v4(client):
        return False  # configured for another scheme: botocore chooses
    if not direct_signing_available() or not signing_available(client):
        return False  # a signer that disagrees is reported once, by the first check
    client.meta.events.register(EVENT, _choose_signer, unique_id=_UNIQUE_ID)
    return True
