"""The expression corpus, ``tests/data/expr_corpus.json``: DynamoDB's
grammar rule by rule, each text with DynamoDB's verdict (and reason)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "expr_corpus.json"
CORPUS: dict[str, Any] = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
KEY_ATTRIBUTES: list[str] = CORPUS["key_attributes"]
"""The keys of the table key conditions and updates are checked against."""
ENTRIES: list[dict[str, Any]] = CORPUS["entries"]

_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")


def placeholders(entry: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The names and values an entry's text uses: ``#x`` names ``x`` and
    ``:x`` is the string ``x`` unless the entry says otherwise."""
    found = _PLACEHOLDER.findall(entry["text"])
    names = {p: p[1:] for p in found if p.startswith("#")}
    names.update(entry.get("names", {}))
    values: dict[str, Any] = {p: p[1:] for p in found if p.startswith(":")}
    return names, values


def entry_id(entry: dict[str, Any]) -> str:
    """A test id naming the entry's kind and text."""
    return f"{entry['kind']}:{entry['text']!r}"
