"""The library's own request path on ``DB``-created clients
(``dynamorm.transport.direct``): data-plane requests go straight to the
client's HTTP session, and botocore's full pipeline carries them instead
whenever something may be listening — a ``Stubber``, a handler registered on
the client's events, moto's ``mock_aws``, an instrumentation wrapping
botocore's client calls — or the client was passed in."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import botocore.client
import pytest
from botocore.stub import Stubber
from dynamorm import DB
from dynamorm.transport.direct import DirectTransport

from tests._support.direct_sends import count_direct_sends
from tests.conftest import REGION, client_for
from tests.integration.db_models import define_note


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many requests went out on the direct path."""
    return count_direct_sends(monkeypatch)


@pytest.fixture
def env(ddb_endpoint: str, make_table: Callable[..., str]) -> Iterator[tuple[DB, Any]]:
    db = DB(region_name=REGION, endpoint_url=ddb_endpoint)
    yield db, define_note(make_table(sk=None))


def test_data_plane_requests_of_a_db_made_client_go_out_directly(
    env: tuple[DB, Any], counted: dict[str, int]
) -> None:
    db, Note = env
    assert isinstance(db._executor.transport, DirectTransport)
    db.model(Note(pk="a", n=1)).create()
    assert db.model(Note).where("pk", "=", "a").first().n == 1
    assert [n.n for n in db.model(Note).batch_get(["a", "zz"])] == [1]
    assert counted["direct"] == 3
    db.describe_table(Note)  # a table operation: botocore's path
    assert counted["direct"] == 3


def test_a_stubber_on_the_client_sees_the_calls(
    env: tuple[DB, Any], counted: dict[str, int]
) -> None:
    db, Note = env
    with Stubber(db.client) as stubber:
        stubber.add_response(
            "get_item",
            {"Item": {"pk": {"S": "a"}, "n": {"N": "42"}}},
            {"TableName": Note.__dynamorm__.table, "Key": {"pk": {"S": "a"}}},
        )
        assert db.model(Note).where("pk", "=", "a").first().n == 42
        stubber.assert_no_pending_responses()
    assert counted["direct"] == 0


def test_a_handler_registered_on_the_client_sees_the_calls(
    env: tuple[DB, Any], counted: dict[str, int]
) -> None:
    db, Note = env
    seen: list[str] = []
    db.client.meta.events.register(
        "before-send.dynamodb.PutItem", lambda request, **_: seen.append(request.url)
    )
    db.model(Note(pk="a", n=1)).create()
    assert len(seen) == 1 and counted["direct"] == 0


def test_an_instrumentation_wrapping_botocore_calls_sees_them(
    env: tuple[DB, Any], counted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import wrapt

    db, Note = env
    calls: list[str] = []

    def spy(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        calls.append(args[0])
        return wrapped(*args, **kwargs)

    original = botocore.client.BaseClient._make_api_call
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", original)
    wrapt.wrap_function_wrapper("botocore.client", "BaseClient._make_api_call", spy)
    db.model(Note(pk="a", n=1)).create()
    assert calls == ["PutItem"] and counted["direct"] == 0


def test_moto_mock_aws_still_answers_a_db_made_inside_it(
    counted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import mock_aws

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        db = DB(region_name=REGION)
        Note = define_note(f"mocked-{uuid.uuid4().hex[:8]}")
        db.create_table(Note)
        db.model(Note(pk="a", n=5)).create()
        assert db.model(Note).where("pk", "=", "a").first().n == 5
    assert counted["direct"] == 0


def test_a_client_passed_in_keeps_botocore_s_pipeline(ddb_endpoint: str) -> None:
    db = DB(client=client_for(ddb_endpoint))
    assert not isinstance(db._executor.transport, DirectTransport)


def test_a_crc32_mismatch_is_retried_and_then_reported_with_its_cause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from botocore.exceptions import ChecksumError
    from dynamorm import RetryPolicy
    from dynamorm.errors import RetryExhaustedError

    seen: list[str] = []

    class Damaged(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["X-Amz-Target"])
            body = b'{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amz-crc32", "12345")  # not the body's
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Damaged)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        db = DB(
            region_name=REGION,
            endpoint_url=f"http://127.0.0.1:{server.server_port}",
            retry_policy=RetryPolicy(max_retries=1, initial_delay=0.001, jitter=0),
        )
        Note = define_note("damaged-notes")
        with pytest.raises(RetryExhaustedError) as info:
            db.model(Note).where("pk", "=", "a").first()
        assert isinstance(info.value.__cause__, ChecksumError)
        assert seen == ["DynamoDB_20120810.GetItem"] * 2
    finally:
        server.shutdown()


def test_botocores_pipeline_is_wired_only_when_first_needed(
    ddb_endpoint: str,
    make_table: Callable[..., str],
    counted: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A cold start's DB() and first GetItem make no probe client (each costs
    # a botocore session's worth of CPU); the first table operation wires
    # botocore's pipeline, probes included, once.
    from dynamorm.transport import hooks, probe, signing

    made: list[Any] = []
    real = probe.probe_client

    def probe_client(*args: Any, **kwargs: Any) -> Any:
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(hooks, "probe_client", probe_client)
    monkeypatch.setattr(signing, "probe_client", probe_client)
    for verdict in (hooks.verdict, hooks.request_verdict, signing.signing_verdict):
        monkeypatch.setattr(verdict, "ok", None)
    db = DB(region_name=REGION, endpoint_url=ddb_endpoint)
    Note = define_note(make_table(sk=None))
    db.model(Note(pk="a", n=1)).create()
    assert db.model(Note).where("pk", "=", "a").first().n == 1
    assert counted["direct"] == 2 and made == []
    db.describe_table(Note)
    db.describe_table(Note)
    assert len(made) == 3  # the read hooks', the request hooks' and the signer's checks
    assert db.model(Note).where("pk", "=", "a").first().n == 1
    assert counted["direct"] == 3  # the wiring is not taken for a listener's handler


def test_a_handler_registered_on_the_session_given_sees_the_calls(
    ddb_endpoint: str, make_table: Callable[..., str], counted: dict[str, int]
) -> None:
    import boto3

    seen: list[str] = []
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    session.events.register(
        "before-send.dynamodb", lambda request, **_: seen.append(request.headers["X-Amz-Target"])
    )
    db = DB(session=session, endpoint_url=ddb_endpoint)
    Note = define_note(make_table(sk=None))
    db.model(Note(pk="a", n=1)).create()
    assert db.model(Note).where("pk", "=", "a").first().n == 1
    assert [t.decode().rsplit(".", 1)[1] for t in seen] == ["PutItem", "GetItem"]
    assert counted["direct"] == 0
    # A session without handlers of its own: the library's own path.
    plain = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    other = DB(session=plain, endpoint_url=ddb_endpoint)
    assert other.model(Note).where("pk", "=", "a").first().n == 1
    assert counted["direct"] == 1
