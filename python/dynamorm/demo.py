"""``python -m dynamorm demo``: a guided walk that checks each step.

It runs against an embedded local server (moto, 127.0.0.1, random port) unless
an endpoint or AWS is given, creates its own uniquely named table, and deletes
it at the end. It exits non-zero if any check fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from dynamorm import errors, expr, marshal
from dynamorm.batch_keys import KeyPlan
from dynamorm.cursor import decode_cursor, encode_cursor

__all__ = ["run_demo"]


class Checks:
    """Prints each step and check; remembers failures."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def step(self, title: str) -> None:
        print(f"\n== {title}")

    def say(self, text: str) -> None:
        print(f"   {text}")

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        mark = "ok  " if ok else "FAIL"
        print(f"   [{mark}] {what}" + (f" ({detail})" if detail and not ok else ""))
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)


@contextmanager
def _endpoint(endpoint: str | None, use_aws: bool) -> Iterator[str | None]:
    if endpoint or use_aws:
        yield endpoint
        return
    from dynamorm.local import LocalServer

    with LocalServer() as server:
        print(f"Started an embedded local server at {server.endpoint_url}")
        yield server.endpoint_url


def _client(endpoint: str | None, use_aws: bool, region: str) -> Any:
    import boto3

    if use_aws:
        return boto3.client("dynamodb", region_name=region)
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
    )


def run_demo(endpoint: str | None = None, use_aws: bool = False, region: str = "us-east-1") -> int:
    """Runs the demo; returns the process exit code."""
    checks = Checks()
    with _endpoint(endpoint, use_aws) as url:
        client = _client(url, use_aws, region)
        table = f"dynamorm-demo-{uuid.uuid4().hex[:10]}"
        _create_table(client, table)
        print(f"Created table {table}")
        try:
            for part in _PARTS:
                part(checks, client, table)
        finally:
            client.delete_table(TableName=table)
            print(f"\nDeleted table {table}")
    print(f"\n{checks.passed} checks passed, {len(checks.failed)} failed")
    for what in checks.failed:
        print(f"  failed: {what}")
    return 1 if checks.failed else 0


def _create_table(client: Any, table: str) -> None:
    client.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(
        TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )


def _marshal(checks: Checks, client: Any, table: str) -> None:
    checks.step("Marshaling: Python values to DynamoDB JSON and back, in Rust")
    item = {
        "PK": "USER#1",
        "SK": "PROFILE",
        "name": "Ada",
        "visits": 12345678901234567890,
        "balance": Decimal("10.25"),
        "avatar": b"\x89PNG",
        "tags": {"admin", "beta"},
        "profile": {"city": "London", "langs": ["en", "fr"], "age": 36},
        "status": "pending",
    }
    wire = marshal.serialize_item(item)
    checks.say(f"visits -> {wire['visits']}, tags -> {wire['tags']}")
    client.put_item(TableName=table, Item=wire)
    got = client.get_item(TableName=table, Key={"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}})
    back = marshal.deserialize_item(got["Item"])
    checks.check("the item read back equals the item written", back == item)
    checks.check("integers come back as int", type(back["visits"]) is int)
    checks.check("nested integers come back as int", type(back["profile"]["age"]) is int)
    checks.check("binary comes back as bytes", back["avatar"] == b"\x89PNG")
    ratio = marshal.serialize(0.1)
    checks.check("a float is written with its shortest repr", ratio == {"N": "0.1"}, str(ratio))
    try:
        marshal.serialize({"bad": float("nan")})
        checks.check("NaN is refused before sending", False)
    except errors.ValidationError as exc:
        checks.say(f"refused: {exc}")
        checks.check("NaN is refused before sending", True)


def _conditional_create(checks: Checks, client: Any, table: str) -> None:
    checks.step("Conditional create: insert only if absent")
    cond = expr.compile_condition([("PK", "not_exists")])
    checks.say(f"ConditionExpression {cond.expression!r} names {cond.names}")
    item = marshal.serialize_item({"PK": "USER#2", "SK": "PROFILE", "name": "Grace"})
    params = {
        "TableName": table,
        "Item": item,
        "ConditionExpression": cond.expression,
        "ExpressionAttributeNames": cond.names,
    }
    client.put_item(**params)
    checks.check("the first create succeeds", True)
    try:
        client.put_item(**params)
        checks.check("the duplicate create is refused", False)
    except client.exceptions.ConditionalCheckFailedException:
        checks.check("the duplicate create is refused", True)


def _guarded_update(checks: Checks, client: Any, table: str) -> None:
    checks.step("Guarded update: one request, update + condition in one namespace")
    req = expr.compile_request(
        update=[("set", "status", "active"), ("increment", "logins")],
        condition=[("status", "=", "pending")],
        key_attributes=["PK", "SK"],
    )
    checks.say(f"UpdateExpression {req.update!r}")
    checks.say(f"ConditionExpression {req.condition!r}")
    key = {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}
    client.update_item(TableName=table, Key=key, **req.to_params())
    after = marshal.deserialize_item(client.get_item(TableName=table, Key=key)["Item"])
    checks.check("status is now active", after["status"] == "active")
    checks.check("logins was created at 1", after.get("logins") == 1)
    try:
        client.update_item(TableName=table, Key=key, **req.to_params())
        checks.check("the same update is refused once status changed", False)
    except client.exceptions.ConditionalCheckFailedException:
        checks.check("the same update is refused once status changed", True)
    try:
        expr.compile_update([("set", "PK", "x")], key_attributes=["PK", "SK"])
        checks.check("updating a key attribute is refused before sending", False)
    except errors.ValidationError as exc:
        checks.say(f"refused: {exc}")
        checks.check("updating a key attribute is refused before sending", True)


def _raw_expressions(checks: Checks, client: Any, table: str) -> None:
    checks.step("Raw expressions are parsed before anything is sent")
    for text, names, values in [
        ("attribute_exists(status)", None, None),
        ("#s = :v AND", {"#s": "status"}, {":v": "x"}),
        ("#s = :v", {"#s": "status"}, {":v": "x", ":unused": 1}),
    ]:
        try:
            expr.validate(text, names=names, values=values)
            checks.check(f"{text!r} is refused", False)
        except errors.ExpressionError as exc:
            checks.say(f"{text!r}: {exc} (position {exc.position})")
            checks.check(f"{text!r} is refused", True)


def _pagination(checks: Checks, client: Any, table: str) -> None:
    checks.step("Paginated query with cursors that other services can read")
    for i in range(25):
        client.put_item(
            TableName=table,
            Item=marshal.serialize_item({"PK": "ORDERS#1", "SK": f"ORDER#{i:03d}", "n": i}),
        )
    key_cond = expr.compile_key_condition(
        [("PK", "=", "ORDERS#1"), ("SK", "begins_with", "ORDER#")]
    )
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": key_cond.expression,
            "ExpressionAttributeNames": key_cond.names,
            "ExpressionAttributeValues": key_cond.values,
            "Limit": 10,
        }
        if cursor is not None:
            params["ExclusiveStartKey"] = decode_cursor(cursor).last_key
        page = client.query(**params)
        pages += 1
        seen.extend(marshal.deserialize_item(it)["n"] for it in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        cursor = encode_cursor(page["LastEvaluatedKey"], sort="ASC")
        checks.say(f"page {pages}: {len(page['Items'])} items, next cursor {cursor[:32]}...")
    checks.check("all 25 items came back in order across pages", seen == list(range(25)))
    checks.check("it took at least 3 pages", pages >= 3, f"{pages} pages")
    try:
        decode_cursor(cursor[:-5] + "!!!!!" if cursor else "garbage")
        checks.check("a tampered cursor is refused", False)
    except errors.ValidationError:
        checks.check("a tampered cursor is refused", True)


def _batch_keys(checks: Checks, client: Any, table: str) -> None:
    checks.step("Batch keys: deduped, chunked and put back in input order by the core")
    wanted = [("ORDERS#1", f"ORDER#{i:03d}") for i in (7, 3, 7, 99, 12, 3)]
    plan = KeyPlan(["PK", "SK"], chunk_size=2)
    chunks = plan.add_keys(
        [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in wanted]  # 6 keys, 4 unique
    )
    checks.say(f"{len(wanted)} keys -> {plan.unique_count} unique -> {len(chunks)} chunks")
    checks.check("duplicates removed before sending", plan.unique_count == 4)
    for chunk in chunks:
        resp = client.batch_get_item(RequestItems={table: {"Keys": chunk}})
        plan.add_items(resp["Responses"][table])
    got = [marshal.deserialize_item(it)["n"] for it in plan.ordered_items()]
    checks.check("items in input order, missing key skipped", got == [7, 3, 12], str(got))
    checks.check("the missing key is reported", len(plan.missing_keys()) == 1)


_PARTS: list[Callable[[Checks, Any, str], None]] = [
    _marshal,
    _conditional_create,
    _guarded_update,
    _raw_expressions,
    _pagination,
    _batch_keys,
]
