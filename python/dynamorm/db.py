"""``DB``: the entry point (SPEC §3).

A ``DB`` wraps one boto3 DynamoDB client. It is cheap to keep for the life of
a process and safe to share between threads (it holds no per-request state;
boto3 clients are thread-safe) and across ``os.fork()`` (a child drops the
pooled connections it inherited: ``dynamorm.forking``). ``db.model(User)``
starts a ``Query``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit

from dynamorm import fastpath, forking, signing
from dynamorm._botocore_private import use_deadline_session
from dynamorm.errors import ValidationError
from dynamorm.executor import Executor
from dynamorm.model import Model
from dynamorm.query import Query
from dynamorm.retry import RetryPolicy

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from dynamorm.transact import Transaction, TransactionBuilder
    from dynamorm.transact_get import TransactGetBuilder

__all__ = ["DB", "make_client"]

M = TypeVar("M", bound=Model)


_REGION_HELP = (
    "pass region_name=..., or set AWS_REGION (or AWS_DEFAULT_REGION), "
    "or a region in the AWS config profile"
)


def _check_region(region_name: object) -> None:
    if region_name is not None and (not isinstance(region_name, str) or not region_name):
        raise ValidationError(
            f"DB: region_name must be a region name such as 'us-east-1', got {region_name!r}"
        )


def _check_endpoint(endpoint_url: object) -> None:
    if endpoint_url is None:
        return
    if not isinstance(endpoint_url, str):
        raise ValidationError(
            f"DB: endpoint_url must be a URL string such as 'http://127.0.0.1:8000', "
            f"got {endpoint_url!r}"
        )
    try:
        parts = urlsplit(endpoint_url)
        parts.port  # noqa: B018  # raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationError(f"DB: endpoint_url {endpoint_url!r} is not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"DB: endpoint_url must be an http:// or https:// URL with a host, got {endpoint_url!r}"
        )


def make_client(*, region_name: str | None = None, endpoint_url: str | None = None) -> Any:
    """A boto3 DynamoDB client with botocore's retries off (one attempt per
    call, so the retry scheduler alone decides what is retried and when) and
    botocore's parameter validation off: the library builds every request
    from checked input, and DynamoDB validates what it receives, so the
    client-side pass over each request only costs CPU.

    Raises ``ValidationError`` for a missing or malformed region or endpoint
    (and for any other configuration botocore refuses)."""
    _check_region(region_name)
    _check_endpoint(endpoint_url)
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, InvalidRegionError, NoRegionError

    # ``total_max_attempts`` counts the first attempt; botocore's
    # ``max_attempts`` counts retries only (``max_attempts=1`` would still
    # allow one botocore retry).
    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False
    )
    try:
        return boto3.client(
            "dynamodb", region_name=region_name, endpoint_url=endpoint_url, config=config
        )
    except NoRegionError as exc:
        raise ValidationError(f"DB: no AWS region is configured: {_REGION_HELP}") from exc
    except InvalidRegionError as exc:
        raise ValidationError(
            f"DB: region_name {region_name!r} is not a region name such as 'us-east-1'"
        ) from exc
    except (BotoCoreError, ValueError) as exc:
        # botocore's ValueError: an endpoint it cannot use (e.g. one derived
        # from a region in the environment).
        raise ValidationError(f"DB: cannot create a DynamoDB client: {exc}") from exc


def _check_client(client: object) -> None:
    model = getattr(getattr(client, "meta", None), "service_model", None)
    if getattr(model, "service_name", None) != "dynamodb":
        raise ValidationError(
            f"DB: client must be a boto3 DynamoDB client (boto3.client('dynamodb')), got {client!r}"
        )


class DB:
    """A connection to DynamoDB.

    ``DB(region_name=..., endpoint_url=...)`` creates a boto3 client with
    botocore's own retries off, so dynamorm's retry scheduler is the only
    retrier; ``DB(client=...)`` uses yours as it is configured (see
    docs/retries.md). ``retry_policy`` is the default for every request.
    Options it cannot use (no region anywhere, a malformed region or
    endpoint, a ``retry_policy`` that is not a ``RetryPolicy``, a client that
    is not a DynamoDB client) raise ``ValidationError`` here.

    ``fast_path`` (default on) decodes the responses of the library's item
    reads in the Rust core straight from the raw bytes into model instances
    (``dynamorm.fastpath``) and, on a client it creates, has the Rust core
    write the JSON request bodies and sign the requests
    (``dynamorm.signing``); ``fast_path=False`` leaves every request
    to botocore's serializer and every response to its parser. Either way
    your own calls on the client are untouched.
    """

    __slots__ = ("_executor",)

    def __init__(
        self,
        *,
        client: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        retry_policy: RetryPolicy | None = None,
        fast_path: bool = True,
    ) -> None:
        if not isinstance(fast_path, bool):
            raise ValidationError(f"DB: fast_path must be a bool, got {fast_path!r}")
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ValidationError(
                f"DB: retry_policy must be a RetryPolicy (or None), got {retry_policy!r}"
            )
        own = client is None
        if own:
            client = make_client(region_name=region_name, endpoint_url=endpoint_url)
        elif region_name is not None or endpoint_url is not None:
            raise ValidationError("DB: pass either client= or region_name=/endpoint_url=, not both")
        else:
            _check_client(client)
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        fast = fast_path and fastpath.wire(client)
        # Answers are shape-checked on either path (the fast path's handler
        # checks what it leaves to botocore).
        checked = fast or fastpath.wire_checks(client)
        # Request bodies are written by the Rust core only on a client made
        # here (validation off); yours keeps botocore's validating serializer.
        fast_requests = fast_path and own and fastpath.wire_requests(client)
        if fast_path and own:
            # Signed by the Rust core (the header botocore's signer would write).
            signing.wire_signing(client)
        if own:
            # A deadline bounds each attempt in flight too; a client you pass
            # keeps the timeouts of its own Config.
            use_deadline_session(client)
        forking.track(client)
        self._executor = Executor(
            client, policy, fast=fast, fast_requests=fast_requests, checked=checked
        )

    def __repr__(self) -> str:
        timeout = "" if self.timeout is None else f" timeout={self.timeout}s"
        return f"<DB {self.client.meta.region_name}{timeout}>"

    @property
    def client(self) -> Any:
        """The boto3 DynamoDB client."""
        return self._executor.client

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
        at least ``executor.MIN_ATTEMPT_SECONDS``) — raising
        ``OperationTimeoutError`` (a ``TimeoutError``) with the results so far
        in ``partial``. The deadline starts when the operation does."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValidationError(f"DB.with_timeout: seconds must be >= 0, got {seconds!r}")
        view = object.__new__(DB)
        executor = self._executor
        view._executor = Executor(
            executor.client,
            executor.policy,
            float(seconds),
            executor.fast,
            executor.fast_requests,
            checked=executor.checked,
        )
        return view

    @overload
    def model(self, model: type[M]) -> Query[M]: ...
    @overload
    def model(self, model: M) -> Query[M]: ...
    def model(self, model: type[M] | M) -> Query[M]:
        """A ``Query`` on a model class, or bound to an instance for writes."""
        return Query(self, model)

    # -- transactions (implemented in dynamorm.transact) ---------------------

    def transact(self) -> TransactionBuilder:
        """A write-transaction builder (SPEC §8): add operations, then
        ``execute()``."""
        from dynamorm.transact import TransactionBuilder

        return TransactionBuilder(self)

    def transact_write(
        self,
        fn: Callable[[TransactionBuilder], object],
        *,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Runs ``fn`` on a new transaction builder and executes it after
        ``fn`` returns; when ``fn`` raises, nothing is sent."""
        from dynamorm.transact import transact_write

        transact_write(self, fn, timeout=timeout, cancel=cancel)

    def transaction(
        self, *, timeout: float | None = None, cancel: threading.Event | None = None
    ) -> Transaction:
        """``with db.transaction() as tx:`` — ``tx.model(x).create()`` and the
        like are committed as one transaction on exit; nothing is sent when
        the block raises."""
        from dynamorm.transact import Transaction

        return Transaction(self, timeout, cancel)

    def transact_get(self) -> TransactGetBuilder:
        """A read-transaction builder: ``.get(Model, key)...execute()``."""
        from dynamorm.transact_get import TransactGetBuilder

        return TransactGetBuilder(self)

    # -- schema (implemented in dynamorm.schema) -----------------------------

    def create_table(
        self, model: type[Model], billing_mode: str = "PAY_PER_REQUEST", wait: bool = True
    ) -> Any:
        """Creates the model's table with its keys, indexes and TTL."""
        from dynamorm import schema

        return schema.create_table(self.client, model, billing_mode=billing_mode, wait=wait)

    def ensure_table(self, model: type[Model], **options: Any) -> Any:
        """Creates the model's table unless it exists."""
        from dynamorm import schema

        return schema.ensure_table(self.client, model, **options)

    def delete_table(self, model: type[Model], **options: Any) -> Any:
        """Deletes the model's table."""
        from dynamorm import schema

        return schema.delete_table(self.client, model, **options)

    def describe_table(self, model: type[Model]) -> Any:
        """The table description DynamoDB returns for the model's table."""
        from dynamorm import schema

        return schema.describe_table(self.client, model)

    def auto_migrate(self, *models: type[Model], **options: Any) -> Any:
        """Creates missing tables and indexes for ``models``."""
        from dynamorm import schema

        return schema.auto_migrate(self.client, *models, **options)
