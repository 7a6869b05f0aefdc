"""The README's tour runs as written against the test server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def _tour() -> str:
    text = README.read_text()
    section = text[text.index("## A 30-line tour") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_tour_runs_against_the_server(ddb_endpoint: str, capsys: object) -> None:
    code = _tour()
    assert code.count("\n") <= 32
    code = code.replace("http://127.0.0.1:8000", ddb_endpoint)
    code = code.replace('table="users"', 'table="readme-tour-users"')
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec", dont_inherit=True), namespace)
    ada: Any = namespace["me"]
    assert ada.status == "active"
    assert ada.logins == 1
    assert ada.version >= 1
    active: Any = namespace["active"]
    assert [u.id for u in active] == ["u1"]
    db: Any = namespace["db"]
    db.delete_table(namespace["User"])
