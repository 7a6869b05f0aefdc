"""Counting the requests that go out on the library's own request path
(``dynamorm.transport.direct.DirectTransport``) rather than botocore's
pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from dynamorm.transport.direct import DirectTransport


def count_direct_sends(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """``{"direct": n}``: ``n`` counts, from now until the test ends, the
    requests ``DirectTransport`` prepares (each one it sends itself)."""
    counts = {"direct": 0}
    prepare = DirectTransport._prepare

    def counting(self: DirectTransport, *args: Any) -> Any:
        counts["direct"] += 1
        return prepare(self, *args)

    monkeypatch.setattr(DirectTransport, "_prepare", counting)
    return counts
