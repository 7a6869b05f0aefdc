"""Read transactions (SPEC §8): ``db.transact_get().get(User, key)...execute()``.

All the reads of one ``TransactGetItems`` see one consistent snapshot. The
result is a list in call order: a model instance per key, or ``None`` where
no item exists (or, for an entity model, where the item is another
entity's: ``dynamorm.entities``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from dynamorm.batch.options import make_stop
from dynamorm.entities import is_foreign
from dynamorm.errors import MalformedResponseError, ValidationError
from dynamorm.expr import compile_request
from dynamorm.keys import key_dicts
from dynamorm.model.base import Model
from dynamorm.model.loaded import ReadShape, mark, shape_of
from dynamorm.model.paths import resolve_path, with_key_attrs
from dynamorm.plans import Call, Plan, run
from dynamorm.responses import decoded, model_of
from dynamorm.retry import Cancel, Scheduler
from dynamorm.transact.checks import Operation, TransactionTarget, check_operations

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["TransactGetBuilder", "TransactGetBuilderBase"]


class TransactGetBuilderBase:
    """Collects reads for one ``TransactGetItems``; ``get`` returns the
    builder. ``TransactGetBuilder`` (``db.transact_get()``) adds
    ``execute()``; under asyncio ``AsyncTransactGetBuilder`` adds it as a
    coroutine."""

    __slots__ = ("_executor", "_ops", "_shapes")

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._ops: list[Operation] = []
        # What each read returns of its item (None: all of it; see loaded.py).
        self._shapes: list[ReadShape | None] = []

    def __len__(self) -> int:
        return len(self._ops)

    def get(self, model: type[Model], key: Any, *select: str) -> Self:
        """Reads the ``model`` item of ``key`` — a ``KeyPair``, a ``(pk, sk)``
        tuple, a bare partition key (tables without a sort key) or an
        instance — optionally only the ``select``ed fields (keys are always
        read)."""
        index = len(self._ops)
        if not (isinstance(model, type) and issubclass(model, Model)):
            raise ValidationError(
                f"transact_get: operation {index}: expected a Model class, got {model!r}"
            )
        meta = model.__dynamorm__
        where = f"transact_get: operation {index} ({meta.name})"
        (item_key,) = key_dicts(meta, [key], where)
        body: dict[str, Any] = {"TableName": meta.table, "Key": item_key}
        if select:
            paths: list[list[str | int]] = []
            for name in select:
                try:
                    paths.append(resolve_path(meta, name)[1])
                except ValidationError as exc:
                    raise ValidationError(f"{where}: {exc}") from None
            paths = with_key_attrs(meta, paths)
            body.update(compile_request(projection=paths).to_params())
        self._ops.append(Operation("Get", model, body, item_key))
        self._shapes.append(shape_of(meta, paths) if select else None)
        return self

    def to_params(self) -> dict[str, Any]:
        """The ``TransactGetItems`` parameters, checked as ``execute`` checks them."""
        check_operations(self._ops, self._what())
        return {"TransactItems": [op.item() for op in self._ops]}

    def _what(self) -> str:
        models = sorted({op.model.__name__ for op in self._ops})
        return f"TransactGetItems of {len(self._ops)} reads ({', '.join(models)})"

    def _plan(self, timeout: float | None, cancel: Cancel | None) -> Plan[list[Any]]:
        """The plan of ``execute`` (see ``TransactGetBuilder.execute``)."""
        params = self.to_params()
        executor = self._executor
        what = self._what()
        stop = make_stop(timeout if timeout is not None else executor.timeout, cancel, what)
        scheduler = Scheduler(executor.policy, stop)
        target = TransactionTarget(self._ops, what)
        schemas = [op.model.__dynamorm_codec__.schema for op in self._ops]
        response = yield Call("TransactGetItems", params, target, scheduler, schemas=schemas)
        entries = response.get("Responses", [])
        if len(entries) != len(self._ops):
            # DynamoDB answers every read, in order ({} for an absent item):
            # any other count would shift or drop items.
            raise MalformedResponseError(
                f"{what}: DynamoDB answered {len(entries)} of {len(self._ops)} reads"
            )
        is_decoded = decoded(response)
        out = [
            model_of(op.model.__dynamorm__, _owned(op, entry, is_decoded), is_decoded)
            for op, entry in zip(self._ops, entries, strict=True)
        ]
        for op, shape, obj in zip(self._ops, self._shapes, out, strict=True):
            if obj is not None:
                mark(op.model.__dynamorm__, shape, [obj])
        return out


def _owned(op: Operation, entry: Mapping[str, Any], is_decoded: bool) -> Any:
    """The item of one read's answer; ``None`` when there is none or it is
    another entity's (the fast read path has left those out already)."""
    item = entry.get("Item") or None
    if item is None or is_decoded or not is_foreign(op.model.__dynamorm__, item):
        return item
    return None


class TransactGetBuilder(TransactGetBuilderBase):
    """Collects reads for one ``TransactGetItems``; ``get`` returns the
    builder. ``db.transact_get()`` makes one."""

    __slots__ = ()

    def execute(self, *, timeout: float | None = None, cancel: Cancel | None = None) -> list[Any]:
        """Sends the reads; returns, in call order, a model instance per key
        or ``None`` where the item does not exist (or, for a model declared
        with ``entity=``, is another entity's). Stops at ``timeout`` seconds
        (default: the DB's) or when ``cancel`` is set."""
        return run(self._executor, self._plan(timeout, cancel))
