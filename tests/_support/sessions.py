"""``fresh_sessions(monkeypatch)``: the next client a ``DB`` makes comes from
a new botocore session (boto3's default one and the library's own are
dropped until the test ends), so it loads credentials, region and
configuration from the environment the test set, not those a session
loaded first and keeps.

What a new session would also read again, botocore's JSON models (the
service's, the endpoint rules, the partitions), comes from one data loader
per data path for the whole run (``shared_loader``): those files never
change, and parsing them is most of a new session's first client."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from dynamorm.transport import client

_loaders: dict[Any, Any] = {}


def shared_loader(data_path: Any = None) -> Any:
    """botocore's ``create_loader(data_path)``, made once per ``data_path``
    (each loader keeps what it has read)."""
    loader = _loaders.get(data_path)
    if loader is None:
        loader = _loaders[data_path] = botocore.loaders.create_loader(data_path)
    return loader


def fresh_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(client, "_default_sessions", [])
    monkeypatch.setattr(botocore.session, "create_loader", shared_loader)
