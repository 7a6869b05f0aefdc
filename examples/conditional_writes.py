"""Insert-only creates, guarded updates and optimistic locking."""

from __future__ import annotations

from _connect import connect, table_name
from dynamorm import Model, field
from dynamorm.errors import ConditionFailedError


class Profile(Model, table=table_name("profiles")):
    id: str = field(pk=True)
    status: str = "pending_review"
    bio: str = ""
    version: int = field(version=True)


def main() -> None:
    with connect() as db:
        db.create_table(Profile)
        try:
            db.model(Profile(id="p1")).if_not_exists().create()
            try:
                db.model(Profile(id="p1", bio="impostor")).if_not_exists().create()
                raise AssertionError("a second insert-only create must be refused")
            except ConditionFailedError as err:
                print("duplicate refused; stored item:", err.item)

            profile = db.model(Profile).where("id", "=", "p1").first()
            profile.status = "approved"
            db.model(profile).with_condition("status", "=", "pending_review").update("status")
            print("approved at version", profile.version)

            stale = db.model(Profile).where("id", "=", "p1").first()
            profile.bio = "newer"
            db.model(profile).update("bio")
            stale.bio = "older"
            try:
                db.model(stale).update("bio")
                raise AssertionError("a stale copy must not overwrite a newer one")
            except ConditionFailedError:
                print(f"stale copy (version {stale.version}) refused")
            stored = db.model(Profile).where("id", "=", "p1").first()
            assert (stored.bio, stored.version) == ("newer", 2)
        finally:
            db.delete_table(Profile)


if __name__ == "__main__":
    main()
