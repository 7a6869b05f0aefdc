"""Session fixtures: a real DynamoDB-compatible server over HTTP.

Integration tests get ``ddb_endpoint`` / ``ddb_client`` pointing at a server
started here (moto's server by default), with dummy credentials. Set
``DYNAMORM_TEST_ENDPOINT`` to use a server that is already running instead.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests._support.servers import running, start_moto

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)

REGION = "us-east-1"


@pytest.fixture(scope="session")
def ddb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    existing = os.environ.get("DYNAMORM_TEST_ENDPOINT")
    if existing:
        yield existing
        return
    log_dir = Path(tmp_path_factory.mktemp("servers"))
    with running(start_moto(log_dir)) as server:
        yield server.endpoint


@pytest.fixture(scope="session")
def ddb_client(ddb_endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=ddb_endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def make_table(ddb_client: Any) -> Iterator[Callable[..., str]]:
    """Creates tables with unique names (``pk``/``sk`` string keys by default)
    and deletes them after the test."""
    created: list[str] = []

    def make(
        pk: str = "pk",
        sk: str | None = "sk",
        pk_type: str = "S",
        sk_type: str = "S",
    ) -> str:
        name = f"t-{uuid.uuid4().hex[:12]}"
        schema = [{"AttributeName": pk, "KeyType": "HASH"}]
        attrs = [{"AttributeName": pk, "AttributeType": pk_type}]
        if sk is not None:
            schema.append({"AttributeName": sk, "KeyType": "RANGE"})
            attrs.append({"AttributeName": sk, "AttributeType": sk_type})
        ddb_client.create_table(
            TableName=name,
            KeySchema=schema,
            AttributeDefinitions=attrs,
            BillingMode="PAY_PER_REQUEST",
        )
        ddb_client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
        )
        created.append(name)
        return name

    yield make
    for name in created:
        with contextlib.suppress(ddb_client.exceptions.ResourceNotFoundException):
            ddb_client.delete_table(TableName=name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
