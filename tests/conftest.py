"""Session fixtures: a real DynamoDB-compatible server over HTTP.

Integration tests get ``ddb_endpoint`` / ``ddb_client`` pointing at a server
started here, with dummy credentials: moto's server by default, dynalite with
``DYNAMORM_TEST_SERVER=dynalite``. Set ``DYNAMORM_TEST_ENDPOINT`` to use a
server that is already running instead.

``fault_proxy`` puts a fault-injecting proxy (``tests/_support/proxy.py``) in
front of that server for one test; ``proxied_db`` is a ``DB`` talking through
it. Tests that need what dynalite lacks are marked ``moto_only`` and
deselected in the dynalite pass (``-m "not moto_only"``). With
``DYNAMORM_TEST_FAST_PATH=0`` every ``DB`` the tests build goes through
botocore's standard request and response paths (``FAST_PATH``).

The suite's shared ``DB``s come from ``make_db``, on a client chosen by
``DYNAMORM_TEST_CLIENT`` (``CLIENT``): ``own`` — the ``DB`` makes its own
(``DB(region_name=..., endpoint_url=...)``), the only kind on which the Rust
core also writes the request bodies — or ``given`` — ``DB(client=...)`` on a
``client_for`` client. Tests reach the client as ``db.client``. Tests about
one kind of client build exactly that one. ``scripts/test.sh`` runs these
passes, naming the client of each:

- main (unit and integration tests), on Python 3.11, 3.12 and 3.13: moto,
  fast path on, ``own`` clients — the Rust core writes the requests and
  decodes the responses;
- ``DYNAMORM_TEST_FAST_PATH=0``: moto, botocore's standard path both ways,
  ``given`` clients;
- ``DYNAMORM_TEST_SERVER=dynalite``: fast path on, ``given`` clients (so the
  Rust core decodes the responses; botocore writes the requests).

(``own`` is the default on moto with the fast path on, ``given`` otherwise.)

With ``DYNAMORM_TEST_API=async`` (``API``) ``make_db`` makes an ``AsyncDB``
on the same client instead, seen through ``tests._support.awaited.Awaited``:
every scenario then runs on the asyncio API (its transport, its drivers),
awaited on one event loop. ``scripts/test.sh`` runs that pass on moto and on
dynalite.
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
from botocore.config import Config
from dynamorm import DB, RetryPolicy

from tests._support.proxy import FaultProxy
from tests._support.servers import STARTERS, running
from tests._support.tls import CertificateAuthority

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)

REGION = "us-east-1"

SERVER = os.environ.get("DYNAMORM_TEST_SERVER", "moto")
"""The server the integration tests run against: ``moto`` or ``dynalite``."""

FAST_PATH = os.environ.get("DYNAMORM_TEST_FAST_PATH", "1") != "0"
"""Whether the ``DB``s the integration tests build take the fast read path
(``DYNAMORM_TEST_FAST_PATH=0`` runs the suite on botocore's standard path)."""

API = os.environ.get("DYNAMORM_TEST_API", "sync")
"""Which API ``make_db``'s databases are: ``sync`` (``DB``) or ``async``
(``AsyncDB``, driven through ``Awaited``)."""

CLIENT = os.environ.get("DYNAMORM_TEST_CLIENT") or (
    "own" if SERVER == "moto" and FAST_PATH else "given"
)
"""Who makes the client of the suite's shared ``DB``s (``make_db``): ``own``
(the ``DB``, so its fast path writes request bodies too) or ``given`` (the
tests, passing ``client=``). Set with ``DYNAMORM_TEST_CLIENT``; by default
``own`` on moto with the fast path on, ``given`` otherwise."""

FAST_RETRIES = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.2)
"""``proxied_db``'s policy: real backoff, short enough for many tests."""


def pytest_configure(config: pytest.Config) -> None:
    if SERVER not in STARTERS:
        raise pytest.UsageError(
            f"DYNAMORM_TEST_SERVER={SERVER!r}: expected one of {sorted(STARTERS)}"
        )
    if os.environ.get("DYNAMORM_TEST_FAST_PATH", "1") not in ("0", "1"):
        raise pytest.UsageError("DYNAMORM_TEST_FAST_PATH: expected 0 or 1")
    if CLIENT not in ("own", "given"):
        raise pytest.UsageError(f"DYNAMORM_TEST_CLIENT={CLIENT!r}: expected own or given")
    if API not in ("sync", "async"):
        raise pytest.UsageError(f"DYNAMORM_TEST_API={API!r}: expected sync or async")
    config.addinivalue_line(
        "markers",
        "moto_only(reason): needs what dynalite does not implement; deselected in "
        'the dynalite pass with -m "not moto_only"',
    )
    config.addinivalue_line(
        "markers",
        "same_in_every_pass: builds its own DB whatever the pass's client, path or API "
        "(whole programs: the demo, the docs' and README's code, the examples; tests that "
        "build the clients and paths they compare), so one pass "
        'per server runs it; the others deselect it with -m "not same_in_every_pass"',
    )
    config.addinivalue_line(
        "markers",
        "one_interpreter: checks what no interpreter changes and costs a minute or more "
        "(the differential suite, a user's project in a fresh virtualenv), so only the "
        "first interpreter's main pass runs it; the others deselect it with "
        '-m "not one_interpreter"',
    )


def pytest_report_header() -> str:
    fast = "on" if FAST_PATH else "off"
    return f"dynamorm: server {SERVER}, fast path {fast}, {CLIENT} clients, {API} API"


@pytest.fixture(scope="session")
def ddb_server() -> str:
    """The name of the server behind ``ddb_endpoint``."""
    return SERVER


@pytest.fixture(scope="session")
def ddb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    existing = os.environ.get("DYNAMORM_TEST_ENDPOINT")
    if existing:
        yield existing
        return
    log_dir = Path(tmp_path_factory.mktemp("servers"))
    with running(STARTERS[SERVER](log_dir)) as server:
        yield server.endpoint


def client_for(endpoint: str, **config: Any) -> Any:
    """A boto3 DynamoDB client for a test endpoint, with dummy credentials."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**config) if config else None,
    )


_in_same_in_every_pass: list[str] = []
"""The node id of the running test while it is marked ``same_in_every_pass``."""


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _in_same_in_every_pass.clear()
    if item.get_closest_marker("same_in_every_pass") is not None:
        _in_same_in_every_pass.append(item.nodeid)


def make_db(
    endpoint: str,
    *,
    retry_policy: RetryPolicy | None = None,
    single_attempt: bool = False,
    table_prefix: str = "",
) -> DB:
    """A ``DB`` on ``endpoint`` taking the fast path per ``FAST_PATH``, on a
    client made as ``CLIENT`` says: ``own`` — by the ``DB`` (one attempt per
    call: botocore's retries off, whatever ``single_attempt``); ``given`` — a
    ``client_for`` client, with botocore's retries off when ``single_attempt``.
    Its client is ``db.client``. With ``API`` ``async`` it is an ``AsyncDB``
    made alike, driven through ``Awaited``. A test marked
    ``same_in_every_pass`` may not call it: its ``DB`` is the pass's."""
    if _in_same_in_every_pass:
        raise RuntimeError(
            f"{_in_same_in_every_pass[0]} calls make_db, whose DB depends on the pass, but "
            "runs in one pass per server (same_in_every_pass): take its file out of "
            "SAME_IN_EVERY_PASS in tests/conftest.py"
        )
    kind: Any = DB
    if API == "async":
        from dynamorm import AsyncDB

        kind = AsyncDB
    options: dict[str, Any] = {
        "retry_policy": retry_policy,
        "fast_path": FAST_PATH,
        "table_prefix": table_prefix,
    }
    if CLIENT == "own":
        made = kind(region_name=REGION, endpoint_url=endpoint, **options)
    else:
        config: dict[str, Any] = {"retries": {"total_max_attempts": 1}} if single_attempt else {}
        made = kind(client=client_for(endpoint, **config), **options)
    if API == "async":
        from tests._support.awaited import Awaited

        db: DB = Awaited(made)  # type: ignore[assignment]  # DB's API, awaited
        return db
    return made  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _close_async_dbs() -> Iterator[None]:
    """In the ``async`` pass, the ``AsyncDB``s ``make_db`` made for a test
    are closed when it ends (their pools live on ``Awaited``'s loop), as an
    application closes its own."""
    yield
    if API == "async":
        from tests._support.awaited import close_all

        close_all()


def executor_call(db: DB) -> Callable[..., dict[str, Any]]:
    """``db``'s ``Executor.call`` — in the ``async`` pass its ``acall``,
    awaited — for tests that send one request by hand."""
    executor = db._executor
    if API == "async":
        from tests._support.awaited import on_loop

        return lambda *args, **kwargs: on_loop(executor.acall(*args, **kwargs))
    return executor.call


@pytest.fixture
def fault_proxy(ddb_endpoint: str) -> Iterator[FaultProxy]:
    """A fresh fault-injecting proxy in front of the session server."""
    with FaultProxy(ddb_endpoint) as proxy:
        yield proxy


@pytest.fixture
def proxied_db(fault_proxy: FaultProxy) -> DB:
    """A ``DB`` (``make_db``) whose client talks through ``fault_proxy``, with
    botocore's retries off (the scheduler is the only retrier) and
    ``FAST_RETRIES``."""
    return make_db(fault_proxy.endpoint, retry_policy=FAST_RETRIES, single_attempt=True)


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    """A test certificate authority (``tests/_support/tls.py``)."""
    return CertificateAuthority(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https(ddb_endpoint: str, ca: CertificateAuthority) -> Iterator[FaultProxy]:
    """The test server behind TLS, on https://127.0.0.1:<port>."""
    with FaultProxy(ddb_endpoint, tls=ca.server_context()) as proxy:
        yield proxy


@pytest.fixture
def mutual(ddb_endpoint: str, ca: CertificateAuthority) -> Iterator[FaultProxy]:
    """The test server behind TLS that requires a client certificate."""
    with FaultProxy(ddb_endpoint, tls=ca.server_context(require_client_cert=True)) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def ddb_client(ddb_endpoint: str) -> Any:
    return client_for(ddb_endpoint)


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


_ALL_OLD = "dynalite ignores ReturnValuesOnConditionCheckFailure=ALL_OLD (no item on failure)"
_TTL = "dynalite has no UpdateTimeToLive (UnknownOperationException)"

MOTO_ONLY = {
    "test_db_update_builder.py::test_conditions_and_failure_leaves_item": _ALL_OLD,
    "test_db_writes.py::test_if_not_exists_create": _ALL_OLD,
    "test_db_writes.py::test_with_condition_on_update": _ALL_OLD,
    "test_db_writes.py::test_optimistic_locking_stale_update_fails": _ALL_OLD,
    "test_schema.py::test_create_table_with_gsi_lsi_and_ttl": _TTL,
    "test_schema.py::test_created_table_accepts_the_models_items": _TTL,
    "test_schema.py::test_auto_migrate_creates_then_adds_a_gsi_and_ttl": (
        _TTL + "; and its UpdateTable insists on ProvisionedThroughput for a new GSI even "
        "on a PAY_PER_REQUEST table, which DynamoDB rejects"
    ),
}
"""Integration tests (``file::name``) in other owners' files that need what
dynalite lacks, with why; new tests use ``@pytest.mark.moto_only(reason=...)``."""


SAME_IN_EVERY_PASS = frozenset(
    {
        # Whole programs.
        "test_demo.py",
        "test_docs.py",
        "test_examples.py",
        "test_readme.py",
        # Tests that build each DB, client and path they test themselves.
        "test_direct_credentials.py",
        "test_direct_path.py",
        "test_expr_corpus_server.py",
        "test_expr_server.py",
        "test_fastpath.py",
        "test_http_config.py",
        "test_http_tls.py",
        "test_marshal_server.py",
        "test_model_items.py",
        "test_proxy.py",
        "test_schema.py",
        "test_server_fixture.py",
    }
)
"""Integration test files that make every ``DB`` and client they use
themselves, never through ``make_db`` (whole programs: the demo, the docs
pages' and README's code, the examples; tests that build the clients and
paths they compare; and every file of ``tests/integration/aio/``, the
asyncio transport's own tests, which build the transports they test) and
read none of ``CLIENT``, ``FAST_PATH``, ``API``: what
``DYNAMORM_TEST_CLIENT``, ``DYNAMORM_TEST_FAST_PATH`` and
``DYNAMORM_TEST_API`` choose does not reach them, so they run once per
server (the main passes on moto, the first dynalite pass) and the other
passes deselect them. ``make_db`` refuses to serve them, and
``tests/test_passes.py`` checks that they name none of what a pass
chooses, so a file that starts to depend on the pass must leave the set."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        own_db = item.path.name in SAME_IN_EVERY_PASS or item.path.parent.name == "aio"
        if own_db and "integration" in item.path.parts:
            item.add_marker(pytest.mark.same_in_every_pass)
        reason = MOTO_ONLY.get(item.nodeid.split("[")[0].rsplit("/", 1)[-1])
        if reason is not None:
            item.add_marker(pytest.mark.moto_only(reason=reason))
