"""``DB(table_prefix="prod-")``: one set of models, one table per environment.

Models name their tables once (``table="orders"``); a ``DB`` with a prefix
sends every request to ``prod-orders`` instead. The ``Executor`` adds the
prefix to every table name a request carries (``TableName``, the keys of a
batch's ``RequestItems``, a transaction's operations) and takes it off the
table names an answer is keyed by (a batch's ``Responses`` and unprocessed
requests, consumed capacity, item collection metrics), so that everything
above the executor speaks of the model's own table name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["answer", "request", "table_names", "table_of"]

_TRANSACTION_PARTS = ("Put", "Update", "Delete", "ConditionCheck", "Get")
_KEYED_ANSWERS = ("Responses", "UnprocessedKeys", "UnprocessedItems", "ItemCollectionMetrics")


def table_of(prefix: str, table: str) -> str:
    """The table a request for ``table`` goes to."""
    return prefix + table


def request(prefix: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with ``prefix`` before every table name (a new dict; the
    caller's is left as it is)."""
    out = dict(params)
    if "TableName" in out:
        out["TableName"] = prefix + out["TableName"]
    if "RequestItems" in out:
        out["RequestItems"] = {prefix + t: v for t, v in out["RequestItems"].items()}
    if "TransactItems" in out:
        out["TransactItems"] = [_prefixed_part(prefix, item) for item in out["TransactItems"]]
    return out


def table_names(params: Mapping[str, Any]) -> list[str]:
    """The tables a request goes to, each once, in the order it names them:
    its ``TableName``, the keys of a batch's ``RequestItems``, the tables of
    a transaction's operations."""
    names: list[str] = []
    if isinstance(params.get("TableName"), str):
        names.append(params["TableName"])
    names.extend(params.get("RequestItems") or ())
    for item in params.get("TransactItems") or ():
        names.extend(item[part]["TableName"] for part in _TRANSACTION_PARTS if part in item)
    return list(dict.fromkeys(names))


def _prefixed_part(prefix: str, item: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(item)
    for part in _TRANSACTION_PARTS:
        if part in out:
            out[part] = {**out[part], "TableName": prefix + out[part]["TableName"]}
    return out


def answer(prefix: str, response: dict[str, Any]) -> dict[str, Any]:
    """``response`` with ``prefix`` taken off the table names it is keyed by
    (in place: the response is the executor's own)."""
    for member in _KEYED_ANSWERS:
        keyed = response.get(member)
        if isinstance(keyed, dict):
            response[member] = {_bare(prefix, t): v for t, v in keyed.items()}
    if isinstance(response.get("ResponseKeys"), dict):
        response["ResponseKeys"] = {
            _bare(prefix, t): v for t, v in response["ResponseKeys"].items()
        }
    capacity = response.get("ConsumedCapacity")
    if isinstance(capacity, dict):
        response["ConsumedCapacity"] = _bare_capacity(prefix, capacity)
    elif isinstance(capacity, list):
        response["ConsumedCapacity"] = [_bare_capacity(prefix, c) for c in capacity]
    return response


def _bare_capacity(prefix: str, capacity: Any) -> Any:
    if isinstance(capacity, dict) and isinstance(capacity.get("TableName"), str):
        return {**capacity, "TableName": _bare(prefix, capacity["TableName"])}
    return capacity


def _bare(prefix: str, table: str) -> str:
    return table[len(prefix) :] if table.startswith(prefix) else table
