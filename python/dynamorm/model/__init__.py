"""Models (SPEC §2): the ``Model`` base class, ``field()`` and ``fields()``,
each model's compiled description (``meta``), its type analysis (``types``),
its Rust item codec (``codec``), path resolution (``paths``) and what an
instance read in part holds (``loaded``)."""

from __future__ import annotations

from dynamorm.model.base import Model
from dynamorm.model.fields import field, fields

__all__ = ["Model", "field", "fields"]
