"""Batch-get key planning (SPEC §7), done in the Rust core.

DynamoDB's ``BatchGetItem`` takes at most 100 keys per request, rejects a
request naming the same key twice, returns items in no particular order and
may leave some keys unprocessed. :class:`KeyPlan` handles the data side of
that; the caller does the requests (in threads, with retries)::

    plan = KeyPlan(["PK", "SK"], chunk_size=100)
    chunks = plan.add_keys(keys)           # deduplicated, input order
    for chunk in chunks:                   # each chunk may run in a thread
        resp = client.batch_get_item(RequestItems={table: {"Keys": chunk}})
        plan.add_items(resp["Responses"].get(table, []))   # one thread at a time
        unprocessed = resp["UnprocessedKeys"].get(table, {}).get("Keys", [])
        retry_chunks = plan.rechunk(unprocessed)
    items = plan.ordered_items()           # input-key order, each key once
    still_missing = plan.missing_keys()

Keys and items are boto3 client DynamoDB JSON (``{"PK": {"S": "u1"}}``,
numbers as ``str``, binary as ``bytes``). Keys are compared as DynamoDB
compares them: ``{"N": "1"}``, ``{"N": "1.0"}`` and ``{"N": "1E0"}`` are one
key; S, N and B values never equal each other. ``ordered_items`` returns the
very dicts given to ``add_items``. Returned items must carry the key
attributes (add them to any projection). An item whose key was never asked
for raises ``ValidationError``: it means the plan and the request disagree,
and ignoring it could hide a lost item.

The key dicts a plan returns (chunks, ``unique_keys``, ``missing_keys``,
``rechunk``) are the first dict given to ``add_keys`` for each distinct key,
shared rather than copied; don't mutate them while the plan is in use. Only
a key not in plain form (a mapping that is not a ``dict``, a ``bytearray``
for B, a ``str`` subclass) is replaced by a normalised new dict.

To decode items as they arrive instead of keeping the raw dicts, use
``add_items_positions``: it places items like ``add_items`` but returns, for
each item, the input position (index into all keys given to ``add_keys``) of
its key's first occurrence, or ``None`` for a duplicate answer. Those keys
count as found, but the plan does not keep the items, so ``ordered_items``
leaves them out::

    for item, position in zip(items, plan.add_items_positions(items)):
        if position is not None:
            models[position] = decode(item)

A plan is not thread-safe: feed it from the thread that collects results, or
guard it with a lock.
"""

from __future__ import annotations

from typing import Any

from dynamorm._core import KeyPlan

__all__ = ["MAX_CHUNK_SIZE", "ItemDict", "KeyDict", "KeyPlan"]

MAX_CHUNK_SIZE = 100
"""The most keys DynamoDB accepts in one ``BatchGetItem`` request."""

KeyDict = dict[str, dict[str, Any]]
"""A key in boto3 client form: attribute name → DynamoDB JSON value."""

ItemDict = dict[str, dict[str, Any]]
"""An item in boto3 client form, as in ``Responses[table]``."""
