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

Only the library's requests are affected: ``Executor.call`` names what to
decode in a thread-local around the call (botocore sends on the calling
thread), and the handler does nothing without it, so a user's own calls on a
client given to ``DB`` behave exactly as before. Whether botocore still
behaves as the handler expects is checked once per process, on a private
client with a canned response; if not, one warning is logged and every
``DB`` uses the standard path.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from dynamorm import _core
from dynamorm.errors import ValidationError

__all__ = ["DECODED", "FAST_OPERATIONS", "available", "decoding", "wire"]

logger = logging.getLogger("dynamorm")

EVENT = "before-parse.dynamodb"
"""The botocore event the handler is registered for (all operations)."""

DECODED = "__dynamorm_decoded__"
"""Set (to ``True``) in a response whose items are already model instances."""

FAST_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
"""The item-bearing reads the fast path decodes."""

_UNIQUE_ID = "dynamorm-fast-read-path"
_local = threading.local()


class decoding:
    """``with decoding(operation, schemas):`` — the library's request of
    ``operation`` on this thread is decoded with ``schemas`` (one
    ``ItemSchema``, or one per read for ``TransactGetItems``)."""

    __slots__ = ("_previous", "_want")

    def __init__(self, operation: str, schemas: Any) -> None:
        self._want = (operation, schemas)
        self._previous: tuple[str, Any] | None = None

    def __enter__(self) -> None:
        self._previous = getattr(_local, "want", None)
        _local.want = self._want

    def __exit__(self, *exc: object) -> None:
        _local.want = self._previous


def _before_parse(
    operation_model: Any, response_dict: Any, customized_response_dict: Any, **_: Any
) -> None:
    want = getattr(_local, "want", None)
    if want is None or want[0] != operation_model.name:
        return
    if not 200 <= response_dict.get("status_code", 0) < 300:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes):
        return
    try:
        decoded, rest = _core.decode_response(body, want[0], want[1])
    except ValidationError:
        raise  # the item does not fit its model: the same error the standard path raises
    except ValueError as exc:
        logger.debug("%s: fast read path not taken: %s", want[0], exc)
        return
    decoded[DECODED] = True
    customized_response_dict.update(decoded)
    response_dict["body"] = rest


class CannedRaw:
    """A raw HTTP body for ``botocore.awsrequest.AWSResponse`` (as a
    ``before-send`` handler returns it): always ``body``."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        """The body, in one chunk."""
        yield self.body


class _Verdict:
    """The probe's result, once known (``None`` before the first ``DB``)."""

    __slots__ = ("lock", "ok")

    def __init__(self) -> None:
        self.ok: bool | None = None
        self.lock = threading.Lock()


verdict = _Verdict()


def available(client: Any = None) -> bool:
    """Whether this botocore behaves as the handler expects: checked once
    per process, on a private client (sharing ``client``'s loaded service
    model when given) that answers from a canned body. Logs one warning when
    it does not."""
    if verdict.ok is None:
        with verdict.lock:
            if verdict.ok is None:
                verdict.ok = _check(client)
    return verdict.ok


def _check(client: Any) -> bool:
    try:
        ok = _probe(getattr(client, "_loader", None))
    except Exception as exc:  # any surprise means the hook cannot be trusted
        logger.debug("fast read path probe failed", exc_info=exc)
        ok = False
    if not ok:
        logger.warning(
            "dynamorm: this botocore does not support the fast read path "
            "(no usable %r event); using the standard path",
            EVENT,
        )
    return ok


def _probe(loader: Any) -> bool:
    import botocore.session
    from botocore.awsrequest import AWSResponse

    session = botocore.session.get_session()
    if loader is not None:
        # The service model is then read once per process, not once more here.
        session.register_component("data_loader", loader)
    client = session.create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="probe",
        aws_secret_access_key="probe",
    )
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


def wire(client: Any) -> bool:
    """Registers the handler on ``client`` (once per client); ``False``
    when this botocore cannot take the fast path."""
    if not available(client):
        return False
    client.meta.events.register(EVENT, _before_parse, unique_id=_UNIQUE_ID)
    return True
