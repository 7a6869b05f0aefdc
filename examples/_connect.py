"""What every example shares: a ``DB`` and uniquely named tables.

``DYNAMODB_ENDPOINT`` names the server; without it an embedded local server
(moto on 127.0.0.1, ``pip install '.[local]'``) is started and stopped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from dynamorm import DB
from dynamorm.local import LocalServer


def _db(endpoint: str) -> DB:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        # A local server takes any credentials; boto3 still wants some.
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "example"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "example"),
    )
    return DB(client=client)


@contextmanager
def connect() -> Iterator[DB]:
    """A ``DB`` on ``DYNAMODB_ENDPOINT``, or on an embedded server."""
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if endpoint:
        yield _db(endpoint)
        return
    with LocalServer() as server:
        yield _db(server.endpoint_url)


def table_name(name: str) -> str:
    """``name`` plus a random suffix, so runs never share a table."""
    return f"{name}-{uuid.uuid4().hex[:8]}"
