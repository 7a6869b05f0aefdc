"""``DB(...)`` refuses what it cannot use at construction, with a
``ValidationError`` naming ``DB`` and the option: no botocore exception, bare
``ValueError`` or ``TypeError`` escapes, and nothing is left to fail later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, InvalidRegionError, NoRegionError
from dynamorm import DB, RetryPolicy
from dynamorm.errors import ValidationError
from dynamorm.transport._botocore_private import frozen_credentials
from dynamorm.transport.direct import DirectTransport

from tests._support.sessions import fresh_sessions


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
    fresh_sessions(monkeypatch)


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


@pytest.mark.parametrize("config", [{"read_timeout": 1}, "Config()", Config])
def test_a_config_that_is_not_a_botocore_config_is_refused(config: Any) -> None:
    error = refused(region_name="us-east-1", config=config)
    assert "DB: config must be a botocore.config.Config" in str(error)


@pytest.mark.parametrize("session", ["default", object(), botocore.session.Session()])
def test_a_session_that_is_not_a_boto3_session_is_refused(session: Any) -> None:
    error = refused(region_name="us-east-1", session=session)
    assert "DB: session must be a boto3.Session" in str(error)


@pytest.mark.parametrize("verify", [1, b"/etc/ssl/ca.pem", "", Path("/etc")])
def test_verify_must_be_a_bool_none_or_a_ca_bundle_path(verify: Any) -> None:
    error = refused(region_name="us-east-1", verify=verify)
    assert "DB: verify must be True, False, None or the path of a CA bundle" in str(error)


def test_verify_naming_a_missing_ca_bundle_is_refused(tmp_path: Path) -> None:
    missing = str(tmp_path / "ca.pem")
    assert f"DB: verify: no CA bundle at {missing!r}" in str(
        refused(region_name="us-east-1", verify=missing)
    )


@pytest.mark.parametrize("cert", [["c.pem", "k.pem"], ("c.pem",), ("c", "k", "x"), ("c", 5), 5])
def test_a_client_cert_that_is_not_a_path_or_a_pair_of_paths_is_refused(cert: Any) -> None:
    error = refused(region_name="us-east-1", config=Config(client_cert=cert))
    assert "DB: config client_cert must be the path of a PEM file" in str(error)


def test_a_client_cert_file_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("")
    key = str(tmp_path / "key.pem")
    for given in (key, (str(cert), key)):
        error = refused(region_name="us-east-1", config=Config(client_cert=given))
        assert f"DB: config client_cert: no file at {key!r}" in str(error)


@pytest.mark.parametrize(
    "options",
    [
        {"config": Config()},
        {"session": boto3.Session(region_name="us-east-1")},
        {"verify": False},
        {"region_name": "us-east-1", "endpoint_url": "http://127.0.0.1:8000"},
    ],
    ids=["config", "session", "verify", "region and endpoint"],
)
def test_the_options_of_a_created_client_are_refused_with_a_client(
    options: dict[str, Any],
) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    error = refused(client=client, **options)
    names = ", ".join(f"{name}=" for name in options)
    assert str(error).startswith(f"DB: pass either client= or {names} ")


@pytest.mark.usefixtures("no_region")
def test_the_config_is_checked_before_any_client_is_made() -> None:
    # With no region anywhere, making the client would fail first.
    assert "DB: config must be" in str(refused(config={"region_name": "us-east-1"}))


@pytest.mark.usefixtures("no_region")
def test_no_region_says_a_session_may_carry_one() -> None:
    assert "session=" in str(refused(session=boto3.Session()))


def test_the_users_config_is_merged_under_the_librarys_retries_and_validation() -> None:
    mine = Config(
        read_timeout=7,
        connect_timeout=3,
        max_pool_connections=3,
        retries={"max_attempts": 9, "mode": "adaptive"},
        parameter_validation=True,
        user_agent_appid="orders",
    )
    db = DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:9", config=mine)
    config = db.client.meta.config
    assert (config.read_timeout, config.connect_timeout, config.max_pool_connections) == (7, 3, 3)
    assert config.user_agent_appid == "orders"
    assert config.retries == {"total_max_attempts": 1, "mode": "standard"}
    assert mine.retries == {"max_attempts": 9, "mode": "adaptive"}  # yours is left as it was
    # Parameter validation off: a malformed call goes out (and finds no server)
    # instead of failing botocore's validation.
    with pytest.raises(EndpointConnectionError):
        db.client.get_item(TableName="t", Key={"pk": {"S": 5}})


def test_the_sessions_region_is_used_unless_region_name_is_given() -> None:
    session = boto3.Session(region_name="eu-west-2")
    assert DB(session=session).client.meta.region_name == "eu-west-2"
    assert DB(session=session, region_name="ap-south-1").client.meta.region_name == "ap-south-1"


@pytest.mark.usefixtures("no_region")
def test_a_profile_sessions_region_and_credentials_are_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile orders]\nregion = ca-central-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[orders]\naws_access_key_id = AKIDORDERS\naws_secret_access_key = orders-secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    db = DB(session=boto3.Session(profile_name="orders"))
    assert db.client.meta.region_name == "ca-central-1"
    assert frozen_credentials(db.client).access_key == "AKIDORDERS"


@pytest.mark.parametrize("enabled", [True, "true"])
def test_a_config_that_discovers_endpoints_keeps_botocores_pipeline(enabled: Any) -> None:
    config = Config(endpoint_discovery_enabled=enabled)
    assert not isinstance(
        DB(region_name="us-east-1", config=config)._executor.transport, DirectTransport
    )
    # botocore discovers nothing for an endpoint given: the library's path.
    db = DB(region_name="us-east-1", endpoint_url="http://127.0.0.1:8000", config=config)
    assert isinstance(db._executor.transport, DirectTransport)
