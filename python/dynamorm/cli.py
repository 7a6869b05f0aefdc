"""The ``python -m dynamorm`` command line."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _bench_script() -> Path | None:
    """``benches/run.py`` when running from a source checkout."""
    candidate = Path(__file__).resolve().parents[2] / "benches" / "run.py"
    return candidate if candidate.is_file() else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dynamorm",
        description="dynamorm: a DynamoDB object mapper for Python with a Rust core.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="a guided walk through the library, checking each step",
        description=(
            "Runs a guided walk through the library against an embedded local server "
            "(no DYNAMODB_ENDPOINT set), DYNAMODB_ENDPOINT / --endpoint, or AWS (--aws). "
            "Exits non-zero if any check fails."
        ),
    )
    demo.add_argument("--endpoint", help="DynamoDB endpoint URL (default: $DYNAMODB_ENDPOINT)")
    demo.add_argument(
        "--aws", action="store_true", help="use AWS with the default credential chain"
    )
    demo.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    if _bench_script() is not None:
        bench = sub.add_parser("bench", help="run benches/run.py (source checkout only)")
        bench.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from dynamorm.demo import run_demo

        endpoint = None if args.aws else (args.endpoint or os.environ.get("DYNAMODB_ENDPOINT"))
        return run_demo(endpoint=endpoint, use_aws=args.aws, region=args.region)
    if args.command == "bench":
        script = _bench_script()
        assert script is not None
        sys.argv = [str(script), *args.args]
        runpy.run_path(str(script), run_name="__main__")
        return 0
    parser.print_help()
    return 2
