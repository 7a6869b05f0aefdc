"""What of an outcome is compared: ``normalize`` turns an ``Outcome`` into
plain data two implementations must agree on.

It removes what legitimately differs: response metadata, ``ConsumedCapacity``
and ``ItemCollectionMetrics`` (never asked for), the order of set members,
of ``BatchGetItem``'s items, of a Scan's items (partitions and segments are
each server's own), of index items whose index keys tie, and the spelling of
numbers (``divergences.NUMBERS_AS_SENT``). It compares an error's code, and
its message only where ``divergences.SAME_MESSAGES`` says the servers agree
on it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.differential import divergences
from tests.differential import tables as tb
from tests.differential.steps import Outcome, Step

Plain = Any


def canonical_number(text: str) -> str:
    """A number as DynamoDB returns it: no exponent, no leading or
    trailing zeros, no ``-0`` (``1.50`` and ``1.5E0`` are ``1.5``)."""
    value = Decimal(text)
    if value.is_zero():
        return "0"
    plain = format(value.normalize(), "f")
    return plain


def attribute(value: Any) -> Plain:
    """An attribute value with numbers canonical, sets sorted and binaries
    as hex."""
    ((kind, raw),) = value.items()
    if kind == "N":
        return {"N": canonical_number(raw)}
    if kind == "NS":
        return {"NS": sorted({canonical_number(x) for x in raw}, key=Decimal)}
    if kind == "SS":
        return {"SS": sorted(raw)}
    if kind == "B":
        return {"B": bytes(raw).hex()}
    if kind == "BS":
        return {"BS": sorted(bytes(x).hex() for x in raw)}
    if kind == "L":
        return {"L": [attribute(x) for x in raw]}
    if kind == "M":
        return {"M": item(raw)}
    return {kind: raw}


def item(value: dict[str, Any]) -> Plain:
    return {name: attribute(v) for name, v in sorted(value.items())}


def _sort_key(value: Plain) -> str:
    return json.dumps(value, sort_keys=True)


def _items(values: list[dict[str, Any]]) -> list[Plain]:
    return [item(v) for v in values]


def _multiset(values: list[Plain]) -> list[Plain]:
    return sorted(values, key=_sort_key)


IGNORED = ("ResponseMetadata", "ConsumedCapacity", "ItemCollectionMetrics")


def _response(step: Step, response: dict[str, Any]) -> Plain:
    out: dict[str, Plain] = {}
    for name, value in response.items():
        if name in IGNORED:
            continue
        if name in ("Item", "Attributes"):
            out[name] = item(value)
        elif name == "Responses" and step.operation == "BatchGetItem":
            out[name] = {table: _multiset(_items(found)) for table, found in value.items()}
        elif name == "Responses":
            out[name] = [{k: item(v) for k, v in r.items()} for r in value]
        elif name in ("UnprocessedKeys", "UnprocessedItems"):
            if value:
                out[name] = value
        else:
            out[name] = value
    return out


def _trimmed(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pages with the final empty page some servers send after a page
    that filled ``Limit`` folded away (``divergences.LIMIT_LAST_PAGE``)."""
    pages = [dict(p) for p in pages]
    last = pages[-1]
    if len(pages) > 1 and not last.get("Count") and not last.get("ScannedCount"):
        pages.pop()
    pages[-1].pop("LastEvaluatedKey", None)
    return pages


def _index_key(step: Step, found: Plain) -> Plain:
    table = tb.BY_NAME[step.request["TableName"]]
    index = table.index(step.request["IndexName"])
    return [found.get(index.hash), found.get(index.range) if index.range else None]


def _query(step: Step, pages: list[dict[str, Any]]) -> Plain:
    pages = _trimmed(pages)
    if "IndexName" not in step.request:
        return [
            {
                "Items": _items(p.get("Items", [])),
                "Count": p.get("Count"),
                "ScannedCount": p.get("ScannedCount"),
                "LastEvaluatedKey": item(p["LastEvaluatedKey"])
                if "LastEvaluatedKey" in p
                else None,
            }
            for p in pages
        ]
    # Items whose index keys tie come in no set order: compare the order of
    # index keys, the items as a multiset, and the paging.
    found = [item(i) for p in pages for i in p.get("Items", [])]
    return {
        "index keys in order": [_index_key(step, f) for f in found],
        "items": _multiset(found),
        "pages": len(pages),
        "ScannedCount per page": [p.get("ScannedCount") for p in pages],
        "Count": sum(p.get("Count", 0) for p in pages),
    }


def _scan(segments: list[list[dict[str, Any]]]) -> Plain:
    pages = [p for segment in segments for p in segment]
    return {
        "items": _multiset([item(i) for p in pages for i in p.get("Items", [])]),
        "Count": sum(p.get("Count", 0) for p in pages),
        "ScannedCount": sum(p.get("ScannedCount", 0) for p in pages),
    }


def _details(details: dict[str, Any]) -> Plain:
    out: dict[str, Plain] = {}
    for name, value in details.items():
        if name == "Item":
            out[name] = item(value)
        elif name == "CancellationReasons":
            out[name] = [
                {
                    "Code": r.get("Code"),
                    **({"Item": item(r["Item"])} if "Item" in r else {}),
                }
                for r in value
            ]
        else:
            out[name] = value
    return out


def normalize(step: Step, outcome: Outcome) -> Plain:
    """What of ``outcome`` (an answer to ``step``) is compared."""
    if outcome.error is not None:
        plain: dict[str, Plain] = {"error": outcome.error}
        if outcome.error in divergences.SAME_MESSAGES:
            plain["message"] = outcome.message
        if outcome.details:
            plain["details"] = _details(outcome.details)
        return plain
    if outcome.pages is not None:
        if step.operation == "Query":
            return _query(step, outcome.pages[0])
        return _scan(outcome.pages)
    assert outcome.response is not None
    return _response(step, outcome.response)
