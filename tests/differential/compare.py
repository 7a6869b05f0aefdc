"""Comparing the implementations' outcomes of one step.

The reference is what most implementations answered (after ``normalize``);
when they split evenly, the first in ``implementations.IMPLEMENTATIONS``
order (moto) wins. An outcome a known divergence explains
(``divergences.excluded``) is left out of the vote.
"""

from __future__ import annotations

import json
from typing import Any

from tests.differential import divergences
from tests.differential.normalize import normalize
from tests.differential.steps import Outcome, Step


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False, default=repr)


def differences(step: Step, outcomes: dict[str, Outcome]) -> str | None:
    """A report of the implementations whose outcome of ``step`` differs
    from the reference, or None when they agree. ``outcomes`` is in the
    implementations' order."""
    compared = {
        server: normalize(step, outcome)
        for server, outcome in outcomes.items()
        if divergences.excluded(server, step, outcome) is None
    }
    if len(compared) < 2:
        return None
    groups: list[tuple[str, list[str]]] = []
    for server, value in compared.items():
        text = _text(value)
        for seen, members in groups:
            if seen == text:
                members.append(server)
                break
        else:
            groups.append((text, [server]))
    if len(groups) == 1:
        return None
    reference = max(groups, key=lambda g: len(g[1]))  # the first of the largest
    lines = [f"{step.operation} {_text(step.request)}", f"reference ({', '.join(reference[1])}):"]
    lines.append(reference[0])
    for text, members in groups:
        if members is not reference[1]:
            lines.append(f"differs ({', '.join(members)}):")
            lines.append(text)
    return "\n".join(lines)
