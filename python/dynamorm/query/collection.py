"""``db.collection(*models)`` (SPEC §17): one Query over the partition
several entity models share, each item handed back as its own model, in
sort-key order.

``CollectionBase`` holds the builders; ``Collection`` runs the terminals on
this thread and ``dynamorm.aio.AsyncCollection`` awaits them. The terminals
are the query read plans (``query.reads``) of the first model, with the
members' types and filters as the filter (``members.MemberFilters``) and
each item decoded by the member its type attribute names — in Rust on the
fast read path, given every member's schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Self, TypeVar

from dynamorm.errors import ValidationError
from dynamorm.expr.conditions import ConditionGroup, make_term
from dynamorm.model.base import Model
from dynamorm.plans import Plan, iterate, run
from dynamorm.query.members import MemberFilters, Members
from dynamorm.query.reads import ReadPlans
from dynamorm.requests import plan_read
from dynamorm.responses import Page
from dynamorm.retry import RetryPolicy

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["Collection", "CollectionBase", "CollectionItems", "CollectionPage"]

M = TypeVar("M", bound=Model)


class CollectionItems(list[Model]):
    """The items of a collection, each an instance of its own model, in
    sort-key order (a ``list``); ``of(Model)`` lists one model's."""

    __slots__ = ("models",)

    def __init__(self, items: list[Model], models: tuple[type[Model], ...]) -> None:
        super().__init__(items)
        self.models = models
        """The collection's models."""

    def of(self, model: type[M]) -> list[M]:
        """The items of ``model`` (one of the collection's), in order."""
        return _of(self, model, self.models)


@dataclass(frozen=True, slots=True)
class CollectionPage(Page[Model]):
    """A page of a collection (``all_paginated()``): a ``Page`` whose items
    are of the collection's models; ``of(Model)`` lists one model's."""

    models: tuple[type[Model], ...] = ()
    """The collection's models."""

    def of(self, model: type[M]) -> list[M]:
        """The page's items of ``model`` (one of the collection's), in order."""
        return _of(self.items, model, self.models)


def _of(items: list[Model], model: type[M], models: tuple[type[Model], ...]) -> list[M]:
    if model not in models:
        shown = model.__name__ if isinstance(model, type) else repr(model)
        names = ", ".join(m.__name__ for m in models)
        raise ValidationError(f"collection({names}): {shown} is not one of its models")
    return [item for item in items if type(item) is model]


class _Reads(ReadPlans[Any]):
    """The read plans of the first member, reading every member's items."""

    __slots__ = ("_members",)

    def __init__(self, executor: Executor, members: Members) -> None:
        super().__init__(executor, members.lead.cls)
        self._members = members
        self._state.collection = MemberFilters(members)

    @property
    def _name(self) -> str:
        return self._members.name

    def _items(self, response: Mapping[str, Any]) -> list[Any]:
        return self._members.items_of(response)

    def _schemas(self) -> Any:
        return self._members.schemas


class CollectionBase:
    """The builders of a collection: ``where`` on the shared partition key,
    filters (for every member or one), order, page size, cursor, retries."""

    __slots__ = ("_members", "_reads")

    def __init__(self, executor: Executor, models: tuple[Any, ...]) -> None:
        self._members = Members.of(models)
        self._reads = _Reads(executor, self._members)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._members.name}>"

    @property
    def models(self) -> tuple[type[Model], ...]:
        """The collection's models, in the order given."""
        return self._members.models

    def where(
        self, field: str | None = None, op: str = "=", value: Any = None, **equal: Any
    ) -> Self:
        """The partition to read: ``where(user_id="u1")``, or
        ``where("user_id", "=", "u1")``, on the fields of the partition key
        the models share (its template's fields, or the key field itself)."""
        given = dict(equal)
        if field is not None:
            if op not in ("=", "=="):
                raise ValidationError(
                    f"{self._members.name}.where({field!r}, {op!r}, ...): a collection "
                    "reads one partition: compare its key fields with '='"
                )
            given[field] = value
        allowed = self._members.where_fields
        for name, v in given.items():
            if name not in allowed:
                raise ValidationError(
                    f"{self._members.name}.where(): {name!r} does not give the partition "
                    f"key the models share (fields: {', '.join(sorted(map(repr, allowed)))})"
                )
            self._reads._state.where.append(make_term(self._members.lead, name, "=", v))
        return self

    def filter(self, field: str, op: str, value: Any = None, *, model: Any = None) -> Self:
        """ANDs the filter ``field op value``: with ``model=Order``, onto that
        member's items only (the others pass); else onto every item — a
        member without the field then matches nothing."""
        self._filters.add(field, op, value, model)
        return self

    def filter_group(self, fn: Callable[[ConditionGroup], object], *, model: Any = None) -> Self:
        """ANDs the parenthesised group of filters ``fn`` builds, onto
        ``model``'s items only, or onto every member's (each must have the
        fields it names)."""
        self._filters.add_group(fn, model)
        return self

    def index(self, name: str) -> Self:
        """Reads the collection from the index ``name`` the models share."""
        self._members.check_key(name)
        self._reads.index(name)
        return self

    def order_by(self, field: str, direction: str = "ASC") -> Self:
        """Orders by the shared sort key ``field`` (``"ASC"`` or ``"DESC"``)."""
        self._reads.order_by(field, direction)
        return self

    def limit(self, n: int) -> Self:
        """At most ``n`` items (the page size for ``all_paginated``)."""
        self._reads.limit(n)
        return self

    def consistent_read(self) -> Self:
        """Strongly consistent reads (not possible on a GSI)."""
        self._reads.consistent_read()
        return self

    def cursor(self, token: str | None) -> Self:
        """Continues from a ``Page.next_cursor`` (``None`` starts over)."""
        self._reads.cursor(token)
        return self

    def with_retry(
        self, retry: RetryPolicy | int | None, initial_delay: float | None = None
    ) -> Self:
        """The retry policy of this collection's requests instead of the
        DB's (as ``Query.with_retry``)."""
        self._reads.with_retry(retry, initial_delay)
        return self

    # -- what the terminals share -----------------------------------------

    @property
    def _filters(self) -> MemberFilters:
        filters = self._reads._state.collection
        assert filters is not None  # set by _Reads
        return filters

    def _checked(self, operation: str) -> _Reads:
        """The reads, once the key they read is one the members share."""
        if not self._reads._state.where:
            fields = ", ".join(f"{name}=..." for name in sorted(self._members.where_fields))
            raise ValidationError(
                f"{self._members.name}.{operation}(): no partition given: where({fields}) "
                "is missing"
            )
        plan = plan_read(self._reads._state, operation)
        self._members.check_key(plan.index)
        return self._reads

    def _all(self) -> Plan[CollectionItems]:
        items = yield from self._checked("all")._all()
        return CollectionItems(items, self._members.models)

    def _page(self, fill: bool) -> Plan[CollectionPage]:
        page = yield from self._checked("all_paginated")._all_paginated(fill)
        values = {f.name: getattr(page, f.name) for f in fields(Page)}
        return CollectionPage(**values, models=self._members.models)

    def _iter(self) -> Plan[None]:
        return self._checked("iter")._iter()

    def _count(self) -> Plan[int]:
        return self._checked("count")._count()


class Collection(CollectionBase):
    """A collection under the blocking API: chain builders, then call a
    terminal."""

    __slots__ = ()

    def all(self) -> CollectionItems:
        """Every item of the partition that is one of the models' (up to
        ``limit``), reading all pages, each as its own model."""
        return run(self._reads._executor, self._all())

    def iter(self) -> Iterator[Model]:
        """The items, lazily: each page is requested when the caller
        reaches it."""
        return iterate(self._reads._executor, self._iter())

    def all_paginated(self, fill: bool = False) -> CollectionPage:
        """One page (``limit`` items at most; with ``fill=True``, ``limit``
        matching items unless the partition runs out) and the cursor for
        the next, as ``Query.all_paginated``."""
        return run(self._reads._executor, self._page(fill))

    def count(self) -> int:
        """The number of the models' items in the partition that match the
        filters (all pages)."""
        return run(self._reads._executor, self._count())
