"""``fresh_sessions(monkeypatch)``: the next client a ``DB`` makes comes from
a new botocore session (boto3's default one and the library's own are
dropped until the test ends), so it loads credentials, region and
configuration from the environment the test set, not those a session
loaded first and keeps."""

from __future__ import annotations

import boto3
import pytest
from dynamorm.transport import client


def fresh_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(client, "_default_sessions", [])
