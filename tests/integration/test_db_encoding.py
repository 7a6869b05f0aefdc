"""Every encoding rule, read back raw with a plain boto3 get_item after
create/update (SPEC §2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from dynamorm import DB
from dynamorm.errors import ItemNotFoundError, ValidationError

from tests.conftest import FAST_PATH
from tests.integration.db_models import Env, env_for


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    yield from env_for(ddb_endpoint)


RFC3339_NANOS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


def test_create_writes_every_encoding_rule(env: Env) -> None:
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    user = env.User(
        id="u1",
        email="a@x",
        name="Ann",
        expires=expires,
        counts={1, 2},
        profile={"city": "Oslo", "n": 3, "f": Decimal("1.5")},
        ratio=0.1,
        amount=Decimal("12345678901234567890.123"),
        data=b"\x00\x01",
        items=[1, "two"],
    )
    before = datetime.now(UTC)
    env.db.model(user).create()
    raw = env.raw("u1", "a@x")
    assert RFC3339_NANOS.match(raw["created"]["S"])
    assert raw["created"] == raw["updated"]
    assert user.created is not None and before - timedelta(seconds=1) <= user.created
    assert raw["expires"] == {"N": str(int(expires.timestamp()))}
    assert raw["version"] == {"N": "0"}
    assert "tags" not in raw and "nick" not in raw  # omit_empty
    assert raw["counts"]["NS"] and sorted(raw["counts"]["NS"]) == ["1", "2"]
    assert raw["Profile"]["M"]["city"] == {"S": "Oslo"}
    assert raw["ratio"] == {"N": "0.1"}
    assert raw["amount"] == {"N": "12345678901234567890.123"}
    assert raw["data"] == {"B": b"\x00\x01"}
    assert raw["items"] == {"L": [{"N": "1"}, {"S": "two"}]}

    back = env.db.model(env.User).where("id", "=", "u1").where("email", "=", "a@x").first()
    assert type(back.score) is int and type(back.ratio) is float
    assert type(back.amount) is Decimal and back.amount == user.amount
    assert back.profile == {"city": "Oslo", "n": 3, "f": Decimal("1.5")}
    assert type(back.profile["n"]) is int
    assert back.expires == expires
    assert back.data == b"\x00\x01"
    assert back.counts == {1, 2}
    assert back.version == 0
    assert back == user


def test_empty_set_without_omit_empty_is_null_and_sets_are_typed(env: Env) -> None:
    env.db.model(env.User(id="u2", email="b", tags={"x", "y"})).create()
    raw = env.raw("u2", "b")
    assert raw["counts"] == {"NULL": True}
    assert sorted(raw["tags"]["SS"]) == ["x", "y"]


def test_version_goes_0_then_1_2_and_updated_moves(env: Env) -> None:
    user = env.User(id="u3", email="c")
    env.db.model(user).create()
    created = env.raw("u3", "c")["created"]["S"]
    assert env.raw("u3", "c")["version"] == {"N": "0"}
    user.name = "N1"
    env.db.model(user).update("name")
    raw = env.raw("u3", "c")
    assert raw["version"] == {"N": "1"} and user.version == 1
    assert raw["name"] == {"S": "N1"}
    assert raw["created"]["S"] == created
    assert RFC3339_NANOS.match(raw["updated"]["S"]) and raw["updated"]["S"] >= created
    assert user.updated is not None and raw["updated"]["S"].startswith(
        user.updated.strftime("%Y-%m-%dT%H:%M:%S.%f")
    )
    user.nick = ""
    user.tags = {"t"}
    env.db.model(user).update()
    raw = env.raw("u3", "c")
    assert raw["version"] == {"N": "2"} and user.version == 2
    assert "nick" not in raw and raw["tags"] == {"SS": ["t"]}


def test_update_of_empty_omit_empty_field_removes_it(env: Env) -> None:
    user = env.User(id="u4", email="d", nick="nn")
    env.db.model(user).create()
    assert env.raw("u4", "d")["nick"] == {"S": "nn"}
    user.nick = ""
    env.db.model(user).update("nick")
    assert "nick" not in env.raw("u4", "d")


def test_create_overwrites_without_condition(env: Env) -> None:
    env.db.model(env.User(id="u5", email="e", name="first")).create()
    env.db.model(env.User(id="u5", email="e", name="second")).create()
    assert env.raw("u5", "e")["name"] == {"S": "second"}


def test_create_or_update_keeps_created_and_moves_the_version(env: Env) -> None:
    user = env.User(id="u6", email="f", name="one")
    env.db.model(user).create_or_update()
    raw = env.raw("u6", "f")
    assert raw["version"] == {"N": "1"} and raw["name"] == {"S": "one"}
    created = raw["created"]["S"]
    other = env.User(id="u6", email="f", name="two")
    env.db.model(other).create_or_update()
    raw = env.raw("u6", "f")
    assert raw["name"] == {"S": "two"} and raw["created"]["S"] == created
    assert other.created == user.created and other.version == 2 == int(raw["version"]["N"])


def test_update_needs_existing_item(env: Env) -> None:
    from dynamorm.errors import ConditionFailedError

    with pytest.raises(ConditionFailedError):
        env.db.model(env.User(id="nope", email="x")).update("name")
    assert env.raw("nope", "x") == {}


def test_first_raises_item_not_found_naming_model_and_key(env: Env) -> None:
    with pytest.raises(ItemNotFoundError) as info:
        env.db.model(env.User).where("id", "=", "ghost").where("email", "=", "g").first()
    assert "User" in str(info.value) and "'ghost'" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_invalid_number_raises_before_any_request(env: Env) -> None:
    env.recorder.clear()
    with pytest.raises(ValidationError, match="ratio"):
        env.db.model(env.User(id="u7", email="g", ratio=float("nan"))).create()
    assert env.recorder.ops == []


def test_db_from_endpoint_and_region(ddb_endpoint: str, env: Env) -> None:
    db = DB(region_name="us-east-1", endpoint_url=ddb_endpoint, fast_path=FAST_PATH)
    env.db.model(env.User(id="u8", email="h")).create()
    assert db.model(env.User).where("id", "=", "u8").where("email", "=", "h").first().id == "u8"
    assert db.client.meta.region_name == "us-east-1"
    with pytest.raises(ValidationError):
        DB(client=env.client, region_name="us-east-1")
