"""The differential suite's own parts: the comparison reports an answer that
differs and passes over a known divergence, the normalization keeps what
matters, and docs/testing.md lists every divergence of ``divergences``."""

from __future__ import annotations

import re
from pathlib import Path

from tests.differential import divergences
from tests.differential.compare import differences
from tests.differential.normalize import canonical_number, normalize
from tests.differential.steps import Outcome, Step

DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"

GET = Step("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}})


def test_a_different_item_is_reported_with_the_majority_as_reference() -> None:
    same = Outcome(response={"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}})
    other = Outcome(response={"Item": {"pk": {"S": "a"}, "n": {"N": "2"}}})
    report = differences(GET, {"moto": other, "dynalite": same, "memory": same})
    assert report is not None
    assert "reference (dynalite, memory)" in report
    assert "differs (moto)" in report


def test_numbers_spelled_differently_and_capacity_are_not_differences() -> None:
    moto = Outcome(
        response={"Item": {"pk": {"S": "a"}, "n": {"N": "1.50"}}, "ConsumedCapacity": {"X": 1}}
    )
    dynalite = Outcome(response={"Item": {"pk": {"S": "a"}, "n": {"N": "1.5"}}})
    assert differences(GET, {"moto": moto, "dynalite": dynalite}) is None


def test_an_error_code_that_differs_is_reported_and_a_message_only_where_servers_agree() -> None:
    failed = Outcome(
        error="ConditionalCheckFailedException", message="The conditional request failed"
    )
    invalid = Outcome(error="ValidationException", message="one wording")
    reworded = Outcome(error="ValidationException", message="another wording")
    assert differences(GET, {"moto": failed, "dynalite": invalid}) is not None
    assert differences(GET, {"moto": invalid, "dynalite": reworded}) is None
    rewritten = Outcome(error="ConditionalCheckFailedException", message="Condition failed")
    assert differences(GET, {"moto": failed, "dynalite": rewritten}) is not None


def test_a_known_divergence_is_left_out_of_the_comparison() -> None:
    step = Step(
        "PutItem",
        {
            "TableName": "plain",
            "Item": {"pk": {"S": "a"}},
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    with_item = Outcome(
        error="ConditionalCheckFailedException",
        message="The conditional request failed",
        details={"Item": {"pk": {"S": "a"}}},
    )
    without = Outcome(
        error="ConditionalCheckFailedException", message="The conditional request failed"
    )
    assert divergences.excluded("dynalite", step, without) is not None
    assert differences(step, {"moto": with_item, "dynalite": without}) is None
    assert differences(step, {"moto": with_item, "memory": without}) is not None


def test_scan_items_compare_as_a_multiset_and_table_query_pages_in_order() -> None:
    a, b = {"pk": {"S": "a"}}, {"pk": {"S": "b"}}
    scan = Step("Scan", {"TableName": "plain"})
    one = Outcome(pages=[[{"Items": [a, b], "Count": 2, "ScannedCount": 2}]])
    other = Outcome(
        pages=[
            [{"Items": [b], "Count": 1, "ScannedCount": 1}],
            [{"Items": [a], "Count": 1, "ScannedCount": 1}],
        ]
    )
    assert normalize(scan, one) == normalize(scan, other)
    query = Step("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :p"})
    forward = Outcome(pages=[[{"Items": [a, b], "Count": 2, "ScannedCount": 2}]])
    backward = Outcome(pages=[[{"Items": [b, a], "Count": 2, "ScannedCount": 2}]])
    assert normalize(query, forward) != normalize(query, backward)


def test_a_last_page_at_the_limit_folds_into_the_page_before() -> None:
    query = Step("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :p", "Limit": 1})
    a = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    with_empty = Outcome(
        pages=[
            [
                {"Items": [a], "Count": 1, "ScannedCount": 1, "LastEvaluatedKey": a},
                {"Items": [], "Count": 0, "ScannedCount": 0},
            ]
        ]
    )
    without = Outcome(pages=[[{"Items": [a], "Count": 1, "ScannedCount": 1}]])
    assert normalize(query, with_empty) == normalize(query, without)


def test_numbers_are_canonical_as_dynamodb_returns_them() -> None:
    assert canonical_number("1.50") == "1.5"
    assert canonical_number("01") == "1"
    assert canonical_number("1e2") == "100"
    assert canonical_number("-0") == "0"
    assert canonical_number("1E-3") == "0.001"


def test_docs_fidelity_table_lists_every_divergence() -> None:
    text = DOCS.read_text()
    section = text.split("## Fidelity: how the in-memory backend is checked", 1)[1]
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|", section, re.MULTILINE)
    listed = {(name.strip(), servers.strip(), handling.strip()) for name, servers, handling in rows}
    expected = {(d.name, ", ".join(d.servers), d.handling.value) for d in divergences.DIVERGENCES}
    assert expected <= listed
    for d in divergences.DIVERGENCES:
        assert d.source in section, d.name
