"""``python -m dynamorm demo``: a guided walk that checks each step.

It runs against an embedded local server (moto, 127.0.0.1, random port) unless
an endpoint or AWS is given, creates its own uniquely named tables, and deletes
them at the end. It exits non-zero if any check fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from dynamorm.db import DB
from dynamorm.demo.checks import Checks, Step
from dynamorm.demo.models import Models, define_models
from dynamorm.demo.steps_async import asyncio_step
from dynamorm.demo.steps_read import batch_get, pagination, stream_record
from dynamorm.demo.steps_single_table import single_table
from dynamorm.demo.steps_transact import transactions
from dynamorm.demo.steps_write import conditional_create, guarded_update, models, optimistic_locking

__all__ = ["STEPS", "Checks", "run_demo"]

STEPS: list[Step] = [
    models,
    conditional_create,
    guarded_update,
    optimistic_locking,
    transactions,
    batch_get,
    pagination,
    single_table,
    asyncio_step,
    stream_record,
]
"""The walk, in order; each step prints what it does and checks the result."""


@contextmanager
def _endpoint(endpoint: str | None, use_aws: bool) -> Iterator[str | None]:
    if endpoint or use_aws:
        yield endpoint
        return
    from dynamorm.local import LocalServer

    with LocalServer() as server:
        print(f"Started an embedded local server at {server.endpoint_url}")
        yield server.endpoint_url
    print("Stopped the embedded local server")


def _db(endpoint: str | None, use_aws: bool, region: str) -> DB:
    if use_aws:
        return DB(region_name=region)
    import boto3

    # A local server accepts any credentials; fixed ones keep the demo from
    # depending on (or leaking into) the user's AWS configuration. The DB
    # makes its client, so its requests take the library's own path.
    session = boto3.Session(
        aws_access_key_id="demo", aws_secret_access_key="demo", region_name=region
    )
    return DB(endpoint_url=endpoint, session=session)


def run_demo(endpoint: str | None = None, use_aws: bool = False, region: str = "us-east-1") -> int:
    """Runs the demo; returns the process exit code (0 when every check passed)."""
    checks = Checks()
    with _endpoint(endpoint, use_aws) as url:
        db = _db(url, use_aws, region)
        where = "AWS" if use_aws else url
        print(f"Talking to {where} (region {region})")
        found = define_models(uuid.uuid4().hex[:10])
        _create_tables(db, found)
        try:
            for step in STEPS:
                _run_step(step, checks, db, found)
        finally:
            _delete_tables(db, found)
    print(f"\n{checks.passed} checks passed, {len(checks.failed)} failed")
    for what in checks.failed:
        print(f"  failed: {what}")
    return 1 if checks.failed else 0


def _run_step(step: Step, checks: Checks, db: DB, found: Models) -> None:
    # One broken step must not hide the others: it counts as a failed check
    # and the walk goes on.
    try:
        step(checks, db, found)
    except Exception as exc:
        checks.check(f"{step.__name__} ran to the end", False, f"{type(exc).__name__}: {exc}")


def _create_tables(db: DB, found: Models) -> None:
    for model in found.all():
        db.create_table(model)
        print(f"Created table {model.__dynamorm__.table}")


def _delete_tables(db: DB, found: Models) -> None:
    for model in found.all():
        try:
            db.delete_table(model)
            print(f"Deleted table {model.__dynamorm__.table}")
        except Exception as exc:  # report, and still try the other tables
            print(f"Could not delete table {model.__dynamorm__.table}: {exc}")
