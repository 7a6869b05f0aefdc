"""What each single-item write does when an attempt's answer is lost.

An attempt that fails ambiguously (``retry.is_ambiguous``: a 5xx answer, a
connection lost after sending) may have been applied. Each write terminal
hands the scheduler a ``retry.Resend`` built here (docs/retries.md, "Lost
answers"):

- a put or a delete may go out again: twice leaves what once does;
- an update may go out again when each of its actions is idempotent (``SET``,
  ``REMOVE``, ``if_not_exists``, adding or deleting set elements), or when it
  is optimistic (``version = N`` and ``ADD version 1``: a second application
  fails its condition). Otherwise — adding to a number, appending to a list,
  removing a list element by position — it is not sent again, and neither is
  an update asking for the old values, which a resend would not see;
- a resend that fails its condition is checked against the item DynamoDB
  returns with the failure (``ALL_OLD``): a put finds the very item it sent,
  a delete finds no item, an update finds every value it set (and version
  ``N + 1``). The write is then reported applied; otherwise its outcome is
  unknown (``WriteOutcomeUnknownError``).

``create_or_update()`` adds 1 to the version without a version condition, so
its resend carries a guard instead: ``NOT (every value it sets is there)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dynamorm import _core, marshal
from dynamorm.expr import And, Clause, Not, UpdateAction
from dynamorm.expr.conditions import attribute_value
from dynamorm.retry import Resend

__all__ = ["delete_resend", "guard", "put_resend", "update_resend", "upsert_resend"]

_IDEMPOTENT = frozenset({"set", "set_if_not_exists", "remove", "delete", "set_list_element"})
_OLD_VALUES = frozenset({"ALL_OLD", "UPDATED_OLD"})

# An attribute value a write leaves out.
_ABSENT: Any = object()

Effect = tuple[list[str | int], Any]
"""A path and the attribute value a write leaves there (``_ABSENT``: none)."""


def put_resend(item: Mapping[str, Any], conditioned: bool) -> Resend:
    """A put of ``item`` (DynamoDB JSON): sent again; a resend's failed
    condition is this put's own result when the stored item is ``item``."""
    if not conditioned:
        return Resend()
    sent = marshal.deserialize_item(dict(item))

    def recognise(stored: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if stored is not None and marshal.deserialize_item(dict(stored)) == sent:
            return {}
        return None

    return Resend(recognise=recognise)


def delete_resend(conditioned: bool) -> Resend:
    """A delete: sent again; a resend's failed condition is this delete's
    own result when there is no item any more."""
    if not conditioned:
        return Resend()
    return Resend(recognise=lambda stored: {} if stored is None else None)


def update_resend(
    actions: Sequence[UpdateAction],
    *,
    version: tuple[str, int] | None = None,
    return_values: str | None = None,
) -> Resend:
    """An UpdateItem of ``actions``; ``version`` is ``(attribute, N)`` when
    it is conditioned on ``version = N`` and adds 1 to it."""
    rv = (return_values or "NONE").upper()
    if rv in _OLD_VALUES:
        return Resend(
            allowed=False,
            reason=f"it returns the item's old values ({rv}), which a resend would not see",
        )
    if version is None:
        unsafe = next((a for a in actions if not _idempotent(a)), None)
        if unsafe is not None:
            return Resend(
                allowed=False,
                reason=f"its {unsafe[0]} on {_shown(unsafe[1])} would be applied again",
            )
    effects = _effects(actions)
    if not effects:
        return Resend()
    if version is not None:
        effects.append(([version[0]], marshal.serialize(version[1] + 1)))
    return Resend(recognise=_recogniser(effects))


def upsert_resend(actions: Sequence[UpdateAction], guarded: Mapping[str, Any]) -> Resend:
    """``create_or_update()``'s UpdateItem: sent again as ``guarded`` (its
    request with ``guard(actions)`` ANDed to the condition), so that a first
    attempt that was applied is not applied again."""
    return Resend(params=guarded, recognise=_recogniser(_effects(actions)))


def guard(actions: Sequence[UpdateAction]) -> Clause | None:
    """``NOT (the item holds every value actions set or remove)`` (``None``
    when they set nothing checkable)."""
    clauses: list[Clause] = []
    for path, av in _effects(actions):
        if av is _ABSENT:
            clauses.append((path, "NOT_EXISTS"))
        elif "NULL" in av:
            clauses.append((path, "ATTRIBUTE_TYPE", "NULL"))
        else:
            clauses.append((path, "=", _core.Encoded(av)))
    return Not(And(*clauses)) if clauses else None


def _idempotent(action: UpdateAction) -> bool:
    kind = action[0]
    if kind == "add":
        # ADD of set elements is a union; ADD of a number counts.
        value = action[2]
        if isinstance(value, _core.Encoded):
            return next(iter(value.av)) in ("SS", "NS", "BS")
        return isinstance(value, set | frozenset)
    return kind in _IDEMPOTENT


def _shown(path: Sequence[str | int]) -> str:
    text = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
    return repr(text[1:])


def _effects(actions: Sequence[UpdateAction]) -> list[Effect]:
    """What ``actions`` leave at each path they set or remove outright."""
    out: list[Effect] = []
    for action in actions:
        kind, path = action[0], list(action[1])
        if kind == "set":
            out.append((path, attribute_value(action[2])))
        elif kind == "remove":
            out.append((path, _ABSENT))
        elif kind == "set_list_element":
            out.append(([*path, action[2]], attribute_value(action[3])))
    return out


def _recogniser(
    effects: list[Effect],
) -> Callable[[Mapping[str, Any] | None], dict[str, Any] | None] | None:
    """Whether a stored item holds every effect; the response to hand back
    then is that item as the update's new attributes."""
    if not effects:
        return None

    def recognise(stored: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if stored is None:
            return None
        for path, av in effects:
            found = _at(stored, path)
            if av is _ABSENT:
                if found is not None:
                    return None
            elif found is None or marshal.deserialize(found) != marshal.deserialize(av):
                return None
        return {"Attributes": dict(stored)}

    return recognise


def _at(item: Mapping[str, Any], path: Sequence[str | int]) -> Any:
    """The attribute value at ``path`` in ``item`` (``None`` when absent)."""
    value: Any = item.get(str(path[0]))
    for step in path[1:]:
        if value is None:
            return None
        if isinstance(step, int):
            elements = value.get("L")
            value = elements[step] if elements is not None and step < len(elements) else None
        else:
            value = (value.get("M") or {}).get(step)
    return value
