"""The plans of a query's reads (``dynamorm.plans``): ``first``, ``all``,
``iter``, ``all_paginated``, ``count`` and the scans, written once for
``Query`` and ``AsyncQuery``. Each builds its requests from the query's state
(``requests.plan_read``, ``scan_params``) and reads the responses
(``responses.py``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from dynamorm.cursor import encode_cursor
from dynamorm.entities import is_foreign
from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of
from dynamorm.model.loaded import mark
from dynamorm.plans import Each, Emit, Plan
from dynamorm.query.base import QueryBase
from dynamorm.query.fill import exact_keys, read_size, resume_key, start_key_fields
from dynamorm.requests import QueryState, plan_read, scan_params, sort_of
from dynamorm.responses import Page, decoded, not_found, page_of

__all__ = ["ReadPlans"]

M = TypeVar("M", bound=Model)


class ReadPlans(QueryBase[M]):
    """The read plans; ``Query`` and ``AsyncQuery`` run them."""

    __slots__ = ()

    def _first(self) -> Plan[M]:
        """The plan of ``Query.first``."""
        state = self._state
        plan = plan_read(state, "first", single=True)
        if plan.operation == "GetItem":
            response = yield self._call("GetItem", plan.params)
            item = response.get("Item")
            # Another entity's item is none of this model's (the fast read
            # path has left it out already).
            if item is None or (not decoded(response) and is_foreign(state.meta, item)):
                raise not_found(state.meta, state.where, None)
            found: M = codec_of(state.meta).from_item(item)
            mark(state.meta, self._shape(plan.params), [found])
            return found
        params = dict(plan.params)
        if "FilterExpression" not in params:
            params["Limit"] = 1
        while True:
            response = yield self._call("Query", params)
            items = self._items(response)
            if items:
                mark(state.meta, self._shape(params), items[:1])
                return items[0]  # type: ignore[no-any-return]
            last = response.get("LastEvaluatedKey")
            if not last:
                raise not_found(state.meta, state.where, plan.index)
            params["ExclusiveStartKey"] = last

    def _all(self) -> Plan[list[M]]:
        return self._collect("all", "Query", plan_read(self._state, "all").params)

    def _scan(self) -> Plan[list[M]]:
        return self._collect("scan", "Scan", scan_params(self._state))

    def _collect(self, what: str, operation: str, params: dict[str, Any]) -> Plan[list[M]]:
        """Every item of a Query or Scan (up to ``limit``), reading all pages."""
        deadline = self._deadline()
        limit = self._state.limit
        shape = self._shape(params)
        items: list[M] = []
        while True:
            if limit is not None:
                params["Limit"] = limit - len(items)
            response = yield self._call(operation, params, deadline, items)
            page = self._items(response)
            mark(self._state.meta, shape, page)
            items.extend(page)
            last = response.get("LastEvaluatedKey")
            if not last or (limit is not None and len(items) >= limit):
                return items
            deadline.check(f"{self._name}.{what}()", items)
            params["ExclusiveStartKey"] = last

    def _iter(self) -> Plan[None]:
        return self._lazy("iter", "Query", plan_read(self._state, "iter").params)

    def _scan_iter(self) -> Plan[None]:
        return self._lazy("scan_iter", "Scan", scan_params(self._state))

    def _lazy(self, what: str, operation: str, params: dict[str, Any]) -> Plan[None]:
        """The items of a Query or Scan, emitted page by page as the caller
        reaches them (``iter`` and ``scan_iter``). On a deadline it raises
        ``OperationTimeoutError`` whose ``partial`` is empty — every item read
        was already handed out."""
        deadline = self._deadline()
        limit = self._state.limit
        meta = self._state.meta
        shape = self._shape(params)
        given = 0
        while True:
            if limit is not None:
                params["Limit"] = limit - given
            response = yield self._call(operation, params, deadline, [])
            page = self._items(response)
            mark(meta, shape, page)
            if limit is not None:
                page = page[: limit - given]
            given += len(page)
            yield Emit(page)
            last = response.get("LastEvaluatedKey")
            if not last or (limit is not None and given >= limit):
                return
            deadline.check(f"{self._name}.{what}()", [])
            params["ExclusiveStartKey"] = last

    def _all_paginated(self, fill: bool = False) -> Plan[Page[M]]:
        self._check_fill("all_paginated", fill)
        state = self._state
        plan = plan_read(state, "all_paginated")
        if fill and state.select and plan.index is not None:
            state = _with_index_keys(state, plan.index)
            plan = plan_read(state, "all_paginated")
        return self._page("Query", plan.params, plan.index, sort_of(state), fill=fill, state=state)

    def _scan_paginated(self, fill: bool = False) -> Plan[Page[M]]:
        self._check_fill("scan_paginated", fill)
        state = self._state
        if fill and state.select and state.index is not None:
            state = _with_index_keys(state, state.index)
        return self._page("Scan", scan_params(state), state.index, None, fill=fill, state=state)

    def _check_fill(self, what: str, fill: bool) -> None:
        """Refuses a ``fill`` that is not a bool, and ``fill=True`` without
        ``limit()`` (a filled page needs its size), before any request."""
        if not isinstance(fill, bool):
            raise ValidationError(
                f"{self._name}.{what}(): fill must be True or False, got {fill!r}"
            )
        if fill and self._state.limit is None:
            raise ValidationError(
                f"{self._name}.{what}(fill=True) needs a page size: call limit(n) first"
            )

    def _page(
        self,
        operation: str,
        params: dict[str, Any],
        index: str | None,
        sort: str | None,
        *,
        fill: bool = False,
        state: QueryState | None = None,
    ) -> Plan[Page[M]]:
        """One Query or Scan request of at most ``limit`` items, as a ``Page``
        whose cursor resumes after it; with ``fill``, ``_filled``'s page.
        ``state`` is the state ``params`` were planned from (the query's)."""
        if fill:
            return (yield from self._filled(operation, params, index, sort, state or self._state))
        if self._state.limit is not None:
            params["Limit"] = self._state.limit
        response = yield self._call(operation, params)
        page: Page[M] = page_of(self._items(response), response, index, sort)
        mark(self._state.meta, self._shape(params), page.items)
        return page

    def _filled(
        self,
        operation: str,
        params: dict[str, Any],
        index: str | None,
        sort: str | None,
        state: QueryState,
    ) -> Plan[Page[M]]:
        """A page of ``limit`` matching items however many the filters drop:
        Query or Scan requests (the first asking for ``limit`` items, the next
        as ``fill.read_size`` says) until the page is full or the read is
        exhausted. Its cursor resumes right after its last item
        (``fill.resume_key`` when the page ends inside a response, else
        DynamoDB's ``LastEvaluatedKey``); ``scanned_count`` is every item the
        reads evaluated and ``consumed_capacity`` the list of what each
        reported. Between reads the deadline raises ``OperationTimeoutError``
        whose ``partial`` is the page so far, its cursor resuming after it."""
        meta = state.meta
        limit = state.limit
        assert limit is not None  # _check_fill checked it
        what = f"{self._name}.{'all' if operation == 'Query' else 'scan'}_paginated(fill=True)"
        key_fields = start_key_fields(meta, index)
        exact = exact_keys(key_fields)
        shape = self._shape(params, state.select)
        deadline = self._deadline()
        items: list[M] = []
        capacity: list[Any] = []
        evaluated = 0
        size = limit
        partial: Page[M] | None = None
        while True:
            params["Limit"] = size
            response = yield self._call(operation, params, deadline, partial)
            got = self._items(response)
            evaluated += int(response.get("ScannedCount", len(got)))
            if response.get("ConsumedCapacity") is not None:
                capacity.append(response["ConsumedCapacity"])
            needed = limit - len(items)
            last = response.get("LastEvaluatedKey") or None
            if len(got) > needed:
                # The page ends inside this response: resume after its last item.
                got = got[:needed]
                last = resume_key(key_fields, got[-1])
            mark(meta, shape, got)
            items.extend(got)
            cursor = None if last is None else encode_cursor(last, index=index, sort=sort)
            if last is None or len(items) == limit:
                return Page(items, cursor, len(items), evaluated, capacity or None)
            partial = Page(list(items), cursor, len(items), evaluated, capacity or None)
            deadline.check(what, partial)
            params["ExclusiveStartKey"] = last
            size = read_size(limit - len(items), len(items), evaluated, size, exact)

    def _count(self) -> Plan[int]:
        """The plan of ``Query.count`` (``limit`` is ignored)."""
        # A COUNT read takes no projection: plan it without select().
        params = plan_read(replace(self._state, select=[]), "count").params
        params["Select"] = "COUNT"
        deadline = self._deadline()
        total = 0
        while True:
            response = yield self._call("Query", params, deadline, total)
            total += int(response.get("Count", 0))
            last = response.get("LastEvaluatedKey")
            if not last:
                return total
            deadline.check(f"{self._name}.count()", total)
            params["ExclusiveStartKey"] = last

    def _scan_all_segments(self, total_segments: int) -> Plan[list[M]]:
        """A parallel scan of every segment, ``total_segments`` at once."""
        if not isinstance(total_segments, int) or total_segments < 1:
            raise ValidationError(f"{self._name}.scan_all_segments: total_segments must be >= 1")
        if self._state.cursor is not None:
            # One cursor resumes one segment; it cannot start every segment.
            raise ValidationError(
                f"{self._name}.scan_all_segments(): a cursor resumes one scan or segment; "
                "page each segment with parallel_scan(segment, total).cursor(...).scan_paginated()"
            )
        base = scan_params(self._state)
        deadline = self._deadline()
        meta = self._state.meta
        shape = self._shape(base)

        def segment(n: int) -> Plan[tuple[list[M], bool]]:
            params = {**base, "Segment": n, "TotalSegments": total_segments}
            items: list[M] = []
            while True:
                response = yield self._call("Scan", params)
                items.extend(self._items(response))
                last = response.get("LastEvaluatedKey")
                if not last:
                    return items, False
                if deadline.expired():
                    return items, True
                params["ExclusiveStartKey"] = last

        segments = [segment(n) for n in range(total_segments)]
        results: list[tuple[list[M], bool]] = yield Each(segments, total_segments)
        items = [item for part, _ in results for item in part]
        mark(meta, shape, items)
        if any(stopped for _, stopped in results):
            deadline.check(f"{self._name}.scan_all_segments()", items)
        return items


def _with_index_keys(state: QueryState, index: str) -> QueryState:
    """``state`` whose ``select()`` also reads ``index``'s key attributes: a
    filled page's cursor may be built from a returned item, and a cursor of
    an index read holds the index's key as well as the table's."""
    info = state.meta.indexes[index]
    extra: list[list[str | int]] = [
        [f.attr] for f in (info.pk, info.sk) if f is not None and [f.attr] not in state.select
    ]
    return replace(state, select=[*state.select, *extra]) if extra else state
