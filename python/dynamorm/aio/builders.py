"""The builders ``AsyncDB`` and ``AsyncQuery`` hand out: the same builders
as the blocking API's (``UpdateBuilderBase``, ``BatchGetBuilderBase``,
``TransactionBuilderBase``, ``TransactGetBuilderBase``, ``TransactionBase``),
whose ``execute()`` is a coroutine running the same plan, and
``AsyncTransaction``, committed by ``async with``."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from dynamorm.aio.plans import arun
from dynamorm.batch.get import BatchGetBuilderBase
from dynamorm.model.base import Model
from dynamorm.retry import Cancel
from dynamorm.transact.get import TransactGetBuilderBase
from dynamorm.transact.write import TransactionBase, TransactionBuilderBase
from dynamorm.update import UpdateBuilderBase

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = [
    "AsyncBatchGetBuilder",
    "AsyncTransactGetBuilder",
    "AsyncTransaction",
    "AsyncTransactionBuilder",
    "AsyncUpdateBuilder",
]

M = TypeVar("M", bound=Model)


class AsyncUpdateBuilder(UpdateBuilderBase):
    """``UpdateBuilder`` whose ``execute()`` is awaited."""

    async def execute(self) -> Any:
        """``UpdateBuilder.execute``, awaited."""
        return await arun(self._sender(), self._plan())


class AsyncBatchGetBuilder(BatchGetBuilderBase[M]):
    """``BatchGetBuilder`` whose ``execute()`` is awaited (parallel chunks
    are tasks)."""

    __slots__ = ()

    async def execute(self, timeout: float | None = None, cancel: Cancel | None = None) -> list[M]:
        """``BatchGetBuilder.execute``, awaited."""
        return await arun(self._executor, self._plan(timeout, cancel))


class AsyncTransactionBuilder(TransactionBuilderBase):
    """``TransactionBuilder`` whose ``execute()`` is awaited."""

    __slots__ = ()

    async def execute(self, *, timeout: float | None = None, cancel: Cancel | None = None) -> None:
        """``TransactionBuilder.execute``, awaited."""
        await arun(self._executor, self._plan(timeout, cancel))


class AsyncTransactGetBuilder(TransactGetBuilderBase):
    """``TransactGetBuilder`` whose ``execute()`` is awaited."""

    __slots__ = ()

    async def execute(
        self, *, timeout: float | None = None, cancel: Cancel | None = None
    ) -> list[Any]:
        """``TransactGetBuilder.execute``, awaited."""
        return await arun(self._executor, self._plan(timeout, cancel))


class AsyncTransaction(TransactionBase[AsyncTransactionBuilder]):
    """``async with db.transaction() as tx:`` — operations added in the
    block are committed as one transaction when it exits normally (awaited
    on exit); when it raises, nothing is sent and the exception propagates."""

    __slots__ = ()

    def __init__(
        self,
        executor: Executor,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        super().__init__(AsyncTransactionBuilder(executor), timeout, cancel)

    async def __aenter__(self) -> AsyncTransaction:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await arun(self._builder._executor, self._commit())
