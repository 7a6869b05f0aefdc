"""``DB(...)`` refuses what it cannot use at construction, with a
``ValidationError`` naming ``DB`` and the option: no botocore exception, bare
``ValueError`` or ``TypeError`` escapes, and nothing is left to fail later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import InvalidRegionError, NoRegionError
from dynamorm import DB, RetryPolicy
from dynamorm.errors import ValidationError


def refused(**options: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        DB(**options)
    assert str(info.value).startswith("DB")
    return info.value


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment with no region anywhere botocore looks."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


@pytest.mark.usefixtures("no_region")
def test_no_region_says_how_to_set_one() -> None:
    error = refused()
    assert "no AWS region" in str(error)
    assert "region_name=" in str(error) and "AWS_REGION" in str(error)
    assert isinstance(error.__cause__, NoRegionError)


@pytest.mark.usefixtures("no_region")
def test_no_region_with_an_endpoint_is_refused_too() -> None:
    assert "no AWS region" in str(refused(endpoint_url="http://127.0.0.1:8000"))


def test_a_malformed_region_name_is_refused() -> None:
    error = refused(region_name="us east 1")
    assert "'us east 1'" in str(error)
    assert isinstance(error.__cause__, InvalidRegionError)


@pytest.mark.parametrize("region", [5, "", b"us-east-1"])
def test_a_region_that_is_not_a_name_is_refused(region: Any) -> None:
    assert "region_name must be a region name" in str(refused(region_name=region))


@pytest.mark.parametrize("endpoint", [5, b"http://127.0.0.1:8000", ("127.0.0.1", 8000)])
def test_an_endpoint_that_is_not_a_string_is_refused(endpoint: Any) -> None:
    error = refused(region_name="us-east-1", endpoint_url=endpoint)
    assert "endpoint_url must be a URL string" in str(error)


@pytest.mark.parametrize(
    "endpoint", ["not a url", "127.0.0.1:8000", "ftp://127.0.0.1", "http://", "http://h:99999"]
)
def test_an_endpoint_that_is_not_an_http_url_is_refused(endpoint: str) -> None:
    error = refused(region_name="us-east-1", endpoint_url=endpoint)
    assert "endpoint_url" in str(error) and repr(endpoint) in str(error)


@pytest.mark.parametrize("policy", [3, RetryPolicy, {"max_retries": 1}])
def test_a_retry_policy_that_is_not_a_retry_policy_is_refused(policy: Any) -> None:
    error = refused(region_name="us-east-1", retry_policy=policy)
    assert "retry_policy must be a RetryPolicy" in str(error)


def test_a_given_client_that_is_not_a_dynamodb_client_is_refused() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    for client in ("dynamodb", object(), s3):
        assert "client must be a boto3 DynamoDB client" in str(refused(client=client))


def test_fast_path_must_be_a_bool() -> None:
    assert "fast_path must be a bool" in str(refused(region_name="us-east-1", fast_path=1))


def test_valid_options_are_accepted() -> None:
    db = DB(region_name="us-east-1", endpoint_url="https://127.0.0.1:8000/")
    assert db.client.meta.region_name == "us-east-1"
    assert DB(client=db.client, retry_policy=RetryPolicy(max_retries=0)).client is db.client
