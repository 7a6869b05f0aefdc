"""Shared helpers for the DB integration tests (no tests here): model
definitions on fresh tables, tables built from a model's keys and indexes, a
recorder of the operations a client sends, and a table several models share
with its items read and written by the plain client."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import boto3
from dynamorm import Model, field
from dynamorm.model.meta import key_tag

from tests.conftest import make_db


class Recorder:
    """Records every request a boto3 client sends (botocore's ``before-send``
    event, once per HTTP attempt): the operation's name and the parameters
    the JSON body carries; the real request still goes out.

    The body, not botocore's API parameters: on a client the ``DB`` made
    itself, with the fast path, the Rust core writes the body and botocore's
    parameters hold only the table names, so only the body shows what was
    asked in both modes (``tests.conftest.CLIENT``)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.ops: list[str] = []
        self.params: list[dict[str, Any]] = []
        client.meta.events.register("before-send.dynamodb", self._record)

    def _record(self, request: Any, event_name: str, **_: Any) -> None:
        self.ops.append(event_name.rsplit(".", 1)[-1])
        self.params.append(json.loads(request.body))

    def clear(self) -> None:
        self.ops.clear()
        self.params.clear()


def new_client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_table_for(client: Any, model: type[Model]) -> None:
    """Creates the table of ``model`` (keys, GSIs, LSIs) with the raw client."""
    meta = model.__dynamorm__
    attrs: dict[str, str] = {}

    def key_schema(pk: Any, sk: Any) -> list[dict[str, str]]:
        out = [{"AttributeName": pk.attr, "KeyType": "HASH"}]
        attrs[pk.attr] = "B" if pk.binary else key_tag(pk.info)
        if sk is not None:
            out.append({"AttributeName": sk.attr, "KeyType": "RANGE"})
            attrs[sk.attr] = "B" if sk.binary else key_tag(sk.info)
        return out

    params: dict[str, Any] = {
        "TableName": meta.table,
        "KeySchema": key_schema(meta.pk, meta.sk),
        "BillingMode": "PAY_PER_REQUEST",
    }
    gsis = [
        {
            "IndexName": i.name,
            "KeySchema": key_schema(i.pk, i.sk),
            "Projection": {"ProjectionType": "ALL"},
        }
        for i in meta.indexes.values()
        if i.type == "GSI"
    ]
    lsis = [
        {
            "IndexName": i.name,
            "KeySchema": key_schema(i.pk, i.sk),
            "Projection": {"ProjectionType": "ALL"},
        }
        for i in meta.indexes.values()
        if i.type == "LSI"
    ]
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    params["AttributeDefinitions"] = [
        {"AttributeName": a, "AttributeType": t} for a, t in attrs.items()
    ]
    client.create_table(**params)
    client.get_waiter("table_exists").wait(
        TableName=meta.table, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )


def define_note(table: str) -> Any:
    """A one-key model on ``table``: a string ``pk`` and an ``int``."""

    class Note(Model, table=table):
        pk: str = field(pk=True)
        n: int = 0

    return Note


def define_user(table: str) -> Any:
    class User(Model, table=table):
        id: str = field(pk=True)
        email: str = field(sk=True)
        name: str = ""
        status: str = field(default="active", gsi_pk="status-index")
        score: int = field(default=0, gsi_sk="status-index")
        rank: int = field(default=0, lsi="rank-index")
        created: datetime = field(created_at=True)
        updated: datetime = field(updated_at=True)
        version: int = field(version=True)
        expires: datetime | None = field(ttl=True, default=None)
        tags: set[str] = field(default_factory=set, omit_empty=True)
        counts: set[int] = field(default_factory=set)
        profile: dict[str, Any] = field(default_factory=dict, attr="Profile")
        ratio: float = 0.0
        amount: Decimal = Decimal("0")
        nick: str = field(default="", omit_empty=True)
        data: bytes | None = None
        items: list[Any] = field(default_factory=list)

    return User


class Env:
    """A ``DB`` (``make_db``; a recorder on its client) and a ``User`` model
    on a fresh table."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.db = make_db(endpoint)
        self.client = self.db.client
        self.recorder = Recorder(self.client)
        self.table = f"users-{uuid.uuid4().hex[:10]}"
        self.User = define_user(self.table)
        create_table_for(self.client, self.User)
        self.recorder.clear()

    def raw(self, id: str, email: str) -> dict[str, Any]:
        """The stored item, read with a plain boto3 get_item."""
        out = self.client.get_item(
            TableName=self.table, Key={"id": {"S": id}, "email": {"S": email}}
        )
        item: dict[str, Any] = out.get("Item", {})
        return item


@dataclass
class SharedTable:
    """A ``DB`` (``make_db``; a recorder on its client) and one fresh table,
    keyed by the strings ``pk`` and ``sk``, that the models of a single-table
    schema share; a test module's ``Env`` adds its models as fields."""

    db: Any
    client: Any
    recorder: Recorder
    table: str

    def raw(self, pk: str, sk: str) -> dict[str, Any]:
        """The stored item (``{}`` if there is none), read with a plain boto3
        ``get_item``."""
        out = self.client.get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
        item: dict[str, Any] = out.get("Item", {})
        return item

    def put_raw(self, item: dict[str, Any]) -> None:
        """Stores ``item`` (DynamoDB JSON) with a plain boto3 ``put_item``, as
        another service would."""
        self.client.put_item(TableName=self.table, Item=item)


def env_for(endpoint: str) -> Iterator[Env]:
    """The body of each test module's ``env`` fixture: an ``Env`` whose table
    is deleted afterwards."""
    e = Env(endpoint)
    yield e
    e.client.delete_table(TableName=e.table)


def page_size_two(env: Env) -> None:
    """Makes every Query and Scan request of ``env``'s client ask for at most
    two items: ``Limit`` goes into the JSON body before botocore signs it,
    whoever wrote the body (botocore's serializer or the Rust core)."""

    def limit(request: Any, **_: Any) -> None:
        body = json.loads(request.data)
        body.setdefault("Limit", 2)
        request.data = json.dumps(body).encode()

    for operation in ("Query", "Scan"):
        env.client.meta.events.register(f"request-created.dynamodb.{operation}", limit)
