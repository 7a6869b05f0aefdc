"""Shared helpers for the batch tests (no tests here): a model with a sort
key and reserved-word attribute names, a partition-key-only model, each on a
fresh table, and a recorder of the requests a client sends."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from dynamorm import DB, Model, field

from tests._support.proxy import FaultProxy
from tests.conftest import make_db
from tests.integration.db_models import Recorder, create_table_for


def define_models(suffix: str) -> tuple[Any, Any]:
    class Doc(Model, table=f"docs-{suffix}"):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        name: str = ""  # NAME, STATUS, SIZE and DATA are reserved words
        status: str = "new"
        size: int = 0
        data: str = ""
        created: datetime = field(created_at=True)
        updated: datetime = field(updated_at=True)
        version: int = field(version=True)

    class Tag(Model, table=f"tags-{suffix}"):
        id: int = field(pk=True)
        label: str = ""

    return Doc, Tag


class BatchEnv:
    """A ``DB`` (``db``, or ``make_db`` on ``endpoint``; a request recorder on
    its client) and the two models on fresh tables."""

    def __init__(self, endpoint: str, db: DB | None = None) -> None:
        self.db = make_db(endpoint) if db is None else db
        self.client = self.db.client
        self.recorder = Recorder(self.client)
        self.Doc, self.Tag = define_models(uuid.uuid4().hex[:10])
        create_table_for(self.client, self.Doc)
        create_table_for(self.client, self.Tag)
        self.recorder.clear()

    def seed(self, n: int, *, prefix: str = "p", size: int = 0) -> list[Any]:
        """Writes ``n`` docs with plain boto3 ``batch_write_item`` calls
        (keys ``(prefix, "s0000")``, ...) and clears the recorder."""
        docs = [
            self.Doc(pk=prefix, sk=f"s{i:04d}", name=f"n{i}", size=i, data="x" * size)
            for i in range(n)
        ]
        table = self.Doc.__dynamorm__.table
        requests = [{"PutRequest": {"Item": doc.to_item()}} for doc in docs]
        for start in range(0, n, 25):
            pending = {table: requests[start : start + 25]}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending)["UnprocessedItems"]
        self.recorder.clear()
        return docs

    def batch_requests(self, operation: str = "BatchGetItem") -> list[dict[str, Any]]:
        """The parameters of every ``operation`` request sent since the last clear."""
        return [
            p
            for op, p in zip(self.recorder.ops, self.recorder.params, strict=True)
            if op == operation
        ]

    def drop(self) -> None:
        for model in (self.Doc, self.Tag):
            self.client.delete_table(TableName=model.__dynamorm__.table)


def batch_env(endpoint: str, db: DB | None = None) -> Iterator[BatchEnv]:
    """The body of a test module's ``env`` fixture."""
    env = BatchEnv(endpoint, db)
    yield env
    env.drop()


def get_sizes(proxy: FaultProxy) -> list[int]:
    """The number of keys of each BatchGetItem request the proxy saw."""
    return [
        len(spec["Keys"])
        for r in proxy.of("BatchGetItem")
        for spec in r.body["RequestItems"].values()
    ]


def write_sizes(proxy: FaultProxy) -> list[int]:
    """The number of write requests of each BatchWriteItem the proxy saw."""
    return [
        len(reqs) for r in proxy.of("BatchWriteItem") for reqs in r.body["RequestItems"].values()
    ]


class RandomFaults:
    """A proxy hook that, per batch request, throttles, fails with a 500,
    leaves a random subset unprocessed (forwarding the rest itself), or lets
    it through — as ``rng`` decides."""

    def __init__(self, upstream: Any, rate: float = 1.0) -> None:
        self.upstream = upstream
        self.rate = rate
        self.rng = random.Random(0)
        self.lock = threading.Lock()

    def __call__(self, operation: str, body: dict[str, Any]) -> Any:
        with self.lock:
            roll = self.rng.random() / self.rate
            seed = self.rng.random()
        if roll < 0.15:
            return 400, {"__type": "ProvisionedThroughputExceededException", "message": "x"}
        if roll < 0.25:
            return 500, {"__type": "InternalServerError", "message": "x"}
        if roll < 0.6:
            return 200, self._partial(operation, body, random.Random(seed))
        return None

    def _partial(self, operation: str, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        ((table, spec),) = body["RequestItems"].items()
        entries = list(spec["Keys"] if operation == "BatchGetItem" else spec)
        held = rng.sample(entries, rng.randint(1, len(entries)))
        sent = [e for e in entries if e not in held]
        if operation == "BatchGetItem":
            found = []
            if sent:
                out = self.upstream.batch_get_item(RequestItems={table: {**spec, "Keys": sent}})
                found = out["Responses"][table]
                assert not out.get("UnprocessedKeys")
            return {
                "Responses": {table: found},
                "UnprocessedKeys": {table: {**spec, "Keys": held}},
            }
        if sent:
            out = self.upstream.batch_write_item(RequestItems={table: sent})
            assert not out.get("UnprocessedItems")
        return {"UnprocessedItems": {table: held}}
