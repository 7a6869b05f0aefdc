"""Entity models (SPEC §17): several models in one table, told apart by a
type attribute.

``class User(Model, table="app", entity="user")`` writes ``_type = "user"``
(``entity_attr=`` names another attribute) into every item it stores — the
item codec adds it to every item it encodes, and every UpdateItem of the
model sets it — and every read of the model sees only items holding it:

- a Query or Scan (``first``, ``all``, ``iter``, ``count``, the pages, the
  parallel scans) filters on it (``entity_filter``), ANDed with the query's
  own filters; ``limit`` stays DynamoDB's ``Limit``, counted before the
  filter, as for any filter;
- a read by key (``first()`` served by GetItem, a batch get, a read
  transaction) checks the item it gets (``is_foreign``): another model's item
  (or one without the type attribute) is treated as absent — ``first()``
  raises ``ItemNotFoundError``, a batch get leaves the key out of its result
  without reporting it unprocessed, ``transact_get`` answers ``None``.

On the fast read path the Rust core makes the same check as it decodes
(``ItemSchema(..., entity=...)``); these helpers check the items botocore
parsed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dynamorm.expr import Clause, UpdateAction
    from dynamorm.model.meta import ModelMeta

__all__ = ["entity_action", "entity_filter", "is_foreign", "owned_items"]


def entity_filter(meta: ModelMeta) -> Clause | None:
    """The filter of every Query and Scan of ``meta``'s model: its type
    attribute equals its entity (``#t = :entity``); ``None`` for a model
    that is not an entity."""
    if meta.entity is None:
        return None
    return ([meta.entity_attr], "=", meta.entity)


def entity_action(meta: ModelMeta) -> UpdateAction | None:
    """The action every UpdateItem of ``meta``'s model carries: ``SET`` of
    its type attribute, so that an item it creates, or one stored before the
    model was an entity, is tagged; ``None`` for a model that is not an
    entity."""
    if meta.entity is None:
        return None
    return ("set", [meta.entity_attr], meta.entity)


def is_foreign(meta: ModelMeta, item: Mapping[str, Any]) -> bool:
    """Whether the stored ``item`` (DynamoDB JSON) is not one of ``meta``'s
    model: for an entity model, its type attribute is missing or names
    another type; never for a model that is not an entity."""
    if meta.entity is None:
        return False
    av = item.get(meta.entity_attr)
    return not isinstance(av, Mapping) or av.get("S") != meta.entity


def owned_items(meta: ModelMeta, items: Sequence[Any]) -> Sequence[Any]:
    """``items`` (stored items, DynamoDB JSON) without those ``is_foreign``
    finds; ``items`` itself for a model that is not an entity."""
    if meta.entity is None:
        return items
    return [item for item in items if not is_foreign(meta, item)]
