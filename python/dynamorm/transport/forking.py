"""Fork safety: a forked child never uses its parent's connections.

A ``DB`` made at import time and used once holds a pooled keep-alive
connection. After ``os.fork()`` (gunicorn ``--preload``, ``multiprocessing``)
parent and children would write into that one TCP stream and read each
other's answers. Every ``DB`` registers its client here (its own or a given
one: either is shared after a fork), and in each child the pools of every
live client are emptied before any code of the child runs, without a byte
sent on the inherited sockets (``_botocore_private.forget_connections``).
"""

from __future__ import annotations

import logging
import os
import weakref
from typing import Any

from dynamorm.transport._botocore_private import forget_connections, http_session

__all__ = ["track"]

logger = logging.getLogger("dynamorm")

_clients: weakref.WeakSet[Any] = weakref.WeakSet()


def track(client: Any) -> None:
    """Has ``client``'s connections dropped in every child forked from now on
    (only while the client is alive: the set holds it weakly)."""
    try:
        _clients.add(client)
    except TypeError:
        logger.debug("dynamorm: %r cannot be tracked across fork()", client)


def _after_fork_in_child() -> None:
    for client in list(_clients):
        session = http_session(client)
        if session is None:
            continue
        try:
            forget_connections(session)
        except Exception as exc:  # never break the child's start for this
            logger.warning("dynamorm: could not drop a connection inherited over fork(): %s", exc)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
