"""``dynamorm.testing``: a test kit — an in-process DynamoDB and
pytest fixtures.

- ``MemoryBackend``: an in-process DynamoDB plugged in as a transport
  (``DB(backend=MemoryBackend())``, ``AsyncDB(backend=...)``), every request
  built and every answer read as against a server; ``backend.client()`` is
  a boto3 client on the same tables (``dynamorm.testing.backend``).
- ``Faults``: throttles, server errors, unprocessed batch keys and latency
  injected into requests, on a backend or a real server's client
  (``dynamorm.testing.faults``).
- The pytest plugin: ``pytest -p dynamorm.testing`` (or ``pytest_plugins =
  ["dynamorm.testing"]`` in a conftest) gives the fixtures ``dynamo_db``,
  ``async_dynamo_db``, ``dynamo_tables``, ``dynamo_faults`` and
  ``dynamo_backend`` (``dynamorm.testing.plugin``). It is not loaded unless
  asked for; importing this package without pytest installed gives the
  backend and faults alone.
"""

from __future__ import annotations

import importlib.util

from dynamorm.testing.backend import MemoryBackend
from dynamorm.testing.faults import Faults

__all__ = ["Faults", "MemoryBackend"]

if importlib.util.find_spec("pytest") is not None:
    # The plugin's fixtures and hook, found here by ``pytest -p dynamorm.testing``.
    from dynamorm.testing.plugin import (
        async_dynamo_db,
        dynamo_backend,
        dynamo_db,
        dynamo_faults,
        dynamo_tables,
        pytest_report_header,
    )

    __all__ += [
        "async_dynamo_db",
        "dynamo_backend",
        "dynamo_db",
        "dynamo_faults",
        "dynamo_tables",
        "pytest_report_header",
    ]
