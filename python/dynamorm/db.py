"""``DB``: the entry point (SPEC §3).

A ``DB`` wraps one boto3 DynamoDB client. It is cheap to keep for the life of
a process and safe to share between threads (it holds no per-request state;
boto3 clients are thread-safe) and across ``os.fork()`` (a child drops the
pooled connections it inherited: ``dynamorm.transport.forking``). ``db.model(User)``
starts a ``Query``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.observe import CAPACITY_MODES, RequestHook, hooks_of
from dynamorm.query import Query
from dynamorm.retry import RetryPolicy
from dynamorm.tracing import Tracing
from dynamorm.transport.client import connect
from dynamorm.transport.executor import Executor

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    import boto3.session
    from botocore.config import Config

    from dynamorm.query.collection import Collection
    from dynamorm.testing.backend import MemoryBackend
    from dynamorm.transact.get import TransactGetBuilder
    from dynamorm.transact.write import Transaction, TransactionBuilder

# Transactions and table operations are imported by the methods that use
# them: a process that only reads and writes items never loads them.

__all__ = ["DB"]

M = TypeVar("M", bound=Model)


_PREFIX = re.compile(r"[A-Za-z0-9_.\-]*")
"""The characters of a DynamoDB table name (a prefix may be empty)."""


def _check_backend(backend: object, client: object, given: str) -> None:
    """``backend`` is a ``MemoryBackend`` given without a client or a
    client's options."""
    from dynamorm.testing.backend import MemoryBackend

    if not isinstance(backend, MemoryBackend):
        raise ValidationError(
            f"DB: backend must be a dynamorm.testing.MemoryBackend, got {backend!r}"
        )
    clash = ", ".join(([] if client is None else ["client="]) + ([given] if given else []))
    if clash:
        raise ValidationError(
            f"DB: pass either backend= or {clash} (a backend answers every request "
            "itself: it has no client to pass or options to create one with), not both"
        )


class DB:
    """A connection to DynamoDB.

    ``DB(region_name=..., endpoint_url=...)`` creates a DynamoDB client (the
    kind ``boto3.client("dynamodb")`` returns: from boto3's default session
    when one is set up, else from a botocore session the library keeps, so a
    cold start does not import boto3) with botocore's own retries off, so
    dynamorm's retry scheduler is the only
    retrier; ``DB(client=...)`` uses yours as it is configured (see
    docs/retries.md). ``retry_policy`` is the default for every request.

    The client it creates takes the arguments a boto3 user gives
    ``boto3.client``: ``config``, a ``botocore.config.Config`` (timeouts,
    pool size, proxies, client certificate, TCP keep-alive, user agent: they
    apply on the library's own request path too), merged under the two
    settings the library needs, which win: ``retries`` (one attempt per
    call) and ``parameter_validation`` (off); ``session``, a
    ``boto3.Session`` whose credentials, profile and region it uses; and
    ``verify``, ``False`` or the path of a CA bundle to verify TLS
    certificates with (``None``: botocore's default).

    Options it cannot use (no region anywhere, a malformed region or
    endpoint, a ``config``, ``session`` or ``verify`` of the wrong kind, a
    client certificate file that does not exist, a ``retry_policy`` that is
    not a ``RetryPolicy``, a client that is not a DynamoDB client, a
    ``client`` together with options for the client it would create) raise
    ``ValidationError`` here.

    ``fast_path`` (default on) decodes the responses of the library's item
    reads in the Rust core straight from the raw bytes into model instances
    (``dynamorm.transport.hooks``) and, on a client it creates, has the Rust core
    write the JSON request bodies and sign the requests
    (``dynamorm.transport.signing``); ``fast_path=False`` leaves every request
    to botocore's serializer and every response to its parser. Either way
    your own calls on the client are untouched.

    ``table_prefix`` puts every table of this ``DB`` under a prefix (one set
    of models for several environments). ``on_request`` (a function, or a
    list of them) is called with a ``dynamorm.observe.RequestInfo`` after
    every attempt of every request. ``return_consumed_capacity``
    (``"TOTAL"`` or ``"INDEXES"``) asks DynamoDB for the capacity of every
    item request: ``Page.consumed_capacity`` and ``db.stats()`` report it.
    ``tracer_provider`` (an OpenTelemetry ``TracerProvider``) takes this
    ``DB``'s spans, one per request (``dynamorm.tracing``); without it they
    go to the global provider once one is set, and nowhere before.

    ``backend`` (a ``dynamorm.testing.MemoryBackend``) sends every request
    to that in-process DynamoDB instead of a client's endpoint, built and
    read as for a server (``db.client`` is a boto3 client on the same
    backend); it takes the place of ``client`` and the options of a client
    the ``DB`` would create, and refuses them. Several ``DB``s on one
    backend share its tables.
    """

    __slots__ = ("_executor",)

    def __init__(
        self,
        *,
        client: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        session: boto3.session.Session | None = None,
        verify: bool | str | None = None,
        retry_policy: RetryPolicy | None = None,
        fast_path: bool = True,
        table_prefix: str = "",
        on_request: RequestHook | Sequence[RequestHook] | None = None,
        return_consumed_capacity: str | None = None,
        tracer_provider: Any = None,
        backend: MemoryBackend | None = None,
    ) -> None:
        if not isinstance(table_prefix, str) or not _PREFIX.fullmatch(table_prefix):
            raise ValidationError(
                "DB: table_prefix must be a str of letters, digits, '_', '-' or '.' "
                f"(a DynamoDB table name's characters), got {table_prefix!r}"
            )
        hooks_of(on_request)  # checked before any client is made
        if return_consumed_capacity is not None and return_consumed_capacity not in CAPACITY_MODES:
            raise ValidationError(
                "DB: return_consumed_capacity must be 'TOTAL', 'INDEXES' or None, "
                f"got {return_consumed_capacity!r}"
            )
        tracing = Tracing(tracer_provider)
        if not isinstance(fast_path, bool):
            raise ValidationError(f"DB: fast_path must be a bool, got {fast_path!r}")
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ValidationError(
                f"DB: retry_policy must be a RetryPolicy (or None), got {retry_policy!r}"
            )
        made = {
            "region_name": region_name,
            "endpoint_url": endpoint_url,
            "config": config,
            "session": session,
            "verify": verify,
        }
        given = ", ".join(f"{name}=" for name, value in made.items() if value is not None)
        if backend is not None:
            _check_backend(backend, client, given)
        elif client is not None and given:
            raise ValidationError(
                f"DB: pass either client= or {given} (options of a client the DB creates), not both"
            )
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        transport: Any
        if backend is not None:
            transport = backend.transport if fast_path else backend.standard_transport()
        else:
            transport = connect(
                client,
                region_name=region_name,
                endpoint_url=endpoint_url,
                config=config,
                session=session,
                verify=verify,
                fast_path=fast_path,
            )
        self._executor = Executor(
            transport,
            policy,
            table_prefix=table_prefix,
            hooks=hooks_of(on_request),
            capacity=return_consumed_capacity,
            tracing=tracing,
        )

    def __repr__(self) -> str:
        timeout = "" if self.timeout is None else f" timeout={self.timeout}s"
        return f"<DB {self.client.meta.region_name}{timeout}>"

    @property
    def client(self) -> Any:
        """The boto3 DynamoDB client."""
        return self._executor.client

    def stats(self) -> dict[str, dict[str, dict[str, float]]]:
        """The capacity this ``DB``'s requests consumed since it was made, per
        table and operation: ``{"orders": {"Query": {"requests": 3,
        "capacity_units": 1.5, "read_units": 0.0, "write_units": 0.0}}}``
        (as DynamoDB reported it; empty unless ``return_consumed_capacity``
        was given)."""
        stats = self._executor.stats
        return stats.snapshot() if stats is not None else {}

    @property
    def table_prefix(self) -> str:
        """What every table name of this ``DB``'s requests starts with
        (``DB(table_prefix="prod-")``: the model of table ``orders`` reads and
        writes ``prod-orders``)."""
        return self._executor.table_prefix

    @property
    def fast_path(self) -> bool:
        """Whether the library's item reads take the fast read path (off when
        ``fast_path=False`` was given or this botocore cannot take it)."""
        return self._executor.fast

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of every request (``RetryPolicy(max_retries=0)``:
        no retries)."""
        policy = self._executor.policy
        assert policy is not None
        return policy

    @retry_policy.setter
    def retry_policy(self, policy: RetryPolicy) -> None:
        if not isinstance(policy, RetryPolicy):
            raise ValidationError(f"DB.retry_policy must be a RetryPolicy, got {policy!r}")
        self._executor.policy = policy

    @property
    def timeout(self) -> float | None:
        """Seconds an operation may run (``None``: no deadline)."""
        return self._executor.timeout

    def with_timeout(self, seconds: float) -> DB:
        """A view sharing this client (and retry policy, as it is now) whose
        operations stop at the deadline — between requests, during retry
        backoff and, on a client this ``DB`` created, during a request too
        (each attempt waits to connect and to read only for the time left,
        at least ``retry.MIN_ATTEMPT_SECONDS``) — raising
        ``OperationTimeoutError`` (a ``TimeoutError``) with the results so far
        in ``partial``. The deadline starts when the operation does."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValidationError(f"DB.with_timeout: seconds must be >= 0, got {seconds!r}")
        view = object.__new__(DB)
        view._executor = self._executor.with_timeout(float(seconds))
        return view

    @overload
    def model(self, model: type[M]) -> Query[M]: ...
    @overload
    def model(self, model: M) -> Query[M]: ...
    def model(self, model: type[M] | M) -> Query[M]:
        """A ``Query`` on a model class, or bound to an instance for writes."""
        return Query(self._executor, model)

    def collection(self, *models: type[Model]) -> Collection:
        """A ``Collection``: one Query over the partition the entity
        ``models`` share (``where(user_id="u1")``), each item read as its own
        model, in sort-key order."""
        from dynamorm.query.collection import Collection

        return Collection(self._executor, models)

    # -- transactions (implemented in dynamorm.transact) ---------------------

    def transact(self) -> TransactionBuilder:
        """A write-transaction builder: add operations, then
        ``execute()``."""
        from dynamorm.transact.write import TransactionBuilder

        return TransactionBuilder(self._executor)

    def transact_write(
        self,
        fn: Callable[[TransactionBuilder], object],
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Runs ``fn`` on a new transaction builder and executes it after
        ``fn`` returns; when ``fn`` raises, nothing is sent."""
        from dynamorm.transact.write import transact_write

        transact_write(self._executor, fn, timeout=timeout, cancel=cancel)

    def transaction(
        self, *, timeout: float | None = None, cancel: threading.Event | None = None
    ) -> Transaction:
        """``with db.transaction() as tx:`` — ``tx.model(x).create()`` and the
        like are committed as one transaction on exit; nothing is sent when
        the block raises."""
        from dynamorm.transact.write import Transaction

        return Transaction(self._executor, timeout, cancel)

    def transact_get(self) -> TransactGetBuilder:
        """A read-transaction builder: ``.get(Model, key)...execute()``."""
        from dynamorm.transact.get import TransactGetBuilder

        return TransactGetBuilder(self._executor)

    # -- schema (implemented in dynamorm.tables) -----------------------------

    def create_table(
        self, model: type[Model], billing_mode: str = "PAY_PER_REQUEST", wait: bool = True
    ) -> Any:
        """Creates the model's table with its keys, indexes and TTL."""
        from dynamorm import tables

        return tables.create_table(self._executor, model, billing_mode=billing_mode, wait=wait)

    def ensure_table(self, model: type[Model], **options: Any) -> Any:
        """Creates the model's table unless it exists."""
        from dynamorm import tables

        return tables.ensure_table(self._executor, model, **options)

    def delete_table(self, model: type[Model], **options: Any) -> Any:
        """Deletes the model's table."""
        from dynamorm import tables

        return tables.delete_table(self._executor, model, **options)

    def describe_table(self, model: type[Model]) -> Any:
        """The table description DynamoDB returns for the model's table."""
        from dynamorm import tables

        return tables.describe_table(self._executor, model)

    def auto_migrate(self, *models: type[Model], **options: Any) -> Any:
        """Creates missing tables and indexes for ``models``."""
        from dynamorm import tables

        return tables.auto_migrate(self._executor, *models, **options)
