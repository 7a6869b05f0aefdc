"""Demo step: a bookmark transaction, and a failing one rolled back."""

from __future__ import annotations

from dynamorm.db import DB
from dynamorm.demo.checks import Checks
from dynamorm.demo.models import Models
from dynamorm.errors import TransactionError
from dynamorm.transact.write import condition, if_not_exists

__all__ = ["transactions"]


def transactions(checks: Checks, db: DB, m: Models) -> None:
    """The bookmark transaction, then a failing one that is rolled back."""
    checks.step("Transactions: all operations are applied, or none")
    user = db.model(m.User).where("id", "=", "u1").first()
    first = m.Bookmark(user_id="u1", url="https://example.com/a", title="A")
    checks.say("db.transact().create(bookmark, if_not_exists())")
    checks.say('    .update_with_builder(user, lambda ub: ub.increment("bookmark_count"))')
    (
        db.transact()
        .create(first, if_not_exists())
        .update_with_builder(
            user,
            lambda ub: ub.increment("bookmark_count"),
            condition("bookmark_count", ">=", 0),
        )
        .execute()
    )
    stored = db.model(m.User).where("id", "=", "u1").first()
    checks.check("the user's bookmark_count is 1", stored.bookmark_count == 1)
    saved = db.model(m.Bookmark).where("user_id", "=", "u1").all()
    checks.check("the bookmark was created", [b.url for b in saved] == [first.url])

    checks.say("now: a new bookmark, the same first bookmark again, and the count")
    second = m.Bookmark(user_id="u1", url="https://example.com/b", title="B")
    again = m.Bookmark(user_id="u1", url=first.url, title="A again")
    failing = (
        db.transact()
        .create(second, if_not_exists())
        .create(again, if_not_exists())
        .update_with_builder(user, lambda ub: ub.increment("bookmark_count"))
    )
    err = checks.raises("the transaction is cancelled", TransactionError, failing.execute)
    if err is not None:
        checks.say(f"operation_index = {err.operation_index}")
        checks.say(f"operation       = {err.operation}")
        checks.say(f"model           = {err.model}")
        checks.say(f"reason          = {err.reason}")
        codes = [r.get("Code") for r in err.cancellation_reasons]
        checks.say(f"cancellation_reasons codes = {codes}")
        checks.check("it names operation 1, the duplicate create", err.operation_index == 1)
        checks.check("the reason is ConditionalCheckFailed", err.reason == "ConditionalCheckFailed")
        checks.check("the model is Bookmark", err.model == "Bookmark")
    after = db.model(m.User).where("id", "=", "u1").first()
    checks.check("rolled back: bookmark_count is still 1", after.bookmark_count == 1)
    urls = [b.url for b in db.model(m.Bookmark).where("user_id", "=", "u1").all()]
    checks.check("rolled back: the new bookmark was not written", urls == [first.url])
