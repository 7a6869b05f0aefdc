"""``Faults``: throttles, server errors, unprocessed batch keys and latency,
injected into requests so a test can see how code copes with them.

A ``Faults`` holds rules, each for one operation (``"PutItem"``) or every
operation (``None``), firing on the first ``times`` requests it matches, on
a ``fraction`` of them (drawn from the ``Faults``' own seeded random
generator: the same seed, the same requests), or on every one. A request
takes every rule that fires for it: the latencies add up, the first error
wins, and a batch's held-back share is the largest asked for.

The faults act where the bytes travel, never inside the library: on a
``MemoryBackend`` (``dynamorm.testing.backend``) the backend answers the
request as a failing DynamoDB would; on a real server, ``attach(client)``
answers from botocore's ``before-send`` event of that client
(``dynamorm.testing.server_faults``). So the library's retries, backoff and
batch resends run exactly as they would against such a DynamoDB, and a
test reads them where a user would (``db.stats()``, ``on_request`` hooks).
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dynamorm.errors import ValidationError

__all__ = ["THROTTLE_CODES", "Draw", "Faults", "Injected", "hold_back", "merge_held"]

THROTTLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException"})
"""The throttling errors ``Faults.throttle`` answers with."""

_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#"

_BATCHES = frozenset({"BatchGetItem", "BatchWriteItem"})


@dataclass(frozen=True, slots=True)
class Injected:
    """One fault a request got: its operation and the rule's kind
    (``"throttle"``, ``"server_error"``, ``"unprocessed"``, ``"latency"``)."""

    operation: str
    kind: str


@dataclass(slots=True)
class Draw:
    """What one request gets: ``seconds`` of latency before it is answered,
    an error answer (``status``, ``body``) in place of DynamoDB's — after the
    request was applied when ``applied`` (a lost answer) — and, for a batch,
    the ``share`` of its keys or writes held back as unprocessed."""

    seconds: float = 0.0
    status: int | None = None
    body: bytes = b""
    applied: bool = False
    share: float = 0.0


@dataclass(slots=True)
class _Rule:
    kind: str
    operation: str | None
    times: int | None
    fraction: float | None
    draw: Draw = field(default_factory=Draw)


class Faults:
    """The faults to inject into requests (see the module docstring).
    ``seed`` seeds the draws of the rules given a ``fraction``. Every method
    that adds a rule returns the ``Faults``, so rules chain:
    ``faults.throttle("PutItem", times=2).latency(0.05, "Query")``. Safe to
    use from several threads."""

    __slots__ = ("_injected", "_lock", "_random", "_rules", "_seed")

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        self._rules: list[_Rule] = []
        self._injected: list[Injected] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Faults {len(self._rules)} rules, {len(self._injected)} injected>"

    # -- rules ------------------------------------------------------------

    def throttle(
        self,
        operation: str | None = None,
        *,
        times: int | None = None,
        fraction: float | None = None,
        code: str = "ProvisionedThroughputExceededException",
    ) -> Faults:
        """Answers 400 with the throttling error ``code``
        (``ProvisionedThroughputExceededException`` or
        ``ThrottlingException``); the request is not applied."""
        if code not in THROTTLE_CODES:
            raise ValidationError(
                f"Faults.throttle: code must be one of {sorted(THROTTLE_CODES)}, got {code!r}"
            )
        draw = Draw(status=400, body=_error_body(code, "Throughput exceeded (injected)"))
        return self._add("throttle", operation, times, fraction, draw)

    def server_error(
        self,
        operation: str | None = None,
        *,
        times: int | None = None,
        fraction: float | None = None,
        status: int = 500,
        applied: bool = False,
    ) -> Faults:
        """Answers ``status`` (500: ``InternalServerError``; 503:
        ``ServiceUnavailable``): without applying the request, or with
        ``applied=True`` after applying it (the answer of a write that was
        done is lost)."""
        if status not in (500, 503):
            raise ValidationError(f"Faults.server_error: status must be 500 or 503, got {status!r}")
        if not isinstance(applied, bool):
            raise ValidationError(f"Faults.server_error: applied must be a bool, got {applied!r}")
        code = "ServiceUnavailable" if status == 503 else "InternalServerError"
        draw = Draw(status=status, body=_error_body(code, "The server failed (injected)"))
        draw.applied = applied
        return self._add("server_error", operation, times, fraction, draw)

    def unprocessed(
        self,
        operation: str | None = None,
        *,
        share: float = 0.5,
        times: int | None = None,
        fraction: float | None = None,
    ) -> Faults:
        """``BatchGetItem`` / ``BatchWriteItem`` (``None``: both): the last
        ``share`` of the request's keys (or write requests), at least one,
        are not applied and come back in ``UnprocessedKeys`` /
        ``UnprocessedItems``, as DynamoDB answers when it does part of a
        batch; the rest are applied."""
        if operation is not None and operation not in _BATCHES:
            raise ValidationError(
                "Faults.unprocessed: operation must be 'BatchGetItem', 'BatchWriteItem' or "
                f"None, got {operation!r}"
            )
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise ValidationError(f"Faults.unprocessed: share must be in (0, 1], got {share!r}")
        return self._add("unprocessed", operation, times, fraction, Draw(share=float(share)))

    def latency(
        self,
        seconds: float,
        operation: str | None = None,
        *,
        times: int | None = None,
        fraction: float | None = None,
    ) -> Faults:
        """Waits ``seconds`` before the request is answered. An attempt whose
        time left before its deadline is shorter fails as a read timeout
        does (on a ``MemoryBackend``, without applying the request)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ValidationError(f"Faults.latency: seconds must be >= 0, got {seconds!r}")
        return self._add("latency", operation, times, fraction, Draw(seconds=float(seconds)))

    def clear(self) -> None:
        """Drops every rule and the record of what was injected, and seeds
        the draws again."""
        with self._lock:
            self._rules.clear()
            self._injected.clear()
            self._random.seed(self._seed)

    @property
    def injected(self) -> list[Injected]:
        """What was injected so far, in order."""
        with self._lock:
            return list(self._injected)

    def count(self, kind: str | None = None, operation: str | None = None) -> int:
        """How many faults of ``kind`` (``None``: any) were injected into
        requests of ``operation`` (``None``: any)."""
        return sum(
            1
            for i in self.injected
            if (kind is None or i.kind == kind) and (operation is None or i.operation == operation)
        )

    def _add(
        self,
        kind: str,
        operation: str | None,
        times: int | None,
        fraction: float | None,
        draw: Draw,
    ) -> Faults:
        where = f"Faults.{kind}"
        if operation is not None and (not isinstance(operation, str) or not operation):
            raise ValidationError(
                f"{where}: operation must be an operation name such as 'PutItem' or None, "
                f"got {operation!r}"
            )
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValidationError(f"{where}: times must be an int >= 1 or None, got {times!r}")
        if fraction is not None and (
            isinstance(fraction, bool)
            or not isinstance(fraction, int | float)
            or not 0 <= fraction <= 1
        ):
            raise ValidationError(f"{where}: fraction must be in [0, 1] or None, got {fraction!r}")
        with self._lock:
            self._rules.append(_Rule(kind, operation, times, fraction, draw))
        return self

    # -- drawing ------------------------------------------------------------

    def draw(self, operation: str) -> Draw | None:
        """What a request of ``operation`` gets now (``None``: nothing),
        counting it against the rules that fire."""
        if not self._rules:
            return None
        with self._lock:
            got: Draw | None = None
            for rule in self._rules:
                if not self._fires(rule, operation):
                    continue
                if got is None:
                    got = Draw()
                if rule.kind == "latency":
                    got.seconds += rule.draw.seconds
                elif rule.kind == "unprocessed":
                    got.share = max(got.share, rule.draw.share)
                elif got.status is None:
                    got.status, got.body, got.applied = (
                        rule.draw.status,
                        rule.draw.body,
                        rule.draw.applied,
                    )
                self._injected.append(Injected(operation, rule.kind))
            self._rules = [rule for rule in self._rules if rule.times != 0]
            return got

    def _fires(self, rule: _Rule, operation: str) -> bool:
        if rule.operation is not None and rule.operation != operation:
            return False
        if rule.kind == "unprocessed" and operation not in _BATCHES:
            return False
        if rule.fraction is not None and self._random.random() >= rule.fraction:
            return False
        if rule.times is not None:
            rule.times -= 1
        return True


def _error_body(code: str, message: str) -> bytes:
    """An error answer's body as DynamoDB writes it."""
    return json.dumps({"__type": _TYPE_PREFIX + code, "message": message}).encode()


def hold_back(operation: str, body: bytes, share: float) -> tuple[bytes | None, dict[str, Any]]:
    """Splits the last ``share`` (at least one) of a ``BatchGetItem``'s keys
    or a ``BatchWriteItem``'s write requests off its request ``body``:
    returns the body of the rest (``None`` when nothing is left) and what is
    held back, in the form its answer's ``UnprocessedKeys`` /
    ``UnprocessedItems`` takes."""
    request = json.loads(body)
    items: dict[str, Any] = request.get("RequestItems") or {}
    gets = operation == "BatchGetItem"
    entries = [(table, entry) for table, spec in items.items() for entry in _entries(spec, gets)]
    if not entries:
        return body, {}  # nothing to hold back: the store answers as it would
    held_count = min(len(entries), max(1, round(len(entries) * share)))
    kept, held = entries[: len(entries) - held_count], entries[len(entries) - held_count :]
    request["RequestItems"] = _grouped(kept, items, gets)
    rest = json.dumps(request).encode() if kept else None
    return rest, _grouped(held, items, gets)


def _entries(spec: Any, gets: bool) -> Iterable[Any]:
    entries: Iterable[Any] = spec.get("Keys", []) if gets else spec
    return entries


def _grouped(entries: list[tuple[str, Any]], items: dict[str, Any], gets: bool) -> dict[str, Any]:
    """``entries`` by table, in ``items``' form (a get's keys keep their
    table's projection and consistency)."""
    grouped: dict[str, Any] = {}
    for table, entry in entries:
        if gets:
            grouped.setdefault(table, {**items[table], "Keys": []})["Keys"].append(entry)
        else:
            grouped.setdefault(table, []).append(entry)
    return grouped


def merge_held(operation: str, answer: bytes, held: dict[str, Any]) -> bytes:
    """``answer`` (a batch's 2xx body) with ``held`` added to its
    unprocessed keys or items."""
    parsed = json.loads(answer) if answer else {}
    member = "UnprocessedKeys" if operation == "BatchGetItem" else "UnprocessedItems"
    merged = parsed.setdefault(member, {})
    for table, entry in held.items():
        if operation == "BatchGetItem":
            if table in merged:
                merged[table]["Keys"].extend(entry["Keys"])
            else:
                merged[table] = entry
            parsed.setdefault("Responses", {}).setdefault(table, [])
        else:
            merged.setdefault(table, []).extend(entry)
    return json.dumps(parsed).encode()
