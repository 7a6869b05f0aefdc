"""Single-item writes against a real server: instances read in part
(``select()``, a ``KEYS_ONLY`` index, ``UPDATED_*`` return values) never write
their defaults over stored values (docs/conditional-writes.md, "Instances
read in part"); ``create_or_update()`` moves the version; the models
``return_values("UPDATED_*")`` returns carry their key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from dynamorm import DB, Model, field
from dynamorm.errors import ConditionFailedError, ValidationError

from tests._support.proxy import FaultProxy
from tests.conftest import make_db
from tests.integration.db_models import Recorder


def define(table: str) -> Any:
    class Item(Model, table=table, _projections={"by-status": ("KEYS_ONLY", ())}):
        id: str = field(pk=True)
        name: str = ""
        status: str = field(default="new", gsi_pk="by-status")
        score: int = 0
        tags: set[str] = field(default_factory=set, omit_empty=True)
        profile: dict[str, Any] = field(default_factory=dict)
        token: str = field(default_factory=lambda: uuid.uuid4().hex)
        updated: datetime | None = field(updated_at=True, default=None)
        version: int = field(version=True)

    return Item


def define_plain(table: str) -> Any:
    class Plain(Model, table=table):
        id: str = field(pk=True)
        name: str = ""
        score: int = 0
        note: str = "none"

    return Plain


@dataclass
class Env:
    db: DB
    recorder: Recorder
    Item: Any
    Plain: Any

    def stored(self, model: Any, id: str = "a") -> dict[str, Any]:
        """The stored item as plain values (read whole, with raw boto3)."""
        out = self.db.client.get_item(
            TableName=model.__dynamorm__.table, Key={"id": {"S": id}}, ConsistentRead=True
        )
        return dict(model.from_item(out["Item"]).to_dict()) if "Item" in out else {}


@pytest.fixture
def env(ddb_endpoint: str) -> Iterator[Env]:
    db = make_db(ddb_endpoint)
    suffix = uuid.uuid4().hex[:10]
    e = Env(db, Recorder(db.client), define(f"items-{suffix}"), define_plain(f"plain-{suffix}"))
    for model in (e.Item, e.Plain):
        db.create_table(model)
    yield e
    for model in (e.Item, e.Plain):
        db.client.delete_table(TableName=model.__dynamorm__.table)


def full_item(env: Env) -> Any:
    return env.db.model(
        env.Item(
            id="a",
            name="Ann",
            status="active",
            score=7,
            tags={"x", "y"},
            profile={"city": "Oslo", "zip": "0150"},
        )
    ).create()


def read(env: Env, *fields: str) -> Any:
    return env.db.model(env.Item).where("id", "=", "a").select(*fields).first()


# -- item 2: instances read in part --------------------------------------------------


def test_update_after_select_writes_only_the_fields_read(env: Env) -> None:
    before = full_item(env).to_dict()
    obj = read(env, "name", "version")
    assert obj.status == "new" and obj.tags == set()  # defaults in what was not read
    obj.name = "Anna"
    env.db.model(obj).update()
    after = env.stored(env.Item)
    assert after["name"] == "Anna" and after["version"] == 1
    for kept in ("status", "score", "tags", "profile", "token"):
        assert after[kept] == before[kept], kept


def test_update_naming_a_field_not_read_raises_naming_it_and_sends_nothing(env: Env) -> None:
    full_item(env)
    obj = read(env, "name", "version")
    env.recorder.clear()
    with pytest.raises(ValidationError, match=r"Item\.update\(\): field 'score' was not read"):
        env.db.model(obj).update("name", "score")
    assert env.recorder.ops == []
    assert env.stored(env.Item)["score"] == 7


def test_a_field_assigned_after_select_counts_as_read(env: Env) -> None:
    full_item(env)
    obj = read(env, "name", "version")
    obj.score = 0  # the value the read left there
    obj.status = "gone"
    obj.tags.add("z")
    env.db.model(obj).update("status")
    env.db.model(obj).update()
    after = env.stored(env.Item)
    assert after["status"] == "gone" and after["tags"] == {"z"}
    # Equal to what the read left there: indistinguishable from not assigned.
    assert after["score"] == 7


def test_a_default_factory_field_not_read_is_left_alone(env: Env) -> None:
    # Each instance gets its own token from the factory: not a value to write.
    token = full_item(env).token
    obj = read(env, "name", "version")
    assert obj.token != token
    env.db.model(obj).update()
    assert env.stored(env.Item)["token"] == token


def test_an_unread_version_refuses_a_versioned_update(env: Env) -> None:
    full_item(env)
    obj = read(env, "name")
    obj.name = "Anna"
    env.recorder.clear()
    with pytest.raises(ValidationError, match="version field 'version' was not read"):
        env.db.model(obj).update()
    assert env.recorder.ops == []


def test_create_of_an_instance_read_with_select_is_refused(env: Env) -> None:
    before = full_item(env).to_dict()
    obj = read(env, "name", "version")
    env.recorder.clear()
    with pytest.raises(ValidationError, match=r"Item\.create\(\): .*'status', 'score'") as info:
        env.db.model(obj).create()
    assert "a put writes the whole item" in str(info.value)
    assert env.recorder.ops == []
    assert env.stored(env.Item) == before


def test_create_or_update_after_select_leaves_the_fields_not_read_alone(env: Env) -> None:
    before = full_item(env).to_dict()
    obj = read(env, "name", "version")
    obj.name = "Anna"
    env.db.model(obj).create_or_update()
    after = env.stored(env.Item)
    assert after["name"] == "Anna"
    for kept in ("status", "score", "tags", "profile", "token"):
        assert after[kept] == before[kept], kept
    # Refreshed from the whole stored item: the instance is read whole now.
    assert obj.status == "active" and obj.score == 7
    obj.score = 8
    env.db.model(obj).update("score")
    assert env.stored(env.Item)["score"] == 8


def test_a_field_read_in_part_is_left_alone_and_cannot_be_written_whole(env: Env) -> None:
    full_item(env)
    obj = read(env, "profile.city", "version")
    assert obj.profile == {"city": "Oslo"}
    env.db.model(obj).update()
    assert env.stored(env.Item)["profile"] == {"city": "Oslo", "zip": "0150"}
    obj.profile["city"] = "Bergen"
    with pytest.raises(ValidationError, match="field 'profile' was read only in part"):
        env.db.model(obj).update()
    assert env.stored(env.Item)["profile"] == {"city": "Oslo", "zip": "0150"}


def test_query_and_scan_with_select_mark_their_instances(env: Env) -> None:
    full_item(env)
    got = [
        *env.db.model(env.Item).where("id", "=", "a").select("name", "version").all(),
        *env.db.model(env.Item).select("name", "version").scan(),
    ]
    for obj in got:
        with pytest.raises(ValidationError, match="field 'score' was not read"):
            env.db.model(obj).update("score")


def test_a_keys_only_index_read_marks_its_instances(env: Env) -> None:
    full_item(env)
    (obj,) = env.db.model(env.Item).where("status", "=", "active").all()
    assert obj.name == "" and obj.status == "active"  # only the keys came back
    with pytest.raises(ValidationError, match="field 'name' was not read"):
        env.db.model(obj).update("name")
    with pytest.raises(ValidationError, match=r"Item\.create\(\)"):
        env.db.model(obj).create()


@pytest.mark.moto_only(reason="dynalite has no transactions")
def test_transact_get_with_select_marks_its_instances(env: Env, fault_proxy: FaultProxy) -> None:
    full_item(env)
    stored = env.db.client.get_item(TableName=env.Item.__dynamorm__.table, Key={"id": {"S": "a"}})

    def projected(operation: str, body: dict[str, Any]) -> Any:
        # moto ignores a TransactGetItems projection; answer as DynamoDB does.
        (get,) = body["TransactItems"]
        names = get["Get"]["ExpressionAttributeNames"].values()
        return 200, {"Responses": [{"Item": {a: stored["Item"][a] for a in names}}]}

    fault_proxy.custom(projected, "TransactGetItems")
    db = make_db(fault_proxy.endpoint)
    (obj,) = db.transact_get().get(env.Item, "a", "name", "version").execute()
    assert obj.score == 0 and obj.name == "Ann"
    obj.name = "Anna"
    db.model(obj).update()
    after = env.stored(env.Item)
    assert after["name"] == "Anna" and after["score"] == 7 and after["tags"] == {"x", "y"}


def test_batch_get_with_select_marks_its_instances(env: Env) -> None:
    full_item(env)
    (obj,) = env.db.model(env.Item).batch_get_builder().keys(["a"]).select("name").execute()
    assert obj.score == 0
    with pytest.raises(ValidationError, match="field 'score' was not read"):
        env.db.model(obj).update("score")
    # A batch put of it would replace what it did not read, too.
    env.recorder.clear()
    whole = env.Item(id="b", name="n")
    with pytest.raises(
        ValidationError, match=r"^puts\[1\]: Item\.batch_create\(\).*'status', 'score'"
    ):
        env.db.model(env.Item).batch_create([whole, obj])
    assert env.recorder.ops == []


# -- item 3: create_or_update moves the version ------------------------------------------


def test_create_or_update_moves_the_version_so_a_stale_update_fails(env: Env) -> None:
    full_item(env)
    stale = read(env, "name", "score", "version")
    fresh = env.db.model(env.Item(id="a", name="Bo", score=1)).create_or_update()
    assert fresh.version == 1
    stale.score = 99
    with pytest.raises(ConditionFailedError):
        env.db.model(stale).update("score")
    after = env.stored(env.Item)
    assert (after["name"], after["score"], after["version"]) == ("Bo", 1, 1)


def test_create_or_update_of_a_new_item_starts_at_version_1(env: Env) -> None:
    obj = env.db.model(env.Item(id="a", name="Ann")).create_or_update()
    assert obj.version == 1 == env.stored(env.Item)["version"]


# -- item 19: UPDATED_* return values carry the key --------------------------------------


@pytest.mark.parametrize("which", ["UPDATED_NEW", "UPDATED_OLD"])
def test_updated_return_values_carry_the_key(env: Env, which: str) -> None:
    env.db.model(env.Plain(id="a", name="Ann", score=3, note="kept")).create()
    got = (
        env.db.model(env.Plain)
        .where("id", "=", "a")
        .update_builder()
        .set("name", "Anna")
        .return_values(which)
        .execute()
    )
    assert got.id == "a"
    assert got.name == ("Anna" if which == "UPDATED_NEW" else "Ann")
    assert got.note == "none"  # not returned: its default


def test_a_model_from_updated_new_writes_only_what_came_back(env: Env) -> None:
    env.db.model(env.Plain(id="a", name="Ann", score=3, note="kept")).create()
    got = (
        env.db.model(env.Plain)
        .where("id", "=", "a")
        .update_builder()
        .set("name", "Anna")
        .return_values("UPDATED_NEW")
        .execute()
    )
    got.name = "Annie"
    env.db.model(got).update()
    assert env.stored(env.Plain) == {"id": "a", "name": "Annie", "score": 3, "note": "kept"}
