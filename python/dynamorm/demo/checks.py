"""What the demo prints: steps, notes, checks, and the progress bar (tqdm)."""

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
    """The batch get's ``on_progress`` callback: a tqdm bar,
    ``[#####.....] 500/1000``, redrawn in place on a terminal.

    tqdm comes with the ``local`` extra (``pip install 'dynamorm[local]'``);
    without it the bar only counts, and ``finish`` prints the final count.
    ``updates`` keeps every ``(done, total)`` the batch reported."""

    def __init__(self, width: int = 30, out: TextIO | None = None) -> None:
        self.width = width
        self.out = out if out is not None else sys.stdout
        self.updates: list[tuple[int, int]] = []
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        self.updates.append((done, total))
        if self._bar is None:
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self._bar = tqdm(
                total=total,
                file=self.out,
                bar_format=f"   [{{bar:{self.width}}}] {{n_fmt}}/{{total_fmt}}",
                ascii=".#",
            )
        self._bar.update(done - self._bar.n)

    def finish(self) -> None:
        """Draws the bar's final state and ends its line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.updates:
            done, total = self.updates[-1]
            note = "pip install 'dynamorm[local]' draws a progress bar"
            self.out.write(f"   {done}/{total} ({note})\n")
