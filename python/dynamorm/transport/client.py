"""The boto3 DynamoDB client a ``DB`` creates for itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from dynamorm.errors import ValidationError

__all__ = ["check_client", "make_client"]

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
