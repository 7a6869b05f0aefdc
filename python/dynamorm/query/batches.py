"""What a query's batch terminals share (``batch_get``,
``batch_get_with_options``, ``batch_create``, ``batch_delete``,
``batch_write``): their options checked, and their plans
(``dynamorm.batch.get``, ``dynamorm.batch.write``), for ``Query`` and
``AsyncQuery``. The batch modules are imported by the terminals that use
them: a process that only gets, puts and queries never loads them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.plans import Plan
from dynamorm.query.base import QueryBase
from dynamorm.retry import Cancel

if TYPE_CHECKING:
    from dynamorm.batch.options import BatchGetOptions, BatchWriteOptions

__all__ = ["BatchPlans"]

M = TypeVar("M", bound=Model)


class BatchPlans(QueryBase[M]):
    """The batch plans; ``Query`` and ``AsyncQuery`` run them."""

    __slots__ = ()

    def _batch_get(
        self,
        keys: Iterable[Any],
        options: BatchGetOptions | None,
        timeout: float | None,
        cancel: Cancel | None,
    ) -> Plan[list[M]]:
        """The plan of a batch get of ``keys`` with ``options`` (``None``:
        the defaults, with the DB's retry policy)."""
        from dynamorm.batch.get import batch_get
        from dynamorm.batch.options import BatchGetOptions

        if options is None:
            options = BatchGetOptions(retry_policy=self._executor.policy)
        elif not isinstance(options, BatchGetOptions):
            raise ValidationError(
                f"{self._name}.batch_get_with_options: expected BatchGetOptions, got {options!r}"
            )
        return batch_get(
            self._executor,
            self._target,
            self._state.meta,
            keys,
            options,
            timeout=timeout,
            cancel=cancel,
        )

    def _batch_write(
        self,
        method: str,
        *,
        puts: Iterable[M] = (),
        deletes: Iterable[Any] = (),
        options: BatchWriteOptions | None,
        timeout: float | None,
        cancel: Cancel | None,
    ) -> Plan[list[M]]:
        """The plan of ``method`` (``"batch_create"``, ``"batch_delete"`` or
        ``"batch_write"``): puts and deletes in BatchWriteItem chunks."""
        from dynamorm.batch.options import BatchWriteOptions
        from dynamorm.batch.write import batch_write

        unique = self._state.meta.unique_fields
        if unique:
            raise ValidationError(
                f"{self._name}.{method}(): {self._name} has unique fields "
                f"({', '.join(f.name for f in unique)}), whose sentinel items a batch write "
                "cannot keep in step (BatchWriteItem is not atomic and takes no conditions); "
                "write each item with create(), update() or delete(), or in a transaction"
            )
        if options is None:
            options = BatchWriteOptions(retry_policy=self._executor.policy)
        elif not isinstance(options, BatchWriteOptions):
            raise ValidationError(f"{self._name}: expected BatchWriteOptions, got {options!r}")
        return batch_write(
            self._executor,
            self._target,
            self._state.meta,
            f"{self._name}.{method}()",
            puts=puts,
            deletes=deletes,
            options=options,
            timeout=timeout,
            cancel=cancel,
        )
