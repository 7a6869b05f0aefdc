"""aiohttp's failures as the botocore exceptions the sync request path
raises for the same situation (``URLLib3Session.send``'s split), so that the
retry scheduler classifies them alike (``dynamorm.retry.is_retryable``,
``is_ambiguous``) and the ``Executor`` maps them to the same dynamorm errors.

The order matters, because aiohttp's classes nest: its certificate and TLS
errors are connector errors, its connector errors are ``ClientOSError``
(an ``OSError``), and both of its timeouts are ``ServerTimeoutError``, which
is a connection error and ``TimeoutError`` too.

=============================================  ===========================
raised by aiohttp (or under it)                raised here (botocore)
=============================================  ===========================
``ClientSSLError`` (an untrusted certificate,  ``SSLError``
a failed handshake), a bare ``ssl.SSLError``,
or either under a ``ClientOSError``
``ConnectionTimeoutError`` (``sock_connect``,  ``ConnectTimeoutError``
or no pool slot in time)
``SocketTimeoutError`` (``sock_read``), any    ``ReadTimeoutError``
other ``ServerTimeoutError`` or bare
``TimeoutError``
``ClientProxyConnectionError``,                ``ProxyConnectionError``
``ClientHttpProxyError`` (the proxy refused)
``ClientConnectorError`` (refused, DNS)        ``EndpointConnectionError``
``ServerDisconnectedError``,                   ``ConnectionClosedError``
``ClientPayloadError`` (an answer cut short),
any other ``OSError`` (a reset)
anything else (``aiohttp.ClientError`` or      ``HTTPClientError``
not)
=============================================  ===========================

The request may have reached DynamoDB in every case below the connector
errors: those are ambiguous for a write, as on the sync path. A timeout
waiting for a free connection of the pool is a connect timeout: nothing was
sent. ``asyncio.CancelledError`` is never mapped (it is not an
``Exception``).
"""

from __future__ import annotations

import ssl

import aiohttp
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
)
from botocore.httpsession import mask_proxy_url

__all__ = ["failure"]


def _tls(exc: BaseException) -> BaseException | None:
    """The TLS failure ``exc`` is or wraps (``None``: not one): aiohttp's
    connector errors keep the ``ssl`` error as their cause, and a TLS alert
    read after the handshake surfaces as a ``ClientOSError`` caused by one."""
    cause = exc.__cause__
    if isinstance(cause, ssl.SSLError):
        return cause
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return exc
    return None


def failure(exc: Exception, url: str, proxy: str | None) -> Exception:
    """The botocore exception to raise, from ``exc``, for ``exc`` raised
    while sending a request to ``url`` (through ``proxy``; see the module
    docstring)."""
    error: Exception
    tls = _tls(exc)
    if tls is not None:
        # Named as the sync path names it: the ``ssl`` module's message.
        error = SSLError(endpoint_url=url, error=tls)
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        error = ConnectTimeoutError(endpoint_url=url, error=exc)
    elif isinstance(exc, TimeoutError):
        # SocketTimeoutError, and any other timeout once connected: the
        # answer may have been on its way (the ambiguous side).
        error = ReadTimeoutError(endpoint_url=url, error=exc)
    elif isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        error = ProxyConnectionError(proxy_url=mask_proxy_url(proxy or ""), error=exc)
    elif isinstance(exc, aiohttp.ClientConnectorError):
        error = EndpointConnectionError(endpoint_url=url, error=exc)
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | OSError):
        error = ConnectionClosedError(endpoint_url=url, error=exc)
    else:
        error = HTTPClientError(error=exc)
    return error
