"""``DB(table_prefix=...)``: one set of models for several environments.
Every request of the prefixed ``DB`` goes to the prefixed table — single
items, queries, batches, transactions, table operations — and the answers
read as they do without a prefix."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from dynamorm import KeyPair, Model, field
from dynamorm.errors import TableNotFoundError, ValidationError

from tests.conftest import client_for, make_db


def define(table: str) -> Any:
    class Note(Model, table=table):
        pk: str = field(pk=True)
        sk: str = field(sk=True)
        n: int = 0

    return Note


@pytest.mark.moto_only(reason="it sends transactions, which dynalite does not implement")
def test_every_request_of_a_prefixed_db_goes_to_the_prefixed_table(ddb_endpoint: str) -> None:
    base = f"notes-{uuid.uuid4().hex[:8]}"
    Note = define(base)
    raw = client_for(ddb_endpoint)
    test, prod = (
        make_db(ddb_endpoint, table_prefix="test-"),
        make_db(ddb_endpoint, table_prefix="prod-"),
    )
    for db in (test, prod):
        db.create_table(Note)
    names = set(raw.list_tables()["TableNames"])
    assert {f"test-{base}", f"prod-{base}"} <= names and base not in names

    test.model(Note(pk="a", sk="1", n=1)).create()
    test.model(Note).batch_write(puts=[Note(pk="a", sk=str(i), n=i) for i in range(2, 30)])
    prod.model(Note(pk="a", sk="1", n=100)).create()
    test.model(Note).where("pk", "=", "a").where("sk", "=", "1").update_builder().increment(
        "n"
    ).execute()
    with test.transaction() as tx:
        tx.model(Note(pk="b", sk="1", n=7)).put()
        tx.model(Note(pk="a", sk="2", n=20)).update("n")
    assert test.model(Note).where("pk", "=", "a").where("sk", "=", "1").first().n == 2
    assert prod.model(Note).where("pk", "=", "a").where("sk", "=", "1").first().n == 100
    assert len(test.model(Note).where("pk", "=", "a").all()) == 29
    got = test.model(Note).batch_get([KeyPair("a", str(i)) for i in range(1, 30)] + [("b", "1")])
    assert [n.n for n in got][:3] == [2, 20, 3] and got[-1].n == 7
    (read,) = test.transact_get().get(Note, ("b", "1")).execute()
    assert read is not None and read.n == 7
    test.model(Note(pk="b", sk="1")).delete()
    stored = raw.scan(TableName=f"test-{base}")["Items"]
    assert len(stored) == 29
    assert len(raw.scan(TableName=f"prod-{base}")["Items"]) == 1
    for db in (test, prod):
        db.delete_table(Note)


def test_a_prefixed_db_names_the_table_it_did_not_find(ddb_endpoint: str) -> None:
    Note = define(f"absent-{uuid.uuid4().hex[:8]}")
    db = make_db(ddb_endpoint, table_prefix="env1-")
    with pytest.raises(TableNotFoundError, match=r"\(table 'env1-absent-"):
        db.model(Note).where("pk", "=", "a").where("sk", "=", "1").first()


@pytest.mark.parametrize("prefix", ["prod/", "a b", 3])
def test_a_prefix_a_table_name_cannot_hold_is_refused(ddb_endpoint: str, prefix: Any) -> None:
    with pytest.raises(ValidationError, match="table_prefix"):
        make_db(ddb_endpoint, table_prefix=prefix)
