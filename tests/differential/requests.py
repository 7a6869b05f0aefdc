"""Generated requests, one strategy per operation, on the logical tables of
``tables.TABLES`` (``steps.physical_request`` renames them per run).

Each strategy draws a whole request as boto3's client takes it, so a
failing example prints the requests it sent.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.differential import expressions as ex
from tests.differential import tables as tb

tables = st.sampled_from(tb.TABLES)
RequestDict = dict[str, Any]


def _maybe(draw: st.DrawFn, request: RequestDict, key: str, values: st.SearchStrategy[Any]) -> None:
    if draw(st.booleans()):
        request[key] = draw(values)


@st.composite
def wrong_keys(draw: st.DrawFn, table: tb.Table) -> dict[str, Any]:
    """A key DynamoDB refuses: an attribute missing, or of the wrong type."""
    key = draw(tb.keys(table))
    name = draw(st.sampled_from(table.key_names))
    if draw(st.booleans()) and len(key) > 1:
        del key[name]
    else:
        kind = draw(st.sampled_from([k for k in "SNB" if k != table.types[name]]))
        key[name] = draw(tb.key_values(kind))
    return key


@st.composite
def keys(draw: st.DrawFn, table: tb.Table) -> dict[str, Any]:
    """Mostly a valid key of ``table``; now and then one it refuses."""
    if draw(st.integers(0, 19)) == 0:
        return draw(wrong_keys(table))
    return draw(tb.keys(table))


@st.composite
def put_item(draw: st.DrawFn) -> RequestDict:
    table = draw(tables)
    ph = ex.Placeholders()
    request: RequestDict = {"TableName": table.name, "Item": draw(tb.items(table))}
    if draw(st.booleans()):
        request["ConditionExpression"] = draw(ex.conditions(ph))
        _maybe(draw, request, "ReturnValuesOnConditionCheckFailure", st.just("ALL_OLD"))
    _maybe(draw, request, "ReturnValues", st.sampled_from(["NONE", "ALL_OLD"]))
    return ph.into(request)


@st.composite
def update_item(draw: st.DrawFn) -> RequestDict:
    table = draw(tables)
    ph = ex.Placeholders()
    request: RequestDict = {"TableName": table.name, "Key": draw(keys(table))}
    request["UpdateExpression"] = draw(ex.updates(ph))
    if draw(st.booleans()):
        request["ConditionExpression"] = draw(ex.conditions(ph))
        _maybe(draw, request, "ReturnValuesOnConditionCheckFailure", st.just("ALL_OLD"))
    _maybe(
        draw,
        request,
        "ReturnValues",
        st.sampled_from(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]),
    )
    return ph.into(request)


@st.composite
def delete_item(draw: st.DrawFn) -> RequestDict:
    table = draw(tables)
    ph = ex.Placeholders()
    request: RequestDict = {"TableName": table.name, "Key": draw(keys(table))}
    if draw(st.booleans()):
        request["ConditionExpression"] = draw(ex.conditions(ph))
        _maybe(draw, request, "ReturnValuesOnConditionCheckFailure", st.just("ALL_OLD"))
    _maybe(draw, request, "ReturnValues", st.sampled_from(["NONE", "ALL_OLD"]))
    return ph.into(request)


@st.composite
def get_item(draw: st.DrawFn) -> RequestDict:
    table = draw(tables)
    ph = ex.Placeholders()
    request: RequestDict = {"TableName": table.name, "Key": draw(keys(table))}
    if draw(st.booleans()):
        request["ProjectionExpression"] = draw(ex.projections(ph, table))
    _maybe(draw, request, "ConsistentRead", st.booleans())
    return ph.into(request)


def _index_names(table: tb.Table) -> list[str | None]:
    return [None, *(i.name for i in table.indexes)]


def _selects(table: tb.Table, index: str | None) -> list[str]:
    if index is None:
        return ["ALL_ATTRIBUTES", "COUNT", "ALL_PROJECTED_ATTRIBUTES"]
    return ["ALL_PROJECTED_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES"]


@st.composite
def _reads(draw: st.DrawFn, request: RequestDict, ph: ex.Placeholders, table: tb.Table) -> None:
    """What Query and Scan share: a filter, a limit, Select or a projection,
    ConsistentRead."""
    index = request.get("IndexName")
    if draw(st.booleans()):
        request["FilterExpression"] = draw(ex.conditions(ph, depth=1, write=False))
    _maybe(draw, request, "Limit", st.integers(1, 4))
    if draw(st.integers(0, 3)) == 0:
        request["Select"] = draw(st.sampled_from(_selects(table, index)))
    elif index is None and draw(st.integers(0, 3)) == 0:
        request["ProjectionExpression"] = draw(ex.projections(ph, table))
    if draw(st.integers(0, 4)) == 0:
        request["ConsistentRead"] = draw(st.booleans())


@st.composite
def query(draw: st.DrawFn) -> RequestDict:
    """A Query on a table with a sort key, or on an index; read to its last
    page by ``steps``."""
    table = draw(st.sampled_from([t for t in tb.TABLES if t.range is not None or t.indexes]))
    index = draw(st.sampled_from(_index_names(table)))
    ph = ex.Placeholders()
    request: RequestDict = {"TableName": table.name}
    if index is not None:
        request["IndexName"] = index
    request["KeyConditionExpression"] = draw(ex.key_conditions(ph, table, index))
    _maybe(draw, request, "ScanIndexForward", st.booleans())
    draw(_reads(request, ph, table))
    if index is None and table.range is not None and draw(st.integers(0, 9)) == 0:
        # A filter on the sort key, which DynamoDB refuses.
        extra = (
            f"{ph.name(table.range)} = {ph.value(draw(tb.key_values(table.types[table.range])))}"
        )
        current = request.get("FilterExpression")
        request["FilterExpression"] = f"({current}) AND {extra}" if current else extra
    return ph.into(request)


@st.composite
def scan(draw: st.DrawFn) -> RequestDict:
    """A Scan of a table or index, maybe in parallel segments; read to the
    end of every segment by ``steps``."""
    table = draw(tables)
    index = draw(st.sampled_from(_index_names(table)))
    ph = ex.Placeholders()
    request: RequestDict = {"TableName": table.name}
    if index is not None:
        request["IndexName"] = index
    draw(_reads(request, ph, table))
    _maybe(draw, request, "TotalSegments", st.integers(1, 4))
    return ph.into(request)


@st.composite
def batch_get_item(draw: st.DrawFn) -> RequestDict:
    chosen = draw(st.lists(tables, min_size=1, max_size=2, unique_by=lambda t: t.name))
    request_items: RequestDict = {}
    for table in chosen:
        entry: RequestDict = {"Keys": draw(st.lists(keys(table), min_size=1, max_size=5))}
        if draw(st.booleans()):
            ph = ex.Placeholders()
            entry["ProjectionExpression"] = draw(ex.projections(ph, table))
            ph.into(entry)
        _maybe(draw, entry, "ConsistentRead", st.booleans())
        request_items[table.name] = entry
    return {"RequestItems": request_items}


def _key_of(table: tb.Table, item: dict[str, Any]) -> str:
    return repr(sorted((name, repr(item.get(name))) for name in table.key_names))


@st.composite
def batch_write_item(draw: st.DrawFn) -> RequestDict:
    """Puts and deletes across tables, no key twice in a table (see
    ``divergences.NOT_GENERATED``)."""
    chosen = draw(st.lists(tables, min_size=1, max_size=2, unique_by=lambda t: t.name))
    request_items: RequestDict = {}
    for table in chosen:
        writes = draw(
            st.lists(
                st.one_of(tb.items(table), tb.keys(table).map(lambda k: {"__delete__": k})),
                min_size=1,
                max_size=6,
                unique_by=lambda w, t=table: _key_of(t, w.get("__delete__", w)),
            )
        )
        request_items[table.name] = [
            {"DeleteRequest": {"Key": w["__delete__"]}}
            if "__delete__" in w
            else {"PutRequest": {"Item": w}}
            for w in writes
        ]
    return {"RequestItems": request_items}


@st.composite
def transact_write_items(draw: st.DrawFn) -> RequestDict:
    """Puts, updates, deletes and condition checks, one per item."""
    count = draw(st.integers(1, 4))
    seen: set[tuple[str, str]] = set()
    actions: list[RequestDict] = []
    for _ in range(count):
        table = draw(tables)
        ph = ex.Placeholders()
        kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]))
        action: RequestDict = {"TableName": table.name}
        if kind == "Put":
            action["Item"] = draw(tb.items(table))
            key = action["Item"]
        else:
            key = action["Key"] = draw(tb.keys(table))
        if (table.name, _key_of(table, key)) in seen:
            continue
        seen.add((table.name, _key_of(table, key)))
        if kind == "Update":
            action["UpdateExpression"] = draw(ex.updates(ph))
        if kind == "ConditionCheck" or draw(st.booleans()):
            action["ConditionExpression"] = draw(ex.conditions(ph))
            _maybe(draw, action, "ReturnValuesOnConditionCheckFailure", st.just("ALL_OLD"))
        actions.append({kind: ph.into(action)})
    return {"TransactItems": actions}


@st.composite
def transact_get_items(draw: st.DrawFn) -> RequestDict:
    gets: list[RequestDict] = []
    for table in draw(st.lists(tables, min_size=1, max_size=4)):
        get: RequestDict = {"TableName": table.name, "Key": draw(tb.keys(table))}
        if draw(st.booleans()):
            ph = ex.Placeholders()
            get["ProjectionExpression"] = draw(ex.projections(ph, table))
            ph.into(get)
        gets.append({"Get": get})
    return {"TransactItems": gets}


OPERATIONS = {
    "PutItem": put_item(),
    "UpdateItem": update_item(),
    "DeleteItem": delete_item(),
    "GetItem": get_item(),
    "Query": query(),
    "Scan": scan(),
    "BatchGetItem": batch_get_item(),
    "BatchWriteItem": batch_write_item(),
    "TransactWriteItems": transact_write_items(),
    "TransactGetItems": transact_get_items(),
}
"""Each operation the suite generates, and its requests."""

TRANSACTIONS = frozenset({"TransactWriteItems", "TransactGetItems"})
"""The operations dynalite does not implement."""

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
"""The operations after which the tables' contents are compared."""
