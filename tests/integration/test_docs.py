"""Every ```python block of ``docs/*.md`` and ``README.md`` runs against the
test server.

The blocks of one page run in order in one namespace, so a page can declare
its model and ``db`` once and use them below, as a reader would. Before
running, endpoint URLs (``http://127.0.0.1:8000``) are pointed at the test
server and every ``table="name"`` gets a suffix unique to the run; the tables
a page created are deleted afterwards.

A block that cannot run (real AWS, say) is preceded by the line
``<!-- docs-test: skip -->``. Skips must stay rare: each is listed in
``SKIPPED`` with its reason, and the test fails if the two disagree.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
"""Every page; those without a ```python block (architecture, ...) have nothing to run."""

SKIP_MARK = "<!-- docs-test: skip -->"
BLOCK = re.compile(
    r"^(?P<mark><!-- docs-test: skip -->\n)?```python\n(?P<code>.*?)^```", re.S | re.M
)

SKIPPED: dict[str, str] = {
    "asyncio.md": "the FastAPI example needs FastAPI, which is not a dependency",
}
"""``page: reason`` for every page with a skipped block."""

MOTO_ONLY = {
    "transactions.md": "dynalite has no transactions",
    "asyncio.md": "dynalite has no transactions",
    "schema.md": "dynalite has no UpdateTimeToLive",
    "single-table.md": "dynalite has no transactions (the users' unique email)",
}
"""Pages that need what dynalite does not implement (deselected there)."""


def blocks(page: Path) -> tuple[list[str], int]:
    """The page's runnable blocks, in order, and how many were skipped."""
    found = list(BLOCK.finditer(page.read_text()))
    run = [m.group("code") for m in found if not m.group("mark")]
    return run, len(found) - len(run)


def rewrite(code: str, endpoint: str, suffix: str) -> str:
    """Points the code at the test server and its tables at unique names."""
    code = code.replace("http://127.0.0.1:8000", endpoint)
    return re.sub(r'table="([^"]+)"', rf'table="\1-{suffix}"', code)


def _param(page: Path) -> Any:
    marks = []
    if page.name in MOTO_ONLY:
        marks.append(pytest.mark.moto_only(reason=MOTO_ONLY[page.name]))
    return pytest.param(page, id=page.name, marks=marks)


def test_every_page_has_code_and_the_skips_are_listed() -> None:
    with_code = {page.name for page in PAGES if blocks(page)[0]}
    assert {"quickstart.md", "models.md", "README.md"} <= with_code
    skipped = {page.name for page in PAGES if blocks(page)[1]}
    assert skipped == set(SKIPPED), "list every skipped block's page in SKIPPED, with why"


def test_rewrite_points_code_at_the_server() -> None:
    code = 'class U(Model, table="users"):\nDB(endpoint_url="http://127.0.0.1:8000")'
    assert rewrite(code, "http://h:1", "s") == (
        'class U(Model, table="users-s"):\nDB(endpoint_url="http://h:1")'
    )


@pytest.mark.parametrize("page", [_param(p) for p in PAGES if blocks(p)[0]])
def test_page_code_runs(page: Path, ddb_endpoint: str) -> None:
    code, _ = blocks(page)
    suffix = f"docs-{uuid.uuid4().hex[:8]}"
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    client = client_for(ddb_endpoint)
    try:
        for i, block in enumerate(code):
            source = rewrite(block, ddb_endpoint, suffix)
            where = f"{page.name} (python block {i + 1})"
            compiled = compile(source, where, "exec", dont_inherit=True)
            exec(compiled, namespace)
    finally:
        for name in client.list_tables()["TableNames"]:
            if name.endswith(suffix):
                client.delete_table(TableName=name)


def test_typing_page_shows_what_mypy_reports(tmp_path: Path) -> None:
    """The rejected lines of docs/typing.md are exactly what mypy rejects,
    with the error code each line's comment names."""
    import subprocess
    import sys

    (code,), _ = blocks(ROOT / "docs" / "typing.md")
    source = tmp_path / "typing_page.py"
    source.write_text(code)
    claimed = {
        n: m.group(1)
        for n, line in enumerate(code.splitlines(), 1)
        if (m := re.search(r"# ([a-z-]+):", line))
    }
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(source)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    reported = {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r"typing_page\.py:(\d+): error: .*\[([a-z-]+)\]", result.stdout)
    }
    assert len(claimed) == 6
    assert reported == claimed, result.stdout
