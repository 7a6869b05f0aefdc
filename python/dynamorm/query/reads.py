"""The plans of a query's reads (``dynamorm.plans``): ``first``, ``all``,
``iter``, ``all_paginated``, ``count`` and the scans, written once for
``Query`` and ``AsyncQuery``. Each builds its requests from the query's state
(``requests.plan_read``, ``scan_params``) and reads the responses
(``responses.py``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from dynamorm.entities import is_foreign
from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of
from dynamorm.model.loaded import mark
from dynamorm.plans import Each, Emit, Plan
from dynamorm.query.base import QueryBase
from dynamorm.requests import plan_read, scan_params, sort_of
from dynamorm.responses import Page, decoded, items_of, not_found, page_of

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
            items = items_of(state.meta, response)
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
            page = items_of(self._state.meta, response)
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
            page = items_of(meta, response)
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

    def _all_paginated(self) -> Plan[Page[M]]:
        plan = plan_read(self._state, "all_paginated")
        return self._page("Query", plan.params, plan.index, sort_of(self._state))

    def _scan_paginated(self) -> Plan[Page[M]]:
        return self._page("Scan", scan_params(self._state), self._state.index, None)

    def _page(
        self, operation: str, params: dict[str, Any], index: str | None, sort: str | None
    ) -> Plan[Page[M]]:
        """One Query or Scan request of at most ``limit`` items, as a ``Page``
        whose cursor resumes after it."""
        if self._state.limit is not None:
            params["Limit"] = self._state.limit
        response = yield self._call(operation, params)
        page: Page[M] = page_of(self._state.meta, response, index, sort)
        mark(self._state.meta, self._shape(params), page.items)
        return page

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
                items.extend(items_of(meta, response))
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
