"""Keys: the key forms users give and the Rust key planner.

``KeyPair`` and the other key forms (``(pk, sk)`` tuples, bare partition-key
values, model instances) become DynamoDB keys here (``key_dicts``, the Rust
core building the common forms in one call); ``KeyPlan`` (``dynamorm._core``)
dedupes, chunks and reorders them for batch gets.

Batch-get key planning (SPEC §7), done in the Rust core.

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dynamorm._core import KeyPlan
from dynamorm.errors import ValidationError
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of
from dynamorm.model.meta import ModelMeta
from dynamorm.model.templated import rendered

__all__ = [
    "MAX_CHUNK_SIZE",
    "ItemDict",
    "KeyDict",
    "KeyPair",
    "KeyPlan",
    "add_user_keys",
    "first_duplicate",
    "key_dicts",
    "key_list",
]

MAX_CHUNK_SIZE = 100
"""The most keys DynamoDB accepts in one ``BatchGetItem`` request."""

KeyDict = dict[str, dict[str, Any]]
"""A key in boto3 client form: attribute name → DynamoDB JSON value."""

ItemDict = dict[str, dict[str, Any]]
"""An item in boto3 client form, as in ``Responses[table]``."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    """The primary key of one item: partition key ``pk`` and, on tables with
    a sort key, ``sk``. Values are Python values, encoded like the model's
    key fields."""

    pk: Any
    sk: Any = None


def _encode_key_value(meta: ModelMeta, which: str, value: Any, where: str) -> dict[str, Any]:
    f = meta.pk if which == "pk" else meta.sk
    assert f is not None
    if value is None:
        raise ValidationError(f"{where}: the {which} ({f.name!r}) is missing")
    try:
        av = codec_of(meta).encode_field(f, value)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc}") from None
    if av is None:
        raise ValidationError(f"{where}: key field {f.name!r} needs a non-empty value")
    out: dict[str, Any] = av
    return out


def key_list(keys: Iterable[Any], what: str) -> list[Any]:
    """``keys`` as a list; a str, bytes or single instance is refused (a
    common slip for a list of one key)."""
    if isinstance(keys, str | bytes | Model) or not isinstance(keys, Iterable):
        raise ValidationError(f"{what}: expected an iterable of keys, got {keys!r}")
    return keys if isinstance(keys, list) else list(keys)


def key_dicts(meta: ModelMeta, keys: Iterable[Any], what: str) -> list[dict[str, Any]]:
    """The DynamoDB key of each of ``keys``: ``KeyPair``s, ``(pk, sk)``
    tuples, bare partition-key values (tables without a sort key) or model
    instances. Raises ``ValidationError`` naming the position at fault."""
    keys = key_list(keys, what)
    out = _plain_key_dicts(meta, keys)
    # The plain loop stops at the first key it does not take; the careful one
    # takes over from there and names the position of any fault.
    for i in range(len(out), len(keys)):
        out.append(_key_dict(meta, keys[i], f"{what}: keys[{i}]"))
    return out


def add_user_keys(
    plan: KeyPlan, meta: ModelMeta, keys: list[Any], what: str
) -> list[list[dict[str, Any]]]:
    """Adds ``keys`` (as ``key_dicts`` takes them) to ``plan`` and returns its
    chunks: the common forms encoded and planned by the Rust core in one
    call, any other key built (or refused, naming its position) by
    ``_key_dict``."""
    sk_name = meta.sk.name if meta.sk is not None else None

    def careful(i: int, key: Any) -> dict[str, Any]:
        return _key_dict(meta, key, f"{what}: keys[{i}]")

    return plan.add_user_keys(
        codec_of(meta).schema, keys, meta.pk.name, sk_name, KeyPair, _OTHER_KEY_FORMS, careful
    )


def _plain_key_dicts(meta: ModelMeta, keys: list[Any]) -> list[dict[str, Any]]:
    """The keys of the common cases — ``(pk, sk)`` tuples, ``KeyPair``s and
    bare partition keys, all valid — up to the first other one, built by the
    Rust core in one call (a large batch spends more here than on anything
    else of its own); every check that names a fault is left to
    ``_key_dict``."""
    sk_name = meta.sk.name if meta.sk is not None else None
    out: list[dict[str, Any]] = codec_of(meta).schema.plain_key_dicts(
        keys, meta.pk.name, sk_name, KeyPair, _OTHER_KEY_FORMS
    )
    return out


_OTHER_KEY_FORMS = (tuple, Model, KeyPair)
"""What a bare partition-key value cannot be (its own key forms)."""


def _key_dict(meta: ModelMeta, key: Any, where: str) -> dict[str, Any]:
    """The DynamoDB key of one key as the user gave it; ``where`` names it
    in errors."""
    sk_attr = meta.sk.attr if meta.sk is not None else None
    if isinstance(key, Model):
        if type(key) is not meta.cls:
            raise ValidationError(f"{where}: a {type(key).__name__} instance, expected {meta.name}")
        values = key.__dict__
        if meta.templated:
            computed = [f for f in meta.key_fields if f.template is not None]
            try:
                values = {**values, **rendered(meta, key, "key", keyed=True, fields=computed)}
            except ValidationError as exc:
                raise ValidationError(f"{where}: {exc}") from None
        pk_value, sk_value = values.get(meta.pk.name), None
        if meta.sk is not None:
            sk_value = values.get(meta.sk.name)
    elif isinstance(key, KeyPair):
        pk_value, sk_value = key.pk, key.sk
    elif isinstance(key, tuple):
        if len(key) != 2:
            raise ValidationError(f"{where}: a key tuple must be (pk, sk), got {len(key)} values")
        pk_value, sk_value = key
        if sk_attr is None:
            raise ValidationError(
                f"{where}: {meta.name} has no sort key; give the partition key alone"
            )
    elif sk_attr is not None:
        raise ValidationError(
            f"{where}: {meta.name} has a sort key ({meta.sk.name!r}); "  # type: ignore[union-attr]
            "give KeyPair(pk, sk) or a (pk, sk) tuple"
        )
    else:
        pk_value, sk_value = key, None
    item = {meta.pk.attr: _encode_key_value(meta, "pk", pk_value, where)}
    if sk_attr is not None:
        item[sk_attr] = _encode_key_value(meta, "sk", sk_value, where)
    elif sk_value is not None:
        raise ValidationError(f"{where}: {meta.name} has no sort key, but sk={sk_value!r}")
    return item


def first_duplicate(attrs: Sequence[str], keys: list[dict[str, Any]]) -> tuple[int, int] | None:
    """The positions ``(first, again)`` of the first key of ``keys`` that
    repeats an earlier one, as DynamoDB compares keys (the Rust core's
    canonical key bytes: numbers by value), or ``None``. A key without one of
    ``attrs`` raises ``ValidationError``."""
    plan = KeyPlan(list(attrs), MAX_CHUNK_SIZE)
    plan.add_keys(keys)
    return plan.first_duplicate()
