"""``BotocoreTransport``: requests sent by a botocore DynamoDB client.

The client's own pipeline carries each request (endpoint resolution,
signing, its HTTP session with the user's ``Config``), with the library's
hooks (``dynamorm.transport.hooks``) swapping in the body the Rust core
wrote, decoding item-bearing answers straight into models and checking every
2xx answer's shape, when the client was wired for them. The hooks act only
on requests sent here: each attempt names what they should do in a
thread-local (``encoding``, ``decoding``) around the client call, so a
user's own calls on the same client are untouched.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Any

from dynamorm.transport._botocore_private import deadline_cap, refresh_due_credentials
from dynamorm.transport.base import Request, Response
from dynamorm.transport.hooks import FAST_OPERATIONS, decoding, encoding, skeleton

__all__ = ["BotocoreTransport"]

_METHOD = re.compile(r"(?<!^)(?=[A-Z])")


class BotocoreTransport:
    """Sends through ``client``. ``fast``: item-bearing reads decode into
    models (the client wired with ``hooks.wire``); ``fast_requests``: the
    Rust core's bodies are sent (``hooks.wire_requests``, on a client with
    parameter validation off); ``checked``: every 2xx answer is checked
    against its operation's shape (``hooks.wire`` or ``hooks.wire_checks``)."""

    __slots__ = ("_methods", "checked", "client", "fast", "fast_requests")

    def __init__(
        self,
        client: Any,
        *,
        fast: bool = False,
        fast_requests: bool = False,
        checked: bool = False,
    ) -> None:
        self.client = client
        self.fast = fast
        self.fast_requests = fast_requests
        self.checked = checked
        self._methods: dict[str, Any] = {}

    @property
    def takes_body(self) -> bool:
        """Whether the Rust core's bodies are sent."""
        return self.fast_requests

    def decodes(self, operation: str) -> bool:
        """Whether answers to ``operation`` decode into models here."""
        return self.fast and operation in FAST_OPERATIONS

    def _method(self, operation: str) -> Any:
        method = self._methods.get(operation)
        if method is None:
            method = getattr(self.client, _METHOD.sub("_", operation).lower())
            self._methods[operation] = method
        return method

    def send(self, request: Request, *, timeout: float | None = None) -> Response:
        """One attempt through the client (see the module docstring)."""
        operation = request.operation
        method = self._method(operation)
        body = request.body if self.fast_requests else None
        params = request.params if body is None else skeleton(request.params)
        sending = encoding(operation, body) if body is not None else nullcontext()
        schemas = request.schemas if self.decodes(operation) else None
        reading = decoding(operation, schemas, request.what) if self.checked else nullcontext()
        capping = deadline_cap(timeout) if timeout is not None else nullcontext()
        # A due refresh happens here, its failure a botocore error (a user's
        # refresh function may raise anything), as on the library's own path.
        refresh_due_credentials(self.client)
        with sending, reading, capping:
            parsed: dict[str, Any] = method(**params)
        meta = parsed.get("ResponseMetadata", {})
        return Response(meta.get("HTTPStatusCode", 200), meta.get("HTTPHeaders", {}), parsed)
