"""The state machine: one generated operation per rule, sent to every
implementation of a comparison, the answers compared, and after every write
the contents of every table compared too.

Each run (one hypothesis example) creates its own tables on every
implementation and deletes them at the end. A difference fails the run with
a report of the step and the answers; hypothesis then shrinks it to the
shortest sequence of steps that still differs, and prints it.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from hypothesis import stateful

from tests.differential import requests as rq
from tests.differential import tables as tb
from tests.differential.compare import differences
from tests.differential.steps import Step, contents, run


class Differential(stateful.RuleBasedStateMachine):
    """Sends each generated step to ``clients`` (by implementation name, the
    reference first); ``operations`` are those they all implement. Made per
    comparison by ``machine_for``."""

    clients: ClassVar[dict[str, Any]] = {}
    operations: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self.prefix = f"d{uuid.uuid4().hex[:10]}"
        self.steps = 0
        for client in self.clients.values():
            for table in tb.TABLES:
                client.create_table(**table.create_request(tb.physical(self.prefix, table.name)))
            for table in tb.TABLES:
                client.get_waiter("table_exists").wait(
                    TableName=tb.physical(self.prefix, table.name),
                    WaiterConfig={"Delay": 0.05, "MaxAttempts": 200},
                )

    def teardown(self) -> None:
        for client in self.clients.values():
            for table in tb.TABLES:
                with contextlib.suppress(ClientError):
                    client.delete_table(TableName=tb.physical(self.prefix, table.name))

    def check(self, operation: str, request: dict[str, Any]) -> None:
        step = Step(operation, request)
        self.steps += 1
        outcomes = {name: run(client, step, self.prefix) for name, client in self.clients.items()}
        report = differences(step, outcomes)
        assert report is None, f"step {self.steps} answered differently:\n{report}"
        if operation in rq.WRITES:
            self.check_contents(step)

    def check_contents(self, after: Step) -> None:
        found = {name: contents(client, self.prefix) for name, client in self.clients.items()}
        for table in tb.TABLES:
            scan = Step("Scan", {"TableName": table.name})
            report = differences(scan, {name: tables[table.name] for name, tables in found.items()})
            assert report is None, (
                f"after step {self.steps}, {after.operation} {after.request!r}, table "
                f"{table.name} holds different items:\n{report}"
            )

    def _has(self, operation: str) -> bool:
        return operation in self.operations

    @stateful.rule(request=rq.OPERATIONS["PutItem"])
    def put_item(self, request: dict[str, Any]) -> None:
        self.check("PutItem", request)

    @stateful.rule(request=rq.OPERATIONS["UpdateItem"])
    def update_item(self, request: dict[str, Any]) -> None:
        self.check("UpdateItem", request)

    @stateful.rule(request=rq.OPERATIONS["DeleteItem"])
    def delete_item(self, request: dict[str, Any]) -> None:
        self.check("DeleteItem", request)

    @stateful.rule(request=rq.OPERATIONS["GetItem"])
    def get_item(self, request: dict[str, Any]) -> None:
        self.check("GetItem", request)

    @stateful.rule(request=rq.OPERATIONS["Query"])
    def query(self, request: dict[str, Any]) -> None:
        self.check("Query", request)

    @stateful.rule(request=rq.OPERATIONS["Scan"])
    def scan(self, request: dict[str, Any]) -> None:
        self.check("Scan", request)

    @stateful.rule(request=rq.OPERATIONS["BatchGetItem"])
    def batch_get_item(self, request: dict[str, Any]) -> None:
        self.check("BatchGetItem", request)

    @stateful.rule(request=rq.OPERATIONS["BatchWriteItem"])
    def batch_write_item(self, request: dict[str, Any]) -> None:
        self.check("BatchWriteItem", request)

    @stateful.precondition(lambda self: self._has("TransactWriteItems"))
    @stateful.rule(request=rq.OPERATIONS["TransactWriteItems"])
    def transact_write_items(self, request: dict[str, Any]) -> None:
        self.check("TransactWriteItems", request)

    @stateful.precondition(lambda self: self._has("TransactGetItems"))
    @stateful.rule(request=rq.OPERATIONS["TransactGetItems"])
    def transact_get_items(self, request: dict[str, Any]) -> None:
        self.check("TransactGetItems", request)


def machine_for(clients: dict[str, Any], transactions: bool) -> type[Differential]:
    """A ``Differential`` over ``clients``, with transactions or without."""
    operations = frozenset(rq.OPERATIONS) - (frozenset() if transactions else rq.TRANSACTIONS)
    return type(
        "Differential",
        (Differential,),
        {"clients": clients, "operations": operations},
    )
