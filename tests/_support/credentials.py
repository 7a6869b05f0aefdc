"""Credentials the tests control: botocore's ``RefreshableCredentials`` on a
clock the test moves, refreshed by a function that counts its calls, and a
way to have the clients ``DB`` makes load them through botocore's own
credential chain (only tests use this).

``DB(region_name=...)`` makes its client with ``boto3.client``, which uses
boto3's default session; ``use_credentials`` makes that default session one
whose credential chain starts with a provider handing out the given
credentials, so the client gets them as it would get any provider's (its
signer and its endpoint rules' account ID both read them).
"""

from __future__ import annotations

import datetime
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
    RefreshableCredentials,
)

METHOD = "dynamorm-test"
"""The ``method`` of the credentials made here (botocore names providers so)."""

START = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC)


class Clock:
    """The time botocore's credentials read (``time_fetcher``): ``now``,
    moved by the test with ``advance``."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


class Refresher:
    """A refresh function: each call hands out the next key (``AKID1``,
    ``AKID2``, ...) valid ``lifetime`` seconds from the clock's now, for
    ``account_ids[n]`` (the last one once past the list); ``fail`` (an
    exception) is raised instead while set. ``calls`` counts every call."""

    def __init__(
        self,
        clock: Clock,
        *,
        lifetime: float = 3600,
        account_ids: tuple[str | None, ...] = (None,),
    ) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.account_ids = account_ids
        self.calls = 0
        self.issued = 0
        self.fail: BaseException | None = None

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        self.issued += 1
        return self.metadata(self.issued)

    def metadata(self, n: int) -> dict[str, Any]:
        """The metadata of the ``n``-th key (1 for the first)."""
        expiry = self.clock() + datetime.timedelta(seconds=self.lifetime)
        data: dict[str, Any] = {
            "access_key": f"AKID{n}",
            "secret_key": f"secret{n}",
            "token": f"token{n}",
            "expiry_time": expiry.isoformat(),
        }
        account_id = self.account_ids[min(n, len(self.account_ids)) - 1]
        if account_id is not None:
            data["account_id"] = account_id
        return data


def refreshable(
    clock: Clock, refresher: Refresher, *, expires_in: float, account_id: str | None = None
) -> RefreshableCredentials:
    """``AKID0`` credentials expiring ``expires_in`` seconds from the clock's
    now, refreshed by ``refresher`` (botocore's default advisory and
    mandatory refresh windows: 15 and 10 minutes before expiry)."""
    return RefreshableCredentials(
        access_key="AKID0",
        secret_key="secret0",
        token="token0",
        expiry_time=clock() + datetime.timedelta(seconds=expires_in),
        refresh_using=refresher,
        method=METHOD,
        time_fetcher=clock,
        account_id=account_id,
    )


def deferred(clock: Clock, refresher: Refresher) -> DeferredRefreshableCredentials:
    """Credentials with no key until first used: ``refresher`` fetches it
    then (as botocore's SSO and assume-role providers do)."""
    return DeferredRefreshableCredentials(refresher, METHOD, time_fetcher=clock)


class _Given(CredentialProvider):  # type: ignore[misc]  # botocore ships no types
    METHOD = METHOD
    CANONICAL_NAME = METHOD

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Any:
        return self._credentials


def use_credentials(monkeypatch: pytest.MonkeyPatch, credentials: Any) -> None:
    """Clients ``DB(region_name=...)`` makes (from boto3's default session,
    which a ``DB`` uses once one is set up) load ``credentials`` (``None``:
    none at all) through botocore's credential chain, until the test ends."""
    session = botocore.session.get_session()
    providers = [] if credentials is None else [_Given(credentials)]
    session.register_component("credential_provider", CredentialResolver(providers))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", boto3.Session(botocore_session=session))
