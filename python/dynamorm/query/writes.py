"""The plans of a query's writes (``dynamorm.plans``): ``create``,
``create_or_update``, ``update`` and ``delete``, written once for ``Query``
and ``AsyncQuery``. Each builds its request the way a transaction's
operation of the same name is built (``requests.py``), and says what may be
sent again when an attempt's answer is lost (``resend.py``)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, TypeVar

from dynamorm.expr import UpdateAction
from dynamorm.model.base import Model
from dynamorm.model.codec import codec_of, format_timestamp
from dynamorm.model.loaded import LOADED, unread, writable
from dynamorm.model.templated import index_updates
from dynamorm.plans import Plan
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
        write = put_resend(item, bool(conditions))
        yield self._call("PutItem", put_params(meta, item, conditions), write=write)
        obj.__dict__.update(changes)
        return obj  # type: ignore[no-any-return]

    def _create_or_update(self) -> Plan[M]:
        """The plan of ``Query.create_or_update``."""
        obj = self._bound("create_or_update")
        meta = self._state.meta
        codec = codec_of(meta)
        now = format_timestamp(_dt.datetime.now(_dt.UTC))
        actions: list[UpdateAction] = []
        owned = {"pk", "sk", "version", "created_at", "updated_at"}
        chosen = [f for f in meta.fields if not f.roles & owned and f.template is None]
        chosen = writable(meta, obj, chosen, named=False, operation="create_or_update")
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
        if not actions:
            return (yield from self._create())
        # Like a put, it writes the item under the key its fields give.
        key = key_of_instance(meta, obj, "create_or_update", keyed=False)
        conditions = self._conditions()
        params = update_params(meta, key, actions, conditions, "ALL_NEW")
        resend_guard = guard(actions)
        if meta.version is not None and resend_guard is not None:
            guarded = update_params(meta, key, actions, [*conditions, resend_guard], "ALL_NEW")
            write = upsert_resend(actions, guarded)
        else:
            write = update_resend(actions, return_values="ALL_NEW")
        response = yield self._call("UpdateItem", params, write=write)
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
        params = update_params(meta, key_of_instance(meta, obj, "update"), actions, conditions)
        v = meta.version
        version = None if v is None else (v.attr, changes[v.name] - 1)
        yield self._call("UpdateItem", params, write=update_resend(actions, version=version))
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
        write = delete_resend(bool(conditions))
        yield self._call("DeleteItem", delete_params(meta, key, conditions), write=write)

    def _update_key(self) -> dict[str, Any]:
        """The key of the item an update builder updates: the bound
        instance's, or the one ``where`` gives."""
        meta = self._state.meta
        obj = self._state.instance
        if obj is not None:
            key = key_of_instance(meta, obj, "update_builder")
        else:
            key = key_of_where(meta, self._state.where, "update_builder")
        return key
