"""``DirectTransport``: the library's own request path, on clients a ``DB``
creates.

botocore's pipeline above its HTTP session — events, the request dict,
endpoint rules, the send wrapper, the response object — costs more client
CPU per call than urllib3 and http.client together, and the Rust core
already writes the body, signs it and decodes the answer. So on a client the
library made, a data-plane request goes straight to the client's own HTTP
session (``client._endpoint.http_session``: the user's ``Config`` proxies,
TLS verification, client certificates, timeouts and pool size apply): the
body is the Rust core's, the headers are written and signed here (the Rust
signer, credentials from the client's provider chain, refreshed by it when
botocore says they are due, never per call), and the answer is decoded in
Rust (items straight into models) or read by botocore's own JSON parser,
errors included, so every failure is the ``ClientError`` (and every
exception the botocore class) the pipeline would have raised.
``x-amz-crc32`` is checked as botocore checks it.

Each request goes where botocore's pipeline would send it and is signed as
it would sign it: the endpoint comes from the client's endpoint rules (its
region, FIPS and dual-stack settings, a custom endpoint, the account-ID
endpoints DynamoDB has for credentials that carry an account ID), with the
signing region and name the endpoint's auth scheme gives
(``_botocore_private.resolve_endpoint``). It is resolved once per operation,
and again when the credentials' account ID changes (a refresh into another
account): everything else the rules read is fixed for the client, or a
table name, which the rules read only when it is an ARN — and a model's
table name never is one. A request whose endpoint botocore would not sign
with the Rust SigV4 signer (another auth scheme, no signing) takes the
pipeline, and so does every request of a client with endpoint discovery on.

It never surprises a user's setup: botocore's full pipeline
(``BotocoreTransport``) carries the request instead whenever something may
be listening to it — handlers registered on the client's events after the
library wired it (a ``Stubber``, a user's hook), moto's ``mock_aws`` being
active, an instrumentation (OpenTelemetry's botocore instrumentor,
aws-xray-sdk) having wrapped botocore's client calls — and for everything
but the data-plane operations (table operations keep botocore's path).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

import botocore.auth
import botocore.client
from botocore.auth import SIGV4_TIMESTAMP
from botocore.awsrequest import AWSPreparedRequest

from dynamorm import _core
from dynamorm.transport import _botocore_private as private
from dynamorm.transport._botocore_private import Endpoint
from dynamorm.transport.answers import AnswerReader
from dynamorm.transport.base import DATA_OPERATIONS, Request, Response
from dynamorm.transport.botocore import BotocoreTransport
from dynamorm.transport.signing import SIGNATURE_VERSION

__all__ = ["DATA_OPERATIONS", "DirectTransport", "moto_active"]


_TARGET = "DynamoDB_20120810."
_CONTENT_TYPE = "application/x-amz-json-1.0"
_MAKE_API_CALL = botocore.client.BaseClient._make_api_call


class DirectTransport:
    """Sends ``client``'s data-plane requests directly (see the module
    docstring); everything else through ``fallback``, the client's
    ``BotocoreTransport``, which ``wire`` makes (registering the library's
    hooks on the client) when it is first needed."""

    __slots__ = (
        "_endpoints",
        "_fallback",
        "_headers",
        "_lock",
        "_reader",
        "_session",
        "_wire",
        "client",
    )

    def __init__(self, client: Any, wire: Callable[[], BotocoreTransport]) -> None:
        self.client = client
        self._wire = wire
        self._fallback: BotocoreTransport | None = None
        self._lock = threading.Lock()
        # With endpoint discovery on, botocore's pipeline asks DynamoDB where
        # to send: every request takes it.
        discovering = private.discovers_endpoints(client)
        self._session = None if discovering else private.http_session(client)
        # Per operation: the account ID its endpoint was resolved for, and the
        # endpoint (``None``: botocore would not sign it with the Rust signer).
        self._endpoints: dict[str, tuple[str | None, Endpoint | None]] = {}
        self._reader = AnswerReader(client)
        self._headers = {
            "Content-Type": _CONTENT_TYPE,
            "User-Agent": private.user_agent(client),
        }
        private.watch_handlers(client)

    @property
    def fallback(self) -> BotocoreTransport:
        """botocore's pipeline on the client, with the library's hooks: wired
        on first use (the library's own handlers are not taken for a
        listener's)."""
        fallback = self._fallback
        if fallback is None:
            with self._lock:
                fallback = self._fallback
                if fallback is None:
                    with private.own_handlers(self.client):
                        fallback = self._wire()
                    self._fallback = fallback
        return fallback

    @property
    def takes_body(self) -> bool:
        """The Rust core's bodies are sent."""
        return True

    @property
    def fast(self) -> bool:
        """Item-bearing reads decode into models."""
        return True

    def listened(self) -> bool:
        """Whether something may be listening to botocore's pipeline for
        this client: a handler registered since the library wired it, an
        instrumentation, moto's mock."""
        return (
            private.handlers_added(self.client) or not _make_api_call_untouched() or moto_active()
        )

    def direct(self, operation: str) -> bool:
        """Whether a request of ``operation`` goes out directly now."""
        return operation in DATA_OPERATIONS and self._session is not None and not self.listened()

    def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """One attempt (see the module docstring)."""
        if request.body is None or not self.direct(request.operation):
            if self.listened():
                # Whoever listens sees the request's own parameters, not the
                # skeleton a body swapped in later would leave them.
                request = dataclasses.replace(request, body=None)
            return self.fallback.send(request, timeout=timeout)
        prepared = self.prepare(request, private.frozen_credentials(self.client))
        if prepared is None:
            # Signed otherwise (or not at all): botocore's signer knows how.
            return self.fallback.send(request, timeout=timeout)
        session = self._session
        assert session is not None
        with private.deadline_cap(timeout):
            answer = session.send(prepared)
        return self.answer(request, answer.status_code, answer.headers, answer.content)

    def prepare(self, request: Request, credentials: Any) -> AWSPreparedRequest | None:
        """``request`` as it goes out directly: its endpoint's URL, the
        headers written and signed with ``credentials`` (the client's,
        frozen: ``_botocore_private.frozen_credentials``) and the Rust core's
        body; ``None`` when botocore would not sign it with the Rust signer
        (``fallback`` carries it). For a request with a body that goes out
        directly (``direct``); the I/O-free half of ``send`` before the
        bytes travel, which the asyncio transport shares."""
        operation = request.operation
        body = request.body
        assert body is not None
        entry = self._endpoints.get(operation)
        if entry is None or entry[0] != credentials.account_id:
            entry = self._resolve(operation, request.params, credentials.account_id)
        endpoint = entry[1]
        if endpoint is None:
            return None
        return self._prepare(operation, body, endpoint, credentials)

    def answer(self, request: Request, status: int, headers: Any, body: bytes) -> Response:
        """The ``Response`` of the answer to a request ``prepare`` wrote: its
        status, headers (a case-insensitive mapping) and raw body, read as
        botocore reads them (``AnswerReader.answer``: the crc32 check, an
        error answer's ``ClientError``, the shape check, items decoded into
        models). The I/O-free half of ``send`` once the bytes are back,
        which the asyncio transport shares."""
        return self._reader.answer(request, status, headers, body)

    def _resolve(
        self, operation: str, params: Any, account_id: str | None
    ) -> tuple[str | None, Endpoint | None]:
        """The endpoint of ``operation`` for credentials of ``account_id``,
        resolved by botocore's rules and kept (``None`` in place of one
        botocore would not sign with the Rust signer)."""
        endpoint = private.resolve_endpoint(self.client, operation, params)
        # botocore's SigV4 (the Rust signer's name once botocore's pipeline
        # is wired; until then, botocore's own).
        signed = endpoint.signature_version in ("v4", SIGNATURE_VERSION)
        entry = (account_id, endpoint if signed else None)
        self._endpoints[operation] = entry
        return entry

    def _prepare(
        self, operation: str, body: bytes, endpoint: Endpoint, credentials: Any
    ) -> AWSPreparedRequest:
        timestamp = botocore.auth.get_current_datetime().strftime(SIGV4_TIMESTAMP)
        headers = dict(self._headers)
        if endpoint.headers:
            headers.update(endpoint.headers)
        headers["X-Amz-Target"] = _TARGET + operation
        headers["X-Amz-Date"] = timestamp
        if credentials.token:
            headers["X-Amz-Security-Token"] = credentials.token
        headers["Authorization"] = _core.sigv4_authorization(
            "POST",
            endpoint.path,
            endpoint.query,
            list(headers.items()),
            endpoint.host,
            body,
            None,
            timestamp,
            credentials.access_key,
            credentials.secret_key,
            endpoint.region,
            endpoint.signing_name,
        )
        return AWSPreparedRequest("POST", endpoint.url, headers, body, False)


def _make_api_call_untouched() -> bool:
    """Whether botocore's client call is still its own plain function: an
    instrumentation replaces it with a wrapper object (wrapt's, for
    OpenTelemetry and aws-xray-sdk), and must see the call."""
    call = botocore.client.BaseClient._make_api_call
    return call is _MAKE_API_CALL and isinstance(call, types.FunctionType)


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` (or another of its mocks) is active: its
    stubber answers from botocore's ``before-send`` event."""
    if "moto" not in sys.modules:
        return False
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))
