"""DynamoDB's expression grammar (``tests/data/expr_corpus.json``) sent to a
second witness: dynalite, whose parser is modelled on DynamoDB's and answers
with DynamoDB's messages. Every entry goes through raw boto3, placeholders
filled: an expression DynamoDB accepts is accepted, one it refuses is refused
with DynamoDB's reason. Entries the corpus marks as a known difference of
dynalite's are checked to still differ. And what dynamorm sends for a text
given as a raw expression (printed anew: redundant parentheses dropped) is
accepted, for every text the library takes.

The test starts its own dynalite (whatever server the session runs on): moto
is no witness here, it refuses some forms DynamoDB accepts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamorm import expr
from dynamorm.expr import Raw
from dynamorm.marshal import deserialize_item

from tests._support.expr_corpus import ENTRIES, KEY_ATTRIBUTES, entry_id, placeholders
from tests._support.servers import STARTERS, running
from tests.conftest import client_for

TABLE = "expr-corpus"
KEY = {"pk": {"S": "x"}, "sk": {"S": "x"}}
# The table stays empty, so no expression is ever evaluated (dynalite's
# evaluator, unlike its parser, crashes on some forms), and each update goes
# with a condition that fails: the server parses both expressions before it
# evaluates either, so ConditionalCheckFailed means it accepted the update.
NEVER = "attribute_exists(pk)"
REDUNDANT = "The expression has redundant parentheses;"
# Each kind: the compile_request slot and the request parameter it fills.
SLOTS = {
    "condition": ("filter", "FilterExpression"),
    "key_condition": ("key_condition", "KeyConditionExpression"),
    "update": ("update", "UpdateExpression"),
    "projection": ("projection", "ProjectionExpression"),
}


@pytest.fixture(scope="module")
def dynalite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A boto3 client on a dynalite of this module's own, with the (empty)
    corpus table, keyed ``pk``/``sk`` (strings)."""
    log_dir = Path(tmp_path_factory.mktemp("dynalite-corpus"))
    with running(STARTERS["dynalite"](log_dir)) as server:
        client = client_for(server.endpoint)
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        # dynalite answers ResourceNotFoundException until the table is ACTIVE.
        deadline = time.monotonic() + 30
        while client.describe_table(TableName=TABLE)["Table"]["TableStatus"] != "ACTIVE":
            assert time.monotonic() < deadline, "the corpus table never became ACTIVE"
            time.sleep(0.05)
        yield client


def typed_values(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's values in DynamoDB JSON: the string ``"x"`` unless it says
    otherwise (any string works; the table is empty)."""
    _, plain = placeholders(entry)
    return {p: entry.get("values", {}).get(p, {"S": "x"}) for p in plain}


def raw_params(entry: dict[str, Any]) -> dict[str, Any]:
    """The request parameters for the entry's text as written."""
    names, _ = placeholders(entry)
    values = typed_values(entry)
    params: dict[str, Any] = {SLOTS[entry["kind"]][1]: entry["text"]}
    if names:
        params["ExpressionAttributeNames"] = names
    # GetItem takes no values (a projection holding one is a syntax error).
    if values and entry["kind"] != "projection":
        params["ExpressionAttributeValues"] = values
    return params


def compiled_params(entry: dict[str, Any]) -> dict[str, Any]:
    """The request parameters dynamorm writes for the entry's text given as a
    raw expression: the text as the library prints it anew."""
    names, _ = placeholders(entry)
    values = dict(deserialize_item(typed_values(entry)))
    raw = Raw(entry["text"], values=values or None, names=names or None)
    slot: dict[str, Any] = {SLOTS[entry["kind"]][0]: raw}
    compiled = expr.compile_request(key_attributes=KEY_ATTRIBUTES, **slot)
    return dict(compiled.to_params())


def send(client: Any, kind: str, params: dict[str, Any]) -> str | None:
    """Sends one request; ``None`` if the server accepted its expression, else
    the message of its ValidationException."""
    try:
        match kind:
            case "condition":
                client.scan(TableName=TABLE, **params)
            case "key_condition":
                client.query(TableName=TABLE, **params)
            case "projection":
                client.get_item(TableName=TABLE, Key=KEY, **params)
            case "update":
                client.update_item(TableName=TABLE, Key=KEY, ConditionExpression=NEVER, **params)
                raise AssertionError(f"{params}: the update was applied despite {NEVER!r}")
            case other:
                raise AssertionError(f"unknown kind {other!r}")
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if kind == "update" and code == "ConditionalCheckFailedException":
            return None
        assert code == "ValidationException", error
        return str(error.response["Error"]["Message"])
    return None


def witnessed(known_difference: bool) -> list[Any]:
    return [
        pytest.param(e, id=entry_id(e)) for e in ENTRIES if ("dynalite" in e) is known_difference
    ]


@pytest.mark.parametrize("entry", witnessed(False))
def test_dynalite_judges_each_expression_as_dynamodb_does(
    dynalite: Any, entry: dict[str, Any]
) -> None:
    refusal = send(dynalite, entry["kind"], raw_params(entry))
    if entry["accepted"]:
        assert refusal is None, f"{entry['text']!r} refused: {refusal}"
    else:
        assert refusal is not None, f"{entry['text']!r} accepted; DynamoDB: {entry['reason']}"
        assert entry["reason"] in refusal


@pytest.mark.parametrize("entry", witnessed(True))
def test_dynalite_still_differs_where_the_corpus_says_it_does(
    dynalite: Any, entry: dict[str, Any]
) -> None:
    refusal = send(dynalite, entry["kind"], raw_params(entry))
    if entry["accepted"]:
        assert refusal is not None, entry["dynalite"]
    else:
        assert refusal is None or entry["reason"] not in refusal, entry["dynalite"]


def printed_anew() -> list[Any]:
    """Entries dynamorm takes as raw expressions of its own requests: those
    DynamoDB accepts (where dynalite does too) and those DynamoDB refuses only
    for redundant parentheses, which the library's printing drops."""
    return [
        pytest.param(e, id=entry_id(e))
        for e in ENTRIES
        if (e["accepted"] and "dynalite" not in e)
        or (not e["accepted"] and e["stage"] == "validate" and e["reason"] == REDUNDANT)
    ]


@pytest.mark.parametrize("entry", printed_anew())
def test_what_dynamorm_sends_for_a_raw_expression_is_accepted(
    dynalite: Any, entry: dict[str, Any]
) -> None:
    params = compiled_params(entry)
    refusal = send(dynalite, entry["kind"], params)
    assert refusal is None, f"{entry['text']!r} sent as {params}: {refusal}"
