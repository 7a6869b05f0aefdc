"""Pagination cursors, byte-compatible with DynamORM's Go and
TypeScript cursors so one can be handed between services.

A cursor is ``base64url`` (URL alphabet, with ``=`` padding) of the compact
JSON ``{"lastKey": {...}, "index": "...", "sort": "ASC"}``, where ``lastKey`` is
the ``LastEvaluatedKey`` of a page in DynamoDB JSON and ``index``/``sort`` are
left out when unset. Use it with a raw boto3 client:

    token = encode_cursor(page["LastEvaluatedKey"], index="gsi-email")
    start = decode_cursor(token).last_key   # pass as ExclusiveStartKey

Decoding also accepts the cursor without its trailing ``=`` padding (it is
often lost in URLs) and ignores surrounding whitespace. A malformed or
tampered cursor raises :class:`dynamorm.errors.ValidationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dynamorm import _core

__all__ = ["Cursor", "SortOrder", "decode_cursor", "encode_cursor"]

SortOrder = Literal["ASC", "DESC"]
"""The sort direction a cursor was taken in."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """A decoded cursor.

    ``last_key`` is the ``LastEvaluatedKey`` in boto3 client form (DynamoDB
    JSON, numbers as ``str``, binary as ``bytes``), ready to pass as
    ``ExclusiveStartKey``; ``index`` is the index name or ``None`` for the base
    table; ``sort`` is ``"ASC"``, ``"DESC"`` or ``None``.
    """

    last_key: dict[str, dict[str, Any]]
    index: str | None = None
    sort: SortOrder | None = None

    def encode(self) -> str:
        """This cursor as its token string."""
        return encode_cursor(self.last_key, index=self.index, sort=self.sort)


def encode_cursor(
    last_key: Mapping[str, Mapping[str, Any]],
    index: str | None = None,
    sort: str | None = None,
) -> str:
    """Encodes a cursor token.

    ``last_key`` is a ``LastEvaluatedKey`` as boto3's client returns it; its
    values must be S, N or B. ``index`` names the index queried (``None`` or
    ``""`` for the base table). ``sort`` is ``"ASC"`` or ``"DESC"`` in any
    letter case (written upper case). Anything else raises ``ValidationError``.
    """
    return _core.encode_cursor(last_key, index, sort)


def decode_cursor(token: str) -> Cursor:
    """Decodes a cursor token; raises ``ValidationError`` when it is malformed
    or has been tampered with."""
    last_key, index, sort = _core.decode_cursor(token)
    return Cursor(last_key, index, sort)
