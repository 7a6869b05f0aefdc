"""The botocore client a ``DB`` sends through: made here (``make_client``) or
given (``check_client``), and wired into a ``BotocoreTransport``
(``connect``). Nothing here imports botocore before a ``DB`` needs its
client: ``import dynamorm`` stays free of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dynamorm.transport.botocore import BotocoreTransport
    from dynamorm.transport.direct import DirectTransport

from typing import Any
from urllib.parse import urlsplit

from dynamorm.errors import ValidationError

__all__ = ["check_client", "connect", "make_client", "wired"]

_REGION_HELP = (
    "pass region_name=..., or set AWS_REGION (or AWS_DEFAULT_REGION), "
    "or a region in the AWS config profile"
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


def make_client(*, region_name: str | None = None, endpoint_url: str | None = None) -> Any:
    """A boto3 DynamoDB client with botocore's retries off (one attempt per
    call, so the retry scheduler alone decides what is retried and when) and
    botocore's parameter validation off: the library builds every request
    from checked input, and DynamoDB validates what it receives, so the
    client-side pass over each request only costs CPU.

    Raises ``ValidationError`` for a missing or malformed region or endpoint
    (and for any other configuration botocore refuses)."""
    _check_region(region_name)
    _check_endpoint(endpoint_url)
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, InvalidRegionError, NoRegionError

    # ``total_max_attempts`` counts the first attempt; botocore's
    # ``max_attempts`` counts retries only (``max_attempts=1`` would still
    # allow one botocore retry).
    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False
    )
    try:
        return boto3.client(
            "dynamodb", region_name=region_name, endpoint_url=endpoint_url, config=config
        )
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


def check_client(client: object) -> None:
    model = getattr(getattr(client, "meta", None), "service_model", None)
    if getattr(model, "service_name", None) != "dynamodb":
        raise ValidationError(
            f"DB: client must be a boto3 DynamoDB client (boto3.client('dynamodb')), got {client!r}"
        )


def _direct_wanted() -> bool:
    """Whether the library's own request path may be used (not when
    ``DYNAMORM_BOTOCORE_PIPELINE=1`` asks for botocore's on every call)."""
    import os

    return os.environ.get("DYNAMORM_BOTOCORE_PIPELINE", "") != "1"


def connect(
    client: Any,
    *,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    fast_path: bool = True,
) -> BotocoreTransport | DirectTransport:
    """The transport of a ``DB``: on ``client`` (checked to be a DynamoDB
    client), or on one made here from ``region_name``/``endpoint_url``. With
    ``fast_path`` the library's item reads decode in the Rust core; on a
    client made here the Rust core also writes and signs the requests, and
    deadlines bound each attempt in flight. Every answer is shape-checked;
    pooled connections are dropped in a forked child."""
    from dynamorm.transport import forking, signing
    from dynamorm.transport._botocore_private import use_deadline_session

    own = client is None
    if own:
        client = make_client(region_name=region_name, endpoint_url=endpoint_url)
    else:
        check_client(client)
    if own:
        # A deadline bounds each attempt in flight too; a client you pass
        # keeps the timeouts of its own Config.
        use_deadline_session(client)
    forking.track(client)
    if fast_path and own and _direct_wanted() and signing.direct_signing_available():
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
