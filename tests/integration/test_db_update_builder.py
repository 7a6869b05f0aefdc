"""Every update-builder action against the server, conditions, optimistic
locking and return values (SPEC §6)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import UpdateBuilder
from dynamorm.errors import ConditionFailedError, ValidationError

from tests.integration.db_models import Env, env_for


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    yield from env_for(ddb_endpoint)


def seeded(env: Env) -> Any:
    user = env.User(
        id="u", email="e", name="n", score=10, tags={"a", "b"}, items=[1, 2, 3], nick="k"
    )
    env.db.model(user).create()
    env.recorder.clear()
    return user


def builder(env: Env) -> UpdateBuilder:
    return env.db.model(env.User).where("id", "=", "u").where("email", "=", "e").update_builder()


def test_every_action(env: Env) -> None:
    seeded(env)
    before = env.raw("u", "e")["updated"]["S"]
    env.recorder.clear()
    result = (
        builder(env)
        .set("name", "N")
        .set_if_not_exists("profile.city", "Oslo")
        .set_if_not_exists("status", "ignored")
        .add("rank", 3)
        .increment("score", by=5)
        .decrement("amount", by=2)
        .remove("nick")
        .delete("tags", {"a"})
        .append_to_list("items", [4])
        .prepend_to_list("profile.list", [0])
        .execute()
    )
    assert result is None
    assert env.recorder.ops == ["UpdateItem"]
    raw = env.raw("u", "e")
    assert raw["name"] == {"S": "N"}
    assert raw["Profile"]["M"]["city"] == {"S": "Oslo"}
    assert raw["status"] == {"S": "active"}
    assert raw["rank"] == {"N": "3"}
    assert raw["score"] == {"N": "15"}
    assert raw["amount"] == {"N": "-2"}
    assert "nick" not in raw
    assert raw["tags"] == {"SS": ["b"]}
    assert raw["items"]["L"][-1] == {"N": "4"}
    assert raw["Profile"]["M"]["list"] == {"L": [{"N": "0"}]}
    assert raw["updated"]["S"] > before  # updated_at set too
    builder(env).remove_from_list_at("items", 0).set_list_element("items", 1, "x").execute()
    # Both index actions refer to the list as it was before the request.
    assert env.raw("u", "e")["items"] == {"L": [{"S": "x"}, {"N": "3"}, {"N": "4"}]}
    builder(env).add("tags", {"z"}).execute()
    assert sorted(env.raw("u", "e")["tags"]["SS"]) == ["b", "z"]


def test_datetime_set_is_encoded_like_the_field(env: Env) -> None:
    from datetime import UTC, datetime

    seeded(env)
    when = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    builder(env).set("expires", when).execute()
    assert env.raw("u", "e")["expires"] == {"N": str(int(when.timestamp()))}


def test_conditions_and_failure_leaves_item(env: Env) -> None:
    seeded(env)
    before = env.raw("u", "e")
    with pytest.raises(ConditionFailedError) as info:
        builder(env).set("name", "x").condition("score", ">", 100).execute()
    assert env.raw("u", "e") == before
    assert info.value.item.score == 10  # type: ignore[union-attr]
    with pytest.raises(ConditionFailedError):
        builder(env).set("name", "x").condition_not_exists().execute()
    assert env.raw("u", "e") == before
    builder(env).set("name", "x").condition("score", ">", 100).or_condition(
        "name", "=", "n"
    ).execute()
    assert env.raw("u", "e")["name"] == {"S": "x"}
    builder(env).set("name", "y").condition_exists("nick").execute()
    with pytest.raises(ConditionFailedError):
        builder(env).set("name", "z").condition_exists("profile.city").execute()


def test_condition_version_locks_and_increments(env: Env) -> None:
    seeded(env)
    builder(env).set("name", "v1").condition_version(0).execute()
    assert env.raw("u", "e")["version"] == {"N": "1"}
    before = env.raw("u", "e")
    with pytest.raises(ConditionFailedError):
        builder(env).set("name", "stale").condition_version(0).execute()
    assert env.raw("u", "e") == before


def test_return_values(env: Env) -> None:
    seeded(env)
    new = builder(env).increment("score").return_values("ALL_NEW").execute()
    assert isinstance(new, env.User) and new.score == 11 and new.name == "n"
    old = builder(env).increment("score").return_values("ALL_OLD").execute()
    assert old.score == 11
    part = builder(env).set("name", "p").return_values("UPDATED_NEW").execute()
    assert part.name == "p" and part.score == 0  # not returned: default
    assert builder(env).set("name", "q").return_values("NONE").execute() is None
    with pytest.raises(ValidationError, match="return_values"):
        builder(env).set("name", "q").return_values("SOME").execute()


def test_validation_before_sending(env: Env) -> None:
    seeded(env)
    with pytest.raises(ValidationError, match="overlap"):
        builder(env).set("profile", {}).set("profile.city", "x").execute()
    with pytest.raises(ValidationError, match="key attribute"):
        builder(env).set("email", "other").execute()
    with pytest.raises(ValidationError, match="full primary key"):
        env.db.model(env.User).where("id", "=", "u").update_builder()
    assert env.recorder.ops == []


def test_instance_bound_builder_and_amount_decimal(env: Env) -> None:
    user = seeded(env)
    env.db.model(user).update_builder().add("amount", Decimal("0.25")).execute()
    assert env.raw("u", "e")["amount"] == {"N": "0.25"}
