"""What the demo prints: steps, notes, checks, and a text progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from dynamorm.db import DB
    from dynamorm.demo.models import Models

__all__ = ["Checks", "ProgressBar", "Step"]


class Checks:
    """Prints each step and check; counts passes and remembers failures."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def step(self, title: str) -> None:
        """Starts a step of the walk."""
        print(f"\n== {title}")

    def say(self, text: str) -> None:
        """Prints what the step does or what came back."""
        print(f"   {text}")

    def check(self, what: str, ok: bool, detail: str = "") -> bool:
        """Records one check; ``detail`` is printed only when it fails."""
        mark = "ok  " if ok else "FAIL"
        print(f"   [{mark}] {what}" + (f" ({detail})" if detail and not ok else ""))
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
        return ok

    def raises(self, what: str, error: type[BaseException], fn: Callable[[], Any]) -> Any:
        """Checks that ``fn()`` raises ``error``; returns the exception (or None)."""
        try:
            fn()
        except error as exc:
            self.say(f"{type(exc).__name__}: {exc}")
            self.check(what, True)
            return exc
        self.check(what, False, f"no {error.__name__} was raised")
        return None


Step = Callable[[Checks, "DB", "Models"], None]
"""A step of the walk: prints, sends requests, and checks what came back."""


class ProgressBar:
    """``[#####.....] 500/1000``: redrawn in place on a terminal, one line per
    update otherwise (so logs and captured output stay readable)."""

    def __init__(self, width: int = 30, out: TextIO | None = None) -> None:
        self.width = width
        self.out = out if out is not None else sys.stdout
        self.updates: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.updates.append((done, total))
        filled = self.width * done // total if total else self.width
        line = f"   [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        if self.out.isatty():
            self.out.write("\r" + line)
            self.out.flush()
        else:
            self.out.write(line + "\n")

    def finish(self) -> None:
        """Ends the redrawn line on a terminal."""
        if self.out.isatty():
            self.out.write("\n")
