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

The library's own request path (``dynamorm.transport.direct``) sends where
botocore's pipeline would and signs as it would: the endpoint from the
client's endpoint rules (``client._resolve_endpoint_ruleset``, which also
gives the signing region and name of the endpoint's auth scheme), the
signature version botocore's signer would pick for it
(``client._request_signer._choose_signer``), the path and query string its
SigV4 signer signs (``SigV4Auth._normalize_url_path``,
``_canonical_query_string_url``), and whether endpoint discovery is on (an
``EndpointDiscoveryHandler`` among the handlers of the client's emitter,
``client.meta.events._emitter._handlers``).

The asyncio transport (``dynamorm.aio.transport``) sends the same requests
over another HTTP client, configured as the client's HTTP session is: the
TLS verification it applies (``session._verify``: ``False``, or the CA
bundle of ``verify=``, ``AWS_CA_BUNDLE`` and the like) and the proxies it resolved
(``session._proxy_config``, a ``ProxyConfiguration``: the ``Config``'s or the
environment's, their ``Proxy-Authorization`` and the ``proxies_config``
settings). It refreshes credentials off the event loop, so it asks whether
a refresh is due without doing it (``refresh_needed()`` of the client's
``RefreshableCredentials``).

The test kit's fault injector (``dynamorm.testing.server_faults``) signs a
request again after cutting its body, with the client's own signer
(``client._request_signer.sign``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import prepare_request_dict
from botocore.discovery import EndpointDiscoveryHandler
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
)
from botocore.httpsession import URLLib3Session
from urllib3.util.timeout import Timeout

__all__ = [
    "DeadlineSession",
    "Endpoint",
    "builtin_handlers_mark",
    "client_loader",
    "deadline_cap",
    "discovers_endpoints",
    "forget_connections",
    "frozen_credentials",
    "handlers_added",
    "host_from_url",
    "http_session",
    "own_handlers",
    "proxy_for",
    "refresh_due",
    "refresh_due_credentials",
    "resolve_endpoint",
    "session_handlers_added",
    "session_verify",
    "sign",
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
    (``client._request_signer._credentials``): refreshed first when botocore
    says they are due (``RefreshableCredentials``). ``NoCredentialsError``
    (what botocore's signer raises) when the client has none; a refresh
    that fails with anything but a botocore error is raised as
    ``CredentialRetrievalError`` (the failure as its cause), so that it is
    a botocore error like every other failure of a request."""
    credentials = client._request_signer._credentials
    if credentials is None:
        raise NoCredentialsError()
    try:
        return credentials.get_frozen_credentials()
    except (BotoCoreError, ClientError):
        raise
    except Exception as exc:
        # A refresh function's own failure (or botocore's RuntimeError for
        # refreshed credentials that are already expired), raised as the
        # botocore error a credential provider raises.
        method = getattr(credentials, "method", None) or "the credential provider"
        raise CredentialRetrievalError(
            provider=method, error_msg=f"{type(exc).__name__}: {exc}"
        ) from exc


def refresh_due_credentials(client: Any) -> None:
    """Refreshes the client's credentials now if botocore says they are due
    (``frozen_credentials``), so that a refresh failing with a non-botocore
    exception is botocore's ``CredentialRetrievalError`` on botocore's
    pipeline too; nothing for a client without credentials (unsigned)."""
    signer = getattr(client, "_request_signer", None)
    if getattr(signer, "_credentials", None) is not None:
        frozen_credentials(client)


def refresh_due(client: Any) -> bool:
    """Whether reading the client's credentials now (``frozen_credentials``)
    would refresh them first: botocore's ``RefreshableCredentials`` say so
    (``refresh_needed()``, the advisory window its own refresh starts in;
    always, for deferred credentials not fetched yet). ``False`` for fixed
    credentials and for a client without any."""
    signer = getattr(client, "_request_signer", None)
    needed = getattr(getattr(signer, "_credentials", None), "refresh_needed", None)
    return callable(needed) and bool(needed())


def user_agent(client: Any) -> str:
    """The ``User-Agent`` botocore sends for the client
    (``client._user_agent_creator.to_string()``)."""
    text: str = client._user_agent_creator.to_string()
    return text


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where botocore's pipeline sends one operation's requests, and how it
    signs them (``resolve_endpoint``)."""

    url: str
    """The request's URL (the endpoint with the operation's path)."""
    host: str
    """The ``host`` header value botocore signs."""
    path: str
    """The canonical path SigV4 signs."""
    query: str
    """The canonical query string SigV4 signs."""
    headers: tuple[tuple[str, str], ...]
    """Headers the endpoint rules add to the request."""
    region: str
    """The signing region."""
    signing_name: str
    """The signing name (the service's, or the endpoint auth scheme's)."""
    signature_version: Any
    """The signature version botocore's signer picks for the request (the
    name ``choose-signer`` settles on; ``botocore.UNSIGNED`` for none)."""


# Only its two canonical-form helpers are used: they read neither the
# credentials nor the region.
_CANONICAL = SigV4Auth(None, "dynamodb", "us-east-1")


def resolve_endpoint(client: Any, operation: str, params: Any) -> Endpoint:
    """The ``Endpoint`` of ``operation`` with ``params`` (boto3 form), as
    botocore's client call resolves it: the client's endpoint rules with
    their built-ins (region, FIPS, dual-stack, a custom endpoint, the
    credentials' account ID and the account-ID endpoint mode) and the
    operation's context parameters, read from ``params``
    (``client._resolve_endpoint_ruleset``); then the signer botocore's
    ``RequestSigner`` would choose (``_choose_signer``). Raises what
    botocore raises for a configuration its rules refuse."""
    model = client.meta.service_model.operation_model(operation)
    # The request context botocore's client call starts from.
    context: dict[str, Any] = {
        "client_region": client.meta.region_name,
        "client_config": client.meta.config,
        "has_streaming_input": model.has_streaming_input,
        "auth_type": model.resolved_auth_type,
        "unsigned_payload": model.unsigned_payload,
        "auth_options": client.meta.service_model.metadata.get("auth"),
    }
    endpoint_url, headers, _ = client._resolve_endpoint_ruleset(model, params, context)
    request: dict[str, Any] = {"url_path": "/", "query_string": "", "headers": {}}
    prepare_request_dict(request, endpoint_url)
    url: str = request["url"]
    signer = client._request_signer
    signing = context.get("signing", {})
    parts = urlsplit(url)
    return Endpoint(
        url=url,
        host=host_from_url(url),
        path=_CANONICAL._normalize_url_path(parts.path),
        query=_CANONICAL._canonical_query_string_url(parts),
        headers=tuple(headers.items()),
        region=signing.get("region") or signer.region_name,
        signing_name=signing.get("signing_name") or signer.signing_name,
        signature_version=signer._choose_signer(operation, "standard", context),
    )


def discovers_endpoints(client: Any) -> bool:
    """Whether botocore's endpoint discovery is on for the client (its
    ``EndpointDiscoveryHandler`` is registered on the client's events, which
    botocore does when ``endpoint_discovery_enabled`` asks for it); ``True``
    also when the client's emitter cannot be read (only botocore's pipeline
    can then be trusted to send where it should)."""
    handlers = getattr(getattr(client.meta.events, "_emitter", None), "_handlers", None)
    search = getattr(handlers, "prefix_search", None)
    if search is None:
        return True
    service = client.meta.service_model.service_id.hyphenize()
    found = search(f"request-created.{service}.GetItem")
    return any(isinstance(getattr(h, "__self__", None), EndpointDiscoveryHandler) for h in found)


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


def _handler_kinds(events: Any) -> list[str] | None:
    """What is registered on a botocore event emitter, one entry per
    handler (``"<event> <module>.<qualname>"``: a kind of handler, not an
    object, so two sessions' own handlers compare equal), walking its prefix
    trie (``events._emitter._handlers._root``); ``None`` when the emitter
    does not look as expected."""
    root = getattr(getattr(getattr(events, "_emitter", events), "_handlers", None), "_root", None)
    if not isinstance(root, dict):
        return None
    kinds: list[str] = []
    stack: list[tuple[str, dict[str, Any]]] = [("", root)]
    while stack:
        path, node = stack.pop()
        values = node.get("values")
        if values is not None:
            for section in (values.first, values.middle, values.last):
                for handler in section:
                    target = getattr(handler, "__func__", handler)
                    name = getattr(target, "__qualname__", type(target).__qualname__)
                    kinds.append(f"{path} {getattr(target, '__module__', '')}.{name}")
        for chunk, child in node.get("children", {}).items():
            stack.append((f"{path}.{chunk}" if path else chunk, child))
    return sorted(kinds)


def builtin_handlers_mark() -> tuple[int, Any]:
    """What changes when botocore's built-in handlers do (a library's import
    may append to ``botocore.handlers.BUILTIN_HANDLERS``: moto's adds its
    stubber), so that a session made before can be told from one made
    after: their number and the last one."""
    from botocore.handlers import BUILTIN_HANDLERS

    return len(BUILTIN_HANDLERS), BUILTIN_HANDLERS[-1] if BUILTIN_HANDLERS else None


_reference_kinds: list[tuple[tuple[int, Any], list[str] | None]] = []
"""A new session's handler kinds, and the built-in handlers' mark they were
taken at."""


def session_handlers_added(session: Any) -> bool:
    """Whether handlers were registered on a ``boto3.Session``'s events
    beyond those every new session has (botocore's built-in handlers,
    boto3's own): its clients would run them, so only botocore's pipeline
    may carry their requests. ``True`` also when the emitter cannot be read.
    The reference is a new ``boto3.Session()``'s, made again whenever
    botocore's built-in handlers change (``builtin_handlers_mark``)."""
    import boto3.session

    theirs = _handler_kinds(session._session.get_component("event_emitter"))
    mark = builtin_handlers_mark()
    if not _reference_kinds or _reference_kinds[0][0] != mark:
        fresh = boto3.session.Session()
        kinds = _handler_kinds(fresh._session.get_component("event_emitter"))
        _reference_kinds[:] = [(mark, kinds)]
    reference = _reference_kinds[0][1]
    if theirs is None or reference is None:
        return True
    pending = list(reference)
    for kind in theirs:
        if kind in pending:
            pending.remove(kind)
        else:
            return True
    return False


def handlers_added(client: Any) -> bool:
    """Whether a handler was registered on the client's events since
    ``watch_handlers``."""
    return bool(getattr(client.meta.events, _ADDED, False))


def sign(client: Any, operation: str, request: Any) -> None:
    """Signs ``request`` (a botocore ``AWSRequest``) for ``operation`` with
    the client's own signer (``client._request_signer``), as its pipeline
    signs a request: the fault injector of ``dynamorm.testing`` signs again
    a body it cut."""
    client._request_signer.sign(operation, request)


def http_session(client: Any) -> URLLib3Session | None:
    """The botocore HTTP session the client sends through
    (``client._endpoint.http_session``), when it is a ``URLLib3Session``."""
    session = getattr(getattr(client, "_endpoint", None), "http_session", None)
    return session if isinstance(session, URLLib3Session) else None


def session_verify(session: URLLib3Session) -> bool | str:
    """How ``session`` verifies servers' TLS certificates
    (``session._verify``): ``True`` (botocore's CA bundle,
    ``botocore.httpsession.get_cert_path`` names it), ``False`` (no
    verification), or the path of a CA bundle (``verify=``, the profile's
    ``ca_bundle``, ``AWS_CA_BUNDLE`` or ``REQUESTS_CA_BUNDLE``)."""
    verify: bool | str = session._verify
    return verify


def proxy_for(session: URLLib3Session, url: str) -> tuple[str | None, dict[str, str], bool]:
    """The proxy ``session`` sends a request for ``url`` through
    (``session._proxy_config``: the ``Config``'s ``proxies`` or the
    environment's, for the URL's scheme; ``None`` for none), the headers it
    adds for that proxy (``Proxy-Authorization`` from the proxy URL's
    credentials), and whether ``proxies_config`` sets anything (a proxy CA
    bundle or client certificate, forwarding for ``https``)."""
    config = session._proxy_config
    proxy: str | None = config.proxy_url_for(url)
    headers: dict[str, str] = config.proxy_headers_for(proxy) if proxy else {}
    settings = any(value is not None for value in (config.settings or {}).values())
    return proxy, headers, settings


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
