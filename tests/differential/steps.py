"""Sending one generated step to one implementation, and what came back.

A step is an operation and its request on the logical tables. ``run``
renames the tables for the run, sends the request through the
implementation's boto3 client and returns an ``Outcome``: the response, or
the error's code and message. A Query is read to its last page (each page's
``LastEvaluatedKey`` the next request's ``ExclusiveStartKey``), a Scan to
the end of every segment, so an outcome holds all of its pages.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from tests.differential import tables as tb

MAX_PAGES = 200
"""A read that has not ended after this many pages is reported as such."""


@dataclass(frozen=True)
class Step:
    """One generated operation: its name (``PutItem``) and request."""

    operation: str
    request: dict[str, Any]


@dataclass
class Outcome:
    """What one implementation answered to a step: ``response`` (for Query
    and Scan, ``pages``: per segment, the pages in order) or an ``error``
    code and ``message``, with the error's other fields in ``details``."""

    response: dict[str, Any] | None = None
    pages: list[list[dict[str, Any]]] | None = None
    error: str | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def physical_request(request: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``request`` with its logical table names replaced by the run's."""
    renamed = copy.deepcopy(request)
    if "TableName" in renamed:
        renamed["TableName"] = tb.physical(prefix, renamed["TableName"])
    if "RequestItems" in renamed:
        renamed["RequestItems"] = {
            tb.physical(prefix, name): entry for name, entry in renamed["RequestItems"].items()
        }
    for action in renamed.get("TransactItems", []):
        for body in action.values():
            body["TableName"] = tb.physical(prefix, body["TableName"])
    return renamed


def _method(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def _read_to_end(client: Any, operation: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    send = getattr(client, _method(operation))
    pages: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while len(pages) < MAX_PAGES:
        page = send(**request, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(page)
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages
    raise AssertionError(f"{operation} {request!r}: still paging after {MAX_PAGES} pages")


def run(client: Any, step: Step, prefix: str) -> Outcome:
    """Send ``step`` to ``client``, on the tables of the run ``prefix``."""
    request = physical_request(step.request, prefix)
    try:
        if step.operation == "Query":
            return Outcome(pages=[_read_to_end(client, "Query", request)])
        if step.operation == "Scan":
            total = request.get("TotalSegments")
            if total is None:
                return Outcome(pages=[_read_to_end(client, "Scan", request)])
            return Outcome(
                pages=[
                    _read_to_end(client, "Scan", {**request, "Segment": s}) for s in range(total)
                ]
            )
        return Outcome(response=getattr(client, _method(step.operation))(**request))
    except ClientError as error:
        answer = dict(error.response)
        info = answer.pop("Error", {})
        answer.pop("ResponseMetadata", None)
        answer.pop("message", None)
        return Outcome(
            error=str(info.get("Code")), message=str(info.get("Message", "")), details=answer
        )


def contents(client: Any, prefix: str) -> dict[str, Outcome]:
    """Every table's items (a full Scan of each), for comparing state."""
    return {t.name: run(client, Step("Scan", {"TableName": t.name}), prefix) for t in tb.TABLES}
