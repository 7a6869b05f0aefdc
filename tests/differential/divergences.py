"""Every known way a server the suite runs differs from DynamoDB, once.

Each ``Divergence`` says what differs, on which servers, where DynamoDB's
behaviour is written down (or the server's own record of the gap), and how
the suite deals with it:

- ``NORMALIZED``: ``normalize`` removes the difference from every outcome
  (the spelling of numbers, the folded last page);
- ``EXCLUDED``: on a step it ``applies`` to, the server's outcome is left
  out of that step's comparison. Only answers that change nothing are
  excluded; the tables' contents are still compared after every write;
- ``NOT_GENERATED``: the generators never send it (it would leave the
  servers' tables different, hiding every later comparison).

``docs/testing.md``'s Fidelity section lists the same table
(``test_harness.py`` checks that it does).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.differential import tables as tb
from tests.differential.steps import Outcome, Step


class Handling(enum.Enum):
    """How the suite deals with a divergence."""

    NORMALIZED = "normalized"
    EXCLUDED = "excluded"
    NOT_GENERATED = "not generated"


@dataclass(frozen=True)
class Divergence:
    """One known difference of ``servers`` from DynamoDB."""

    name: str
    servers: tuple[str, ...]
    what: str
    source: str
    handling: Handling
    applies: Callable[[Step, Outcome], bool] | None = None
    """For ``EXCLUDED``: whether a server's outcome of a step is this."""


DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest"
NUMBERS = f"{DOCS}/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number"
DATA_TYPES = f"{DOCS}/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes"
COMPARISONS = f"{DOCS}/developerguide/Expressions.OperatorsAndFunctions.html"


def _asks_old_on_failure(step: Step, outcome: Outcome) -> bool:
    return (
        outcome.error == "ConditionalCheckFailedException"
        and step.request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
    )


def _internal_error_on_condition(step: Step, outcome: Outcome) -> bool:
    return outcome.error == "500" and "FilterExpression" in step.request


def _internal_error_on_binary_segments(step: Step, outcome: Outcome) -> bool:
    table = tb.BY_NAME[step.request.get("TableName", "plain")]
    return (
        outcome.error == "500"
        and step.operation == "Scan"
        and "TotalSegments" in step.request
        and table.types[table.hash] == "B"
    )


def _prefix_of_a_number(step: Step, outcome: Outcome) -> bool:
    if step.operation != "Query" or outcome.error == "ValidationException":
        return False
    if "begins_with" not in step.request["KeyConditionExpression"]:
        return False
    table = tb.BY_NAME[step.request["TableName"]]
    index = step.request.get("IndexName")
    range_ = table.range if index is None else table.index(index).range
    return range_ is not None and table.types[range_] == "N"


def _all_attributes_of_lsi(step: Step, outcome: Outcome) -> bool:
    if step.request.get("Select") != "ALL_ATTRIBUTES" or "IndexName" not in step.request:
        return False
    table = tb.BY_NAME[step.request["TableName"]]
    return table.index(step.request["IndexName"]).local and outcome.error is None


def _consistent_gsi_scan(step: Step, outcome: Outcome) -> bool:
    if step.operation != "Scan" or not step.request.get("ConsistentRead"):
        return False
    index = step.request.get("IndexName")
    table = tb.BY_NAME[step.request["TableName"]]
    return index is not None and not table.index(index).local and outcome.error is None


def _projected_without_index(step: Step, outcome: Outcome) -> bool:
    return (
        step.request.get("Select") == "ALL_PROJECTED_ATTRIBUTES"
        and "IndexName" not in step.request
        and outcome.error is None
    )


def _filter_on_key(step: Step, outcome: Outcome) -> bool:
    if step.operation != "Query" or outcome.error is not None:
        return False
    table = tb.BY_NAME[step.request["TableName"]]
    names = step.request.get("ExpressionAttributeNames", {})
    filter_ = step.request.get("FilterExpression", "")
    return any(names.get(p) in table.key_names for p in names if p in filter_)


def _indexed_projection(step: Step, outcome: Outcome) -> bool:
    bodies = [step.request, *step.request.get("RequestItems", {}).values()]
    bodies += [body for action in step.request.get("TransactItems", []) for body in action.values()]
    return outcome.error == "ValidationException" and any(
        "]" in body.get("ProjectionExpression", "") for body in bodies
    )


def _keys_among_updated(step: Step, outcome: Outcome) -> bool:
    if step.operation != "UpdateItem" or outcome.response is None:
        return False
    if step.request.get("ReturnValues") not in ("UPDATED_NEW", "UPDATED_OLD"):
        return False
    table = tb.BY_NAME[step.request["TableName"]]
    return any(name in table.key_names for name in outcome.response.get("Attributes", {}))


def _size_in_filter(step: Step, outcome: Outcome) -> bool:
    return outcome.error is None and "size(" in step.request.get("FilterExpression", "")


def _wrong_key(table: tb.Table, key: dict[str, Any]) -> bool:
    return set(key) == set(table.key_names) and any(
        next(iter(value)) != table.types[name] for name, value in key.items()
    )


def _answered_wrong_key(step: Step, outcome: Outcome) -> bool:
    if outcome.error == "ValidationException":
        return False
    if step.operation in ("GetItem", "DeleteItem", "UpdateItem"):
        return _wrong_key(tb.BY_NAME[step.request["TableName"]], step.request["Key"])
    if step.operation == "BatchGetItem":
        return any(
            _wrong_key(tb.BY_NAME[name], key)
            for name, entry in step.request["RequestItems"].items()
            for key in entry["Keys"]
        )
    return False


N, E, G = Handling.NORMALIZED, Handling.EXCLUDED, Handling.NOT_GENERATED

NUMBERS_AS_SENT = Divergence(
    "numbers as sent",
    ("moto",),
    "Returns numbers as they were written (`1.50`, `01`, `1e2`, `-0`); DynamoDB "
    "returns them normalized (`1.5`, `1`, `100`, `0`), without an exponent",
    NUMBERS,
    N,
)
LIMIT_LAST_PAGE = Divergence(
    "last page at the limit",
    ("moto",),
    "When the page that reaches `Limit` holds the last items, leaves out "
    "`LastEvaluatedKey`; DynamoDB returns it, and the next page is empty",
    f"{DOCS}/APIReference/API_Query.html#DDB-Query-response-LastEvaluatedKey",
    N,
)
CAPACITY_UNASKED = Divergence(
    "capacity not asked for",
    ("moto",),
    "Returns `ConsumedCapacity` (and an empty `ItemCollectionMetrics`) on writes "
    "and batches that did not ask for them; DynamoDB's default is `NONE`",
    f"{DOCS}/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnConsumedCapacity",
    N,
)

DIVERGENCES: tuple[Divergence, ...] = (
    NUMBERS_AS_SENT,
    LIMIT_LAST_PAGE,
    CAPACITY_UNASKED,
    Divergence(
        "old item on a failed condition",
        ("dynalite",),
        "Ignores `ReturnValuesOnConditionCheckFailure=ALL_OLD`: a failed condition "
        "comes back without the item",
        f"{DOCS}/APIReference/API_PutItem.html"
        "#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure",
        E,
        _asks_old_on_failure,
    ),
    Divergence(
        "internal error on comparisons",
        ("moto",),
        "Answers HTTP 500 to a filter that orders values of different types "
        "(`s < :number`) or takes `size()` of a number, boolean or absent attribute; "
        "DynamoDB evaluates such a comparison to false",
        COMPARISONS,
        E,
        _internal_error_on_condition,
    ),
    Divergence(
        "size of an empty value",
        ("dynalite",),
        "`size()` of an empty string or binary does not compare as 0 (a filter "
        "`size(a) < :one` leaves out an item whose `a` is empty); the comparison "
        "leaves out dynalite's answer to every filter with `size()`",
        COMPARISONS,
        E,
        _size_in_filter,
    ),
    Divergence(
        "internal error on conditions",
        ("moto",),
        "The same HTTP 500 on a write's condition (where `NOT` or `OR` would make "
        "DynamoDB write): write conditions order only numbers against numbers and "
        "take no `size()`",
        COMPARISONS,
        G,
    ),
    Divergence(
        "internal error on binary segments",
        ("moto",),
        "Answers HTTP 500 to a parallel Scan (`TotalSegments`) of a table whose "
        "partition key is binary",
        f"{DOCS}/developerguide/Scan.html#Scan.ParallelScan",
        E,
        _internal_error_on_binary_segments,
    ),
    Divergence(
        "begins_with of a number key",
        ("moto",),
        "Answers a key condition `begins_with` on a number sort key (no items, or "
        "HTTP 500 when the partition has items); DynamoDB refuses it "
        "(ValidationException: begins_with takes strings and binaries)",
        f"{DOCS}/developerguide/Query.KeyConditionExpressions.html",
        E,
        _prefix_of_a_number,
    ),
    Divergence(
        "local index fetches",
        ("moto",),
        "A Query or Scan of a local secondary index with `Select=ALL_ATTRIBUTES` "
        "returns only the projected attributes; DynamoDB fetches the others from the table",
        f"{DOCS}/developerguide/LSI.html#LSI.Projections",
        E,
        _all_attributes_of_lsi,
    ),
    Divergence(
        "consistent scan of a global index",
        ("dynalite",),
        "Accepts `ConsistentRead=true` on a Scan of a global secondary index; "
        "DynamoDB refuses it (ValidationException)",
        f"{DOCS}/APIReference/API_Scan.html#DDB-Scan-request-ConsistentRead",
        E,
        _consistent_gsi_scan,
    ),
    Divergence(
        "projected attributes without an index",
        ("dynalite",),
        "Accepts `Select=ALL_PROJECTED_ATTRIBUTES` on a table (no `IndexName`); "
        "DynamoDB refuses it (ValidationException)",
        f"{DOCS}/APIReference/API_Query.html#DDB-Query-request-Select",
        E,
        _projected_without_index,
    ),
    Divergence(
        "filter on a key attribute",
        ("moto",),
        "Accepts a Query `FilterExpression` on the partition or sort key; DynamoDB "
        "refuses it (ValidationException)",
        f"{DOCS}/developerguide/Query.FilterExpression.html",
        E,
        _filter_on_key,
    ),
    Divergence(
        "key of the wrong type",
        ("moto",),
        "GetItem, DeleteItem and BatchGetItem with a key attribute of the wrong type "
        "are answered as if no item had the key, and a conditional UpdateItem's "
        "condition is evaluated first; DynamoDB refuses them (ValidationException: "
        "the key does not match the schema)",
        f"{DOCS}/APIReference/API_GetItem.html#DDB-GetItem-request-Key",
        E,
        _answered_wrong_key,
    ),
    Divergence(
        "list elements in a projection",
        ("moto",),
        "Refuses a Query, Scan or BatchGetItem whose `ProjectionExpression` indexes a "
        "list through a name placeholder (`#n0[1]`), saying the placeholder is unused",
        f"{DOCS}/developerguide/Expressions.ProjectionExpressions.html",
        E,
        _indexed_projection,
    ),
    Divergence(
        "keys among updated attributes",
        ("moto",),
        "`ReturnValues=UPDATED_NEW` / `UPDATED_OLD` of an update that creates the item "
        "returns its key attributes; DynamoDB returns only the attributes the update "
        "changed",
        f"{DOCS}/APIReference/API_UpdateItem.html#DDB-UpdateItem-request-ReturnValues",
        E,
        _keys_among_updated,
    ),
    Divergence(
        "absent attributes equal null",
        ("moto",),
        "Evaluates `a = :null` (and `IN` with a null) as true when `a` is absent; "
        "DynamoDB compares only values that are there",
        COMPARISONS,
        G,
    ),
    Divergence(
        "begins_with of a number",
        ("moto",),
        "Evaluates a condition's `begins_with(a, :number)`; DynamoDB refuses it "
        "(ValidationException: begins_with takes strings and binaries)",
        COMPARISONS,
        G,
    ),
    Divergence(
        "numbers out of range",
        ("moto",),
        "Stores numbers of more than 38 significant digits or of magnitude above "
        "9.9999999999999999999999999999999999999E+125; DynamoDB refuses them",
        NUMBERS,
        G,
    ),
    Divergence(
        "arithmetic beyond 38 digits",
        ("moto", "dynalite"),
        "`SET n = n + :v` / `ADD` whose result needs more than 38 digits: moto rounds "
        "it, dynalite stores every digit; DynamoDB refuses it",
        NUMBERS,
        G,
    ),
    Divergence(
        "duplicate set members",
        ("moto",),
        "Stores sets with duplicate members (`SS [a, a]`, `NS [1, 1.0]`); DynamoDB "
        "refuses them (ValidationException)",
        f"{DATA_TYPES}.SetTypes",
        G,
    ),
    Divergence(
        "duplicate keys in a batch",
        ("moto",),
        "Applies a BatchWriteItem that puts and deletes the same key, and answers a "
        "BatchGetItem of keys equal as numbers (`1`, `1.0`); DynamoDB refuses both",
        f"{DOCS}/APIReference/API_BatchWriteItem.html",
        G,
    ),
    Divergence(
        "index key of the wrong type",
        ("moto",),
        "Stores an item whose index key attribute has the wrong type (the item is "
        "left out of the index); DynamoDB refuses it (ValidationException)",
        f"{DOCS}/developerguide/GSI.html#GSI.Writes",
        G,
    ),
    Divergence(
        "precision of number sets",
        ("dynalite",),
        "Rounds the members of a number set to doubles (38-digit members collapse "
        "into one); DynamoDB keeps 38 digits in sets as in numbers",
        f"{DATA_TYPES}.SetTypes",
        G,
    ),
    Divergence(
        "empty index keys",
        ("moto", "dynalite"),
        "Store an item whose index key attribute is an empty string or binary; "
        "DynamoDB refuses it (a key attribute of a table or index cannot be empty)",
        DATA_TYPES,
        G,
    ),
    Divergence(
        "equality of lists and maps",
        ("dynalite",),
        "`=` between two lists or two maps is never true (and `<>` always); DynamoDB "
        "compares them element by element",
        COMPARISONS,
        G,
    ),
    Divergence(
        "BETWEEN bounds",
        ("moto",),
        "Evaluates `BETWEEN` with bounds of different types, and a key condition's "
        "`BETWEEN` with the lower bound above the upper (no items); DynamoDB refuses "
        "both (ValidationException)",
        COMPARISONS,
        G,
    ),
    Divergence(
        "overlapping projection paths",
        ("moto",),
        "Accepts a `ProjectionExpression` naming a path and a path inside it "
        "(`li, li[0]`); DynamoDB refuses it (ValidationException)",
        f"{DOCS}/developerguide/Expressions.ProjectionExpressions.html",
        G,
    ),
    Divergence(
        "transactions",
        ("dynalite",),
        "Has no TransactWriteItems or TransactGetItems (UnknownOperationException): "
        "the suite sends transactions only to implementations that have them",
        "https://github.com/architect/dynalite#readme",
        G,
    ),
)
"""Every known divergence, in the order ``docs/testing.md`` lists them."""

SAME_MESSAGES = frozenset({"ConditionalCheckFailedException", "ResourceNotFoundException"})
"""Error codes whose messages the servers agree on (DynamoDB's wording), so
compared; every other error is compared by its code alone."""


def excluded(server: str, step: Step, outcome: Outcome) -> Divergence | None:
    """The ``EXCLUDED`` divergence ``server``'s ``outcome`` of ``step`` is, if any."""
    for divergence in DIVERGENCES:
        if (
            divergence.handling is Handling.EXCLUDED
            and server in divergence.servers
            and divergence.applies is not None
            and divergence.applies(step, outcome)
        ):
            return divergence
    return None
