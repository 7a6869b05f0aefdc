"""The library's own request path (``DirectTransport``) sends each request
where botocore's pipeline sends it and signs it as botocore signs it: for a
matrix of endpoint settings (region, FIPS, dual-stack, account-ID endpoints,
custom endpoints) and for every data-plane operation, the request the direct
path hands the client's HTTP session is compared with the one botocore's own
client call hands the same session. No network: the session's ``send`` is
replaced by a recorder that answers every request."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.exceptions import EndpointResolutionError
from dynamorm import DB, Model, field
from dynamorm.errors import RequestError, ValidationError
from dynamorm.transport import _botocore_private as private
from dynamorm.transport import signing
from dynamorm.transport.base import DATA_OPERATIONS, Target
from dynamorm.transport.direct import DirectTransport
from dynamorm.transport.probe import CannedRaw

from tests._support.credentials import Clock, Refresher, refreshable, use_credentials
from tests._support.sessions import fresh_sessions

TABLE = "notes"
OTHER = "other-notes"
ACCOUNT = "111122223333"
KEY = {"pk": {"S": "a"}}
ITEM = {"pk": {"S": "a"}, "n": {"N": "1"}}

# One request of each data-plane operation, in boto3 form (two tables where
# the operation takes several).
PARAMS: dict[str, dict[str, Any]] = {
    "GetItem": {"TableName": TABLE, "Key": KEY},
    "PutItem": {"TableName": TABLE, "Item": ITEM},
    "UpdateItem": {
        "TableName": TABLE,
        "Key": KEY,
        "UpdateExpression": "SET #n = :v",
        "ExpressionAttributeNames": {"#n": "n"},
        "ExpressionAttributeValues": {":v": {"N": "2"}},
    },
    "DeleteItem": {"TableName": TABLE, "Key": KEY},
    "Query": {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}},
    },
    "Scan": {"TableName": TABLE},
    "BatchGetItem": {"RequestItems": {TABLE: {"Keys": [KEY]}, OTHER: {"Keys": [KEY]}}},
    "BatchWriteItem": {
        "RequestItems": {
            TABLE: [{"PutRequest": {"Item": ITEM}}],
            OTHER: [{"DeleteRequest": {"Key": KEY}}],
        }
    },
    "TransactGetItems": {
        "TransactItems": [
            {"Get": {"TableName": TABLE, "Key": KEY}},
            {"Get": {"TableName": OTHER, "Key": KEY}},
        ]
    },
    "TransactWriteItems": {
        "TransactItems": [
            {"Put": {"TableName": TABLE, "Item": ITEM}},
            {"Delete": {"TableName": OTHER, "Key": KEY}},
        ]
    },
}


class Recorder:
    """Stands in for the HTTP session's ``send``: keeps every request and
    answers ``{}`` (``DescribeEndpoints``: one discovered address)."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def __call__(self, request: Any) -> AWSResponse:
        self.sent.append(request)
        body = b"{}"
        if header(request, "X-Amz-Target").endswith(".DescribeEndpoints"):
            body = b'{"Endpoints": [{"Address": "discovered.example", "CachePeriodInMinutes": 5}]}'
        return AWSResponse(request.url, 200, {}, CannedRaw(body))


def header(request: Any, name: str) -> str:
    value = request.headers[name]
    return value.decode() if isinstance(value, bytes) else str(value)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No AWS configuration but what each test sets (and a new boto3
    default session, which would otherwise keep the credentials it loaded
    first)."""
    fresh_sessions(monkeypatch)
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_USE_FIPS_ENDPOINT",
        "AWS_USE_DUALSTACK_ENDPOINT",
        "AWS_ACCOUNT_ID",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE",
        "AWS_ENDPOINT_DISCOVERY_ENABLED",
        "AWS_AUTH_SCHEME_PREFERENCE",
        "AWS_SESSION_TOKEN",
        "DYNAMORM_BOTOCORE_PIPELINE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")


@dataclass
class Sent:
    """What one ``DB``'s HTTP session was handed."""

    db: DB
    recorder: Recorder
    direct: list[str] = dataclasses.field(default_factory=list)
    """The operations the direct path prepared (sent without botocore's pipeline)."""

    def library(self, operation: str, params: dict[str, Any] | None = None) -> Any:
        """Sends ``operation`` as the library does (its transport) and
        returns the request the session got."""
        params = PARAMS[operation] if params is None else params
        executor = self.db._executor
        request = executor.request(operation, params, Target(None, TABLE))
        assert request.body is not None  # the Rust core wrote it
        executor.transport.send(request)
        return self.recorder.sent[-1]

    def botocore(self, operation: str, params: dict[str, Any] | None = None) -> Any:
        """Sends ``operation`` by botocore's own client call on the same
        client and returns the request the session got."""
        params = PARAMS[operation] if params is None else params
        method = "".join("_" + c.lower() if c.isupper() else c for c in operation)[1:]
        getattr(self.db.client, method)(**params)
        return self.recorder.sent[-1]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``sent(region_name=..., endpoint_url=..., **env)``: a ``Sent`` on a
    new ``DB`` with the environment ``env`` (names without ``AWS_``)."""

    def make(region_name: str = "us-west-2", endpoint_url: str | None = None, **env: str) -> Sent:
        for name, value in env.items():
            monkeypatch.setenv(f"AWS_{name}", value)
        db = DB(region_name=region_name, endpoint_url=endpoint_url)
        transport = db._executor.transport
        assert isinstance(transport, DirectTransport)
        recorder = Recorder()
        monkeypatch.setattr(private.http_session(db.client), "send", recorder)
        out = Sent(db, recorder)
        prepare = DirectTransport._prepare

        def counting(self: DirectTransport, operation: str, *args: Any) -> Any:
            out.direct.append(operation)
            return prepare(self, operation, *args)

        monkeypatch.setattr(DirectTransport, "_prepare", counting)
        return out

    yield make


def scope(request: Any) -> list[str]:
    """``[access key, date, region, service, "aws4_request"]`` of a request's signature."""
    authorization = header(request, "Authorization")
    return authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")


def botocore_signature(request: Any, credentials: Any, region: str, name: str) -> str:
    """The ``Authorization`` header botocore's ``SigV4Auth`` writes for
    ``request`` as sent (its URL, headers, body and date)."""
    headers = {k: header(request, k) for k in request.headers if k != "Authorization"}
    unsigned = AWSRequest(
        method=request.method, url=request.url, data=request.body, headers=headers
    )
    unsigned.context["timestamp"] = headers["X-Amz-Date"]
    # botocore's SigV4Auth, through the one helper that spells its header.
    return signing._sigv4_header(credentials, region, unsigned, name)


def assert_sent_alike(sent: Sent, operation: str) -> Any:
    """The direct request of ``operation`` goes to botocore's URL, signed for
    botocore's region and service with a signature botocore's signer agrees
    with; returns the direct request."""
    ours = sent.library(operation)
    assert sent.direct[-1:] == [operation]  # it did take the direct path
    theirs = sent.botocore(operation)
    assert ours.url == theirs.url
    assert scope(ours)[:1] + scope(ours)[2:] == scope(theirs)[:1] + scope(theirs)[2:]
    _, _, region, name, _ = scope(theirs)
    credentials = private.frozen_credentials(sent.db.client)
    assert header(ours, "Authorization") == botocore_signature(ours, credentials, region, name)
    return ours


@dataclass(frozen=True)
class Setting:
    name: str
    url: str
    """Where both paths must send a GetItem."""
    signing_region: str
    region_name: str = "us-west-2"
    endpoint_url: str | None = None
    env: dict[str, str] = dataclasses.field(default_factory=dict)


SETTINGS = [
    Setting("regional", "https://dynamodb.us-west-2.amazonaws.com/", "us-west-2"),
    Setting(
        "fips",
        "https://dynamodb-fips.us-west-2.amazonaws.com/",
        "us-west-2",
        env={"USE_FIPS_ENDPOINT": "true"},
    ),
    Setting(
        "dual-stack",
        "https://dynamodb.us-west-2.api.aws/",
        "us-west-2",
        env={"USE_DUALSTACK_ENDPOINT": "true"},
    ),
    Setting(
        "fips and dual-stack",
        "https://dynamodb-fips.us-west-2.api.aws/",
        "us-west-2",
        env={"USE_FIPS_ENDPOINT": "true", "USE_DUALSTACK_ENDPOINT": "true"},
    ),
    Setting(
        "account id, mode preferred (the default)",
        f"https://{ACCOUNT}.ddb.us-west-2.amazonaws.com/",
        "us-west-2",
        env={"ACCOUNT_ID": ACCOUNT},
    ),
    Setting(
        "account id, mode required",
        f"https://{ACCOUNT}.ddb.us-west-2.amazonaws.com/",
        "us-west-2",
        env={"ACCOUNT_ID": ACCOUNT, "ACCOUNT_ID_ENDPOINT_MODE": "required"},
    ),
    Setting(
        "account id, mode disabled",
        "https://dynamodb.us-west-2.amazonaws.com/",
        "us-west-2",
        env={"ACCOUNT_ID": ACCOUNT, "ACCOUNT_ID_ENDPOINT_MODE": "disabled"},
    ),
    Setting(
        "account id with fips",
        "https://dynamodb-fips.us-west-2.amazonaws.com/",
        "us-west-2",
        env={"ACCOUNT_ID": ACCOUNT, "USE_FIPS_ENDPOINT": "true"},
    ),
    Setting(
        "account id with dual-stack",
        f"https://{ACCOUNT}.ddb.us-west-2.api.aws/",
        "us-west-2",
        env={"ACCOUNT_ID": ACCOUNT, "USE_DUALSTACK_ENDPOINT": "true"},
    ),
    Setting(
        "china, account id",
        f"https://{ACCOUNT}.ddb.cn-north-1.amazonaws.com.cn/",
        "cn-north-1",
        region_name="cn-north-1",
        env={"ACCOUNT_ID": ACCOUNT},
    ),
    Setting(
        "iso partition, account id (no account endpoints there)",
        "https://dynamodb.us-iso-east-1.c2s.ic.gov/",
        "us-iso-east-1",
        region_name="us-iso-east-1",
        env={"ACCOUNT_ID": ACCOUNT},
    ),
    Setting(
        "govcloud fips",
        "https://dynamodb.us-gov-west-1.amazonaws.com/",
        "us-gov-west-1",
        region_name="us-gov-west-1",
        env={"USE_FIPS_ENDPOINT": "true"},
    ),
    Setting("region local", "http://localhost:8000/", "us-east-1", region_name="local"),
    Setting(
        "endpoint_url with a path, account id",
        "https://gateway.example:8443/dynamodb",
        "us-west-2",
        endpoint_url="https://gateway.example:8443/dynamodb",
        env={"ACCOUNT_ID": ACCOUNT},
    ),
    Setting(
        "AWS_ENDPOINT_URL_DYNAMODB, account id",
        "http://ddb.internal:8000/",
        "us-west-2",
        env={"ENDPOINT_URL_DYNAMODB": "http://ddb.internal:8000", "ACCOUNT_ID": ACCOUNT},
    ),
    Setting(
        "AWS_ENDPOINT_URL",
        "http://aws.internal/",
        "us-west-2",
        env={"ENDPOINT_URL": "http://aws.internal"},
    ),
]


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_a_get_item_goes_where_botocore_sends_it_signed_as_botocore_signs_it(
    sent: Any, setting: Setting
) -> None:
    db = sent(setting.region_name, setting.endpoint_url, **setting.env)
    ours = assert_sent_alike(db, "GetItem")
    assert ours.url == setting.url
    assert scope(ours)[2:4] == [setting.signing_region, "dynamodb"]


@pytest.mark.parametrize("account", [None, ACCOUNT], ids=["regional", "account id"])
@pytest.mark.parametrize("operation", sorted(DATA_OPERATIONS))
def test_every_data_operation_goes_where_botocore_sends_it(
    sent: Any, operation: str, account: str | None
) -> None:
    db = sent(**({"ACCOUNT_ID": account} if account else {}))
    ours = assert_sent_alike(db, operation)
    host = f"{account}.ddb" if account else "dynamodb"
    assert ours.url == f"https://{host}.us-west-2.amazonaws.com/"


def test_the_endpoint_is_resolved_once_per_operation(
    sent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved: list[str] = []
    resolve = private.resolve_endpoint

    def counting(client: Any, operation: str, params: Any) -> Any:
        resolved.append(operation)
        return resolve(client, operation, params)

    monkeypatch.setattr(private, "resolve_endpoint", counting)
    db = sent(ACCOUNT_ID=ACCOUNT)
    for _ in range(50):
        db.library("GetItem")
    db.library("GetItem", {**PARAMS["GetItem"], "TableName": OTHER})
    db.library("PutItem")
    assert resolved == ["GetItem", "PutItem"]
    assert db.direct == ["GetItem"] * 51 + ["PutItem"]
    assert {r.url for r in db.recorder.sent} == {f"https://{ACCOUNT}.ddb.us-west-2.amazonaws.com/"}


def test_credentials_refreshed_into_another_account_move_the_endpoint(
    sent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    refresher = Refresher(clock, account_ids=("444455556666",))
    use_credentials(monkeypatch, refreshable(clock, refresher, expires_in=3600, account_id=ACCOUNT))
    db = sent()
    first = assert_sent_alike(db, "GetItem")
    assert first.url == f"https://{ACCOUNT}.ddb.us-west-2.amazonaws.com/"
    assert refresher.calls == 0 and scope(first)[0] == "AKID0"
    clock.advance(3600 - 5 * 60)  # inside the mandatory refresh window
    second = assert_sent_alike(db, "GetItem")
    assert refresher.calls == 1 and scope(second)[0] == "AKID1"
    assert second.url == "https://444455556666.ddb.us-west-2.amazonaws.com/"


class Note(Model, table=TABLE):
    pk: str = field(pk=True)
    n: int = 0


def test_a_required_account_endpoint_without_an_account_id_fails_before_sending(
    sent: Any,
) -> None:
    db = sent(ACCOUNT_ID_ENDPOINT_MODE="required")
    with pytest.raises(RequestError, match=r"GetItem on Note failed: .*AccountId") as caught:
        db.db.model(Note).where("pk", "=", "a").first()
    assert isinstance(caught.value.__cause__, EndpointResolutionError)
    assert db.recorder.sent == []


def test_a_client_without_credentials_fails_with_a_dynamorm_error_naming_the_operation(
    sent: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_credentials(monkeypatch, None)
    db = sent()
    with pytest.raises(RequestError, match="GetItem on Note failed: Unable to locate credentials"):
        db.db.model(Note).where("pk", "=", "a").first()
    assert db.recorder.sent == []


def test_with_endpoint_discovery_on_requests_take_botocores_pipeline_to_the_discovered_address(
    sent: Any,
) -> None:
    db = sent(ENDPOINT_DISCOVERY_ENABLED="true")
    ours = db.library("GetItem")
    assert db.direct == []
    targets = [header(r, "X-Amz-Target").rsplit(".", 1)[1] for r in db.recorder.sent]
    assert targets == ["DescribeEndpoints", "GetItem"]
    assert ours.url == "https://discovered.example"
    assert db.botocore("GetItem").url == ours.url


def test_a_client_whose_signer_botocore_chooses_itself_takes_the_pipeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With an auth scheme preference the library leaves the choice of signer
    # to botocore, so the direct path cannot sign for it: every request
    # takes botocore's pipeline.
    monkeypatch.setenv("AWS_AUTH_SCHEME_PREFERENCE", "sigv4")
    db = DB(region_name="us-west-2")
    assert not isinstance(db._executor.transport, DirectTransport)
    monkeypatch.delenv("AWS_AUTH_SCHEME_PREFERENCE")
    fresh_sessions(monkeypatch)
    assert isinstance(DB(region_name="us-west-2")._executor.transport, DirectTransport)


def test_a_model_table_name_is_never_an_arn_the_endpoint_rules_would_read() -> None:
    # The direct path keys its endpoints by operation and account ID alone:
    # DynamoDB's rules read a table name only when it is an ARN.
    with pytest.raises(ValidationError, match="is not a valid DynamoDB name"):

        class Arn(Model, table=f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/notes"):
            pk: str = field(pk=True)

    with pytest.raises(ValidationError, match="table_prefix"):
        DB(region_name="us-west-2", table_prefix=f"arn:aws:dynamodb:us-west-2:{ACCOUNT}:table/")
