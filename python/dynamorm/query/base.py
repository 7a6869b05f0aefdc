"""``QueryBase``: what ``Query`` and ``AsyncQuery`` share — the builder
methods, which record state (``requests.QueryState``) and return the same
query, and the helpers the terminals' plans use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from dynamorm.errors import ValidationError
from dynamorm.expr import Clause
from dynamorm.expr.conditions import (
    ConditionSet,
    ConditionVocabulary,
    FilterVocabulary,
    make_term,
    raw_clause,
)
from dynamorm.model.base import Model
from dynamorm.model.fields import FieldInfo
from dynamorm.model.loaded import ReadShape, shape_of
from dynamorm.model.meta import ModelMeta
from dynamorm.model.paths import resolve_path
from dynamorm.plans import Call
from dynamorm.requests import QueryState
from dynamorm.responses import items_of
from dynamorm.retry import Deadline, Resend, RetryPolicy
from dynamorm.transport.base import Target

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["QueryBase"]

M = TypeVar("M", bound=Model)


class QueryBase(FilterVocabulary, ConditionVocabulary, Generic[M]):
    """Reads and writes of one model: chain builders, then call a terminal
    (``Query``'s, or ``AsyncQuery``'s to await)."""

    __slots__ = ("_executor", "_state", "_target")

    def __init__(self, executor: Executor, model: type[M] | M) -> None:
        if isinstance(model, Model):
            cls: type[Any] = type(model)
            instance: Any = model
        elif isinstance(model, type) and issubclass(model, Model):
            cls, instance = model, None
        else:
            raise ValidationError(f"db.model() takes a Model class or instance, got {model!r}")
        meta = cls.__dynamorm__
        self._executor = executor
        self._state = QueryState(meta=meta, instance=instance)
        self._target = Target(cls, meta.table)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state.meta.name}>"

    @property
    def _name(self) -> str:
        return self._state.meta.name

    # -- read builders ----------------------------------------------------

    def where(self, field: str, op: str, value: Any = None) -> Self:
        """Adds ``field op value``; key conditions choose the table or index,
        the rest become filters."""
        self._state.where.append(make_term(self._state.meta, field, op, value))
        return self

    def index(self, name: str) -> Self:
        """Reads from the secondary index ``name``."""
        if name not in self._state.meta.indexes:
            known = ", ".join(sorted(self._state.meta.indexes)) or "none"
            raise ValidationError(f"{self._name} has no index {name!r} (indexes: {known})")
        self._state.index = name
        return self

    def order_by(self, field: str, direction: str = "ASC") -> Self:
        """Orders by the sort key ``field`` (``"ASC"`` or ``"DESC"``), or by
        the field a sort key's template starts with (``"ORDER#{order_id}"``:
        ``order_by("order_id")`` orders by that key)."""
        d = direction.upper() if isinstance(direction, str) else direction
        if d not in ("ASC", "DESC"):
            raise ValidationError(f"{self._name}.order_by: direction must be ASC or DESC")
        self._state.order_field = _sort_key_of(
            self._state.meta, resolve_path(self._state.meta, field)[0]
        )
        self._state.descending = d == "DESC"
        return self

    def limit(self, n: int) -> Self:
        """At most ``n`` items (the page size for ``all_paginated``)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValidationError(f"{self._name}.limit: expected a positive int, got {n!r}")
        self._state.limit = n
        return self

    def select(self, *fields: str) -> Self:
        """Reads only these fields (the key is always read); others take
        their defaults."""
        for name in fields:
            self._state.select.append(resolve_path(self._state.meta, name)[1])
        return self

    def consistent_read(self) -> Self:
        """Strongly consistent reads (not possible on a GSI)."""
        self._state.consistent = True
        return self

    def cursor(self, token: str | None) -> Self:
        """Continues from a ``Page.next_cursor`` (``None`` starts over)."""
        self._state.cursor = token or None
        return self

    def with_retry(
        self, retry: RetryPolicy | int | None, initial_delay: float | None = None
    ) -> Self:
        """The retry policy of this query's requests instead of the DB's: a
        ``RetryPolicy``, a number of retries (``with_retry(5, 0.2)``: 5
        retries from 0.2 s), or ``None`` for none."""
        policy = RetryPolicy.given(retry, initial_delay, f"{self._state.meta.name}.query()")
        self._state.retry = policy if policy is not None else RetryPolicy(max_retries=0)
        return self

    def parallel_scan(self, segment: int, total_segments: int) -> Self:
        """Makes ``scan()`` read one segment of a parallel scan."""
        if not 0 <= segment < total_segments:
            raise ValidationError(
                f"{self._name}.parallel_scan: need 0 <= segment < total_segments, "
                f"got {segment} of {total_segments}"
            )
        self._state.segment = (segment, total_segments)
        return self

    # -- write conditions -------------------------------------------------

    def if_not_exists(self) -> Self:
        """The write succeeds only if the item does not exist yet."""
        return self.with_condition(self._state.meta.pk.name, "NOT_EXISTS")

    def if_exists(self) -> Self:
        """The write succeeds only if the item exists."""
        return self.with_condition(self._state.meta.pk.name, "EXISTS")

    def _filter_target(self) -> tuple[ModelMeta, ConditionSet]:
        return self._state.meta, self._state.filters

    def _condition_target(self) -> tuple[ModelMeta, ConditionSet]:
        return self._state.meta, self._state.conditions

    def with_condition(self, field: str, op: str, value: Any = None) -> Self:
        """ANDs the write condition ``field op value`` (``condition`` under
        its write-builder name)."""
        return self.condition(field, op, value)

    def with_condition_expression(
        self,
        expression: str,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
    ) -> Self:
        """ANDs a hand-written condition; ``values`` are Python values. It is
        validated before sending (``ExpressionError`` with the position)."""
        self._state.conditions.add(raw_clause(expression, values, names))
        return self

    # -- what the plans share ---------------------------------------------

    def _items(self, response: Mapping[str, Any]) -> list[Any]:
        """The instances of a Query or Scan response's items."""
        return items_of(self._state.meta, response)

    def _schemas(self) -> Any:
        """What the fast read path decodes this query's items with (``None``:
        the model's schema)."""
        return None

    def _deadline(self) -> Deadline:
        return Deadline(self._executor.timeout)

    def _shape(
        self, params: Mapping[str, Any], select: list[list[str | int]] | None = None
    ) -> ReadShape | None:
        """What the read ``params`` returns of each item (``None``: whole
        items); its instances are marked with it (``loaded``). ``select`` is
        the projection ``params`` were planned with, when not the query's."""
        meta = self._state.meta
        index = params.get("IndexName")
        paths = self._state.select if select is None else select
        return shape_of(meta, paths, meta.indexes.get(index) if index else None)

    def _call(
        self,
        operation: str,
        params: dict[str, Any],
        deadline: Deadline | None = None,
        partial: Any = None,
        write: Resend | None = None,
    ) -> Call:
        """One request through the retry scheduler: the policy of
        ``with_retry`` (else the DB's), stopping at the operation's
        ``deadline`` (else a fresh one from the DB's timeout). The operation
        checks its deadline between pages itself, so the first attempt of each
        request always goes out; ``partial`` is handed back if a retry pause
        reaches the deadline. ``write`` marks a write (see ``resend``)."""
        policy = self._state.retry
        if deadline is None and policy is None:
            return Call(operation, params, self._target, schemas=self._schemas(), write=write)
        scheduler = self._executor.scheduler(deadline or self._deadline(), policy=policy)
        return Call(
            operation,
            params,
            self._target,
            scheduler,
            partial,
            check_first=False,
            schemas=self._schemas(),
            write=write,
        )

    def _bound(self, operation: str) -> Any:
        obj = self._state.instance
        if obj is None:
            raise ValidationError(
                f"{self._name}.{operation}() needs an instance: use db.model(instance)"
            )
        return obj

    def _conditions(self) -> list[Clause]:
        built = self._state.conditions.build()
        return [] if built is None else [built]


def _sort_key_of(meta: ModelMeta, f: FieldInfo) -> FieldInfo:
    """The sort key ``order_by(f)`` orders by: ``f`` itself, or the table's
    (else the first index's) sort key whose template's first placeholder is
    ``f`` — its keys sort as ``f``'s stored text does."""
    keys = [meta.sk, *(info.sk for info in meta.indexes.values())]
    if any(k is f for k in keys):
        return f
    for key in keys:
        if key is not None and key.template is not None and key.template.fields[:1] == (f.name,):
            return key
    return f
