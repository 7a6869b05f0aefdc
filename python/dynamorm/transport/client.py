"""The botocore client a ``DB`` sends through: made here (``make_client``) or
given (``check_client``), and wired into a ``BotocoreTransport``
(``connect``). Nothing here imports botocore before a ``DB`` needs its
client: ``import dynamorm`` stays free of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dynamorm.transport.botocore import BotocoreTransport
    from dynamorm.transport.direct import DirectTransport

import os
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from dynamorm.errors import ValidationError

__all__ = ["check_client", "connect", "make_client", "wired"]

_REGION_HELP = (
    "pass region_name=... (or a session= with a region), or set AWS_REGION "
    "(or AWS_DEFAULT_REGION), or a region in the AWS config profile"
)


def _check_region(region_name: object) -> None:
    if region_name is not None and (not isinstance(region_name, str) or not region_name):
        raise ValidationError(
            f"DB: region_name must be a region name such as 'us-east-1', got {region_name!r}"
        )


def _check_endpoint(endpoint_url: object) -> None:
    if endpoint_url is None:
        return
    if not isinstance(endpoint_url, str):
        raise ValidationError(
            f"DB: endpoint_url must be a URL string such as 'http://127.0.0.1:8000', "
            f"got {endpoint_url!r}"
        )
    try:
        parts = urlsplit(endpoint_url)
        parts.port  # noqa: B018  # raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationError(f"DB: endpoint_url {endpoint_url!r} is not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"DB: endpoint_url must be an http:// or https:// URL with a host, got {endpoint_url!r}"
        )


def _check_verify(verify: object) -> None:
    if verify is None or isinstance(verify, bool):
        return
    if not isinstance(verify, str) or not verify:
        raise ValidationError(
            f"DB: verify must be True, False, None or the path of a CA bundle, got {verify!r}"
        )
    if not os.path.exists(verify):
        raise ValidationError(f"DB: verify: no CA bundle at {verify!r}")


def _check_config(config: object) -> None:
    """``config`` is a botocore ``Config`` whose client certificate, if any,
    names files that exist (urllib3 would only fail on the first request,
    as a connection error retried like any other)."""
    from botocore.config import Config

    if config is None:
        return
    if not isinstance(config, Config):
        raise ValidationError(f"DB: config must be a botocore.config.Config, got {config!r}")
    cert = config.client_cert
    if cert is None:
        return
    paths = (cert,) if isinstance(cert, str) else cert
    if (
        not isinstance(paths, tuple)
        or len(paths) != (1 if isinstance(cert, str) else 2)
        or not all(isinstance(path, str) and path for path in paths)
    ):
        raise ValidationError(
            "DB: config client_cert must be the path of a PEM file holding the "
            f"certificate and its key, or a (certificate, key) pair of paths, got {cert!r}"
        )
    for path in paths:
        if not os.path.isfile(path):
            raise ValidationError(f"DB: config client_cert: no file at {path!r}")


def _check_session(session: object) -> None:
    if session is None:
        return  # boto3 is not imported for nothing
    import boto3.session

    if not isinstance(session, boto3.session.Session):
        raise ValidationError(
            "DB: session must be a boto3.Session (boto3.Session(profile_name=...), "
            f"or boto3.Session(botocore_session=...) around a botocore one), got {session!r}"
        )


# What every client ``make_client`` creates is configured with, over the
# user's ``Config``. ``total_max_attempts`` counts the first attempt;
# botocore's ``max_attempts`` counts retries only (``max_attempts=1`` would
# still allow one botocore retry).
_REQUIRED_CONFIG: dict[str, Any] = {
    "retries": {"total_max_attempts": 1, "mode": "standard"},
    "parameter_validation": False,
}


def make_client(
    *,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    config: Any = None,
    session: Any = None,
    verify: bool | str | None = None,
) -> Any:
    """A DynamoDB client with botocore's retries off (one attempt per
    call, so the retry scheduler alone decides what is retried and when) and
    botocore's parameter validation off: the library builds every request
    from checked input, and DynamoDB validates what it receives, so the
    client-side pass over each request only costs CPU.

    ``config`` (a botocore ``Config``) is merged under those two settings
    (``Config.merge``: everything else it sets applies as given); the client
    is made from ``session`` (a ``boto3.Session``: its credentials, profile
    and region) or boto3's default one; ``verify`` is boto3's own client
    argument (``False``, or the path of a CA bundle).

    Raises ``ValidationError`` for a missing or malformed region or endpoint,
    a ``config``, ``session`` or ``verify`` of the wrong kind (and for any
    other configuration botocore refuses)."""
    _check_region(region_name)
    _check_endpoint(endpoint_url)
    _check_verify(verify)
    _check_config(config)
    _check_session(session)
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, InvalidRegionError, NoRegionError

    required = Config(**_REQUIRED_CONFIG)
    merged = required if config is None else config.merge(required)
    options = {
        "region_name": region_name,
        "endpoint_url": endpoint_url,
        "config": merged,
        "verify": verify,
    }
    try:
        if session is not None:
            return session.client("dynamodb", **options)
        return _default_client(options)
    except NoRegionError as exc:
        raise ValidationError(f"DB: no AWS region is configured: {_REGION_HELP}") from exc
    except InvalidRegionError as exc:
        raise ValidationError(
            f"DB: region_name {region_name!r} is not a region name such as 'us-east-1'"
        ) from exc
    except (BotoCoreError, ValueError) as exc:
        # botocore's ValueError: an endpoint it cannot use (e.g. one derived
        # from a region in the environment).
        raise ValidationError(f"DB: cannot create a DynamoDB client: {exc}") from exc


_default_lock = threading.Lock()
_default_sessions: list[tuple[Any, Any]] = []


def _default_client(options: dict[str, Any]) -> Any:
    """A DynamoDB client from boto3's default session when one is set up
    (``boto3.setup_default_session``, or any ``boto3.client`` call), else
    from the library's own botocore session, one per process, which resolves
    credentials, region and configuration as boto3's would: boto3 adds
    nothing to a DynamoDB client but its name in the user agent, and
    importing it (with s3transfer and multiprocessing) costs about a tenth
    of a cold start's CPU."""
    from dynamorm.transport._botocore_private import builtin_handlers_mark
    from dynamorm.transport.direct import moto_active

    boto3 = sys.modules.get("boto3")
    if boto3 is not None and (boto3.DEFAULT_SESSION is not None or moto_active()):
        # moto's mock_aws hands each boto3 client made inside it a new session.
        return boto3.client("dynamodb", **options)
    # A session made before a library added built-in handlers (moto's import
    # adds its stubber) would not give its clients those handlers.
    handlers = builtin_handlers_mark()
    with _default_lock:
        if not _default_sessions or _default_sessions[0][0] != handlers:
            import botocore.session

            _default_sessions[:] = [(handlers, botocore.session.get_session())]
        return _default_sessions[0][1].create_client("dynamodb", **options)


def check_client(client: object) -> None:
    model = getattr(getattr(client, "meta", None), "service_model", None)
    if getattr(model, "service_name", None) != "dynamodb":
        raise ValidationError(
            f"DB: client must be a boto3 DynamoDB client (boto3.client('dynamodb')), got {client!r}"
        )


def _direct_wanted() -> bool:
    """Whether the library's own request path may be used (not when
    ``DYNAMORM_BOTOCORE_PIPELINE=1`` asks for botocore's on every call)."""
    return os.environ.get("DYNAMORM_BOTOCORE_PIPELINE", "") != "1"


def _discovers_endpoints(config: Any, endpoint_url: str | None) -> bool:
    """Whether the user's ``Config`` turns on endpoint discovery, which
    botocore's pipeline does (``DescribeEndpoints``, then the endpoint it
    names) and the library's own request path does not."""
    if endpoint_url is not None or config is None:
        return False  # botocore discovers nothing for a custom endpoint
    enabled = config.endpoint_discovery_enabled
    if isinstance(enabled, str):
        return enabled.strip().lower() == "true"
    return enabled is True


def _session_listened(session: Any) -> bool:
    from dynamorm.transport._botocore_private import session_handlers_added

    return session_handlers_added(session)


def connect(
    client: Any,
    *,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    config: Any = None,
    session: Any = None,
    verify: bool | str | None = None,
    fast_path: bool = True,
) -> BotocoreTransport | DirectTransport:
    """The transport of a ``DB``: on ``client`` (checked to be a DynamoDB
    client), or on one made here (``make_client``) from ``region_name``,
    ``endpoint_url``, ``config``, ``session`` and ``verify``. With
    ``fast_path`` the library's item reads decode in the Rust core; on a
    client made here the Rust core also writes and signs the requests, and
    deadlines bound each attempt in flight. Every answer is shape-checked;
    pooled connections are dropped in a forked child."""
    from dynamorm.transport import forking, signing
    from dynamorm.transport._botocore_private import use_deadline_session

    own = client is None
    if own:
        client = make_client(
            region_name=region_name,
            endpoint_url=endpoint_url,
            config=config,
            session=session,
            verify=verify,
        )
    else:
        check_client(client)
    if own:
        # A deadline bounds each attempt in flight too; a client you pass
        # keeps the timeouts of its own Config.
        use_deadline_session(client)
    forking.track(client)
    if (
        fast_path
        and own
        and _direct_wanted()
        # Unless the client's Config asks for another signature (botocore
        # signs, and carries every request) or for endpoint discovery.
        and signing.signs_v4(client)
        and signing.direct_signing_available()
        and not _discovers_endpoints(config, endpoint_url)
        # Handlers a user registered on the session: its clients run them.
        and (session is None or not _session_listened(session))
    ):
        from dynamorm.transport.direct import DirectTransport

        # The library's own request path for the data-plane operations;
        # botocore's pipeline, wired when first needed (its hooks' checks
        # cost more than a cold start's first request), for everything else
        # and whenever something may be listening to it
        # (dynamorm.transport.direct).
        return DirectTransport(client, lambda: wired(client, own=True, fast_path=True))
    return wired(client, own=own, fast_path=fast_path)


def wired(client: Any, *, own: bool, fast_path: bool) -> BotocoreTransport:
    """A ``BotocoreTransport`` on ``client``, its hooks wired: on the fast
    path item reads decode in the Rust core, and on a client made here (no
    parameter validation) the Rust core writes and signs the requests."""
    from dynamorm.transport import hooks, signing
    from dynamorm.transport.botocore import BotocoreTransport

    fast = fast_path and hooks.wire(client)
    # Answers are shape-checked on either path (the fast path's handler
    # checks what it leaves to botocore).
    checked = fast or hooks.wire_checks(client)
    # Request bodies are written by the Rust core only on a client made
    # here (validation off); yours keeps botocore's validating serializer.
    fast_requests = fast_path and own and hooks.wire_requests(client)
    if fast_path and own:
        # Signed by the Rust core (the header botocore's signer would write).
        signing.wire_signing(client)
    return BotocoreTransport(client, fast=fast, fast_requests=fast_requests, checked=checked)
