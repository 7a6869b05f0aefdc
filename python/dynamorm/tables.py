"""Tables from models (SPEC §11): create, ensure, delete, describe, migrate.

Every function takes a boto3 DynamoDB client (or a ``DB``'s ``Executor``) and
a model class. The table's
key schema, attribute definitions, secondary indexes (with projections) and
TTL all come from the model's ``ModelMeta``. Errors from DynamoDB are raised
as ``dynamorm.errors`` classes with the botocore exception as ``__cause__``:
a missing table is ``TableNotFoundError``, anything else ``DynamORMError``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from dynamorm.errors import DynamORMError, TableNotFoundError, ValidationError
from dynamorm.model.base import Model
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import IndexInfo, ModelMeta, key_tag
from dynamorm.retry import RetryPolicy, Scheduler
from dynamorm.transport.base import Target
from dynamorm.transport.executor import Executor

__all__ = [
    "BILLING_MODES",
    "auto_migrate",
    "create_table",
    "delete_table",
    "describe_table",
    "ensure_table",
    "table_definition",
]

BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
DEFAULT_CAPACITY = 5
"""Read and write capacity units of a ``PROVISIONED`` table (and each of its
GSIs) when none are given."""

WAIT_SECONDS = 600.0
"""How long the waiting functions wait for a table or index to settle."""


# -- requests ----------------------------------------------------------------


def _key_type(meta: ModelMeta, f: FieldInfo) -> str:
    if f.binary:
        return "B"
    tag = key_tag(f.info)
    if tag is None:
        raise ValidationError(
            f"{meta.name}.{f.name} is a key attribute of type {f.info.describe()}, "
            "which has no DynamoDB key type"
        )
    return tag


def _key_schema(pk: FieldInfo, sk: FieldInfo | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": pk.attr, "KeyType": "HASH"}]
    if sk is not None:
        schema.append({"AttributeName": sk.attr, "KeyType": "RANGE"})
    return schema


def _projection(meta: ModelMeta, index: IndexInfo) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection}
    if index.projection == "INCLUDE":
        # Field names are accepted as well as attribute names.
        attrs = [
            name if name in meta.by_attr or name not in meta.by_name else meta.by_name[name].attr
            for name in index.projected
        ]
        projection["NonKeyAttributes"] = attrs
    return projection


def _throughput(read: int, write: int) -> dict[str, int]:
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def _attribute_definitions(meta: ModelMeta, keys: list[FieldInfo]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for f in keys:
        seen.setdefault(f.attr, _key_type(meta, f))
    return [{"AttributeName": a, "AttributeType": t} for a, t in seen.items()]


def _gsi(meta: ModelMeta, index: IndexInfo, throughput: Mapping[str, int] | None) -> dict[str, Any]:
    gsi: dict[str, Any] = {
        "IndexName": index.name,
        "KeySchema": _key_schema(index.pk, index.sk),
        "Projection": _projection(meta, index),
    }
    if throughput is not None:
        gsi["ProvisionedThroughput"] = dict(throughput)
    return gsi


def _model_meta(model: type[Model]) -> ModelMeta:
    meta = getattr(model, "__dynamorm__", None)
    if not isinstance(meta, ModelMeta):
        raise ValidationError(f"{model!r} is not a dynamorm model class")
    return meta


def table_definition(
    model: type[Model],
    *,
    billing_mode: str = "PAY_PER_REQUEST",
    read_capacity: int = DEFAULT_CAPACITY,
    write_capacity: int = DEFAULT_CAPACITY,
    stream: str | None = None,
) -> dict[str, Any]:
    """The ``CreateTable`` parameters for ``model``, without sending anything.

    ``stream`` is a ``StreamViewType`` (``NEW_AND_OLD_IMAGES``, ...) to
    enable a DynamoDB stream on the table.
    """
    meta = _model_meta(model)
    if billing_mode not in BILLING_MODES:
        raise ValidationError(
            f"{meta.name}: billing_mode must be one of {', '.join(BILLING_MODES)}, "
            f"not {billing_mode!r}"
        )
    provisioned = billing_mode == "PROVISIONED"
    throughput = _throughput(read_capacity, write_capacity) if provisioned else None
    keys = list(meta.key_fields)
    gsis: list[dict[str, Any]] = []
    lsis: list[dict[str, Any]] = []
    for index in meta.indexes.values():
        keys += [index.pk] if index.sk is None else [index.pk, index.sk]
        if index.type == "GSI":
            gsis.append(_gsi(meta, index, throughput))
        elif meta.sk is None:
            raise ValidationError(
                f"{meta.name}: local secondary index {index.name!r} needs a table with a sort key"
            )
        else:
            lsis.append(
                {
                    "IndexName": index.name,
                    "KeySchema": _key_schema(meta.pk, index.sk),
                    "Projection": _projection(meta, index),
                }
            )
    params: dict[str, Any] = {
        "TableName": meta.table,
        "KeySchema": _key_schema(meta.pk, meta.sk),
        "AttributeDefinitions": _attribute_definitions(meta, keys),
        "BillingMode": billing_mode,
    }
    if throughput is not None:
        params["ProvisionedThroughput"] = throughput
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    if stream is not None:
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    return params


# -- calls -------------------------------------------------------------------


def _call(client: Any, operation: str, meta: ModelMeta, **params: Any) -> Any:
    """Sends one table request through the ``Executor`` (the one place a
    request is sent and its errors are mapped) with the default retry
    policy. ``client`` is an ``Executor`` (a ``DB``'s) or a boto3 client."""
    executor = client if isinstance(client, Executor) else Executor(client, RetryPolicy())
    scheduler = Scheduler(RetryPolicy())
    return executor.call(
        _OPERATION_NAMES[operation], params, Target(meta.cls, meta.table), scheduler=scheduler
    )


_OPERATION_NAMES = {
    "create_table": "CreateTable",
    "delete_table": "DeleteTable",
    "describe_table": "DescribeTable",
    "update_table": "UpdateTable",
    "describe_time_to_live": "DescribeTimeToLive",
    "update_time_to_live": "UpdateTimeToLive",
}


def _settled(table: Mapping[str, Any]) -> bool:
    if table.get("TableStatus") != "ACTIVE":
        return False
    return all(
        g.get("IndexStatus", "ACTIVE") == "ACTIVE" for g in table.get("GlobalSecondaryIndexes", [])
    )


def _wait(meta: ModelMeta, check: Any, what: str) -> Any:
    """Polls ``check()`` until it returns a true value, backing off from
    50 ms to 2 s between calls, for at most ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    delay = 0.05
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DynamORMError(
                f"table {meta.table!r} ({meta.name}): {what} after {WAIT_SECONDS:g} s"
            )
        time.sleep(delay)
        delay = min(delay * 2, 2.0)


def _wait_active(client: Any, meta: ModelMeta) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        table: dict[str, Any] = _call(client, "describe_table", meta, TableName=meta.table)["Table"]
        return table if _settled(table) else None

    table: dict[str, Any] = _wait(meta, check, "table or index still not ACTIVE")
    return table


def _enable_ttl(client: Any, meta: ModelMeta) -> bool:
    """Turns TTL on for the model's ttl attribute; ``False`` when it already was."""
    assert meta.ttl is not None
    current = _call(client, "describe_time_to_live", meta, TableName=meta.table)
    desc = current.get("TimeToLiveDescription", {})
    status = desc.get("TimeToLiveStatus", "DISABLED")
    attr = desc.get("AttributeName")
    if status in ("ENABLED", "ENABLING"):
        if attr == meta.ttl.attr:
            return False
        raise DynamORMError(
            f"table {meta.table!r} ({meta.name}): TTL is on for attribute {attr!r}, but the "
            f"model's ttl field {meta.ttl.name!r} is stored as {meta.ttl.attr!r}; DynamoDB "
            "allows one TTL attribute, so disable the old one first"
        )
    if status == "DISABLING":
        raise DynamORMError(
            f"table {meta.table!r} ({meta.name}): TTL is being disabled; DynamoDB refuses "
            "to enable it again until that finishes (up to an hour)"
        )
    _call(
        client,
        "update_time_to_live",
        meta,
        TableName=meta.table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": meta.ttl.attr},
    )
    return True


# -- public functions ----------------------------------------------------------


def create_table(
    client: Any,
    model: type[Model],
    *,
    billing_mode: str = "PAY_PER_REQUEST",
    wait: bool = True,
    read_capacity: int = DEFAULT_CAPACITY,
    write_capacity: int = DEFAULT_CAPACITY,
    stream: str | None = None,
) -> dict[str, Any]:
    """Creates the table of ``model`` with its keys, GSIs, LSIs and TTL.

    ``billing_mode`` is ``PAY_PER_REQUEST`` or ``PROVISIONED`` (then
    ``read_capacity``/``write_capacity`` apply to the table and each GSI).
    ``wait=True`` returns once the table is ``ACTIVE``. A model with a ttl
    field always waits, because DynamoDB enables TTL only on an active table.
    Returns the table description.
    """
    meta = _model_meta(model)
    params = table_definition(
        model,
        billing_mode=billing_mode,
        read_capacity=read_capacity,
        write_capacity=write_capacity,
        stream=stream,
    )
    created: dict[str, Any] = _call(client, "create_table", meta, **params)["TableDescription"]
    if not wait and meta.ttl is None:
        return created
    table = _wait_active(client, meta)
    if meta.ttl is not None:
        _enable_ttl(client, meta)
    return table


def describe_table(client: Any, model: type[Model]) -> dict[str, Any]:
    """The ``DescribeTable`` description of the model's table;
    ``TableNotFoundError`` when it does not exist."""
    meta = _model_meta(model)
    table: dict[str, Any] = _call(client, "describe_table", meta, TableName=meta.table)["Table"]
    return table


def ensure_table(
    client: Any,
    model: type[Model],
    *,
    billing_mode: str = "PAY_PER_REQUEST",
    wait: bool = True,
    read_capacity: int = DEFAULT_CAPACITY,
    write_capacity: int = DEFAULT_CAPACITY,
    stream: str | None = None,
) -> dict[str, Any]:
    """Creates the model's table when it does not exist (as ``create_table``);
    an existing table is left as it is. Returns the table description."""
    meta = _model_meta(model)
    try:
        return describe_table(client, model)
    except TableNotFoundError:
        pass
    try:
        return create_table(
            client,
            model,
            billing_mode=billing_mode,
            wait=wait,
            read_capacity=read_capacity,
            write_capacity=write_capacity,
            stream=stream,
        )
    except DynamORMError as exc:
        # Someone else created it between our describe and create.
        if getattr(exc, "code", None) != "ResourceInUseException":
            raise
        return _wait_active(client, meta) if wait else describe_table(client, model)


def delete_table(client: Any, model: type[Model], *, wait: bool = True) -> None:
    """Deletes the model's table; ``wait=True`` returns once it is gone.
    ``TableNotFoundError`` when it does not exist."""
    meta = _model_meta(model)
    _call(client, "delete_table", meta, TableName=meta.table)
    if not wait:
        return

    def gone() -> bool:
        try:
            _call(client, "describe_table", meta, TableName=meta.table)
        except TableNotFoundError:
            return True
        return False

    _wait(meta, gone, "table still exists")


def _check_keys(meta: ModelMeta, what: str, want: list[dict[str, str]], have: Any) -> None:
    if list(have or []) != want:
        raise DynamORMError(
            f"table {meta.table!r} ({meta.name}): {what} key schema is {have!r} but the model "
            f"declares {want!r}; DynamoDB cannot change key schemas, recreate the table"
        )


def _migrate_one(client: Any, model: type[Model], billing_mode: str) -> list[str]:
    meta = _model_meta(model)
    try:
        table = describe_table(client, model)
    except TableNotFoundError:
        create_table(client, model, billing_mode=billing_mode)
        created = [f"created table {meta.table} ({meta.name})"]
        if meta.ttl is not None:
            created.append(f"enabled TTL on {meta.table}.{meta.ttl.attr}")
        return created
    done: list[str] = []
    _check_keys(meta, "table", _key_schema(meta.pk, meta.sk), table.get("KeySchema"))
    table = _wait_active(client, meta)
    gsis = {g["IndexName"]: g for g in table.get("GlobalSecondaryIndexes", [])}
    lsis = {g["IndexName"]: g for g in table.get("LocalSecondaryIndexes", [])}
    throughput = None
    if table.get("BillingModeSummary", {}).get("BillingMode") == "PROVISIONED" or (
        "BillingModeSummary" not in table
        and table.get("ProvisionedThroughput", {}).get("ReadCapacityUnits")
    ):
        pt = table["ProvisionedThroughput"]
        throughput = _throughput(pt["ReadCapacityUnits"], pt["WriteCapacityUnits"])
    for index in meta.indexes.values():
        if index.type == "LSI":
            if index.name not in lsis:
                raise DynamORMError(
                    f"table {meta.table!r} ({meta.name}): local secondary index "
                    f"{index.name!r} is missing, and DynamoDB adds LSIs only when a "
                    "table is created; recreate the table"
                )
            _check_keys(
                meta,
                f"LSI {index.name!r}",
                _key_schema(meta.pk, index.sk),
                lsis[index.name].get("KeySchema"),
            )
            continue
        if index.name in gsis:
            _check_keys(
                meta,
                f"GSI {index.name!r}",
                _key_schema(index.pk, index.sk),
                gsis[index.name].get("KeySchema"),
            )
            continue
        keys = [index.pk] if index.sk is None else [index.pk, index.sk]
        # DynamoDB takes one index creation per UpdateTable and refuses the
        # next until the previous index is active.
        _call(
            client,
            "update_table",
            meta,
            TableName=meta.table,
            AttributeDefinitions=_attribute_definitions(meta, keys),
            GlobalSecondaryIndexUpdates=[{"Create": _gsi(meta, index, throughput)}],
        )
        _wait_active(client, meta)
        done.append(f"added GSI {index.name} to {meta.table}")
    if meta.ttl is not None and _enable_ttl(client, meta):
        done.append(f"enabled TTL on {meta.table}.{meta.ttl.attr}")
    return done


def auto_migrate(
    client: Any, *models: type[Model], billing_mode: str = "PAY_PER_REQUEST"
) -> list[str]:
    """Brings the tables of ``models`` up to their declarations.

    Creates missing tables (with ``billing_mode``), adds missing GSIs one at
    a time with ``UpdateTable`` (waiting for each to become active), and
    enables TTL when a model has a ttl field. Nothing is ever removed: extra
    indexes stay. A key schema that differs from the model, or a missing LSI,
    cannot be changed in place and raises ``DynamORMError``. Returns what was
    done, one line per change (empty when everything was up to date).
    """
    done: list[str] = []
    for model in models:
        done += _migrate_one(client, model, billing_mode)
    return done
