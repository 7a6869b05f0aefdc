"""Every public name has a docstring, and the API reference (docs/reference/,
rendered by mkdocstrings from the source) has a page for it.

The public names are those of ``dynamorm.__all__`` and of the modules the
reference documents whole (their ``__all__``); with every public class come
its public methods and properties, its own or inherited from the package's
classes. A value (a constant, a type alias) is documented by the string
literal right after its assignment, which is what the reference shows. What
the native module ``dynamorm._core`` exports is documented in Rust; the
reference reads its stub, so the stub must carry the same docstrings.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import re
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import dynamorm
from dynamorm import _core

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "python" / "dynamorm"
REFERENCE = ROOT / "docs" / "reference"

MODULES = (
    "dynamorm.errors",
    "dynamorm.expr",
    "dynamorm.marshal",
    "dynamorm.retry",
    "dynamorm.streams",
    "dynamorm.dms",
    "dynamorm.cursor",
    "dynamorm.local",
    "dynamorm.observe",
    "dynamorm.aio.builders",
    "dynamorm.testing",
    "dynamorm.testing.plugin",
)
"""The modules whose every ``__all__`` name is public and documented."""


def public_names() -> dict[str, tuple[ModuleType, str]]:
    """``qualified name: (module it is looked up in, name)`` of every public name."""
    found = {f"dynamorm.{name}": (dynamorm, name) for name in dynamorm.__all__}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            found[f"{module_name}.{name}"] = (module, name)
    return found


def defining_module(module: ModuleType, name: str) -> str:
    """The module whose source assigns ``name`` (``_EXPORTS`` for the
    package's own names; else where the value's module says, else here)."""
    if module is dynamorm:
        where = dynamorm._EXPORTS[name]
        if where != f"dynamorm.{name}":
            return where
    value = getattr(module, name)
    owner = getattr(value, "__module__", None)
    if inspect.isclass(value) or inspect.isroutine(value):
        return str(owner)
    return module.__name__


@cache
def _source_tree(module_name: str) -> ast.Module:
    relative = Path(*module_name.split(".")[1:])
    for candidate in (
        PACKAGE / relative.with_suffix(".py"),
        PACKAGE / relative / "__init__.py",
        PACKAGE / relative.with_suffix(".pyi"),
    ):
        if candidate.is_file():
            return ast.parse(candidate.read_text())
    raise AssertionError(f"no source for {module_name}")


def _statements(tree: ast.AST) -> list[list[ast.stmt]]:
    """Every statement list of the tree (module, class and ``if`` bodies)."""
    lists: list[list[ast.stmt]] = []
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                lists.append(body)
    return lists


def attribute_docstring(module_name: str, name: str) -> str | None:
    """The string literal after ``name = ...`` / ``name: T = ...`` in the
    module's source (the form mkdocstrings renders), following
    ``from dynamorm.x import name`` to where it is assigned; else None."""
    tree = _source_tree(module_name)
    for body in _statements(tree):
        for here, after in itertools.pairwise(body):
            targets: list[ast.expr] = []
            if isinstance(here, ast.Assign):
                targets = here.targets
            elif isinstance(here, ast.AnnAssign):
                targets = [here.target]
            assigned = any(isinstance(t, ast.Name) and t.id == name for t in targets)
            if assigned and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                text = after.value.value
                return text if isinstance(text, str) else None
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("dynamorm"):
            continue
        if any(alias.name == name and alias.asname is None for alias in node.names):
            return attribute_docstring(str(node.module), name)
    return None


def stub_docstrings(cls: type) -> dict[str, str | None]:
    """The docstrings the stub ``_core.pyi`` gives a class and its members
    (the class under ``""``)."""
    for node in _source_tree("dynamorm._core").body:
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            found: dict[str, str | None] = {"": ast.get_docstring(node, clean=False)}
            for member in node.body:
                if isinstance(member, ast.FunctionDef):
                    found[member.name] = ast.get_docstring(member, clean=False)
            return found
    raise AssertionError(f"_core.pyi has no class {cls.__name__}")


def is_native(cls: type) -> bool:
    """Whether a class is a pyclass of ``dynamorm._core`` (whatever module
    it says it belongs to)."""
    return getattr(_core, cls.__name__, None) is cls


def public_members(cls: type) -> dict[str, Any]:
    """The public methods and properties of a class: its own and those of
    its bases in the package (not ``object``'s or ``Exception``'s)."""
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("dynamorm"):
            continue
        native = is_native(klass)
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(value, staticmethod | classmethod):
                members[name] = value.__func__
            elif inspect.isfunction(value) or isinstance(value, property | cached_property):
                members[name] = value
            elif native and (inspect.ismethoddescriptor(value) or inspect.isdatadescriptor(value)):
                members[name] = value  # a pyclass's methods and getters
    return members


def _documented(doc: str | None) -> bool:
    return bool(doc and doc.strip())


def missing_docstrings() -> list[str]:
    missing: list[str] = []
    for qualified, (module, name) in public_names().items():
        value = getattr(module, name)
        if inspect.ismodule(value) or inspect.isclass(value) or inspect.isroutine(value):
            if not _documented(value.__doc__):
                missing.append(qualified)
        elif not _documented(attribute_docstring(defining_module(module, name), name)):
            missing.append(f"{qualified} (a value: a string literal after its assignment)")
        if inspect.isclass(value):
            for member, obj in public_members(value).items():
                if not _documented(getattr(obj, "__doc__", None)):
                    missing.append(f"{qualified}.{member}")
    return missing


def test_every_public_name_has_a_docstring() -> None:
    assert missing_docstrings() == []


def test_the_names_the_native_module_exports_carry_their_rust_docstrings_in_the_stub() -> None:
    native = {
        qualified: getattr(module, name)
        for qualified, (module, name) in public_names().items()
        if inspect.isclass(getattr(module, name)) and is_native(getattr(module, name))
    }
    assert native, "no public class comes from dynamorm._core any more: drop this test"
    for qualified, cls in native.items():
        stub = stub_docstrings(cls)
        assert inspect.cleandoc(stub[""] or "") == inspect.cleandoc(cls.__doc__ or ""), qualified
        for member in public_members(cls):
            got = inspect.cleandoc(stub.get(member) or "")
            assert got == inspect.cleandoc(getattr(cls, member).__doc__ or ""), (
                f"{qualified}.{member}"
            )


def test_the_check_finds_a_missing_docstring() -> None:
    class Documented:
        """A class."""

        def method(self) -> None:
            """A method."""

        @property
        def value(self) -> int:
            return 1

        def _private(self) -> None:
            pass

    Documented.__module__ = "dynamorm.example"
    assert set(public_members(Documented)) == {"method", "value"}
    assert not _documented(public_members(Documented)["value"].__doc__)
    assert attribute_docstring("dynamorm.cursor", "SortOrder")
    assert attribute_docstring("dynamorm.cursor", "encode_cursor") is None


def _directives() -> set[str]:
    text = "\n".join(page.read_text() for page in REFERENCE.glob("*.md"))
    return set(re.findall(r"^::: (\S+)$", text, re.MULTILINE))


def test_every_public_name_has_a_page_in_the_api_reference() -> None:
    directives = _directives()
    assert set(MODULES) <= directives, "each documented module has a page of its own"
    unreferenced = []
    for name in dynamorm.__all__:
        where = dynamorm._EXPORTS[name]
        if name == "__version__":
            if "`__version__`" not in (REFERENCE / "index.md").read_text():
                unreferenced.append(name)
        elif f"dynamorm.{name}" not in directives and where not in directives:
            unreferenced.append(name)
    assert unreferenced == []


def test_every_reference_directive_names_a_public_name_or_module() -> None:
    known = set(public_names()) | set(MODULES)
    assert _directives() <= known


def test_the_reference_speaks_of_behaviour_not_of_specification_sections() -> None:
    """What the reference renders (the public names' docstrings and the
    documented modules') cites no section of the product specification:
    its readers have never seen it."""
    cited = []
    for module_name in MODULES:
        if "SPEC" in (importlib.import_module(module_name).__doc__ or ""):
            cited.append(module_name)
    for qualified, (module, name) in public_names().items():
        value = getattr(module, name)
        if isinstance(value, str):
            continue
        docs = {qualified: getattr(value, "__doc__", None)}
        if inspect.isclass(value):
            for member, obj in public_members(value).items():
                docs[f"{qualified}.{member}"] = getattr(obj, "__doc__", None)
        cited += [where for where, doc in docs.items() if doc and "SPEC" in doc]
    assert cited == []
