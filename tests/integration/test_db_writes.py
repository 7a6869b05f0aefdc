"""Conditional writes (SPEC §5): each form succeeding and failing, failures
leaving the item unchanged and carrying its current state; raw expressions
validated before sending; optimistic locking; deletes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dynamorm.errors import (
    ConditionFailedError,
    DynamORMError,
    ExpressionError,
    TableNotFoundError,
    ValidationError,
)

from tests.integration.db_models import Env, define_user, env_for


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    yield from env_for(ddb_endpoint)


def stored(env: Env, email: str = "a") -> dict[str, object]:
    return env.raw("c", email)


def make(env: Env, email: str = "a", **values: object) -> object:
    user = env.User(id="c", email=email, **values)
    env.db.model(user).create()
    return user


def test_if_not_exists_create(env: Env) -> None:
    env.db.model(env.User(id="c", email="a", name="one")).if_not_exists().create()
    before = stored(env)
    with pytest.raises(ConditionFailedError) as info:
        env.db.model(env.User(id="c", email="a", name="two")).if_not_exists().create()
    assert stored(env) == before
    err = info.value
    assert isinstance(err.item, env.User) and err.item.name == "one"
    assert err.model == "User" and "PutItem on User" in str(err)
    assert isinstance(err.__cause__, Exception) and "botocore" in type(err.__cause__).__module__


def test_if_exists_delete_and_update(env: Env) -> None:
    with pytest.raises(ConditionFailedError) as info:
        env.db.model(env.User(id="c", email="zz")).if_exists().delete()
    assert info.value.item is None
    make(env)
    env.db.model(env.User(id="c", email="a")).if_exists().delete()
    assert stored(env) == {}


def test_with_condition_on_update(env: Env) -> None:
    user = make(env, status="pending_review", name="x")
    before = stored(env)
    user.name = "y"  # type: ignore[attr-defined]
    with pytest.raises(ConditionFailedError) as info:
        env.db.model(user).with_condition("status", "=", "active").update("name")
    assert stored(env) == before
    assert info.value.item.status == "pending_review"  # type: ignore[union-attr]
    assert user.version == 0  # type: ignore[attr-defined]  # unchanged on failure
    env.db.model(user).with_condition("status", "=", "pending_review").update("name")
    assert stored(env)["name"] == {"S": "y"}
    assert user.version == 1  # type: ignore[attr-defined]


def test_or_condition_and_groups(env: Env) -> None:
    user = make(env, status="idle", score=5)
    q = lambda: env.db.model(user)  # noqa: E731
    before = stored(env)
    with pytest.raises(ConditionFailedError):
        q().with_condition("status", "=", "active").or_condition("score", ">", 10).update("name")
    assert stored(env) == before
    q().with_condition("status", "=", "active").or_condition("score", "<", 10).update("name")
    before = stored(env)
    with pytest.raises(ConditionFailedError):
        q().with_condition("score", "=", 5).condition_group(
            lambda g: g.condition("status", "=", "a").or_condition("status", "=", "b")
        ).update()
    assert stored(env) == before
    q().with_condition("score", "=", 5).condition_group(
        lambda g: g.condition("status", "=", "a").or_condition("status", "=", "idle")
    ).update()
    assert stored(env)["version"] == {"N": "2"}


def test_raw_condition_expression(env: Env) -> None:
    user = make(env)
    cond = "attribute_exists(#pk) AND #v = :v"
    before = stored(env)
    with pytest.raises(ConditionFailedError):
        env.db.model(user).with_condition_expression(
            cond, {":v": 3}, names={"#pk": "id", "#v": "version"}
        ).delete()
    assert stored(env) == before
    env.db.model(user).with_condition_expression(
        cond, {":v": 0}, names={"#pk": "id", "#v": "version"}
    ).delete()
    assert stored(env) == {}


@pytest.mark.parametrize(
    ("text", "values", "names", "position"),
    [
        ("attribute_exists(#pk) AND", {}, {"#pk": "id"}, 25),
        ("#v = :v", {}, {"#v": "version"}, 5),
        ("#v = :v", {":v": 1, ":unused": 2}, {"#v": "version"}, None),
        ("#v = :v", {":v": 1}, {}, 0),
        ("size = :v", {":v": 1}, {}, 0),
    ],
)
def test_raw_expression_errors_send_nothing(
    env: Env, text: str, values: dict[str, object], names: dict[str, str], position: int | None
) -> None:
    user = make(env)
    env.recorder.clear()
    with pytest.raises(ExpressionError) as info:
        env.db.model(user).with_condition_expression(text, values, names=names).delete()
    assert isinstance(info.value, ValidationError)
    if position is not None:
        assert info.value.position == position
    assert env.recorder.ops == []
    assert stored(env) != {}


def test_optimistic_locking_stale_update_fails(env: Env) -> None:
    user = make(env, name="v0")
    stale = env.db.model(env.User).where("id", "=", "c").where("email", "=", "a").first()
    user.name = "fresh"  # type: ignore[attr-defined]
    env.db.model(user).update("name")
    before = stored(env)
    stale.name = "stale"
    with pytest.raises(ConditionFailedError) as info:
        env.db.model(stale).update("name")
    assert stored(env) == before
    assert info.value.item.version == 1 and info.value.item.name == "fresh"  # type: ignore[union-attr]
    assert stale.version == 0


def test_delete_with_version_condition(env: Env) -> None:
    user = make(env)
    user.name = "n"  # type: ignore[attr-defined]
    env.db.model(user).update()  # version 1
    stale = env.User(id="c", email="a", version=5)
    with pytest.raises(ConditionFailedError):
        env.db.model(stale).delete()
    assert stored(env) != {}
    env.db.model(env.User(id="c", email="a")).delete()  # version 0: unconditional
    assert stored(env) == {}


def test_delete_by_where(env: Env) -> None:
    make(env)
    env.db.model(env.User).where("id", "=", "c").where("email", "=", "a").delete()
    assert stored(env) == {}
    with pytest.raises(ValidationError, match="'email'"):
        env.db.model(env.User).where("id", "=", "c").delete()


def test_writes_need_an_instance_and_no_key_updates(env: Env) -> None:
    with pytest.raises(ValidationError, match="needs an instance"):
        env.db.model(env.User).create()
    user = make(env)
    with pytest.raises(ValidationError, match="key attribute"):
        env.db.model(user).update("email")


def test_missing_table_is_table_not_found(env: Env) -> None:
    Ghost = define_user("no-such-table")
    with pytest.raises(TableNotFoundError) as info:
        env.db.model(Ghost(id="a", email="b")).create()
    assert info.value.table == "no-such-table" and "PutItem on User" in str(info.value)
    with pytest.raises(TableNotFoundError):
        env.db.model(Ghost).where("id", "=", "a").all()


def test_server_validation_error_is_mapped(env: Env) -> None:
    # An empty string is not a valid key value: the server rejects it.
    with pytest.raises(ValidationError) as info:
        env.db.model(env.User(id="", email="a")).create()
    assert "PutItem on User" in str(info.value)
    assert isinstance(info.value, DynamORMError)
