"""``DB``: the entry point (SPEC §3).

A ``DB`` wraps one boto3 DynamoDB client. It is cheap to keep for the life of
a process and safe to share between threads (it holds no per-request state;
boto3 clients are thread-safe). ``db.model(User)`` starts a ``Query``.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from dynamorm.errors import ValidationError
from dynamorm.executor import Executor
from dynamorm.model import Model
from dynamorm.query import Query
from dynamorm.retry import RetryPolicy

__all__ = ["DB"]

M = TypeVar("M", bound=Model)


class DB:
    """A connection to DynamoDB.

    ``DB(region_name=..., endpoint_url=...)`` creates a boto3 client;
    ``DB(client=...)`` uses yours. ``retry_policy`` is the default for every
    retried operation.
    """

    __slots__ = ("_executor", "retry_policy", "timeout")

    def __init__(
        self,
        *,
        client: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        if client is None:
            import boto3

            client = boto3.client("dynamodb", region_name=region_name, endpoint_url=endpoint_url)
        elif region_name is not None or endpoint_url is not None:
            raise ValidationError("DB: pass either client= or region_name=/endpoint_url=, not both")
        self._executor = Executor(client)
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.timeout: float | None = None
        """Seconds a long operation may run (``None``: no deadline)."""

    def __repr__(self) -> str:
        timeout = "" if self.timeout is None else f" timeout={self.timeout}s"
        return f"<DB {self.client.meta.region_name}{timeout}>"

    @property
    def client(self) -> Any:
        """The boto3 DynamoDB client."""
        return self._executor.client

    def with_timeout(self, seconds: float) -> DB:
        """A view sharing this client whose long operations (``all``,
        ``iter``, ``count``, ``scan``, ``scan_all_segments``) stop at the
        deadline, between requests, raising ``OperationTimeoutError`` with the
        results so far in ``partial``. The deadline starts when the operation
        does."""
        if not isinstance(seconds, int | float) or seconds < 0:
            raise ValidationError(f"DB.with_timeout: seconds must be >= 0, got {seconds!r}")
        view = object.__new__(DB)
        view._executor = self._executor
        view.retry_policy = self.retry_policy
        view.timeout = float(seconds)
        return view

    @overload
    def model(self, model: type[M]) -> Query[M]: ...
    @overload
    def model(self, model: M) -> Query[M]: ...
    def model(self, model: type[M] | M) -> Query[M]:
        """A ``Query`` on a model class, or bound to an instance for writes."""
        return Query(self, model)

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
