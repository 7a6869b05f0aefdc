"""``AsyncDB``: the entry point under asyncio (SPEC §14).

An ``AsyncDB`` takes ``DB``'s arguments and makes the same client (so
boto3's credentials, profiles, ``Config`` and moto all apply), the same retry
policy, hooks, capacity reporting and spans. Its requests go out on an
asyncio transport (``dynamorm.aio.transport``); everything above the
transport — builders, plans, retries, errors — is the blocking API's own.
Table operations (``create_table`` and the like, a few calls that wait for a
table to settle) run ``DB``'s on a worker thread.

It belongs to the event loop it is used on until ``close()`` (or the end of
``async with AsyncDB(...) as db:``), which lets go of its connections.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from dynamorm.aio.query import AsyncQuery
from dynamorm.db import DB
from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.observe import RequestHook
from dynamorm.retry import Cancel, RetryPolicy
from dynamorm.transport.executor import Executor

if TYPE_CHECKING:
    import boto3.session
    from botocore.config import Config

    from dynamorm.aio.builders import (
        AsyncTransactGetBuilder,
        AsyncTransaction,
        AsyncTransactionBuilder,
    )
    from dynamorm.aio.collection import AsyncCollection
    from dynamorm.aio.transport import AioTransport
    from dynamorm.testing.aio import AsyncMemoryTransport
    from dynamorm.testing.backend import MemoryBackend

__all__ = ["AsyncDB"]

M = TypeVar("M", bound=Model)


class AsyncDB:
    """A connection to DynamoDB under asyncio: ``DB``'s arguments, every
    terminal awaited (``await db.model(User).where("id", "=", "u1").first()``).
    See ``DB`` for each argument."""

    __slots__ = ("_db", "_executor")

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
        try:
            db = DB(
                client=client,
                region_name=region_name,
                endpoint_url=endpoint_url,
                config=config,
                session=session,
                verify=verify,
                retry_policy=retry_policy,
                fast_path=fast_path,
                table_prefix=table_prefix,
                on_request=on_request,
                return_consumed_capacity=return_consumed_capacity,
                tracer_provider=tracer_provider,
                backend=backend,
            )
        except ValidationError as exc:
            # The arguments are DB's, checked by it: the error names this class.
            raise ValidationError(
                f"Async{exc}" if str(exc).startswith("DB") else str(exc)
            ) from None
        self._adopt(db)

    def _adopt(self, db: DB) -> None:
        """Sends ``db``'s requests, awaited, on the asyncio transport."""
        from dynamorm.aio.transport import AioTransport

        self._db = db
        blocking = db._executor
        # A transport with an asyncio form of its own (the in-memory
        # backend's) is awaited as that; any other through AioTransport.
        own = getattr(blocking.transport, "asyncio_transport", None)
        transport = own() if own is not None else AioTransport(blocking.transport)
        self._executor = _like(blocking, transport, blocking.timeout)

    @classmethod
    def from_db(cls, db: DB) -> AsyncDB:
        """An ``AsyncDB`` on ``db``'s client and settings (retry policy,
        timeout, prefix, hooks, capacity reporting and stats, tracing): for
        an application that has a ``DB`` and now awaits too. On a client the
        ``DB`` made, its requests take the asyncio transport's own path; on
        a client you passed in, botocore's pipeline in a thread, as always."""
        if not isinstance(db, DB):
            raise ValidationError(f"AsyncDB.from_db: expected a DB, got {db!r}")
        made = object.__new__(cls)
        made._adopt(db)
        return made

    def __repr__(self) -> str:
        timeout = "" if self.timeout is None else f" timeout={self.timeout}s"
        return f"<AsyncDB {self.client.meta.region_name}{timeout}>"

    # -- lifetime ---------------------------------------------------------

    async def close(self) -> None:
        """Lets go of this ``AsyncDB``'s connections (its views' too: they
        share them). Idempotent."""
        await self._transport.close()

    async def __aenter__(self) -> AsyncDB:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def _transport(self) -> AioTransport | AsyncMemoryTransport:
        transport: AioTransport | AsyncMemoryTransport = self._executor.transport  # type: ignore[assignment]
        return transport

    # -- what DB has ------------------------------------------------------

    @property
    def client(self) -> Any:
        """The boto3 DynamoDB client (shared with ``blocking``)."""
        return self._db.client

    @property
    def blocking(self) -> DB:
        """A blocking ``DB`` on the same client, policy and settings (for
        code that cannot await)."""
        return self._db

    def stats(self) -> dict[str, dict[str, dict[str, float]]]:
        """``DB.stats``: the capacity this ``AsyncDB``'s requests consumed."""
        return self._db.stats()

    @property
    def table_prefix(self) -> str:
        """``DB.table_prefix``."""
        return self._db.table_prefix

    @property
    def fast_path(self) -> bool:
        """``DB.fast_path``."""
        return self._db.fast_path

    @property
    def retry_policy(self) -> RetryPolicy:
        """``DB.retry_policy``: the retry policy of every request."""
        return self._db.retry_policy

    @retry_policy.setter
    def retry_policy(self, policy: RetryPolicy) -> None:
        self._db.retry_policy = policy
        self._executor.policy = policy

    @property
    def timeout(self) -> float | None:
        """Seconds an operation may run (``None``: no deadline)."""
        return self._executor.timeout

    def with_timeout(self, seconds: float) -> AsyncDB:
        """``DB.with_timeout``: a view sharing this ``AsyncDB``'s client and
        connections whose operations stop at the deadline."""
        blocking = self._db.with_timeout(seconds)  # checks ``seconds``
        view = object.__new__(AsyncDB)
        view._db = blocking
        view._executor = self._executor.with_timeout(blocking.timeout)
        return view

    @overload
    def model(self, model: type[M]) -> AsyncQuery[M]: ...
    @overload
    def model(self, model: M) -> AsyncQuery[M]: ...
    def model(self, model: type[M] | M) -> AsyncQuery[M]:
        """An ``AsyncQuery`` on a model class, or bound to an instance for
        writes."""
        return AsyncQuery(self._executor, model)

    def collection(self, *models: type[Model]) -> AsyncCollection:
        """``DB.collection``: one Query over the partition ``models`` share,
        its terminals awaited."""
        from dynamorm.aio.collection import AsyncCollection

        return AsyncCollection(self._executor, models)

    # -- transactions -----------------------------------------------------

    def transact(self) -> AsyncTransactionBuilder:
        """A write-transaction builder: add operations, then ``await
        execute()``."""
        from dynamorm.aio.builders import AsyncTransactionBuilder

        return AsyncTransactionBuilder(self._executor)

    async def transact_write(
        self,
        fn: Callable[[AsyncTransactionBuilder], object],
        *,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        """Runs ``fn`` (a function or a coroutine function) on a new
        transaction builder and executes it after ``fn`` returns; when ``fn``
        raises, nothing is sent."""
        builder = self.transact()
        result = fn(builder)
        if inspect.isawaitable(result):
            await result
        await builder.execute(timeout=timeout, cancel=cancel)

    def transaction(
        self, *, timeout: float | None = None, cancel: Cancel | None = None
    ) -> AsyncTransaction:
        """``async with db.transaction() as tx:`` — ``tx.model(x).create()``
        and the like are committed as one transaction on exit; nothing is sent
        when the block raises."""
        from dynamorm.aio.builders import AsyncTransaction

        return AsyncTransaction(self._executor, timeout, cancel)

    def transact_get(self) -> AsyncTransactGetBuilder:
        """A read-transaction builder: ``.get(Model, key)...`` then ``await
        execute()``."""
        from dynamorm.aio.builders import AsyncTransactGetBuilder

        return AsyncTransactGetBuilder(self._executor)

    # -- schema (DB's, on a worker thread) --------------------------------

    async def create_table(
        self, model: type[Model], billing_mode: str = "PAY_PER_REQUEST", wait: bool = True
    ) -> Any:
        """``DB.create_table``, awaited."""
        return await asyncio.to_thread(self._db.create_table, model, billing_mode, wait)

    async def ensure_table(self, model: type[Model], **options: Any) -> Any:
        """``DB.ensure_table``, awaited."""
        return await asyncio.to_thread(self._db.ensure_table, model, **options)

    async def delete_table(self, model: type[Model], **options: Any) -> Any:
        """``DB.delete_table``, awaited."""
        return await asyncio.to_thread(self._db.delete_table, model, **options)

    async def describe_table(self, model: type[Model]) -> Any:
        """``DB.describe_table``, awaited."""
        return await asyncio.to_thread(self._db.describe_table, model)

    async def auto_migrate(self, *models: type[Model], **options: Any) -> Any:
        """``DB.auto_migrate``, awaited."""
        return await asyncio.to_thread(self._db.auto_migrate, *models, **options)


def _like(executor: Executor, transport: Any, timeout: float | None) -> Executor:
    """An executor with ``executor``'s settings (policy, prefix, hooks,
    capacity, stats, tracing) on ``transport``, with deadline ``timeout``."""
    return Executor(
        transport,
        executor.policy,
        timeout,
        table_prefix=executor.table_prefix,
        hooks=executor.hooks,
        capacity=executor.capacity,
        stats=executor.stats,
        tracing=executor.tracing,
    )
