"""The test tree follows the code: ``tests/unit/`` mirrors the Python
package (``tests/unit/batch/test_runner.py`` tests ``dynamorm/batch/runner.py``)
and ``tests/core/`` the binding files of ``rust/dynamorm-py/src/`` that give
``dynamorm._core`` its names (``tests/core/test_keys.py`` for ``keys.rs``)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "python" / "dynamorm"
BINDINGS = ROOT / "rust" / "dynamorm-py" / "src"


def _registering_binding_files() -> set[str]:
    return {
        path.stem
        for path in BINDINGS.glob("*.rs")
        if re.search(r"^pub(\(crate\))? fn register\(", path.read_text(), re.MULTILINE)
    }


def test_every_binding_file_that_registers_names_has_its_core_test_file_and_no_other() -> None:
    tested = {p.stem.removeprefix("test_") for p in (ROOT / "tests" / "core").glob("test_*.py")}
    assert tested == _registering_binding_files()


def _subject(test: Path) -> bool:
    """Whether a ``tests/unit`` file names a module of the package: ``test_X``
    or ``test_X_more`` for ``X.py`` (or the package ``X/``) in the mirrored
    directory; ``test_init`` for its ``__init__.py``."""
    here = PACKAGE / test.parent.relative_to(ROOT / "tests" / "unit")
    stem = test.stem.removeprefix("test_")
    if stem == "init":
        return (here / "__init__.py").exists()
    names = {p.stem for p in here.glob("*.py")} | {p.name for p in here.iterdir() if p.is_dir()}
    names.add(here.name)  # tests/unit/expr/test_expr.py: the package's own __init__
    return any(stem == name or stem.startswith(name + "_") for name in names)


def test_every_unit_test_file_sits_where_its_module_sits() -> None:
    tests = sorted((ROOT / "tests" / "unit").rglob("test_*.py"))
    assert tests, "no unit tests found"
    misplaced = [str(t.relative_to(ROOT)) for t in tests if not _subject(t)]
    assert misplaced == []
