"""aiohttp's failures become the botocore exceptions the sync request path
raises for the same situation, checked from the most specific class down
(aiohttp's classes nest), with the retry classification that follows. The
failures that need a connection key (refused, TLS, proxy) are raised by real
connections in ``tests/integration/aio/``."""

from __future__ import annotations

import ssl

import aiohttp
import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    HTTPClientError,
    ReadTimeoutError,
    SSLError,
)
from dynamorm.aio.failures import failure
from dynamorm.retry import is_ambiguous, is_retryable

URL = "http://127.0.0.1:9/"


def caused(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


CASES = [
    # (aiohttp's, botocore's, retryable, ambiguous)
    (aiohttp.ConnectionTimeoutError("connect"), ConnectTimeoutError, True, False),
    (aiohttp.SocketTimeoutError("read"), ReadTimeoutError, True, True),
    (aiohttp.ServerTimeoutError("timeout"), ReadTimeoutError, True, True),
    (TimeoutError(), ReadTimeoutError, True, True),
    (aiohttp.ServerDisconnectedError(), ConnectionClosedError, True, True),
    (aiohttp.ClientPayloadError("cut short"), ConnectionClosedError, True, True),
    (aiohttp.ClientOSError(104, "Connection reset by peer"), ConnectionClosedError, True, True),
    (aiohttp.ClientConnectionResetError("reset"), ConnectionClosedError, True, True),
    (ConnectionResetError(104, "reset"), ConnectionClosedError, True, True),
    (ssl.SSLError(1, "[SSL] alert"), SSLError, True, True),
    (
        caused(aiohttp.ClientOSError(1, "[SSL] alert"), ssl.SSLError(1, "[SSL] alert")),
        SSLError,
        True,
        True,
    ),
    (aiohttp.InvalidURL("not a url"), HTTPClientError, True, True),
    (aiohttp.ClientConnectionError("other"), HTTPClientError, True, True),
    (RuntimeError("Session is closed"), HTTPClientError, True, True),
]


@pytest.mark.parametrize(
    ("raised", "expected", "retryable", "ambiguous"),
    CASES,
    ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)],
)
def test_each_failure_is_the_botocore_class_the_sync_path_raises(
    raised: Exception, expected: type[Exception], retryable: bool, ambiguous: bool
) -> None:
    mapped = failure(raised, URL, None)
    assert type(mapped) is expected
    assert (is_retryable(mapped), is_ambiguous(mapped)) == (retryable, ambiguous)


def test_a_tls_failure_is_named_by_the_ssl_modules_message() -> None:
    alert = ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] certificate required")
    mapped = failure(caused(aiohttp.ClientOSError(*alert.args), alert), URL, None)
    assert str(mapped) == f"SSL validation failed for {URL} {alert}"


def test_a_timeout_names_the_endpoint() -> None:
    assert str(failure(aiohttp.SocketTimeoutError(), URL, None)) == (
        f'Read timeout on endpoint URL: "{URL}"'
    )
    assert str(failure(aiohttp.ConnectionTimeoutError(), URL, None)) == (
        f'Connect timeout on endpoint URL: "{URL}"'
    )
