"""Query and instance state → boto3 request parameters. No I/O.

``QueryState`` is what a ``Query`` builder has collected. ``plan_read``
decides how a read is served — GetItem, a Query on the table, or a Query on an
index — from the ``where`` terms (SPEC §4): with no ``index()`` named, the
table or index whose partition key is compared with ``=`` wins, preferring the
one whose sort key also has a key condition (then the one whose sort key is the
``order_by`` field); every other term becomes a filter. With no usable key
condition it raises ``ValidationError`` naming the missing key: a read is
never silently turned into a scan. A key computed by a template takes its
condition from ``where`` on the template's fields (``template_keys.py``), and
writes compute such keys from the instance (``model/templated.py``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dynamorm.cursor import decode_cursor
from dynamorm.entities import entity_action, entity_filter
from dynamorm.errors import ValidationError
from dynamorm.expr import And, Clause, UpdateAction, compile_request
from dynamorm.expr.conditions import ConditionSet, Term
from dynamorm.model.codec import codec_of, format_timestamp
from dynamorm.model.fields import FieldInfo
from dynamorm.model.loaded import LOADED, check_put, unread, writable, written
from dynamorm.model.meta import IndexInfo, ModelMeta
from dynamorm.model.paths import with_key_attrs
from dynamorm.model.templated import index_updates, rendered
from dynamorm.retry import RetryPolicy
from dynamorm.template_keys import key_terms, partition_term, sort_term

if TYPE_CHECKING:
    from dynamorm.query.members import MemberFilters

__all__ = [
    "KeyChoice",
    "QueryState",
    "ReadPlan",
    "choose_keys",
    "create_changes",
    "delete_params",
    "delete_version_conditions",
    "instance_update",
    "key_of_instance",
    "key_of_where",
    "plan_read",
    "put_params",
    "scan_params",
    "sort_of",
    "staged_item",
    "start_key",
    "update_params",
]

_KEY_OPS = frozenset({"=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH"})
_RETURN_VALUES = frozenset({"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"})


@dataclass(slots=True)
class QueryState:
    """Everything a ``Query`` has been told, as plain data."""

    meta: ModelMeta
    instance: Any = None
    where: list[Term] = field(default_factory=list)
    filters: ConditionSet = field(default_factory=ConditionSet)
    conditions: ConditionSet = field(default_factory=ConditionSet)
    index: str | None = None
    order_field: FieldInfo | None = None
    descending: bool | None = None
    limit: int | None = None
    select: list[list[str | int]] = field(default_factory=list)
    consistent: bool = False
    cursor: str | None = None
    retry: RetryPolicy | None = None  # None: the DB's
    segment: tuple[int, int] | None = None
    collection: MemberFilters | None = None
    """A collection's filter (``query.members``): it replaces the model's
    own entity filter."""


@dataclass(frozen=True, slots=True)
class KeyChoice:
    """The table (``index is None``) or index a read uses, its key terms and
    the terms left over for the filter."""

    index: IndexInfo | None
    pk: Term
    sk: Term | None
    rest: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """A read request: ``operation`` is ``"GetItem"`` or ``"Query"``."""

    operation: str
    index: str | None
    params: dict[str, Any]


def _candidates(state: QueryState) -> list[tuple[IndexInfo | None, FieldInfo, FieldInfo | None]]:
    meta = state.meta
    if state.index is not None:
        info = meta.indexes.get(state.index)
        if info is None:
            known = ", ".join(sorted(meta.indexes)) or "none"
            raise ValidationError(f"{meta.name} has no index {state.index!r} (indexes: {known})")
        return [(info, info.pk, info.sk)]
    out: list[tuple[IndexInfo | None, FieldInfo, FieldInfo | None]] = [(None, meta.pk, meta.sk)]
    out.extend((info, info.pk, info.sk) for info in meta.indexes.values())
    return out


def choose_keys(state: QueryState, operation: str) -> KeyChoice:
    """Picks the table or index serving the ``where`` terms (see the module
    docstring); ``operation`` names the terminal in error messages."""
    best: tuple[float, KeyChoice] | None = None
    meta = state.meta
    for info, pk, sk in _candidates(state):
        pk_key = partition_term(meta, pk, state.where)
        if pk_key is None:
            continue
        # A collection reads the whole partition: its first model's sort-key
        # template says nothing of the others' items.
        shared = state.collection is not None
        sk_key = sort_term(meta, sk, state.where, _KEY_OPS) if sk and not shared else None
        # A sort-key condition only from a template's leading literal does
        # not make this key a better match.
        score = 1.0 + (1.0 if sk_key is not None and sk_key.given else 0.0)
        if state.order_field is not None and sk is state.order_field:
            score += 0.5
        used = {id(t) for key in (pk_key, sk_key) if key is not None for t in key.used}
        rest = tuple(t for t in state.where if id(t) not in used)
        sk_term = sk_key.term if sk_key is not None else None
        if best is None or score > best[0]:
            best = (score, KeyChoice(info, pk_key.term, sk_term, rest))
    if best is None:
        raise ValidationError(_missing_key_message(state, operation))
    choice = best[1]
    order = state.order_field
    key_sk = choice.index.sk if choice.index is not None else state.meta.sk
    if order is not None and order is not key_sk:
        where = f"index {choice.index.name!r}" if choice.index else "the table"
        raise ValidationError(
            f"{state.meta.name}.{operation}(): order_by({order.name!r}) needs a sort key, "
            f"but the sort key of {where} is "
            f"{repr(key_sk.name) if key_sk is not None else 'absent'}"
        )
    if state.consistent and choice.index is not None and choice.index.type == "GSI":
        raise ValidationError(
            f"{state.meta.name}.{operation}(): consistent_read() is not possible on "
            f"global secondary index {choice.index.name!r}"
        )
    return choice


def _missing_key_message(state: QueryState, operation: str) -> str:
    meta = state.meta
    if state.index is not None:
        info = meta.indexes[state.index]
        return (
            f"{meta.name}.{operation}(): no key condition for index {state.index!r}: "
            f"where({info.pk.name!r}, '=', ...) is missing{_template_note(info.pk)}; use scan() "
            "to read without a key"
        )
    alternatives = "".join(
        f", or {_wanted(info.pk)} for index {name!r}" for name, info in meta.indexes.items()
    )
    return (
        f"{meta.name}.{operation}(): no key condition: where({meta.pk.name!r}, '=', ...) "
        f"is missing (partition key{_template_note(meta.pk)}{alternatives}); use scan() "
        "to read without a key"
    )


def _wanted(f: FieldInfo) -> str:
    """What gives the key ``f`` in an error message."""
    return repr(f.name) + _template_note(f)


def _template_note(f: FieldInfo) -> str:
    template = f.template
    if template is None or not template.fields:
        return ""
    return f" (template {template.text!r}: {', '.join(map(repr, template.fields))} with '=')"


def _projection(state: QueryState) -> list[list[str | int]] | None:
    if not state.select:
        return None
    return with_key_attrs(state.meta, state.select)


def _filter_clauses(terms: Sequence[Term], state: QueryState) -> list[Clause] | None:
    """The filter of a read: the ``where`` terms left over, the filters and,
    for an entity model, its type (``entities.entity_filter``) — for a
    collection, the members' types and filters (``MemberFilters``)."""
    clauses: list[Clause] = [t.clause() for t in terms]
    built = state.filters.build()
    if built is not None:
        clauses.append(built)
    if state.collection is not None:
        entity: Clause | None = state.collection.clause()
    else:
        entity = entity_filter(state.meta)
    if entity is not None:
        clauses.append(entity)
    return clauses or None


def sort_of(state: QueryState) -> str | None:
    """The sort order a cursor records: ``None`` when ``order_by`` was not used."""
    if state.descending is None:
        return None
    return "DESC" if state.descending else "ASC"


def start_key(state: QueryState, index: str | None) -> dict[str, Any] | None:
    """The ``ExclusiveStartKey`` of the state's cursor, checked against the
    index and sort order of this read (``ValidationError`` on a mismatch)."""
    if state.cursor is None:
        return None
    meta = state.meta
    cursor = decode_cursor(state.cursor)
    if (cursor.index or None) != index:
        raise ValidationError(
            f"{meta.name}: the cursor was taken on "
            f"{repr(cursor.index) if cursor.index else 'the table'}, but this read uses "
            f"{repr(index) if index else 'the table'}"
        )
    if (cursor.sort or "ASC") != (sort_of(state) or "ASC"):
        raise ValidationError(
            f"{meta.name}: the cursor was taken in {cursor.sort or 'ASC'} order, "
            f"but this read is {sort_of(state) or 'ASC'}"
        )
    missing = [a for a in meta.key_attrs if a not in cursor.last_key]
    if missing:
        raise ValidationError(
            f"{meta.name}: the cursor does not belong to this model (no key attribute "
            f"{', '.join(map(repr, missing))})"
        )
    return cursor.last_key


def plan_read(state: QueryState, operation: str, *, single: bool = False) -> ReadPlan:
    """The request for a read. ``single`` (``first()``) allows GetItem, used
    when the full primary key is given with ``=``, no index is named and
    nothing else constrains the item."""
    meta = state.meta
    choice = choose_keys(state, operation)
    index = choice.index.name if choice.index is not None else None
    projection = _projection(state)
    if (
        single
        and index is None
        and (meta.sk is None or (choice.sk is not None and choice.sk.op == "="))
        and not choice.rest
        and not state.filters
        and state.cursor is None
    ):
        key = {choice.pk.segments[0]: choice.pk.wire()}
        if choice.sk is not None:
            key[str(choice.sk.segments[0])] = choice.sk.wire()
        params: dict[str, Any] = {"TableName": meta.table, "Key": key}
        if projection is not None:
            params.update(compile_request(projection=projection).to_params())
        if state.consistent:
            params["ConsistentRead"] = True
        return ReadPlan("GetItem", None, params)
    key_clauses: list[Clause] = [choice.pk.clause()]
    if choice.sk is not None:
        key_clauses.append(choice.sk.clause())
    compiled = compile_request(
        key_condition=key_clauses,
        filter=_filter_clauses(choice.rest, state),
        projection=projection,
    )
    params = {"TableName": meta.table, **compiled.to_params()}
    if index is not None:
        params["IndexName"] = index
    if state.descending:
        params["ScanIndexForward"] = False
    if state.consistent:
        params["ConsistentRead"] = True
    start = start_key(state, index)
    if start is not None:
        params["ExclusiveStartKey"] = start
    return ReadPlan("Query", index, params)


def scan_params(state: QueryState) -> dict[str, Any]:
    """The Scan request: every ``where`` term and filter becomes the filter
    (with the one leaving out the sentinel items of a model's unique fields,
    ``unique.sentinel_filter``)."""
    meta = state.meta
    if state.index is not None and state.index not in meta.indexes:
        _candidates(state)  # raises the unknown-index error
    info = meta.indexes.get(state.index) if state.index is not None else None
    if state.consistent and info is not None and info.type == "GSI":
        raise ValidationError(
            f"{meta.name}.scan(): consistent_read() is not possible on "
            f"global secondary index {info.name!r}"
        )
    clauses = _filter_clauses(state.where, state)
    if meta.unique_fields:
        # The table holds the sentinel items of the model's unique fields.
        from dynamorm.unique import sentinel_filter

        clauses = [*(clauses or ()), sentinel_filter(meta)]
    compiled = compile_request(filter=clauses, projection=_projection(state))
    params: dict[str, Any] = {"TableName": meta.table, **compiled.to_params()}
    if state.index is not None:
        params["IndexName"] = state.index
    if state.consistent:
        params["ConsistentRead"] = True
    if state.segment is not None:
        params["Segment"], params["TotalSegments"] = state.segment
    start = start_key(state, state.index)
    if start is not None:
        params["ExclusiveStartKey"] = start
    return params


# -- writes -------------------------------------------------------------------


def key_of_instance(
    meta: ModelMeta, obj: Any, operation: str = "write", *, keyed: bool = True
) -> dict[str, dict[str, Any]]:
    """The primary key of a model instance in DynamoDB JSON, key templates
    computed from its fields (``keyed``: the write addresses the stored item,
    so a key that differs from the one the instance holds raises
    ``ValidationError``, see ``model.templated``; ``operation`` names the call)."""
    codec = codec_of(meta)
    key: dict[str, dict[str, Any]] = {}
    values = obj.__dict__
    computed: dict[str, Any] = {}
    if meta.templated:
        templated = [f for f in meta.key_fields if f.template is not None]
        computed = rendered(meta, obj, operation, keyed=keyed, fields=templated)
    for f in meta.key_fields:
        av = codec.encode_field(f, computed[f.name] if f.name in computed else values.get(f.name))
        if av is None:
            raise ValidationError(f"{meta.name}.{f.name}: a key attribute needs a value")
        key[f.attr] = av
    return key


def key_of_where(meta: ModelMeta, where: Sequence[Term], operation: str) -> dict[str, Any]:
    """The primary key given by ``where(key, "=", value)`` terms."""
    key: dict[str, Any] = {}
    used: set[int] = set()
    for f, found in zip(meta.key_fields, key_terms(meta, where, operation), strict=True):
        key[f.attr] = found.term.wire()
        used.update(id(t) for t in found.used)
    extra = [t.path for t in where if id(t) not in used]
    if extra:
        raise ValidationError(
            f"{meta.name}.{operation}(): where() may only give the primary key here; "
            f"use with_condition() for {', '.join(map(repr, extra))}"
        )
    return key


def _with_condition(params: dict[str, Any], compiled_params: dict[str, Any]) -> dict[str, Any]:
    params.update(compiled_params)
    if "ConditionExpression" in params:
        # The item's state at the failure comes back in the error (SPEC §5).
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return params


def _condition(clauses: Sequence[Clause]) -> list[Clause] | None:
    return [And(*clauses)] if clauses else None


def put_params(
    meta: ModelMeta, item: dict[str, Any], conditions: Sequence[Clause] = ()
) -> dict[str, Any]:
    """A PutItem request for ``item`` (DynamoDB JSON) with ANDed ``conditions``."""
    compiled = compile_request(condition=_condition(conditions))
    return _with_condition({"TableName": meta.table, "Item": item}, compiled.to_params())


def update_params(
    meta: ModelMeta,
    key: dict[str, Any],
    actions: Sequence[UpdateAction],
    conditions: Sequence[Clause] = (),
    return_values: str | None = None,
) -> dict[str, Any]:
    """An UpdateItem request; an action on a key attribute or two actions on
    overlapping paths raise ``ValidationError`` here, before sending. An
    entity model's update also sets its type attribute
    (``entities.entity_action``)."""
    if not actions:
        raise ValidationError(f"{meta.name}: an update needs at least one action")
    tag = entity_action(meta)
    compiled = compile_request(
        update=[*actions, tag] if tag is not None else list(actions),
        condition=_condition(conditions),
        key_attributes=meta.key_attrs,
    )
    params = _with_condition({"TableName": meta.table, "Key": key}, compiled.to_params())
    if return_values is not None:
        rv = return_values.upper()
        if rv not in _RETURN_VALUES:
            raise ValidationError(
                f"{meta.name}: return_values must be one of {sorted(_RETURN_VALUES)}, "
                f"got {return_values!r}"
            )
        params["ReturnValues"] = rv
    return params


def delete_params(
    meta: ModelMeta, key: dict[str, Any], conditions: Sequence[Clause] = ()
) -> dict[str, Any]:
    """A DeleteItem request with ANDed ``conditions``."""
    compiled = compile_request(condition=_condition(conditions))
    return _with_condition({"TableName": meta.table, "Key": key}, compiled.to_params())


# -- instance writes (shared by Query and transactions) ---------------------

_MANAGED = frozenset({"version", "created_at", "updated_at"})


def create_changes(
    meta: ModelMeta, obj: Any, now: _dt.datetime, operation: str = "put"
) -> dict[str, Any]:
    """What ``create`` sets on ``obj``: ``created_at`` and ``updated_at`` to
    ``now``, and the version to 0 when it is empty. An instance read in part
    raises ``ValidationError`` (``loaded.check_put``; ``operation`` names the
    call): a put would replace what it did not read."""
    check_put(meta, obj, operation)
    changes: dict[str, Any] = {}
    if obj.__dict__.get(LOADED) is not None:
        changes[LOADED] = None  # once put, the item is all the instance holds
    for role in (meta.created_at, meta.updated_at):
        if role is not None:
            changes[role.name] = now
    if meta.version is not None and not obj.__dict__.get(meta.version.name):
        changes[meta.version.name] = 0
    if meta.templated:
        changes.update(rendered(meta, obj, operation, keyed=False))
    return changes


def staged_item(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """The item (DynamoDB JSON) ``obj`` would be with ``changes`` applied;
    ``obj`` itself is left as it is until the write succeeds. The template
    fields are taken as ``changes`` hold them (``create_changes`` computes
    them)."""
    staged: Any = object.__new__(type(obj))
    staged.__dict__.update(obj.__dict__, **changes)
    item: dict[str, Any] = codec_of(type(obj).__dynamorm__).schema.to_item(staged)
    return item


def instance_update(
    meta: ModelMeta,
    obj: Any,
    fields: Sequence[str],
    now: _dt.datetime,
    *,
    expected_version: int | None = None,
    operation: str = "update",
) -> tuple[list[UpdateAction], list[Clause], dict[str, Any]]:
    """The actions, conditions and instance changes of ``update(*fields)`` on
    ``obj``: the named fields (all non-key fields when none are named), the
    item must exist, ``updated_at`` is set to ``now``, and with a version field
    the stored version must equal the instance's (or ``expected_version``)
    and is incremented. A key field raises ``ValidationError``. Of an
    instance read in part only what was read or changed since is written
    (``loaded.writable``: naming another field raises ``ValidationError``).
    An index key computed by a template is written with its source fields
    (naming it raises ``ValidationError``)."""
    codec = codec_of(meta)
    if fields:
        chosen = []
        for name in fields:
            f = meta.field_named(name)
            if f.roles & {"pk", "sk"}:
                raise ValidationError(
                    f"{meta.name}.{operation}(): {f.name!r} is a key attribute "
                    "and cannot be updated"
                )
            if f.template is not None:
                raise ValidationError(
                    f"{meta.name}.{operation}(): {f.name!r} is computed by its template "
                    f"{f.template.text!r}; name its fields "
                    f"({', '.join(map(repr, f.template.fields))}) instead"
                )
            if not f.roles & _MANAGED:
                chosen.append(f)
    else:
        chosen = [
            f for f in meta.fields if not f.roles & ({"pk", "sk"} | _MANAGED) and f.template is None
        ]
    chosen = writable(
        meta,
        obj,
        chosen,
        named=bool(fields),
        operation=operation,
        versioned=expected_version is None,
    )
    changes: dict[str, Any] = {}
    if meta.templated:
        changes = index_updates(
            meta, obj, [f.name for f in chosen], operation, unread=unread(meta, obj)[0]
        )
        chosen = [*chosen, *(meta.by_name[name] for name in changes)]
    values = {**obj.__dict__, **changes}
    actions: list[UpdateAction] = []
    for f in chosen:
        value = codec.schema.encode_value(f.name, values.get(f.name))
        if value is None:
            actions.append(("remove", [f.attr]))
        else:
            actions.append(("set", [f.attr], value))
    conditions: list[Clause] = [([meta.pk.attr], "EXISTS")]
    if meta.updated_at is not None:
        actions.append(("set", [meta.updated_at.attr], format_timestamp(now)))
        changes[meta.updated_at.name] = now
    if meta.version is not None:
        current = expected_version
        if current is None:
            current = obj.__dict__.get(meta.version.name) or 0
        conditions.append(([meta.version.attr], "=", current))
        actions.append(("add", [meta.version.attr], 1))
        changes[meta.version.name] = current + 1
    if obj.__dict__.get(LOADED) is not None:
        changes[LOADED] = written(obj, [*(f.name for f in chosen), *changes])
    return actions, conditions, changes


def delete_version_conditions(meta: ModelMeta, obj: Any) -> list[Clause]:
    """The condition ``delete`` adds for an instance: with a non-zero version,
    the stored version must equal it."""
    if meta.version is None:
        return []
    version = obj.__dict__.get(meta.version.name)
    return [([meta.version.attr], "=", version)] if version else []
