"""Declare a model, create its table, write, read, query, update."""

from __future__ import annotations

from datetime import datetime

from _connect import connect, table_name
from dynamorm import Model, field


class User(Model, table=table_name("users")):
    id: str = field(pk=True)
    email: str = field(sk=True)
    name: str = ""
    status: str = field(default="pending", gsi_pk="status-index")
    logins: int = 0
    created: datetime = field(created_at=True)
    version: int = field(version=True)


def main() -> None:
    with connect() as db:
        db.create_table(User)
        try:
            db.model(User(id="u1", email="ada@example.com", name="Ada")).create()
            db.model(User(id="u2", email="grace@example.com", name="Grace")).create()

            ada = db.model(User).where("id", "=", "u1").where("email", "=", "ada@example.com")
            me = ada.first()  # GetItem: the whole key is given
            me.status = "active"
            db.model(me).update("status")  # versioned: 0 -> 1
            db.model(me).update_builder().increment("logins").execute()

            active = db.model(User).where("status", "=", "active").all()  # status-index
            print("active:", [u.name for u in active])
            assert [u.id for u in active] == ["u1"]
            again = ada.first()
            print(f"{again.name}: status={again.status} logins={again.logins} v{again.version}")
            assert (again.logins, again.version) == (1, 1)  # increment is not versioned
        finally:
            db.delete_table(User)


if __name__ == "__main__":
    main()
