"""Expression compiling speed: dynamorm.expr against boto3 and PynamoDB.

Each contestant builds the same 5-clause condition from scratch and turns it
into request parts: expression text, attribute-name placeholders and values
in DynamoDB JSON (so value marshaling is included). Rows give seconds per
operation for dynamorm and the competitor, and ``ratio`` = competitor /
dynamorm (above 1: dynamorm is faster).

- boto3: ``Attr(...) & ...`` → ``ConditionExpressionBuilder.build_expression``
  → ``TypeSerializer`` on its values.
- PynamoDB: ``Path(...) == ...`` conditions → ``condition.serialize(names,
  values)`` (values are typed when the condition is built), names inverted to
  placeholder → name as a request needs them.

    .venv/bin/python benches/bench_expr.py            # after a --release build
    .venv/bin/python benches/bench_expr.py --repeat 7
"""

from __future__ import annotations

import argparse
from typing import Any

from _timing import best, print_rows
from boto3.dynamodb.conditions import Attr, ConditionExpressionBuilder
from boto3.dynamodb.types import TypeSerializer
from dynamorm import expr
from pynamodb.expressions.operand import Path

ROLES = ("admin", "owner", "editor")


def ours() -> tuple[str, dict[str, str], dict[str, Any]]:
    c = expr.compile_condition(
        [
            ("status", "=", "active"),
            ("age", "between", (18, 65)),
            ("address.city", "begins_with", "Ber"),
            ("tags", "contains", "vip"),
            ("role", "in", ROLES),
        ]
    )
    return c.expression, c.names, c.values


_SERIALIZER = TypeSerializer()


def boto3_builder() -> tuple[str, dict[str, str], dict[str, Any]]:
    cond = (
        Attr("status").eq("active")
        & Attr("age").between(18, 65)
        & Attr("address.city").begins_with("Ber")
        & Attr("tags").contains("vip")
        & Attr("role").is_in(list(ROLES))
    )
    built = ConditionExpressionBuilder().build_expression(cond)
    values = {k: _SERIALIZER.serialize(v) for k, v in built.attribute_value_placeholders.items()}
    return built.condition_expression, built.attribute_name_placeholders, values


def pynamodb_conditions() -> tuple[str, dict[str, str], dict[str, Any]]:
    cond = (
        (Path("status") == "active")
        & Path("age").between(18, 65)
        & Path("address.city").startswith("Ber")
        & Path("tags").contains("vip")
        & Path("role").is_in(*ROLES)
    )
    placeholders: dict[str, str] = {}
    values: dict[str, Any] = {}
    text = cond.serialize(placeholders, values)
    return text, {v: k for k, v in placeholders.items()}, values


def _check() -> None:
    """All three describe the same condition (same names and values)."""
    results = [fn() for fn in (ours, boto3_builder, pynamodb_conditions)]
    for _, names, values in results:
        assert sorted(names.values()) == ["address", "age", "city", "role", "status", "tags"]
        assert sorted(map(str, values.values())) == sorted(map(str, results[0][2].values()))


def run(repeat: int = 5) -> list[dict[str, Any]]:
    """Times each comparison; rows of name, ours and competitor seconds per
    operation, and ratio = competitor / ours."""
    _check()
    number = 5_000
    mine = best(ours, repeat, number)
    rows = []
    for name, fn in (
        ("5-clause condition vs boto3 ConditionExpressionBuilder", boto3_builder),
        ("5-clause condition vs PynamoDB conditions", pynamodb_conditions),
    ):
        theirs = best(fn, repeat, number)
        rows.append({"name": name, "ours": mine, "competitor": theirs, "ratio": theirs / mine})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print_rows(run(args.repeat))


if __name__ == "__main__":
    main()
