"""``AnswerReader``: a DynamoDB answer's raw bytes read as botocore's
pipeline reads them, for the transports that receive them raw.

The library's own request path (``dynamorm.transport.direct``), its asyncio
form and the in-memory backend (``dynamorm.testing``) all hold an answer as a
status, headers and a body. Each reads it here, so that an error answer is
the ``ClientError`` botocore's endpoint raises (its code, message and the
members DynamoDB's modelled error carries: ``CancellationReasons``, a failed
condition's ``Item``, ``ThrottlingReasons``), a 2xx answer's items are
decoded by the Rust core straight into models where they can be, and every
2xx body is checked against its operation's shape first
(``dynamorm.transport.shapes``).
"""

from __future__ import annotations

import zlib
from typing import Any

from botocore.exceptions import ChecksumError
from botocore.parsers import create_parser

from dynamorm import _core
from dynamorm.errors import ValidationError
from dynamorm.transport import shapes
from dynamorm.transport.base import DECODED, FAST_OPERATIONS, Request, Response

__all__ = ["AnswerReader"]


class AnswerReader:
    """Reads answers to requests of ``client`` (a botocore DynamoDB client:
    its service model says each operation's shapes and its ``exceptions``
    the error classes). Safe to share between threads."""

    __slots__ = ("_models", "_parser", "client")

    def __init__(self, client: Any) -> None:
        self.client = client
        self._parser = create_parser("json")
        self._models: dict[str, Any] = {}

    def answer(self, request: Request, status: int, headers: Any, body: bytes) -> Response:
        """The ``Response`` of the answer to ``request``: its status, headers
        (a case-insensitive mapping) and raw body, read as botocore reads
        them. Raises ``ChecksumError`` for a 2xx body its ``x-amz-crc32``
        does not match, the ``ClientError`` of an error answer, and
        ``MalformedResponseError`` for a 2xx body that does not fit the
        operation's shape."""
        operation = request.operation
        crc = headers.get("x-amz-crc32")
        if crc is not None and 200 <= status < 300 and int(crc) != zlib.crc32(body):
            raise ChecksumError(
                checksum_type="crc32", expected_checksum=crc, actual_checksum=zlib.crc32(body)
            )
        model = self._model(operation)
        if not 200 <= status < 300:
            raise self.error(operation, status, headers, body)
        return Response(status, headers, self._read(request, model, status, headers, body))

    def error(self, operation: str, status: int, headers: Any, body: bytes) -> Any:
        """The ``ClientError`` botocore raises for an error answer to
        ``operation``: code and message, and the members DynamoDB's modelled
        error carries, as botocore's endpoint adds them."""
        model = self._model(operation)
        parsed = self._parse(model, status, headers, body)
        code = parsed.get("Error", {}).get("Code", "")
        shape = self.client.meta.service_model.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(
                self._parser.parse({"status_code": status, "headers": headers, "body": body}, shape)
            )
        return self.client.exceptions.from_code(code)(parsed, operation)

    def _model(self, operation: str) -> Any:
        model = self._models.get(operation)
        if model is None:
            model = self.client.meta.service_model.operation_model(operation)
            self._models[operation] = model
        return model

    def _parse(self, model: Any, status: int, headers: Any, body: bytes) -> dict[str, Any]:
        parsed: dict[str, Any] = self._parser.parse(
            {"status_code": status, "headers": headers, "body": body}, model.output_shape
        )
        return parsed

    def _read(
        self, request: Request, model: Any, status: int, headers: Any, body: bytes
    ) -> dict[str, Any]:
        """A 2xx answer's members: items decoded into models by the Rust core
        where it can, everything else (and any answer it leaves) by
        botocore's parser, after the answer's shape is checked."""
        operation = request.operation
        if request.schemas is not None and operation in FAST_OPERATIONS:
            try:
                decoded, rest = _core.decode_response(body, operation, request.schemas)
            except (ValidationError, _core.Fallback):
                # An item that does not fit its model (read as stored, so the
                # error carries it) or an answer the reader does not take.
                decoded = None
            if decoded is not None:
                if rest == b"{}":
                    # Nothing left for botocore's parser (a GetItem's usual answer).
                    parsed: dict[str, Any] = {"ResponseMetadata": _metadata(status, headers)}
                else:
                    shapes.check(model, rest, request.what)
                    parsed = self._parse(model, status, headers, rest)
                parsed.update(decoded)
                parsed[DECODED] = True
                return parsed
        shapes.check(model, body, request.what)
        return self._parse(model, status, headers, body)


def _metadata(status: int, headers: Any) -> dict[str, Any]:
    """``ResponseMetadata`` as botocore's parser writes it."""
    return {
        "RequestId": headers.get("x-amzn-requestid", ""),
        "HTTPStatusCode": status,
        "HTTPHeaders": headers,
        "RetryAttempts": 0,
    }
