"""The fast read path: successful item-bearing responses decoded by the Rust
core straight from the raw body into model instances (issue 6).

botocore emits ``before-parse.dynamodb.<Operation>`` with the raw
``response_dict`` and a ``customized_response_dict`` that it merges into the
parsed response after its own parser runs. The handler registered here, for
a 2xx response of one of the library's own requests, decodes the items with
``dynamorm._core.decode_response`` into that dict and hands botocore only
the other members (``Count``, ``LastEvaluatedKey``, ``UnprocessedKeys``,
``ConsumedCapacity``, ...) to parse, so those keep botocore's exact shapes.
Errors, retries and botocore's CRC32 check (which reads the HTTP response,
not ``response_dict``) are untouched.

The request side (on a client ``DB`` created, whose parameter validation
is off): ``Executor.call`` has the Rust core write the JSON body from the
real parameters (``dynamorm._core.encode_request``), calls the client with a
skeleton of them (only what botocore's endpoint resolution reads: the table
names), and a ``before-call.dynamodb.<Operation>`` handler swaps the skeleton's
body for the written one before botocore signs and sends it
(``AWSRequest`` computes ``Content-Length`` from the body it is given).

Only the library's requests are affected: ``Executor.call`` names what to
decode in a thread-local around the call (botocore sends on the calling
thread), and the handler does nothing without it, so a user's own calls on a
client given to ``DB`` behave exactly as before. Whether botocore still
behaves as the handler expects is checked once per process, on a private
client with a canned response; if not, one warning is logged and every
``DB`` uses the standard path.

The same event checks every 2xx answer to the library's requests, fast path
or not, against the operation's shape first (``dynamorm.transport.shapes``):
the handler checks what botocore is left to parse, and on clients of
``DB(fast_path=False)`` a check-only handler does (``wire_checks``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from dynamorm import _core
from dynamorm.errors import ValidationError
from dynamorm.transport import shapes
from dynamorm.transport.base import DECODED, FAST_OPERATIONS
from dynamorm.transport.probe import CannedRaw, Verdict, probe_client

__all__ = [
    "DECODED",
    "FAST_OPERATIONS",
    "available",
    "decoding",
    "encoding",
    "requests_available",
    "skeleton",
    "wire",
    "wire_checks",
    "wire_requests",
]

logger = logging.getLogger("dynamorm")

EVENT = "before-parse.dynamodb"
"""The botocore event the handler is registered for (all operations)."""


REQUEST_EVENT = "before-call.dynamodb"
"""The botocore event the request-body handler is registered for."""

_UNIQUE_ID = "dynamorm-fast-read-path"
_CHECK_UNIQUE_ID = "dynamorm-answer-check"
_REQUEST_UNIQUE_ID = "dynamorm-fast-request-path"
_local = threading.local()


class decoding:
    """``with decoding(operation, schemas, what):`` — the library's request
    of ``operation`` on this thread is decoded with ``schemas`` (one
    ``ItemSchema``, or one per read for ``TransactGetItems``; ``None``:
    botocore parses it all) and its answer checked first, a malformed one
    raising ``MalformedResponseError`` naming ``what`` (by default the
    operation)."""

    __slots__ = ("_previous", "_want")

    def __init__(self, operation: str, schemas: Any, what: str | None = None) -> None:
        self._want = (operation, schemas, operation if what is None else what)
        self._previous: tuple[str, Any, str] | None = None

    def __enter__(self) -> None:
        self._previous = getattr(_local, "want", None)
        _local.want = self._want

    def __exit__(self, *exc: object) -> None:
        _local.want = self._previous


class encoding:
    """``with encoding(operation, body):`` — the library's request of
    ``operation`` on this thread is sent with ``body`` (the JSON the Rust
    core wrote) in place of what botocore serialized."""

    __slots__ = ("_body", "_previous")

    def __init__(self, operation: str, body: bytes) -> None:
        self._body = (operation, body)
        self._previous: tuple[str, bytes] | None = None

    def __enter__(self) -> None:
        self._previous = getattr(_local, "body", None)
        _local.body = self._body

    def __exit__(self, *exc: object) -> None:
        _local.body = self._previous


def skeleton(params: Any) -> dict[str, Any]:
    """The parameters botocore still gets when the body is written by the
    Rust core: only the table names its endpoint resolution reads
    (``TableName``, the tables of ``RequestItems`` and of each
    ``TransactItems`` entry), so its serializer has almost nothing to do."""
    out: dict[str, Any] = {}
    name = params.get("TableName")
    if name is not None:
        out["TableName"] = name
    items = params.get("RequestItems")
    if items is not None:
        out["RequestItems"] = {table: {} for table in items}
    transact = params.get("TransactItems")
    if transact is not None:
        out["TransactItems"] = [
            {kind: {"TableName": action.get("TableName")} for kind, action in item.items()}
            for item in transact
        ]
    return out


def _before_call(model: Any, params: Any, **_: Any) -> None:
    body = getattr(_local, "body", None)
    if body is not None and body[0] == model.name:
        params["body"] = body[1]


def _wanted(operation_model: Any, response_dict: Any) -> tuple[tuple[str, Any, str], bytes] | None:
    """What the library asked of this answer and its body, when it is a 2xx
    answer to the library's request on this thread."""
    want = getattr(_local, "want", None)
    if want is None or want[0] != operation_model.name:
        return None
    if not 200 <= response_dict.get("status_code", 0) < 300:
        return None
    body = response_dict.get("body")
    if not isinstance(body, bytes):
        return None
    return want, body


def _before_parse(
    operation_model: Any, response_dict: Any, customized_response_dict: Any, **_: Any
) -> None:
    wanted = _wanted(operation_model, response_dict)
    if wanted is None:
        return
    (operation, schemas, what), body = wanted
    if schemas is None:
        shapes.check(operation_model, body, what)
        return
    try:
        decoded, rest = _core.decode_response(body, operation, schemas)
    except ValidationError as exc:
        # An item that does not fit its model. Unless the answer is malformed
        # (said first, as on the standard path), botocore reads it all and the
        # standard path raises the same error, carrying the item as read.
        shapes.check(operation_model, body, what)
        logger.debug("%s: an item does not fit its model, read as stored: %s", operation, exc)
        return
    except _core.Fallback as exc:
        logger.debug("%s: fast read path not taken: %s", operation, exc)
        shapes.check(operation_model, body, what)  # then botocore reads it all
        return
    shapes.check(operation_model, rest, what)
    decoded[DECODED] = True
    customized_response_dict.update(decoded)
    response_dict["body"] = rest


def _check_only(operation_model: Any, response_dict: Any, **_: Any) -> None:
    wanted = _wanted(operation_model, response_dict)
    if wanted is not None:
        shapes.check(operation_model, wanted[1], wanted[0][2])


def available(client: Any = None) -> bool:
    """Whether this botocore behaves as the response handler expects: checked
    once per process, on a private client that answers from a canned body.
    Logs one warning when it does not."""
    return verdict.get(client)


def _probe(loader: Any) -> bool:
    from botocore.awsrequest import AWSResponse

    client = probe_client(loader)
    # Items that botocore could not parse: the probe passes only if the
    # handler's replacement body and merged members are what comes back.
    canned = b'{"Items": "not a list", "Count": 1}'

    def send(request: Any, **_: Any) -> Any:
        return AWSResponse(request.url, 200, {}, CannedRaw(canned))

    def before_parse(response_dict: Any, customized_response_dict: Any, **_: Any) -> None:
        if response_dict.get("body") == canned:
            response_dict["body"] = b'{"Count": 1}'
            customized_response_dict["Items"] = ["probe"]

    client.meta.events.register("before-send.dynamodb", send)
    client.meta.events.register(EVENT, before_parse)
    response = client.query(TableName="probe")
    return bool(response.get("Items") == ["probe"] and response.get("Count") == 1)


def requests_available(client: Any = None) -> bool:
    """Whether this botocore sends the body a ``before-call`` handler puts in
    the request dict, signed and with its own ``Content-Length``: checked
    once per process on a private client. Logs one warning when not."""
    return request_verdict.get(client)


def _probe_requests(loader: Any) -> bool:
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config

    client = probe_client(
        loader, Config(parameter_validation=False, retries={"total_max_attempts": 1})
    )
    params = {"TableName": "probe", "Key": {"k": {"B": b"\x00probe"}}}
    body = _core.encode_request(params)
    sent: list[Any] = []

    def send(request: Any, **_: Any) -> Any:
        sent.append(request)
        return AWSResponse(request.url, 200, {}, CannedRaw(b"{}"))

    client.meta.events.register("before-send.dynamodb", send)
    client.meta.events.register(REQUEST_EVENT, _before_call, unique_id=_REQUEST_UNIQUE_ID)
    with encoding("GetItem", body):
        client.get_item(**skeleton(params))
    if len(sent) != 1:
        return False
    request = sent[0]
    length = request.headers.get("Content-Length")
    authorization = request.headers.get("Authorization", b"")
    if isinstance(length, bytes):
        length = length.decode()
    return bool(request.body == body and length == str(len(body)) and authorization)


verdict = Verdict(_probe, "fast read path", lambda: EVENT)
request_verdict = Verdict(_probe_requests, "fast request path", lambda: REQUEST_EVENT)


def wire_requests(client: Any) -> bool:
    """Registers the request-body handler on ``client`` (a client ``DB``
    created, with parameter validation off); ``False`` when this botocore
    cannot take the fast request path."""
    if not requests_available(client):
        return False
    client.meta.events.register(REQUEST_EVENT, _before_call, unique_id=_REQUEST_UNIQUE_ID)
    return True


def wire(client: Any) -> bool:
    """Registers the handler on ``client`` (once per client); ``False``
    when this botocore cannot take the fast path."""
    if not available(client):
        return False
    client.meta.events.register(EVENT, _before_parse, unique_id=_UNIQUE_ID)
    return True


def wire_checks(client: Any) -> bool:
    """Registers the check-only handler on ``client`` (for a ``DB`` off the
    fast path: its answers are still checked, never decoded here); ``False``
    when this botocore's ``before-parse`` event cannot be relied on."""
    if not available(client):
        return False
    client.meta.events.register(EVENT, _check_only, unique_id=_CHECK_UNIQUE_ID)
    return True
