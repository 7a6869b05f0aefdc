"""Write transactions (SPEC §8): ``db.transact()``, ``db.transact_write(fn)``
and ``with db.transaction() as tx``.

Each operation is built the way its single-item form is (``requests.py``):
the same conditions, timestamps and version handling, so a ``put`` is a
``create()`` and an ``update`` an ``update(*fields)`` — only sent together
in one ``TransactWriteItems``, in the order they were added, so DynamoDB's
cancellation reasons line up with the calls. Nothing is sent until
``execute()``; the checks of ``transact_errors.check_operations`` run first.

Retries go through the scheduler (``retry.py``): a cancellation caused only
by throttling or conflicts is retried with backoff, a failed condition never
is. The whole logical transaction sends one ``ClientRequestToken``, reused on
every retry, so DynamoDB applies it at most once — also when a retry follows
an attempt whose answer was lost (DynamoDB answers a repeated token with the
first outcome for 10 minutes).
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from dynamorm.batch.options import make_stop
from dynamorm.errors import ExpressionError, ValidationError
from dynamorm.expr import Clause
from dynamorm.expr.conditions import make_term, raw_clause
from dynamorm.model.base import Model
from dynamorm.plans import Call, Plan, run
from dynamorm.requests import (
    create_changes,
    delete_params,
    delete_version_conditions,
    instance_update,
    key_of_instance,
    put_params,
    staged_item,
    update_params,
)
from dynamorm.retry import Cancel, Resend, Scheduler
from dynamorm.transact.checks import (
    Operation,
    TransactionTarget,
    check_operations,
)
from dynamorm.transact.unique import sentinel_operations, transaction_body
from dynamorm.unique import (
    check_item_key,
    instance_values,
    stored_conditions,
    stored_values,
    updated_unique,
)
from dynamorm.update import UpdateBuilder

if TYPE_CHECKING:
    from dynamorm.model.meta import ModelMeta
    from dynamorm.transport.executor import Executor

__all__ = [
    "Transaction",
    "TransactionBase",
    "TransactionBuilder",
    "TransactionBuilderBase",
    "TxCondition",
    "TxModel",
    "at_version",
    "condition",
    "condition_expression",
    "if_exists",
    "if_not_exists",
    "transact_write",
]


# -- condition helpers ----------------------------------------------------------


class TxCondition:
    """A condition for one transaction operation, resolved against the
    operation's model when the operation is added. Made by ``if_exists()``,
    ``if_not_exists()``, ``at_version(n)``, ``condition(...)`` and
    ``condition_expression(...)``."""

    __slots__ = ("_args", "_kind")

    def __init__(self, kind: str, *args: Any) -> None:
        self._kind = kind
        self._args = args

    def __repr__(self) -> str:
        return f"{self._kind}{self._args!r}"

    @property
    def version(self) -> int | None:
        """The version ``at_version`` requires (``None`` for other helpers)."""
        return self._args[0] if self._kind == "at_version" else None

    def clause(self, meta: ModelMeta) -> Clause:
        """The condition on ``meta``'s model as a ``dynamorm.expr`` clause."""
        kind, args = self._kind, self._args
        if kind == "if_not_exists":
            return make_term(meta, meta.pk.name, "NOT_EXISTS").clause()
        if kind == "if_exists":
            return make_term(meta, meta.pk.name, "EXISTS").clause()
        if kind == "at_version":
            if meta.version is None:
                raise ValidationError(f"at_version(): {meta.name} has no version field")
            return make_term(meta, meta.version.name, "=", args[0]).clause()
        if kind == "condition":
            return make_term(meta, *args).clause()
        return raw_clause(*args)


def if_not_exists() -> TxCondition:
    """The operation succeeds only if its item does not exist yet."""
    return TxCondition("if_not_exists")


def if_exists() -> TxCondition:
    """The operation succeeds only if its item exists."""
    return TxCondition("if_exists")


def at_version(version: int) -> TxCondition:
    """The stored version must equal ``version`` (the model needs a version
    field). On an update it replaces the instance's version as the expected
    one, and the version is still incremented."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValidationError(f"at_version(): version must be an int >= 0, got {version!r}")
    return TxCondition("at_version", version)


def condition(field: str, op: str, value: Any = None) -> TxCondition:
    """The condition ``field op value`` on the operation's model (the
    operators of ``Query.where``; values encoded as the field stores them)."""
    return TxCondition("condition", field, op, value)


def condition_expression(
    expression: str,
    values: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> TxCondition:
    """A hand-written condition with Python ``values``; validated by the core
    before sending (``ExpressionError`` with the position)."""
    return TxCondition("condition_expression", expression, values, names)


# -- the builder ------------------------------------------------------------------


def _instance(obj: Any, method: str, index: int) -> Any:
    if not isinstance(obj, Model):
        raise ValidationError(
            f"transaction operation {index} ({method}): expected a model instance, got {obj!r}"
        )
    return obj


def _conditions(
    meta: ModelMeta, conds: tuple[TxCondition, ...], *, with_version: bool = True
) -> list[Clause]:
    out = []
    for cond in conds:
        if not isinstance(cond, TxCondition):
            raise ValidationError(
                "conditions are made with if_exists(), if_not_exists(), at_version(), "
                f"condition() or condition_expression(), got {cond!r}"
            )
        clause = cond.clause(meta)  # checks the model has a version field, too
        if with_version or cond.version is None:
            out.append(clause)
    return out


def _expected_version(conds: tuple[TxCondition, ...]) -> int | None:
    versions = [c.version for c in conds if isinstance(c, TxCondition) and c.version is not None]
    return versions[-1] if versions else None


# A transaction item takes no request-level options; everything else of the
# single-item request (ALL_OLD on a failed condition included) stays.
_body = transaction_body


class TransactionBuilderBase:
    """Collects write operations for one ``TransactWriteItems``; every method
    returns the builder. ``TransactionBuilder`` (``db.transact()``) adds
    ``execute()``; under asyncio ``AsyncTransactionBuilder`` adds it as a
    coroutine."""

    __slots__ = ("_executor", "_ops")

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._ops: list[Operation] = []

    def __len__(self) -> int:
        return len(self._ops)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {[op.name for op in self._ops]}>"

    def _add(
        self,
        method: str,
        obj: Any,
        build: Callable[[ModelMeta], Operation | list[Operation]],
    ) -> Self:
        index = len(self._ops)
        meta: ModelMeta = type(_instance(obj, method, index)).__dynamorm__
        try:
            op = build(meta)
        except ExpressionError as exc:
            raise ExpressionError(
                f"transaction operation {index} ({method} on {meta.name}): {exc.message}",
                exc.position,
            ) from exc
        except ValidationError as exc:
            raise type(exc)(
                f"transaction operation {index} ({method} on {meta.name}): {exc}"
            ) from exc
        self._ops.extend(op if isinstance(op, list) else [op])
        return self

    def put(self, obj: Model, *conds: TxCondition) -> Self:
        """Writes ``obj`` like ``create()`` (overwriting unless a condition
        says otherwise): timestamps set, version 0 when empty. With unique
        fields, the puts of their sentinel items follow it in the
        transaction, and an item it overwrites must hold the same unique
        values."""

        def build(meta: ModelMeta) -> list[Operation]:
            changes = create_changes(meta, obj, _dt.datetime.now(_dt.UTC))
            item = staged_item(obj, changes)
            key = key_of_instance(meta, obj, "put", keyed=False)
            news = stored_values(meta, item, [f.name for f in meta.unique_fields])
            if news:
                check_item_key(meta, item, "put")
            clauses = [*_conditions(meta, conds), *stored_conditions(meta, None, news)]
            params = put_params(meta, item, clauses)
            op = Operation("Put", meta.cls, _body(params), key, (obj, changes))
            return [op, *sentinel_operations(meta, None, news, key)]

        return self._add("put", obj, build)

    def create(self, obj: Model, *conds: TxCondition) -> Self:
        """``put`` that succeeds only if the item does not exist yet."""
        return self.put(obj, if_not_exists(), *conds)

    def update(self, obj: Model, fields: str | Sequence[str] = (), *conds: TxCondition) -> Self:
        """Updates the named ``fields`` of ``obj`` (all non-key fields when
        none are named) like ``update(*fields)``: the item must exist,
        ``updated_at`` is set and a version field is checked and incremented
        (``at_version(n)`` sets the version expected). A unique field cannot
        be named (its old value, whose sentinel item it gives up, is not
        known); updating all fields requires the stored unique values to be
        the instance's."""
        names = [fields] if isinstance(fields, str) else list(fields)

        def build(meta: ModelMeta) -> Operation:
            now = _dt.datetime.now(_dt.UTC)
            actions, own, changes = instance_update(
                meta, obj, names, now, expected_version=_expected_version(conds)
            )
            # at_version's condition is the expected version instance_update adds.
            user = _conditions(meta, conds, with_version=False)
            unique = updated_unique(meta, actions)
            named = [name for name in unique if name in names]
            if named:
                raise ValidationError(
                    f"the unique field {named[0]!r} cannot be changed in a transaction (the "
                    "value it gives up is not known, nor is its sentinel item); change it with "
                    f"db.model(instance).update({named[0]!r})"
                )
            kept = stored_conditions(meta, instance_values(meta, obj, unique), {})
            key = key_of_instance(meta, obj, "update")
            if meta.unique_fields:
                check_item_key(meta, key, "update")
            params = update_params(meta, key, actions, [*user, *own, *kept])
            return Operation("Update", meta.cls, _body(params), key, (obj, changes))

        return self._add("update", obj, build)

    def update_with_builder(
        self, obj: Model, fn: Callable[[UpdateBuilder], object], *conds: TxCondition
    ) -> Self:
        """Updates ``obj``'s item with the actions and conditions ``fn`` adds
        to an ``UpdateBuilder`` (which sends nothing itself), plus ``conds``.
        ``at_version(n)`` also increments the version, like
        ``condition_version(n)``."""

        def build(meta: ModelMeta) -> Operation:
            key = key_of_instance(meta, obj, "update_with_builder")
            if meta.unique_fields:
                check_item_key(meta, key, "update_with_builder")
            builder = UpdateBuilder(meta, key)
            fn(builder)
            clauses = [*builder.conditions(), *_conditions(meta, conds)]
            actions = builder.actions()
            if _expected_version(conds) is not None:
                assert meta.version is not None  # at_version's clause checked it
                if not any(action[1] == [meta.version.attr] for action in actions):
                    actions.append(("add", [meta.version.attr], 1))
            params = update_params(meta, key, actions, clauses)
            return Operation("Update", meta.cls, _body(params), key)

        return self._add("update_with_builder", obj, build)

    def delete(self, obj: Model, *conds: TxCondition) -> Self:
        """Deletes ``obj``'s item like ``delete()``: an instance with a
        non-zero version only at that version (``at_version(n)`` replaces it).
        With unique fields, the item must hold the instance's unique values,
        and the deletes of their sentinel items follow it."""

        def build(meta: ModelMeta) -> list[Operation]:
            clauses = _conditions(meta, conds)
            if _expected_version(conds) is None:
                clauses.extend(delete_version_conditions(meta, obj))
            key = key_of_instance(meta, obj, "delete")
            names = [f.name for f in meta.unique_fields]
            if names:
                check_item_key(meta, key, "delete")
            olds = instance_values(meta, obj, names)
            clauses.extend(stored_conditions(meta, olds, {}))
            params = _body(delete_params(meta, key, clauses))
            op = Operation("Delete", meta.cls, params, key)
            return [op, *sentinel_operations(meta, olds, dict.fromkeys(names), key)]

        return self._add("delete", obj, build)

    def condition_check(self, obj: Model, *conds: TxCondition) -> Self:
        """Requires ``conds`` (at least one) to hold on ``obj``'s item
        without changing it."""

        def build(meta: ModelMeta) -> Operation:
            clauses = _conditions(meta, conds)
            if not clauses:
                raise ValidationError("condition_check needs at least one condition")
            key = key_of_instance(meta, obj, "condition_check")
            params = _body(delete_params(meta, key, clauses))
            return Operation("ConditionCheck", meta.cls, params, key)

        return self._add("condition_check", obj, build)

    # -- sending ------------------------------------------------------------

    def _what(self) -> str:
        models = sorted({op.model.__name__ for op in self._ops})
        return f"TransactWriteItems of {len(self._ops)} operations ({', '.join(models)})"

    def to_params(self) -> dict[str, Any]:
        """The ``TransactWriteItems`` parameters (without the
        ``ClientRequestToken``), checked as ``execute`` checks them."""
        check_operations(self._ops, self._what())
        return {"TransactItems": [op.item() for op in self._ops]}

    def _plan(self, timeout: float | None, cancel: Cancel | None) -> Plan[None]:
        """The plan of ``execute``: checks and sends the transaction (see
        ``TransactionBuilder.execute``)."""
        what = self._what()
        params = self.to_params()
        params["ClientRequestToken"] = str(uuid.uuid4())
        executor = self._executor
        stop = make_stop(timeout if timeout is not None else executor.timeout, cancel, what)
        scheduler = Scheduler(executor.policy, stop)
        target = TransactionTarget(self._ops, what)
        # The token makes a resend after a lost answer safe.
        yield Call("TransactWriteItems", params, target, scheduler, write=Resend())
        for op in self._ops:
            if op.changes is not None:
                obj, changes = op.changes
                obj.__dict__.update(changes)


class TransactionBuilder(TransactionBuilderBase):
    """Collects write operations for one ``TransactWriteItems``; every method
    but ``execute`` returns the builder. ``db.transact()`` makes one."""

    __slots__ = ()

    def execute(self, *, timeout: float | None = None, cancel: Cancel | None = None) -> None:
        """Checks and sends the transaction, retrying transient cancellations
        with one ``ClientRequestToken``; stops at ``timeout`` seconds (default:
        the DB's) or when ``cancel`` is set. On success the instances get the
        timestamps and versions that were written. A cancellation raises
        ``TransactionError`` (a ``TransactionConditionFailedError`` for a
        failed condition)."""
        run(self._executor, self._plan(timeout, cancel))


def transact_write(
    executor: Executor,
    fn: Callable[[TransactionBuilder], object],
    *,
    timeout: float | None = None,
    cancel: Cancel | None = None,
) -> None:
    """Runs ``fn`` on a new builder, then executes it; an exception in ``fn``
    propagates and nothing is sent."""
    builder = TransactionBuilder(executor)
    fn(builder)
    builder.execute(timeout=timeout, cancel=cancel)


# -- the context manager --------------------------------------------------------------


class TxModel:
    """``tx.model(instance)``: one instance's operation in a ``Transaction``,
    with the condition methods of ``Query`` (each returns this object)."""

    __slots__ = ("_builder", "_conds", "_obj")

    def __init__(self, builder: TransactionBuilderBase, obj: Model) -> None:
        self._builder = builder
        self._obj = obj
        self._conds: list[TxCondition] = []

    def if_not_exists(self) -> TxModel:
        """The operation succeeds only if the item does not exist yet."""
        self._conds.append(if_not_exists())
        return self

    def if_exists(self) -> TxModel:
        """The operation succeeds only if the item exists."""
        self._conds.append(if_exists())
        return self

    def at_version(self, version: int) -> TxModel:
        """The stored version must equal ``version``."""
        self._conds.append(at_version(version))
        return self

    def with_condition(self, field: str, op: str, value: Any = None) -> TxModel:
        """ANDs the condition ``field op value``."""
        self._conds.append(condition(field, op, value))
        return self

    def with_condition_expression(
        self,
        expression: str,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> TxModel:
        """ANDs a hand-written condition."""
        self._conds.append(condition_expression(expression, values, names))
        return self

    def create(self) -> None:
        """Adds a put of the instance that requires the item to be absent."""
        self._builder.create(self._obj, *self._conds)

    def put(self) -> None:
        """Adds a put of the instance (overwrites unless conditioned)."""
        self._builder.put(self._obj, *self._conds)

    def update(self, *fields: str) -> None:
        """Adds an update of the named fields (all non-key fields when none)."""
        self._builder.update(self._obj, fields, *self._conds)

    def update_with_builder(self, fn: Callable[[UpdateBuilder], object]) -> None:
        """Adds an update built by ``fn`` on an ``UpdateBuilder``."""
        self._builder.update_with_builder(self._obj, fn, *self._conds)

    def delete(self) -> None:
        """Adds a delete of the instance's item."""
        self._builder.delete(self._obj, *self._conds)

    def condition_check(self) -> None:
        """Adds a check of the conditions given so far."""
        self._builder.condition_check(self._obj, *self._conds)


B = TypeVar("B", bound="TransactionBuilderBase")


class TransactionBase(Generic[B]):
    """A transaction written as a block: ``Transaction`` (``with``) and, under
    asyncio, ``AsyncTransaction`` (``async with``). Operations added in the
    block are committed as one transaction when it exits normally; when it
    raises, nothing is sent and the exception propagates."""

    __slots__ = ("_builder", "_cancel", "_timeout")

    def __init__(
        self, builder: B, timeout: float | None = None, cancel: Cancel | None = None
    ) -> None:
        self._builder = builder
        self._timeout = timeout
        self._cancel = cancel

    @property
    def builder(self) -> B:
        """The underlying builder (for ``put``, ``condition_check``, ...)."""
        return self._builder

    def model(self, obj: Model) -> TxModel:
        """An operation on ``obj``: chain conditions, then ``create()``,
        ``put()``, ``update(*fields)``, ``delete()`` or ``condition_check()``."""
        return TxModel(self._builder, obj)

    def _commit(self) -> Plan[None]:
        return self._builder._plan(self._timeout, self._cancel)


class Transaction(TransactionBase[TransactionBuilder]):
    """``with db.transaction() as tx:`` — operations added in the block are
    committed as one transaction when it exits normally; when it raises,
    nothing is sent and the exception propagates."""

    __slots__ = ()

    def __init__(
        self,
        executor: Executor,
        timeout: float | None = None,
        cancel: Cancel | None = None,
    ) -> None:
        super().__init__(TransactionBuilder(executor), timeout, cancel)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            run(self._builder._executor, self._commit())
