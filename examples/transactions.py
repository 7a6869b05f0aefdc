"""A bookmark and its counter written together; a failing transaction
changes nothing and says which operation failed."""

from __future__ import annotations

from _connect import connect, table_name
from dynamorm import DB, Model, condition, field, if_not_exists
from dynamorm.errors import TransactionError


class User(Model, table=table_name("users")):
    id: str = field(pk=True)
    bookmark_count: int = 0


class Bookmark(Model, table=table_name("bookmarks")):
    user_id: str = field(pk=True)
    url: str = field(sk=True)


def add_bookmark(db: DB, user: User, bookmark: Bookmark) -> None:
    (
        db.transact()
        .create(bookmark, if_not_exists())
        .update_with_builder(
            user, lambda ub: ub.increment("bookmark_count"), condition("bookmark_count", ">=", 0)
        )
        .execute()
    )


def main() -> None:
    with connect() as db:
        db.create_table(User)
        db.create_table(Bookmark)
        try:
            user = db.model(User(id="u1")).create()
            add_bookmark(db, user, Bookmark(user_id="u1", url="https://example.com/a"))
            try:
                add_bookmark(db, user, Bookmark(user_id="u1", url="https://example.com/a"))
                raise AssertionError("a duplicate bookmark must cancel the transaction")
            except TransactionError as err:
                print(f"cancelled: operation {err.operation_index} ({err.operation} on")
                print(f"  {err.model}) failed with {err.reason}")
                assert (err.operation_index, err.reason) == (0, "ConditionalCheckFailed")
            stored = db.model(User).where("id", "=", "u1").first()
            print("bookmark_count:", stored.bookmark_count)
            assert stored.bookmark_count == 1  # the second increment was rolled back
        finally:
            db.delete_table(User)
            db.delete_table(Bookmark)


if __name__ == "__main__":
    main()
