"""What a ``DB`` tells you about its requests: ``DB(on_request=fn)``.

Each hook is called with a ``RequestInfo`` after every attempt of every
request — the operation, the table and model, which attempt it was, how long
it took, the HTTP status or the error, how many items came back, the
consumed capacity when DynamoDB reported it, and whether the error is one the
retry scheduler goes on from. Hooks run on the thread that sent the attempt
(batch chunks: their worker threads); an exception in a hook is logged and
does not affect the request. With no hook set nothing is measured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dynamorm.errors import ValidationError

__all__ = ["CAPACITY_MODES", "RequestHook", "RequestInfo", "Stats"]
# ``hooks_of``, ``item_count`` and ``notify`` are the library's own helpers.

logger = logging.getLogger("dynamorm")


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """One attempt of one request."""

    operation: str
    """DynamoDB's name of the operation: ``"GetItem"``, ``"Query"``, ..."""
    table: str
    """The table the request went to (with the ``DB``'s prefix), or the
    tables of a transaction, comma-separated."""
    model: str | None
    """The model class's name, when the request is about one model."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, ..."""
    duration: float
    """Seconds from sending the attempt to its answer or failure."""
    status: int | None
    """The HTTP status of the answer; ``None`` when none came (a broken
    connection, a timeout)."""
    error: BaseException | None
    """What the attempt failed with (botocore's exception, before the
    library maps it to a ``dynamorm.errors`` class); ``None`` on success."""
    item_count: int | None
    """How many items the answer holds (``Items``, ``Item``, a batch's or a
    transaction's ``Responses``); ``None`` for answers without items."""
    consumed_capacity: Any
    """The answer's ``ConsumedCapacity`` (a dict, or a list of them for
    batches and transactions), when it was asked for; else ``None``."""
    retryable: bool
    """Whether the error is one the retry scheduler retries (throttling,
    5xx, a lost connection); whether it does depends on the retries left and
    the deadline."""


RequestHook = Callable[[RequestInfo], object]
"""A function ``DB(on_request=...)`` calls after every attempt."""


def hooks_of(on_request: Any) -> tuple[RequestHook, ...]:
    """``on_request`` (one callable, several, or ``None``) as a tuple of
    hooks; ``ValidationError`` for anything else."""
    if on_request is None:
        return ()
    given = (on_request,) if callable(on_request) else on_request
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise ValidationError(
            f"DB: on_request must be a callable or a list of them, got {on_request!r}"
        )
    for hook in given:
        if not callable(hook):
            raise ValidationError(f"DB: on_request must hold callables, got {hook!r}")
    return tuple(given)


def item_count(parsed: Mapping[str, Any]) -> int | None:
    """How many items an answer holds, or ``None`` for an answer without."""
    if "Items" in parsed:
        return len(parsed["Items"])
    if "Item" in parsed:
        return 0 if parsed["Item"] is None else 1
    responses = parsed.get("Responses")
    if isinstance(responses, Mapping):  # BatchGetItem: per table
        return sum(len(items) for items in responses.values())
    if isinstance(responses, list):  # TransactGetItems: one entry per read
        return sum(1 for r in responses if r and r.get("Item") is not None)
    return None


def notify(hooks: tuple[RequestHook, ...], info: RequestInfo) -> None:
    """Calls each hook with ``info``; a hook's exception is logged, not raised."""
    for hook in hooks:
        try:
            hook(info)
        except Exception:
            logger.exception("dynamorm: an on_request hook raised for %s", info.operation)


CAPACITY_MODES = ("TOTAL", "INDEXES")
"""What ``DB(return_consumed_capacity=...)`` may ask for."""


class Stats:
    """Consumed capacity and request counts per table and operation, since
    the ``DB`` was made (``db.stats()``); safe to update from several
    threads."""

    __slots__ = ("_lock", "_totals")

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str], dict[str, float]] = {}

    def add(self, operation: str, table: str, capacity: Any) -> None:
        """Counts one successful request and the capacity it reported (a
        dict, or a list of them for batches and transactions)."""
        entries = capacity if isinstance(capacity, list) else [capacity]
        with self._lock:
            for entry in entries:
                name = entry.get("TableName", table) if isinstance(entry, Mapping) else table
                totals = self._totals.setdefault(
                    (name, operation),
                    {"requests": 0, "capacity_units": 0.0, "read_units": 0.0, "write_units": 0.0},
                )
                totals["requests"] += 1
                if isinstance(entry, Mapping):
                    totals["capacity_units"] += float(entry.get("CapacityUnits", 0) or 0)
                    totals["read_units"] += float(entry.get("ReadCapacityUnits", 0) or 0)
                    totals["write_units"] += float(entry.get("WriteCapacityUnits", 0) or 0)

    def snapshot(self) -> dict[str, dict[str, dict[str, float]]]:
        """``{table: {operation: {"requests": n, "capacity_units": x,
        "read_units": r, "write_units": w}}}``, a copy."""
        with self._lock:
            out: dict[str, dict[str, dict[str, float]]] = {}
            for (table, operation), totals in self._totals.items():
                out.setdefault(table, {})[operation] = dict(totals)
            return out
