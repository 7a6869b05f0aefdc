"""Every private botocore (and urllib3) name the library relies on, in one
place, each with a test (``tests/unit/transport/test_botocore_private.py``).

botocore documents no way to bound one request by an outside deadline, nor
to forget the connections a forked process inherited, so these reach into
its HTTP session: ``client._endpoint.http_session`` (a ``URLLib3Session``),
its ``_get_request_timeout`` hook and ``_timeout``, its pool managers
(``_manager``, ``_proxy_managers``) and, in urllib3, each pool's queue of
idle connections. Anything that does not look as expected is left alone:
callers get ``None``/``False`` and keep botocore's behaviour.

The Rust signer (``dynamorm.transport.signing``) needs the host botocore signs
(``botocore.auth._host_from_url``) and, for its one-time check against
botocore's own signer, the client's credentials
(``client._request_signer._credentials``). As a ``SigV4Auth`` subclass it
also calls that class's own protected helpers; those are its base class's
API and are covered by the signer's differential tests.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import botocore.auth
from botocore.httpsession import URLLib3Session
from urllib3.util.timeout import Timeout

__all__ = [
    "DeadlineSession",
    "client_loader",
    "deadline_cap",
    "forget_connections",
    "frozen_credentials",
    "handlers_added",
    "host_from_url",
    "http_session",
    "own_handlers",
    "use_deadline_session",
    "user_agent",
    "watch_handlers",
]

_local = threading.local()
# Inherited objects that could not be closed without touching the stream they
# share with the parent: kept referenced so that nothing ever closes them here.
_kept: list[Any] = []


def client_loader(client: Any) -> Any:
    """The client's service-model loader (``client._loader``), or ``None``."""
    return getattr(client, "_loader", None)


def host_from_url(url: str) -> str:
    """The ``host`` header value botocore's signer uses for ``url``
    (``botocore.auth._host_from_url``: the port only when not the scheme's)."""
    host: str = botocore.auth._host_from_url(url)
    return host


def frozen_credentials(client: Any) -> Any:
    """The client's current credentials, frozen
    (``client._request_signer._credentials``)."""
    return client._request_signer._credentials.get_frozen_credentials()


def user_agent(client: Any) -> str:
    """The ``User-Agent`` botocore sends for the client
    (``client._user_agent_creator.to_string()``)."""
    text: str = client._user_agent_creator.to_string()
    return text


_ADDED = "_dynamorm_handlers_added"
_REGISTERING = ("register", "register_first", "register_last")


def watch_handlers(client: Any) -> None:
    """Notes, on the client's event emitter (``client.meta.events``), any
    handler registered from now on (a ``Stubber``, a user's hook): from then
    on ``handlers_added(client)`` is true. The emitter's ``register*``
    methods are wrapped on this one client's emitter, not on its class."""
    events = client.meta.events
    if getattr(events, _ADDED, None) is not None:
        return
    setattr(events, _ADDED, False)
    for name in _REGISTERING:
        original = getattr(events, name)

        def noting(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            setattr(events, _ADDED, True)
            return __original(*args, **kwargs)

        setattr(events, name, noting)


@contextlib.contextmanager
def own_handlers(client: Any) -> Iterator[None]:
    """``with own_handlers(client):`` — handlers the library registers inside
    are not noted by ``watch_handlers`` (the flag is restored after)."""
    events = client.meta.events
    before = getattr(events, _ADDED, None)
    try:
        yield
    finally:
        if before is not None:
            setattr(events, _ADDED, before)


def handlers_added(client: Any) -> bool:
    """Whether a handler was registered on the client's events since
    ``watch_handlers``."""
    return bool(getattr(client.meta.events, _ADDED, False))


def http_session(client: Any) -> URLLib3Session | None:
    """The botocore HTTP session the client sends through
    (``client._endpoint.http_session``), when it is a ``URLLib3Session``."""
    session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    return session if isinstance(session, URLLib3Session) else None


class deadline_cap:
    """``with deadline_cap(seconds):`` — requests a ``DeadlineSession`` sends
    on this thread wait at most ``seconds`` to connect and at most
    ``seconds`` for each read (``None``: the client's own timeouts)."""

    __slots__ = ("_previous", "_seconds")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._previous: float | None = None

    def __enter__(self) -> None:
        self._previous = getattr(_local, "cap", None)
        _local.cap = self._seconds

    def __exit__(self, *exc: object) -> None:
        _local.cap = self._previous


def _lesser(configured: Any, cap: float) -> float:
    # ``None`` (or urllib3's "default" sentinel) means no limit of its own.
    if isinstance(configured, int | float) and not isinstance(configured, bool):
        return min(float(configured), cap)
    return cap


class DeadlineSession(URLLib3Session):  # type: ignore[misc]  # botocore ships no types
    """botocore's session whose connect and read timeouts are lowered, per
    request, to the ``deadline_cap`` of the sending thread. botocore's
    ``send`` asks ``_get_request_timeout`` for each request's timeout and
    otherwise uses the pool's (``_timeout``, the client's ``Config``)."""

    def _get_request_timeout(self, request: Any) -> Any:
        timeout = super()._get_request_timeout(request)
        cap = getattr(_local, "cap", None)
        if cap is None:
            return timeout
        configured = timeout if timeout is not None else self._timeout
        if isinstance(configured, Timeout):
            connect, read = configured.connect_timeout, configured.read_timeout
        else:
            connect = read = configured
        return Timeout(connect=_lesser(connect, cap), read=_lesser(read, cap))


def use_deadline_session(client: Any) -> bool:
    """Makes the client's HTTP session a ``DeadlineSession`` (the same
    object, pools and settings: only its class changes); ``False`` when the
    client sends through something else, or this botocore has no per-request
    timeout hook."""
    session = http_session(client)
    if session is None or not callable(getattr(session, "_get_request_timeout", None)):
        return False
    if type(session) is URLLib3Session:
        session.__class__ = DeadlineSession
    return isinstance(session, DeadlineSession)


def _drop_socket(conn: Any) -> None:
    """Closes this process's descriptor of a pooled connection's socket
    without any I/O on it (no FIN, no TLS close_notify: the peer still talks
    to the other process through it)."""
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    conn.sock = None
    detach = getattr(sock, "detach", None)
    if detach is None:
        _kept.append(sock)  # a wrapper we cannot take apart safely
        return
    fd = detach()
    if isinstance(fd, int) and fd >= 0:
        os.close(fd)


def forget_connections(session: URLLib3Session) -> None:
    """Drops every pooled connection of ``session`` without using it (for a
    forked child: the sockets are the parent's too). The pool managers stay,
    with their settings; they open new connections on the next request."""
    managers = [session._manager, *session._proxy_managers.values()]
    for manager in managers:
        pools = getattr(manager, "pools", None)
        container = getattr(pools, "_container", None)
        if container is None:
            continue
        # Read without the containers' locks: a thread that held one at the
        # fork does not exist in this process.
        for pool in list(container.values()):
            idle = getattr(pool, "pool", None)
            for conn in list(getattr(idle, "queue", ())):
                if conn is not None:
                    _drop_socket(conn)
        manager.clear()
