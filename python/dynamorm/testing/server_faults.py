"""``Faults`` on a real server: answered from botocore's ``before-send``
event of a client (``attach``).

``before-send`` is the last step of botocore's pipeline before its HTTP
session: a handler that returns an ``AWSResponse`` answers the request in
the server's place. Registering it makes a ``DB`` on that client send every
request through that pipeline (its own request path steps aside whenever
something listens to the client: ``dynamorm.transport.direct``), so each
fault is seen as a server's answer would be:

- a throttle, or a server error that is not ``applied``: answered without
  sending;
- a server error ``applied``: the request is sent, and the server's answer
  replaced by the error (a lost answer);
- latency: waited before the request is sent;
- unprocessed keys or items: the held-back share is cut from the body, the
  rest signed again by the client's own signer and sent, and the held-back
  share added to the server's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dynamorm.testing.faults import Faults, hold_back, merge_held
from dynamorm.transport import _botocore_private as private

__all__ = ["attach"]

_TARGET = "DynamoDB_20120810."
_UNSIGNED = frozenset({"authorization", "x-amz-date", "x-amz-security-token", "content-length"})


def attach(faults: Faults, client: Any) -> Callable[[], None]:
    """Injects ``faults`` into ``client``'s requests from now on; returns
    the function that stops it."""
    handler = _Injector(faults, client)
    client.meta.events.register("before-send.dynamodb", handler)

    def detach() -> None:
        client.meta.events.unregister("before-send.dynamodb", handler)

    return detach


class _Injector:
    __slots__ = ("client", "faults")

    def __init__(self, faults: Faults, client: Any) -> None:
        self.faults = faults
        self.client = client

    def __call__(self, request: Any, **_: Any) -> Any:
        import time

        target = request.headers.get("X-Amz-Target", "")
        if isinstance(target, bytes):
            target = target.decode()
        operation = str(target).removeprefix(_TARGET)
        draw = self.faults.draw(operation)
        if draw is None:
            return None
        if draw.seconds:
            time.sleep(draw.seconds)
        if draw.status is not None and not draw.applied:
            return _response(request.url, draw.status, draw.body)
        held: dict[str, Any] | None = None
        if draw.share:
            body = request.body or b""
            rest, held = hold_back(
                operation, body if isinstance(body, bytes) else body.encode(), draw.share
            )
            if rest is None:
                return _response(request.url, 200, merge_held(operation, b"{}", held))
            request = self._signed(operation, request, rest)
        if draw.status is None and not held:
            return None  # latency alone: botocore sends it
        answer = self._sent(request)
        if draw.status is not None:
            return _response(request.url, draw.status, draw.body)
        assert held is not None
        if answer.status_code != 200:
            return answer
        return _response(request.url, 200, merge_held(operation, answer.content, held))

    def _signed(self, operation: str, request: Any, body: bytes) -> Any:
        """``request`` with ``body``, signed again by the client's signer."""
        from botocore.awsrequest import AWSRequest

        headers = {
            k: v.decode() if isinstance(v, bytes) else v
            for k, v in request.headers.items()
            if k.lower() not in _UNSIGNED
        }
        again = AWSRequest(method=request.method, url=request.url, headers=headers, data=body)
        private.sign(self.client, operation, again)
        return again.prepare()

    def _sent(self, request: Any) -> Any:
        session = private.http_session(self.client)
        if session is None:
            raise RuntimeError("dynamorm.testing: the client has no botocore HTTP session")
        return session.send(request)


def _response(url: str, status: int, body: bytes) -> Any:
    from botocore.awsrequest import AWSResponse, HeadersDict

    from dynamorm.testing.clients import raw_body

    headers = HeadersDict({"content-type": "application/x-amz-json-1.0"})
    return AWSResponse(url, status, headers, raw_body(body))
