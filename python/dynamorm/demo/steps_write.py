"""Demo steps: models, conditional create, guarded update, optimistic locking."""

from __future__ import annotations

from dynamorm.db import DB
from dynamorm.demo.checks import Checks
from dynamorm.demo.models import Models
from dynamorm.errors import ConditionFailedError, InvalidModelError, ValidationError
from dynamorm.model.base import Model
from dynamorm.model.fields import field

__all__ = ["conditional_create", "guarded_update", "models", "optimistic_locking"]


def models(checks: Checks, db: DB, m: Models) -> None:
    """Models are checked when declared and when items are built."""
    checks.step("Models: typed classes, compiled once into a Rust item codec")
    ada = m.User(id="u1", email="ada@example.com")
    item = ada.to_item()
    checks.say(f"User(id='u1', email=...).to_item() -> {item}")
    checks.check("the item reads back as an equal User", m.User.from_item(item) == ada)
    checks.check("library-owned fields are left out until set", "created" not in item)

    def no_key() -> None:
        class Broken(Model, table="never-created"):
            name: str = field(default="")

    checks.raises("a model without a partition key is refused", InvalidModelError, no_key)
    bad = m.User(id="u1", bookmark_count="many")
    checks.raises(
        "a value of the wrong type is refused before sending", ValidationError, bad.to_item
    )


def conditional_create(checks: Checks, db: DB, m: Models) -> None:
    """An insert-only create, and the duplicate it refuses."""
    checks.step("Conditional create: insert only if the item is absent")
    checks.say("db.model(ada).if_not_exists().create()")
    ada = db.model(m.User(id="u1", email="ada@example.com")).if_not_exists().create()
    checks.check("the first create succeeds, at version 0", ada.version == 0)
    twin = m.User(id="u1", email="impostor@example.com")
    err = checks.raises(
        "the duplicate create is refused with ConditionFailedError",
        ConditionFailedError,
        lambda: db.model(twin).if_not_exists().create(),
    )
    if err is not None and err.item is not None:
        checks.say(f"current item, from the error: {err.item!r}")
    stored = db.model(m.User).where("id", "=", "u1").first()
    checks.check("the stored item is still the first one", stored.email == "ada@example.com")


def guarded_update(checks: Checks, db: DB, m: Models) -> None:
    """An update sent only if a condition holds, versioned in the same request."""
    checks.step("Guarded update: change a field only if a condition holds")
    ada = db.model(m.User).where("id", "=", "u1").first()
    ada.status = "active"
    checks.say('db.model(ada).with_condition("status", "=", "pending").update("status")')
    db.model(ada).with_condition("status", "=", "pending").update("status")
    stored = db.model(m.User).where("id", "=", "u1").first()
    checks.check("status is now active", stored.status == "active")
    checks.check("the version went from 0 to 1 in the same request", stored.version == 1)
    checks.check("the instance has the new version", ada.version == 1)
    ada.status = "suspended"
    checks.raises(
        "the same guarded update is refused now that status is not pending",
        ConditionFailedError,
        lambda: db.model(ada).with_condition("status", "=", "pending").update("status"),
    )
    after = db.model(m.User).where("id", "=", "u1").first()
    checks.check("the refused update changed nothing", after.status == "active")


def optimistic_locking(checks: Checks, db: DB, m: Models) -> None:
    """Two copies of one item: the stale one cannot overwrite the newer."""
    checks.step("Optimistic locking: a stale copy cannot overwrite a newer one")
    mine = db.model(m.User).where("id", "=", "u1").first()
    theirs = db.model(m.User).where("id", "=", "u1").first()
    checks.say(f"two copies read at version {mine.version}")
    theirs.email = "ada@lovelace.example"
    db.model(theirs).update("email")
    checks.say(f"the other copy saved first: version is now {theirs.version}")
    mine.email = "ada@babbage.example"
    err = checks.raises(
        "the stale copy's update fails with ConditionFailedError",
        ConditionFailedError,
        lambda: db.model(mine).update("email"),
    )
    if err is not None and err.item is not None:
        checks.say(f"stored version, from the error: {err.item.version}")
    stored = db.model(m.User).where("id", "=", "u1").first()
    checks.check("the newer write survived", stored.email == "ada@lovelace.example")
    checks.check("the stale instance was left as it was", mine.version == stored.version - 1)
