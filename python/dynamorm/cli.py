"""The ``python -m dynamorm`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

__all__ = ["main"]

BENCHMARKS = "The benchmarks run from a source checkout: python benches/run.py."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dynamorm",
        description="dynamorm: a DynamoDB object mapper for Python with a Rust core.",
        # The benchmarks compare against boto3, PynamoDB and pydynox on local
        # servers (moto, dynalite): they need a checkout, not the package.
        epilog=BENCHMARKS,
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # once a subcommand of checkouts: say where it went
        parser.error(BENCHMARKS)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from dynamorm.demo import run_demo

        endpoint = None if args.aws else (args.endpoint or os.environ.get("DYNAMODB_ENDPOINT"))
        return run_demo(endpoint=endpoint, use_aws=args.aws, region=args.region)
    parser.print_help()
    return 2
