"""Credentials on the library's own request path (``DirectTransport``):
botocore's ``RefreshableCredentials`` are refreshed when botocore says they
are due, never per call; a batch whose credentials expire between its chunks
signs the later chunks with the refreshed key and loses no key; a refresh
that fails surfaces as a dynamorm error naming the operation (on botocore's
pipeline too, whatever the refresh function raised), and a batch it stops
lists every key it did not read.

The credentials are botocore's, on a clock each test moves, loaded by the
``DB``'s client through botocore's credential chain
(``tests._support.credentials``). The server accepts any key, so the fault
proxy records the access key each request was signed with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import CredentialRetrievalError
from dynamorm import DB, Model, field
from dynamorm.errors import BatchGetError, RequestError
from dynamorm.transport.direct import DirectTransport

from tests._support.credentials import (
    METHOD,
    Clock,
    Refresher,
    deferred,
    refreshable,
    use_credentials,
)
from tests._support.proxy import FaultProxy
from tests.conftest import FAST_RETRIES, REGION

MINUTE = 60.0


def define(table: str) -> Any:
    class Note(Model, table=table):
        pk: str = field(pk=True)
        n: int = 0

    return Note


class Setup:
    """A ``DB`` talking through the proxy on refreshable credentials."""

    def __init__(
        self,
        proxy: FaultProxy,
        table: str,
        monkeypatch: pytest.MonkeyPatch,
        *,
        expires_in: float | None,
        fast_path: bool = True,
    ) -> None:
        self.proxy = proxy
        self.clock = Clock()
        self.refresher = Refresher(self.clock)
        if expires_in is None:
            credentials = deferred(self.clock, self.refresher)
        else:
            credentials = refreshable(self.clock, self.refresher, expires_in=expires_in)
        use_credentials(monkeypatch, credentials)
        self.db = DB(
            region_name=REGION,
            endpoint_url=proxy.endpoint,
            retry_policy=FAST_RETRIES,
            fast_path=fast_path,
        )
        assert isinstance(self.db._executor.transport, DirectTransport) is fast_path
        self.Note = define(table)

    def keys_of(self, operation: str) -> list[str | None]:
        """The access key of each ``operation`` request the proxy saw."""
        return [r.access_key for r in self.proxy.of(operation)]


@pytest.fixture
def setup(
    fault_proxy: FaultProxy, make_table: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Setup]:
    def make(expires_in: float | None, fast_path: bool = True) -> Setup:
        """``expires_in=None``: deferred credentials, fetched when first used;
        ``fast_path=False``: botocore's pipeline carries every request."""
        return Setup(
            fault_proxy,
            make_table(sk=None),
            monkeypatch,
            expires_in=expires_in,
            fast_path=fast_path,
        )

    return make


def put_notes(s: Setup, count: int) -> list[str]:
    keys = [f"k{i:05d}" for i in range(count)]
    s.db.model(s.Note).batch_create([s.Note(pk=k, n=i) for i, k in enumerate(keys)])
    s.proxy.reset()
    return keys


def get(s: Setup, pk: str) -> Any:
    return s.db.model(s.Note).where("pk", "=", pk).first()


def test_credentials_far_from_expiry_are_never_refreshed_however_many_requests(
    setup: Callable[..., Setup],
) -> None:
    s = setup(expires_in=60 * MINUTE)
    s.db.model(s.Note(pk="a", n=1)).create()
    for _ in range(200):
        assert get(s, "a").n == 1
    assert s.refresher.calls == 0
    assert s.keys_of("GetItem") == ["AKID0"] * 200


def test_deferred_credentials_are_fetched_by_the_first_request_and_not_again(
    setup: Callable[..., Setup],
) -> None:
    s = setup(expires_in=None)
    assert s.refresher.calls == 0  # making the DB fetched nothing
    s.db.model(s.Note(pk="a", n=1)).create()
    for _ in range(100):
        assert get(s, "a").n == 1
    assert s.refresher.calls == 1
    assert s.keys_of("PutItem") + s.keys_of("GetItem") == ["AKID1"] * 101


def test_credentials_inside_the_advisory_window_are_refreshed_once(
    setup: Callable[..., Setup],
) -> None:
    s = setup(expires_in=12 * MINUTE)  # botocore: advisory under 15 min, mandatory under 10
    s.db.model(s.Note(pk="a", n=1)).create()
    for _ in range(50):
        assert get(s, "a").n == 1
    assert s.refresher.calls == 1
    assert s.keys_of("PutItem") + s.keys_of("GetItem") == ["AKID1"] * 51


def test_a_failing_refresh_inside_the_advisory_window_keeps_signing_with_the_current_key(
    setup: Callable[..., Setup],
) -> None:
    s = setup(expires_in=12 * MINUTE)
    s.refresher.fail = RuntimeError("token service unavailable")
    s.db.model(s.Note(pk="a", n=1)).create()
    for _ in range(20):
        assert get(s, "a").n == 1
    # botocore tries again each time the credentials are read while the
    # advisory window lasts, and signs with the ones it has: once per request,
    # and once per endpoint resolution (PutItem's and GetItem's, whose rules
    # read the credentials' account ID).
    assert s.refresher.calls == 21 + 2
    assert s.keys_of("PutItem") + s.keys_of("GetItem") == ["AKID0"] * 21


FAILURES = [
    pytest.param(
        lambda: CredentialRetrievalError(provider=METHOD, error_msg="token service unavailable"),
        "Error when retrieving credentials from dynamorm-test: token service unavailable",
        id="botocore's error",
    ),
    pytest.param(
        lambda: RuntimeError("token service unavailable"),
        "Error when retrieving credentials from dynamorm-test: "
        "RuntimeError: token service unavailable",
        id="the refresh function's own exception",
    ),
]


@pytest.mark.parametrize("fast_path", [True, False], ids=["direct path", "botocore's pipeline"])
@pytest.mark.parametrize(("failure", "message"), FAILURES)
def test_a_failing_refresh_inside_the_mandatory_window_fails_the_request_naming_it(
    setup: Callable[..., Setup], failure: Callable[[], Exception], message: str, fast_path: bool
) -> None:
    s = setup(expires_in=5 * MINUTE, fast_path=fast_path)
    s.refresher.fail = failure()
    with pytest.raises(RequestError) as caught:
        get(s, "a")
    assert str(caught.value) == f"GetItem on Note failed: {message}"
    assert isinstance(caught.value.__cause__, CredentialRetrievalError)
    assert s.proxy.requests == []  # nothing went out unsigned or signed with a stale key


def expire_after(s: Setup, chunks: int, fail: Exception | None = None) -> None:
    """Once the proxy has seen ``chunks`` BatchGetItem requests, the clock
    passes the credentials' expiry (and the refresh raises ``fail``)."""
    seen = [0]

    def hook(operation: str, body: dict[str, Any]) -> None:
        seen[0] += 1
        if seen[0] == chunks:
            s.clock.advance(61 * MINUTE)
            s.refresher.fail = fail

    s.proxy.custom(hook, operation="BatchGetItem")


def test_credentials_expiring_mid_batch_sign_the_later_chunks_with_the_refreshed_key(
    setup: Callable[..., Setup],
) -> None:
    s = setup(expires_in=60 * MINUTE)
    keys = put_notes(s, 500)
    expire_after(s, chunks=2)
    notes = s.db.model(s.Note).batch_get(keys)
    assert [n.pk for n in notes] == keys
    assert s.refresher.calls == 1
    assert s.keys_of("BatchGetItem") == ["AKID0"] * 2 + ["AKID1"] * 3


@pytest.mark.parametrize(("failure", "message"), FAILURES)
def test_a_refresh_failing_mid_batch_lists_every_key_not_read(
    setup: Callable[..., Setup], failure: Callable[[], Exception], message: str
) -> None:
    s = setup(expires_in=60 * MINUTE)
    keys = put_notes(s, 500)
    expire_after(s, chunks=2, fail=failure())
    with pytest.raises(BatchGetError) as caught:
        s.db.model(s.Note).batch_get(keys)
    error = caught.value
    assert [n.pk for n in error.items] == keys[:200]
    assert error.unprocessed_keys == keys[200:]
    cause = error.__cause__
    assert isinstance(cause, RequestError)
    assert str(cause) == f"BatchGetItem on Note failed: {message}"
    assert s.keys_of("BatchGetItem") == ["AKID0"] * 2  # the third chunk was never sent
