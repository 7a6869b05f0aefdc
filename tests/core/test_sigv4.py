"""``RustSigV4Auth`` writes exactly the headers botocore's ``SigV4Auth``
writes, for generated requests (differential, no server involved)."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from dynamorm import _core
from dynamorm.transport.signing import RustSigV4Auth
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = datetime.datetime(2026, 11, 25, 23, 59, 58)

# Header values: printable ASCII plus every character Python's str.split
# treats as whitespace, so collapsing runs of it is exercised.
_value = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(32, 127)] + list("\t\x0b\x0c\x1c\x1d\x1e\x1f  ")
    ),
    max_size=30,
)
_name = st.sampled_from(
    [
        "X-Amz-Target",
        "x-amz-target",
        "Content-Type",
        "User-Agent",
        "amz-sdk-request",
        "X-Custom",
        "x-custom",
        "Host",
        "Expect",
        "X-Amz-Content-SHA256",
        "Date",
        "X-Amz-Date",
        "Authorization",
        "X-Amz-Security-Token",
    ]
)
_url = st.builds(
    lambda scheme, host, port, path, query: f"{scheme}://{host}{port}{path}{query}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(["127.0.0.1", "dynamodb.us-east-1.amazonaws.com", "Example.COM", "[::1]"]),
    st.sampled_from(["", ":80", ":443", ":8000"]),
    st.sampled_from(["", "/", "/a/../b/./c", "/with space", "/~tilde/"]),
    st.sampled_from(["", "?b=2&a=1", "?x"]),
)
_data = st.one_of(st.none(), st.binary(max_size=64), st.text(max_size=20))
_credentials = st.builds(
    Credentials,
    st.sampled_from(["AKIDEXAMPLE", "testing"]),
    st.sampled_from(["secret", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "s\u00e9cret"]),
    st.sampled_from([None, "session-token"]),
)


def _signed(cls: type[SigV4Auth], credentials: Credentials, parts: dict[str, Any]) -> AWSRequest:
    request = AWSRequest(method=parts["method"], url=parts["url"], data=parts["data"])
    for name, value in parts["headers"]:
        request.headers[name] = value
    request.context.update(parts["context"])
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        cls(credentials, parts["service"], parts["region"]).add_auth(request)
    return request


@settings(max_examples=400, deadline=None)
@given(
    credentials=_credentials,
    method=st.sampled_from(["POST", "post", "GET"]),
    url=_url,
    headers=st.lists(st.tuples(_name, _value), max_size=8),
    data=_data,
    context=st.sampled_from([{}, {"payload_signing_enabled": False}]),
    region=st.sampled_from(["us-east-1", "eu-west-3"]),
)
def test_the_header_is_botocores(
    *,
    credentials: Credentials,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    data: Any,
    context: dict[str, Any],
    region: str,
) -> None:
    parts = {
        "method": method,
        "url": url,
        "headers": headers,
        "data": data,
        "context": context,
        "service": "dynamodb",
        "region": region,
    }
    theirs = _signed(SigV4Auth, credentials, parts)
    ours = _signed(RustSigV4Auth, credentials, parts)
    assert ours.headers.items() == theirs.headers.items()
    assert ours.context["timestamp"] == theirs.context["timestamp"]


def test_requests_it_leaves_to_botocore_are_signed_the_same() -> None:
    credentials = Credentials("AKID", "secret")
    for parts in (
        # Query parameters, a dict body, a non-ASCII header value.
        {"url": "http://h/", "data": b"{}", "params": {"a": "b"}, "headers": []},
        {"url": "http://h/", "data": {"Action": "x"}, "params": {}, "headers": []},
        {"url": "http://h/", "data": b"{}", "params": {}, "headers": [("X-N", "caf\u00e9")]},
    ):
        signed = []
        for cls in (SigV4Auth, RustSigV4Auth):
            request = AWSRequest(method="POST", url=parts["url"], data=parts["data"])
            request.params = parts["params"]
            for name, value in parts["headers"]:
                request.headers[name] = value
            with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
                cls(credentials, "dynamodb", "us-east-1").add_auth(request)
            signed.append(request.headers.items())
        assert signed[0] == signed[1]


def test_the_core_refuses_what_it_does_not_sign() -> None:
    args: dict[str, Any] = {
        "method": "POST",
        "path": "/",
        "query": "",
        "headers": [("X-N", "caf\u00e9")],
        "host": "h",
        "body": b"",
        "payload_hash": None,
        "timestamp": "20261125T000000Z",
        "access_key": "a",
        "secret_key": "s",
        "region": "us-east-1",
        "service": "dynamodb",
    }
    with pytest.raises(_core.Fallback, match="X-N"):
        _core.sigv4_authorization(**args)
    with pytest.raises(_core.Fallback, match="exactly one"):
        _core.sigv4_authorization(**{**args, "headers": [], "payload_hash": "x"})


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"headers": [("X-N", b"bytes")]}, "headers"),
        ({"headers": [("X-N", "\ud800")]}, "headers"),
        ({"path": "/\ud800"}, "path"),
        ({"region": None}, "region is not a str"),
        ({"body": bytearray(b"")}, "body is not bytes"),
        ({"body": None, "payload_hash": 1}, "payload_hash is not a str"),
    ],
)
def test_arguments_the_core_cannot_read_are_left_to_botocore(
    change: dict[str, Any], why: str
) -> None:
    args: dict[str, Any] = {
        "method": "POST",
        "path": "/",
        "query": "",
        "headers": [("X-Amz-Target", "DynamoDB_20120810.GetItem")],
        "host": "h",
        "body": b"{}",
        "payload_hash": None,
        "timestamp": "20261125T000000Z",
        "access_key": "a",
        "secret_key": "s",
        "region": "us-east-1",
        "service": "dynamodb",
    }
    assert _core.sigv4_authorization(**args).startswith("AWS4-HMAC-SHA256 ")
    with pytest.raises(_core.Fallback, match=why):
        _core.sigv4_authorization(**{**args, **change})
