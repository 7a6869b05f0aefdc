"""A deadline that stops the retries says why the last attempt failed: the
``OperationTimeoutError`` names the error code and chains that error as
``__cause__`` (against a real server, every attempt throttled by the proxy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamorm import Model, RetryPolicy, field
from dynamorm.errors import OperationTimeoutError

from tests._support.proxy import FaultProxy
from tests.conftest import make_db

SLOW = RetryPolicy(max_retries=5, initial_delay=5.0, max_delay=5.0, jitter=0)


@pytest.fixture
def Note(make_table: Callable[..., str]) -> Any:
    class Note(Model, table=make_table()):
        pk: str = field(pk=True)
        sk: str = field(sk=True)

    return Note


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_a_deadline_error_names_and_chains_the_last_failure(
    fault_proxy: FaultProxy, Note: Any, code: str
) -> None:
    db = make_db(fault_proxy.endpoint, retry_policy=SLOW, single_attempt=True)
    fault_proxy.throttle("GetItem", times=None, code=code)
    with pytest.raises(OperationTimeoutError) as info:
        db.with_timeout(0.3).model(Note).where("pk", "=", "a").where("sk", "=", "s").first()
    err = info.value
    assert f"the last attempt failed with {code}" in str(err) and "GetItem on Note" in str(err)
    cause = err.__cause__
    assert isinstance(cause, ClientError) and cause.response["Error"]["Code"] == code
