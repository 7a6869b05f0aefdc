"""All benchmark tables of docs/performance.md, in one run.

    .venv/bin/python benches/run.py              # every table
    .venv/bin/python benches/run.py --only marshal --repeat 7
    .venv/bin/python benches/run.py --markdown   # tables as Markdown

Build the extension in release mode first (``scripts/bootstrap.sh`` does).
Every comparison runs on the same data in the same process; ``ratio`` is the
competitor's time divided by ours (above 1: dynamorm is faster). Rows with a
target show whether it was met.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

SUITES = {
    "marshal": "bench_marshal",
    "expr": "bench_expr",
    "models": "bench_models",
    "typed": "bench_typed",
    "transact": "bench_transact",  # starts its own moto server
    "batch": "bench_batch",  # starts its own dynalite server
    "fastpath": "bench_fastpath",  # canned responses, then a dynalite server
    "layers": "bench_layers",  # one GetItem, layer by layer, on a dynalite server
    "coldstart": "bench_coldstart",  # whole processes against a dynalite server
}

# (suite, substring of the row name) -> the ratio the issue asks for.
TARGETS: dict[tuple[str, str], float] = {
    ("marshal", "nested serialize vs boto3"): 15.0,
    ("marshal", "nested serialize vs pydynox"): 2.0,
    ("marshal", "nested deserialize vs boto3"): 10.0,
    ("marshal", "nested deserialize vs pydynox"): 2.0,
    ("expr", "vs boto3"): 10.0,
    ("models", "item→model vs pydynox"): 5.0,
    ("models", "item→model vs PynamoDB"): 10.0,
    ("models", "model→item vs pydynox"): 3.0,
    ("typed", "item→model vs pydynox"): 5.0,
    ("typed", "item→model vs PynamoDB"): 10.0,
    ("transact", "transaction vs boto3"): 1 / 1.15,
    ("transact", "transaction, DB-made client vs boto3"): 2.0,
    ("transact", "batch write, DB-made client vs boto3"): 2.0,
    ("fastpath", "canned Query 1,000 items: fast path vs boto3"): 10.0,
    ("fastpath", "Query 1,000 items: fast path vs pydynox"): 3.0,
    ("fastpath", "GetItem: fast path vs pydynox"): 0.5,
    ("layers", "dynamorm: first() into a model"): 0.5,
    ("coldstart", "dynamorm vs boto3 (whole process)"): 1.0,
}


def _target(suite: str, name: str) -> float | None:
    for (s, fragment), ratio in TARGETS.items():
        if s == suite and fragment in name:
            return ratio
    return None


def _print_wall(suite: str, rows: list[dict[str, Any]], markdown: bool) -> None:
    """Rows of whole operations against a server: wall and client CPU."""
    if markdown:
        print(f"\n### {suite}\n")
        print("| reader | wall s | client CPU s | CPU µs/item | boto3 wall / wall |")
        print("|---|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['name']} | {r['wall']:.3f} | {r['cpu']:.3f} "
                f"| {r['cpu_per_item']:.1f} | {r['ratio']:.2f} |"
            )
        return
    print(f"\n## {suite}")
    print(f"{'reader':<48} {'wall s':>8} {'cpu s':>8} {'µs/item':>8} {'boto3/ours':>10}")
    for r in rows:
        print(
            f"{r['name']:<48} {r['wall']:>8.3f} {r['cpu']:>8.3f} "
            f"{r['cpu_per_item']:>8.1f} {r['ratio']:>10.2f}"
        )


def _print_text(suite: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n## {suite}")
    print(f"{'comparison':<56} {'ours µs':>9} {'theirs µs':>10} {'ratio':>8}  target")
    for row in rows:
        target = _target(suite, row["name"])
        verdict = (
            ""
            if target is None
            else f"≥{target:g}x {'met' if row['ratio'] >= target else 'MISSED'}"
        )
        print(
            f"{row['name']:<56} {row['ours'] * 1e6:>9.2f} "
            f"{row['competitor'] * 1e6:>10.2f} {row['ratio']:>7.1f}x  {verdict}"
        )


def _print_markdown(suite: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n### {suite}\n")
    print("| comparison | dynamorm µs/op | competitor µs/op | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        target = _target(suite, row["name"])
        verdict = (
            ""
            if target is None
            else f"≥ {target:g}x {'met' if row['ratio'] >= target else '**missed**'}"
        )
        print(
            f"| {row['name']} | {row['ours'] * 1e6:.2f} | {row['competitor'] * 1e6:.2f} "
            f"| {row['ratio']:.1f}x | {verdict} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SUITES), action="append")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing; best is kept")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    missed = 0
    for suite in args.only or list(SUITES):
        module = importlib.import_module(SUITES[suite])
        rows = module.run(args.repeat)
        if rows and "wall" in rows[0]:
            _print_wall(suite, rows, args.markdown)
            continue
        (_print_markdown if args.markdown else _print_text)(suite, rows)
        for row in rows:
            target = _target(suite, row["name"])
            missed += target is not None and row["ratio"] < target
    print(f"\n{missed} target(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
