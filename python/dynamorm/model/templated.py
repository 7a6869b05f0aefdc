"""What key templates (``model/templates.py``) do to instances.

A template field holds derived state: its value is always the rendering of
its template from the instance's other fields.

- On write (``rendered``) every template field is computed from the
  instance. A table key whose source field is missing is a
  ``ValidationError``; an index key whose source field is ``None`` is left
  out of the item (a sparse index). A write that addresses the stored item by
  its key — update, delete, a condition check — refuses an instance whose
  key, as read, differs from the one its fields now give: UpdateItem cannot
  move an item to another key. A put writes the item the instance
  describes, under the key its fields give.
- By hand a template field cannot be set to anything but its rendering: the
  constructor and assignment (``TemplateSlot``) raise ``ValidationError``
  naming the model, field and both values.
- On read (``filler``) a source field whose attribute the item lacks (an item
  written by another client that stores only the keys, or a projection) is
  parsed from the key templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dynamorm.errors import ValidationError
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta

__all__ = [
    "TemplateSlot",
    "builder_updates",
    "check_given",
    "check_target",
    "filler",
    "index_updates",
    "rendered",
    "sources_of",
]

_TABLE_KEY = frozenset({"pk", "sk"})


def _render(meta: ModelMeta, f: FieldInfo, values: Mapping[str, Any]) -> str | None:
    """``f``'s value from ``values`` (field name → value); ``None`` for an
    index key missing a source value."""
    template = f.template
    assert template is not None
    if "pk" not in f.roles and "sk" not in f.roles:
        for name in template.fields:
            if values.get(name) is None:
                return None
    return template.render(values)


def rendered(
    meta: ModelMeta,
    obj: Any,
    operation: str,
    *,
    keyed: bool,
    fields: Iterable[FieldInfo] | None = None,
) -> dict[str, Any]:
    """The value of each template field of ``obj`` (``fields``: these only)
    computed from its other fields. With ``keyed`` (the write addresses the
    stored item by its key) a table key that differs from the one ``obj``
    holds raises ``ValidationError``."""
    d = obj.__dict__
    out: dict[str, Any] = {}
    for f in meta.templated if fields is None else fields:
        value = _render(meta, f, d)
        held = d.get(f.name)
        if keyed and held is not None and held != value and f.roles & _TABLE_KEY:
            template = f.template
            assert template is not None
            raise ValidationError(
                f"{meta.name}.{operation}(): the key {f.name!r} of this instance is {held!r}, "
                f"but its template {template.text!r} now gives {value!r}: the key of a "
                "stored item cannot change. Create the item under its new key and delete "
                "the old one (in one transaction)"
            )
        out[f.name] = value
    return out


def check_given(meta: ModelMeta, obj: Any, names: Iterable[str]) -> None:
    """Refuses (``ValidationError``) a value given by hand for the template
    fields ``names`` of ``obj`` that is not the rendering of its template."""
    d = obj.__dict__
    for name in names:
        f = meta.by_name[name]
        given = d.get(name)
        if given is None:
            continue
        value = _render(meta, f, d)
        if given != value:
            template = f.template
            assert template is not None
            raise ValidationError(
                f"{meta.name}.{name} is computed by its template {template.text!r} as "
                f"{value!r}; it cannot be set to {given!r} by hand"
            )


class TemplateSlot:
    """The class attribute of a template field: assigning anything but the
    template's rendering raises ``ValidationError`` (``check_given``).
    Reading goes straight to the instance's ``__dict__``: the slot defines
    no ``__get__``."""

    __slots__ = ("meta", "name")

    def __init__(self, meta: ModelMeta, name: str) -> None:
        self.meta = meta
        self.name = name

    def __set__(self, obj: Any, value: Any) -> None:
        d = obj.__dict__
        before = d.get(self.name)
        d[self.name] = value
        try:
            check_given(self.meta, obj, [self.name])
        except ValidationError:
            d[self.name] = before
            raise


def sources_of(meta: ModelMeta) -> frozenset[str]:
    """The names of the fields some template of ``meta`` is made from."""
    return frozenset(n for f in meta.templated if f.template for n in f.template.fields)


def filler(meta: ModelMeta) -> Callable[[Any, list[str]], None]:
    """The function the item schema calls with an instance read from an
    item that lacks the attributes of the source fields ``names``: each is
    parsed from the first template field holding it whose value fits its
    template (table keys first). A key that does not fit leaves the
    defaults."""

    def fill(obj: Any, names: list[str]) -> None:
        d = obj.__dict__
        wanted = set(names)
        for f in meta.templated:
            template = f.template
            assert template is not None
            if wanted.isdisjoint(template.fields):
                continue
            text = d.get(f.name)
            parsed = template.parse(text) if isinstance(text, str) else None
            if parsed is None:
                continue
            for name in wanted.intersection(parsed):
                d[name] = parsed[name]
            wanted.difference_update(parsed)
            if not wanted:
                return

    return fill


def index_updates(
    meta: ModelMeta,
    obj: Any,
    written: Iterable[str],
    operation: str,
    *,
    unread: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The index-key template fields an update of ``obj`` that writes the
    fields ``written`` must write too (any of their sources written), with
    their values (``None``: remove the attribute). A template whose other
    sources were not read (``unread``: an instance read in part) raises
    ``ValidationError``: its key cannot be computed."""
    names = set(written)
    out: dict[str, Any] = {}
    for f in meta.templated:
        template = f.template
        assert template is not None
        if f.roles & _TABLE_KEY or names.isdisjoint(template.fields):
            continue
        missing = [n for n in template.fields if n in unread]
        if missing:
            raise ValidationError(
                f"{meta.name}.{operation}(): the index key {f.name!r} is computed by "
                f"{template.text!r}, but {', '.join(map(repr, missing))} was not read; "
                "read it too (select()) so the index key can be written"
            )
        out[f.name] = _render(meta, f, obj.__dict__)
    return out


def check_target(meta: ModelMeta, f: FieldInfo, operation: str) -> None:
    """Refuses (``ValidationError``) an update builder's action on a
    template field, or on a field a table key's template is made from (the
    key of a stored item cannot change)."""
    template = f.template
    if template is not None:
        raise ValidationError(
            f"{meta.name}.{operation}(): {f.name!r} is computed by its template "
            f"{template.text!r}; set its fields ({', '.join(map(repr, template.fields))}) "
            "instead"
        )
    for key in meta.key_fields:
        if key.template is not None and f.name in key.template.fields:
            raise ValidationError(
                f"{meta.name}.{operation}(): {f.name!r} is part of the key {key.name!r} "
                f"(template {key.template.text!r}), and the key of a stored item cannot change"
            )


def builder_updates(meta: ModelMeta, actions: Iterable[Any], operation: str) -> list[Any]:
    """The actions an update builder adds for its ``actions`` on the sources
    of index-key templates: a ``set`` of the index key when every source of
    its template is set whole, a ``remove`` when one is removed. Any other
    action on a source raises ``ValidationError``: the index key could not
    be computed."""
    whole: dict[str, Any] = {}
    other: set[str] = set()
    for action in actions:
        f = meta.by_attr.get(str(action[1][0]))
        if f is None:
            continue
        if action[0] == "remove" and len(action[1]) == 1:
            whole[f.name] = None
        elif action[0] == "set" and len(action[1]) == 1 and hasattr(action[2], "av"):
            whole[f.name] = action[2].av
        else:
            other.add(f.name)
    out: list[Any] = []
    for f in meta.templated:
        template = f.template
        assert template is not None
        names = template.fields
        if f.roles & _TABLE_KEY or not any(n in whole or n in other for n in names):
            continue
        unset = [n for n in names if n not in whole]
        if any(whole.get(n, 0) is None for n in names):
            out.append(("remove", [f.attr]))
        elif unset:
            raise ValidationError(
                f"{meta.name}.{operation}(): the index key {f.name!r} is computed by "
                f"{template.text!r}; set every one of its fields "
                f"({', '.join(map(repr, names))}) whole in this update, or update the "
                f"instance with update(...) (missing: {', '.join(map(repr, unset))})"
            )
        else:
            pieces = [template.piece(i, next(iter(whole[n].values()))) for i, n in enumerate(names)]
            out.append(("set", [f.attr], template.compose(pieces)))
    return out
