"""Field-name paths → attribute-name paths.

Users name fields (``"address.city"``, ``"items[0].price"``); the first
segment is a model field, stored under its attribute name. The result is a
list of segments the expression compiler takes literally, so attribute names
holding dots or brackets stay intact.
"""

from __future__ import annotations

import re

from dynamorm.errors import ValidationError
from dynamorm.model.fields import FieldInfo
from dynamorm.model.meta import ModelMeta

__all__ = ["ResolvedPath", "resolve_path", "with_key_attrs"]

_SEGMENT = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")

ResolvedPath = tuple[FieldInfo, list[str | int]]
"""The field a path starts at, and the attribute-name path as segments."""


def resolve_path(meta: ModelMeta, path: str) -> ResolvedPath:
    """Resolves ``path`` (a field name, optionally followed by ``.name`` and
    ``[index]`` steps) against ``meta``; raises ``ValidationError`` naming the
    model and path when the first segment is not a field."""
    if not isinstance(path, str) or not path:
        raise ValidationError(f"{meta.name}: a field path must be a non-empty str, got {path!r}")
    whole = meta.by_name.get(path) or meta.by_attr.get(path)
    if whole is not None:
        return whole, [whole.attr]
    segments: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _SEGMENT.match(path, pos)
        if m is None or (pos == 0 and m.group(0).startswith((".", "["))):
            raise ValidationError(f"{meta.name}: malformed field path {path!r} at position {pos}")
        segments.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    head = segments[0]
    assert isinstance(head, str)
    found = meta.by_name.get(head) or meta.by_attr.get(head)
    if found is None:
        raise ValidationError(f"{meta.name} has no field {head!r} (in path {path!r})")
    segments[0] = found.attr
    return found, segments


def with_key_attrs(meta: ModelMeta, paths: list[list[str | int]]) -> list[list[str | int]]:
    """``paths`` (a projection) plus the key attributes it lacks: every read
    returns the key, so that items map back to their keys and instances can
    be written back; and an entity model's type attribute, by which its
    reads tell its items from another model's (``dynamorm.entities``)."""
    out = list(paths)
    out.extend([attr] for attr in meta.key_attrs if [attr] not in out)
    if meta.entity is not None and [meta.entity_attr] not in out:
        out.append([meta.entity_attr])
    return out
