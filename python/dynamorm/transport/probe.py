"""What the botocore hooks (``hooks``) and the Rust signer (``signing``)
share to check, once per process, that this botocore behaves as they
expect: a private client that never reaches the network (``probe_client``),
canned raw answers (``CannedRaw``) and the kept verdict of each check
(``Verdict``), which logs one warning when a hook cannot be trusted."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from dynamorm.transport._botocore_private import client_loader

__all__ = ["CannedRaw", "Verdict", "probe_client"]

logger = logging.getLogger("dynamorm")


class CannedRaw:
    """A raw HTTP body for ``botocore.awsrequest.AWSResponse`` (as a
    ``before-send`` handler returns it): always ``body``."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        """The body, in one chunk."""
        yield self.body


class Verdict:
    """Whether one hook works on this botocore: ``probe`` runs once per
    process (on a private client) and its answer is kept; a ``False`` answer
    logs one warning naming the ``what`` path and the event it needs (if
    ``event`` is given)."""

    __slots__ = ("event", "lock", "ok", "probe", "what")

    def __init__(
        self, probe: Callable[[Any], bool], what: str, event: Callable[[], str] | None
    ) -> None:
        self.ok: bool | None = None
        self.lock = threading.Lock()
        self.probe, self.what, self.event = probe, what, event

    def get(self, client: Any) -> bool:
        """The answer, probing first if nobody has yet (``client`` lends its
        loaded service model to the probe)."""
        if self.ok is None:
            with self.lock:
                if self.ok is None:
                    self.ok = self._run(client)
        return self.ok

    def _run(self, client: Any) -> bool:
        from dynamorm.tracing import unobserved

        try:
            with unobserved():  # the probe's canned calls are no user's requests
                ok = self.probe(client_loader(client))
        except Exception as exc:  # any surprise means the hook cannot be trusted
            logger.debug("%s probe failed", self.what, exc_info=exc)
            ok = False
        event = self.event
        if not ok and event is None:
            logger.warning(
                "dynamorm: the %s does not agree with this botocore; using the standard path",
                self.what,
            )
        elif not ok and event is not None:
            logger.warning(
                "dynamorm: this botocore does not support the %s (no usable %r event); "
                "using the standard path",
                self.what,
                event(),
            )
        return ok


_session_lock = threading.Lock()
_sessions: list[Any] = []


def _probe_session(loader: Any) -> Any:
    """The private botocore session every probe's client is made from: one
    per process (a session registers botocore's hundred-odd built-in
    handlers, checking each one's signature, which costs more than the
    client), lent the first probed client's loaded service model."""
    with _session_lock:
        if not _sessions:
            import botocore.session

            session = botocore.session.get_session()
            if loader is not None:
                # The service model is then read once per process, not once more here.
                session.register_component("data_loader", loader)
            _sessions.append(session)
        return _sessions[0]


def probe_client(loader: Any, config: Any = None) -> Any:
    """A private DynamoDB client for a probe; it never reaches the network
    (the probe answers from a ``before-send`` handler)."""
    return _probe_session(loader).create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="probe",
        aws_secret_access_key="probe",
        config=config,
    )
