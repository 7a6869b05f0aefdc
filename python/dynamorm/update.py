"""The update builder (SPEC §6).

``db.model(Account).where("id", "=", "a1").update_builder()`` collects update
actions and conditions, compiles them into one UpdateItem request and sends it
on ``execute()``. ``to_params()`` returns that request without sending it, so
a transaction can take it as is. Values set on a whole field are encoded the
way the field is stored; ``updated_at`` is set to now unless you set it.

When an attempt's answer is lost, ``execute()`` sends the update again only
if that cannot apply it twice (``resend.update_resend``): every action is
idempotent, or ``condition_version`` guards it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from dynamorm.errors import ValidationError
from dynamorm.expr import Clause, UpdateAction
from dynamorm.expr.conditions import (
    ConditionSet,
    ConditionVocabulary,
    encode_elements,
    encode_value,
)
from dynamorm.model.codec import codec_of, format_timestamp
from dynamorm.model.loaded import mark, shape_of
from dynamorm.model.meta import ModelMeta
from dynamorm.model.paths import resolve_path
from dynamorm.model.templated import builder_updates, check_target
from dynamorm.plans import Call, Plan, run
from dynamorm.requests import update_params
from dynamorm.resend import update_resend
from dynamorm.transport.base import Target

if TYPE_CHECKING:
    from dynamorm.transport.executor import Executor

__all__ = ["UpdateBuilder", "UpdateBuilderBase"]


class UpdateBuilderBase(ConditionVocabulary):
    """Update actions and conditions for one item; every method returns the
    builder for chaining. ``UpdateBuilder`` adds ``execute()``; under asyncio
    ``AsyncUpdateBuilder`` adds it as a coroutine."""

    def __init__(
        self,
        meta: ModelMeta,
        key: dict[str, Any],
        executor: Executor | None = None,
        conditions: ConditionSet | None = None,
    ) -> None:
        self._meta = meta
        self._key = key
        self._executor = executor
        self._actions: list[UpdateAction] = []
        self._touched: set[str] = set()
        self._conditions = conditions.copy() if conditions is not None else ConditionSet()
        self._return_values: str | None = None
        self._version: int | None = None

    # -- actions ----------------------------------------------------------

    def _path(self, field: str) -> tuple[list[str | int], Any]:
        f, segments = resolve_path(self._meta, field)
        if f.unique:
            # The old value, whose sentinel item it would give up, is unknown here.
            raise ValidationError(
                f"{self._meta.name}: the update builder cannot change the unique field "
                f"{f.name!r} (its sentinel items must change with it); use "
                f"db.model(instance).update({f.name!r})"
            )
        if self._meta.templated:
            check_target(self._meta, f, "update_builder")
        self._touched.add(f.name)
        return segments, f

    def _action(self, name: str, field: str, *rest: Any, encode: bool = False) -> Self:
        segments, f = self._path(field)
        if encode:
            # The value is checked and encoded by the type at the path.
            rest = (encode_value(self._meta, f, rest[0], segments[1:]),)
        self._actions.append((name, segments, *rest))
        return self

    def set(self, field: str, value: Any) -> Self:
        """``SET field = value``."""
        return self._action("set", field, value, encode=True)

    def set_if_not_exists(self, field: str, value: Any) -> Self:
        """``SET field = if_not_exists(field, value)``."""
        return self._action("set_if_not_exists", field, value, encode=True)

    def add(self, field: str, value: Any) -> Self:
        """``ADD field value``: adds to a number, or elements to a set."""
        return self._action("add", field, value, encode=True)

    def increment(self, field: str, by: int | float = 1) -> Self:
        """Adds ``by`` to a number (0 when absent)."""
        return self._action("increment", field, by)

    def decrement(self, field: str, by: int | float = 1) -> Self:
        """Subtracts ``by`` from a number (0 when absent)."""
        return self._action("decrement", field, by)

    def remove(self, field: str) -> Self:
        """``REMOVE field``."""
        return self._action("remove", field)

    def delete(self, field: str, elements: Iterable[Any]) -> Self:
        """``DELETE field elements``: removes elements from a set."""
        return self._action("delete", field, set(elements), encode=True)

    def append_to_list(self, field: str, items: Iterable[Any]) -> Self:
        """Appends ``items`` to a list (created when absent)."""
        return self._list_action("append_to_list", field, items)

    def prepend_to_list(self, field: str, items: Iterable[Any]) -> Self:
        """Prepends ``items`` to a list (created when absent)."""
        return self._list_action("prepend_to_list", field, items)

    def remove_from_list_at(self, field: str, index: int) -> Self:
        """Removes the list element at ``index``."""
        return self._action("remove_from_list_at", field, index)

    def set_list_element(self, field: str, index: int, value: Any) -> Self:
        """Sets the list element at ``index``."""
        segments, f = self._path(field)
        value = encode_value(self._meta, f, value, [*segments[1:], index])
        self._actions.append(("set_list_element", segments, index, value))
        return self

    def _list_action(self, name: str, field: str, items: Iterable[Any]) -> Self:
        segments, f = self._path(field)
        self._actions.append((name, segments, encode_elements(self._meta, f, segments[1:], items)))
        return self

    # -- conditions -------------------------------------------------------

    def _condition_target(self) -> tuple[ModelMeta, ConditionSet]:
        return self._meta, self._conditions

    def condition_exists(self, field: str | None = None) -> Self:
        """Requires ``field`` to exist (without a field: the item exists)."""
        return self.condition(field or self._meta.pk.name, "EXISTS")

    def condition_not_exists(self, field: str | None = None) -> Self:
        """Requires ``field`` to be absent (without a field: no such item yet)."""
        return self.condition(field or self._meta.pk.name, "NOT_EXISTS")

    def condition_version(self, version: int) -> Self:
        """Requires the version field to equal ``version`` and adds 1 to it in
        the same request (optimistic locking)."""
        v = self._meta.version
        if v is None:
            raise ValidationError(f"{self._meta.name} has no version field")
        self.condition(v.name, "=", version)
        self._version = version
        return self._action("add", v.name, 1)

    def return_values(self, which: str) -> Self:
        """What ``execute()`` returns: ``"NONE"``, ``"ALL_OLD"``,
        ``"UPDATED_OLD"``, ``"ALL_NEW"`` or ``"UPDATED_NEW"``."""
        self._return_values = which
        return self

    # -- output -----------------------------------------------------------

    def conditions(self) -> list[Clause]:
        """The conditions, as ``dynamorm.expr`` clauses (ANDed)."""
        built = self._conditions.build()
        return [] if built is None else [built]

    def actions(self) -> list[UpdateAction]:
        """The update actions, including the ``updated_at`` timestamp and
        the index keys computed by templates from the fields set."""
        actions = list(self._actions)
        if self._meta.templated:
            actions.extend(builder_updates(self._meta, actions, "update_builder"))
        stamp = self._meta.updated_at
        if stamp is not None and stamp.name not in self._touched:
            now = format_timestamp(_dt.datetime.now(_dt.UTC))
            actions.append(("set", [stamp.attr], now))
        return actions

    def to_params(self) -> dict[str, Any]:
        """The UpdateItem request parameters, without sending anything."""
        return update_params(
            self._meta, self._key, self.actions(), self.conditions(), self._return_values
        )

    def _sender(self) -> Executor:
        """The executor ``execute`` sends through (a builder made for a
        transaction has none)."""
        if self._executor is None:
            raise ValidationError(f"{self._meta.name}: this update builder cannot send requests")
        return self._executor

    def _plan(self) -> Plan[Any]:
        """The plan of ``execute`` (see ``UpdateBuilder.execute``)."""
        meta = self._meta
        actions = self.actions()
        params = update_params(meta, self._key, actions, self.conditions(), self._return_values)
        version = None
        if self._version is not None and meta.version is not None:
            version = (meta.version.attr, self._version)
        write = update_resend(actions, version=version, return_values=self._return_values)
        response = yield Call("UpdateItem", params, Target(meta.cls, meta.table), write=write)
        attributes = response.get("Attributes")
        returned = params.get("ReturnValues", "NONE")
        if not attributes or returned == "NONE":
            return None
        # UPDATED_* answers hold only the updated attributes, never the key.
        obj = codec_of(meta).from_item({**attributes, **self._key})
        if returned in ("UPDATED_OLD", "UPDATED_NEW"):
            mark(meta, shape_of(meta, [_updated_path(action) for action in actions]), [obj])
        return obj


class UpdateBuilder(UpdateBuilderBase):
    """Update actions and conditions for one item; every method but
    ``execute`` returns the builder for chaining."""

    def execute(self) -> Any:
        """Sends the update; returns the model built from the returned
        attributes when ``return_values`` asked for some, else ``None``. The
        model carries the item's key; after ``UPDATED_OLD``/``UPDATED_NEW``
        it holds only the updated fields (the others take their defaults) and
        is marked as read in part, so its own writes leave the others alone."""
        return run(self._sender(), self._plan())


def _updated_path(action: UpdateAction) -> list[str | int]:
    """The path an action changes: with a list index, a part of the field."""
    if action[0] in ("set_list_element", "remove_from_list_at"):
        return [*action[1], action[2]]
    return list(action[1])
