"""The plans of a query's writes (``dynamorm.plans``): ``create``,
``create_or_update``, ``update`` and ``delete``, written once for ``Query``
and ``AsyncQuery``. Each builds its request the way a transaction's
operation of the same name is built (``requests.py``), and says what may be
sent again when an attempt's answer is lost (``resend.py``). On a model with
unique fields, a write of those fields also keeps their sentinel items
(``query.unique``)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any, TypeVar

from dynamorm.expr import Clause, UpdateAction
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of, format_timestamp
from dynamorm.model.loaded import LOADED, unread, writable
from dynamorm.model.templated import index_updates
from dynamorm.plans import Call, Plan
from dynamorm.query.base import QueryBase
from dynamorm.requests import (
    create_changes,
    delete_params,
    delete_version_conditions,
    instance_update,
    key_of_instance,
    key_of_where,
    put_params,
    staged_item,
    update_params,
)
from dynamorm.resend import delete_resend, guard, put_resend, update_resend, upsert_resend
from dynamorm.unique import Values, check_item_key, instance_values, stored_values, updated_unique

__all__ = ["WritePlans"]

M = TypeVar("M", bound=Model)


class WritePlans(QueryBase[M]):
    """The write plans; ``Query`` and ``AsyncQuery`` run them."""

    __slots__ = ()

    def _create(self) -> Plan[M]:
        """The plan of ``Query.create``."""
        obj = self._bound("create")
        meta = self._state.meta
        changes = create_changes(meta, obj, _dt.datetime.now(_dt.UTC), "create")
        item = staged_item(obj, changes)
        conditions = self._conditions()

        def request(extra: list[Clause]) -> Call:
            all_conditions = [*conditions, *extra]
            write = put_resend(item, bool(all_conditions))
            return self._call("PutItem", put_params(meta, item, all_conditions), write=write)

        if meta.unique_fields:
            check_item_key(meta, item, "create")
            news = stored_values(meta, item, [f.name for f in meta.unique_fields])
            key = key_of_instance(meta, obj, "create", keyed=False)
            yield from self._unique("create", request, key, news, None)
        else:
            yield request([])
        obj.__dict__.update(changes)
        return obj  # type: ignore[no-any-return]

    def _upsert_actions(self, obj: Any) -> tuple[list[UpdateAction], list[Any]]:
        """The update actions of ``create_or_update`` (every field it writes,
        the index keys templates make of them, the timestamps, the version)
        and the fields it writes."""
        meta = self._state.meta
        codec = codec_of(meta)
        now = format_timestamp(_dt.datetime.now(_dt.UTC))
        actions: list[UpdateAction] = []
        owned = {"pk", "sk", "version", "created_at", "updated_at"}
        chosen = [f for f in meta.fields if not f.roles & owned and f.template is None]
        chosen = writable(meta, obj, chosen, named=False, operation="create_or_update")
        written = chosen
        values = obj.__dict__
        if meta.templated:
            # The index keys made from what is written go with it.
            computed = index_updates(
                meta, obj, [f.name for f in chosen], "create_or_update", unread=unread(meta, obj)[0]
            )
            chosen = [*chosen, *(meta.by_name[name] for name in computed)]
            values = {**values, **computed}
        for f in chosen:
            value = codec.schema.encode_value(f.name, values.get(f.name))
            if value is None:
                actions.append(("remove", [f.attr]))
            else:
                actions.append(("set", [f.attr], value))
        if meta.created_at is not None:
            actions.append(("set_if_not_exists", [meta.created_at.attr], now))
        if meta.updated_at is not None:
            actions.append(("set", [meta.updated_at.attr], now))
        if meta.version is not None:
            # Every write that changes an item moves its version (ADD counts
            # from 0 on a new item).
            actions.append(("add", [meta.version.attr], 1))
        return actions, written

    def _create_or_update(self) -> Plan[M]:
        """The plan of ``Query.create_or_update``."""
        obj = self._bound("create_or_update")
        meta = self._state.meta
        codec = codec_of(meta)
        actions, written = self._upsert_actions(obj)
        if not actions:
            return (yield from self._create())
        # Like a put, it writes the item under the key its fields give.
        key = key_of_instance(meta, obj, "create_or_update", keyed=False)
        conditions = self._conditions()
        resend_guard = guard(actions)

        def request(extra: list[Clause]) -> Call:
            all_conditions = [*conditions, *extra]
            params = update_params(meta, key, actions, all_conditions, "ALL_NEW")
            if meta.version is not None and resend_guard is not None:
                guarded = update_params(
                    meta, key, actions, [*all_conditions, resend_guard], "ALL_NEW"
                )
                write = upsert_resend(actions, guarded)
            else:
                write = update_resend(actions, return_values="ALL_NEW")
            return self._call("UpdateItem", params, write=write)

        if meta.unique_fields:
            check_item_key(meta, key, "create_or_update")
        names = [f.name for f in written if f.unique]
        if names:
            news = instance_values(meta, obj, names)
            response = yield from self._unique("create_or_update", request, key, news, None)
        else:
            response = yield request([])
        if response is None:
            # Sent in a transaction, which returns no attributes: read them.
            read = {"TableName": meta.table, "Key": key, "ConsistentRead": True}
            response = {"Attributes": (yield self._call("GetItem", read)).get("Item", {})}
        stored = codec.from_item(response.get("Attributes", {}))
        obj.__dict__.update(stored.__dict__)
        obj.__dict__.pop(LOADED, None)  # the whole item came back
        return obj  # type: ignore[no-any-return]

    def _update(self, *fields: str) -> Plan[M]:
        """The plan of ``Query.update``."""
        obj = self._bound("update")
        meta = self._state.meta
        now = _dt.datetime.now(_dt.UTC)
        actions, required, changes = instance_update(meta, obj, fields, now)
        conditions = [*self._conditions(), *required]
        key = key_of_instance(meta, obj, "update")
        v = meta.version
        version = None if v is None else (v.attr, changes[v.name] - 1)

        def request(extra: list[Clause]) -> Call:
            params = update_params(meta, key, actions, [*conditions, *extra])
            return self._call("UpdateItem", params, write=update_resend(actions, version=version))

        if meta.unique_fields:
            check_item_key(meta, key, "update")
            # First assumed unchanged: a value that did change is learnt from
            # the item the failed condition returns (query.unique).
            news = instance_values(meta, obj, updated_unique(meta, actions))
            yield from self._unique("update", request, key, news, news)
        else:
            yield request([])
        obj.__dict__.update(changes)
        return obj  # type: ignore[no-any-return]

    def _delete(self) -> Plan[None]:
        """The plan of ``Query.delete``."""
        meta = self._state.meta
        obj = self._state.instance
        conditions = self._conditions()
        if obj is not None:
            key = key_of_instance(meta, obj, "delete")
            conditions.extend(delete_version_conditions(meta, obj))
        else:
            key = key_of_where(meta, self._state.where, "delete")

        def request(extra: list[Clause]) -> Call:
            all_conditions = [*conditions, *extra]
            write = delete_resend(bool(all_conditions))
            return self._call("DeleteItem", delete_params(meta, key, all_conditions), write=write)

        if meta.unique_fields:
            # The values given up: the instance's (none without one), else
            # those the item the failed condition returns holds (query.unique).
            check_item_key(meta, key, "delete")
            names = [f.name for f in meta.unique_fields]
            olds = dict.fromkeys(names) if obj is None else instance_values(meta, obj, names)
            yield from self._unique("delete", request, key, dict.fromkeys(names), olds)
        else:
            yield request([])

    def _unique(
        self,
        operation: str,
        request: Callable[[list[Clause]], Call],
        owner: dict[str, Any],
        news: Values,
        olds: Values | None,
    ) -> Plan[dict[str, Any] | None]:
        """The write ``operation`` of unique fields (``news``), keeping their
        sentinel items: the plan of ``query.unique`` (see there); without
        any, ``request([])`` as it is. Returns the response (``None`` after
        a transaction)."""
        if not news:
            response: dict[str, Any] = yield request([])
            return response
        from dynamorm.query.unique import unique_write

        return (yield from unique_write(self, operation, request, owner, news=news, olds=olds))

    def _update_key(self) -> dict[str, Any]:
        """The key of the item an update builder updates: the bound
        instance's, or the one ``where`` gives."""
        meta = self._state.meta
        obj = self._state.instance
        if obj is not None:
            key = key_of_instance(meta, obj, "update_builder")
        else:
            key = key_of_where(meta, self._state.where, "update_builder")
        if meta.unique_fields:
            check_item_key(meta, key, "update_builder")
        return key
