"""dynamorm.expr: compiling, validating and parsing expressions."""

from __future__ import annotations

import pickle
import re
from decimal import Decimal
from typing import Any

import pytest
from dynamorm import expr
from dynamorm.errors import ExpressionError, ValidationError
from hypothesis import given
from hypothesis import strategies as st

# What compiled text may hold: placeholders, list indexes, operators,
# parentheses, commas and the keywords/function names of DynamoDB.
WORDS = (
    "AND|OR|NOT|BETWEEN|IN|SET|REMOVE|ADD|DELETE|size|begins_with|contains|"
    "attribute_exists|attribute_not_exists|attribute_type|if_not_exists|list_append"
)
SAFE = re.compile(rf"^(?:\s+|#n\d+|:v\d+|\[\d+\]|\.|,|\(|\)|<>|<=|>=|[=<>+-]|(?:{WORDS})\b)*$")

OPS = [
    ("=", 1),
    ("!=", 1),
    ("<>", 1),
    ("<", 1),
    ("<=", 1),
    (">", 1),
    (">=", 1),
    ("BETWEEN", (1, 2)),
    ("in", [1, 2, 3]),
    ("begins_with", "x"),
    ("CONTAINS", "x"),
    ("not_contains", "x"),
    ("exists", None),
    ("NOT_EXISTS", None),
    ("attribute_type", "S"),
    ("size >", 3),
    ("SIZE =", 0),
]

names_st = st.text(min_size=1, max_size=12)


@given(name=names_st, nested=names_st, op=st.sampled_from(OPS))
def test_any_name_compiles_to_placeholders_only(name: str, nested: str, op: Any) -> None:
    symbol, value = op
    compiled = expr.compile_condition([([name, nested, 0], symbol, value)])
    assert SAFE.match(compiled.expression), compiled.expression
    assert sorted(set(compiled.names.values())) == sorted({name, nested})
    # The compiled text is itself valid with its own names and values.
    expr.validate(
        compiled.expression, names=compiled.names, values=compiled.values, kind="condition"
    )


@given(names=st.lists(names_st, min_size=1, max_size=6, unique=True))
def test_any_names_compile_in_updates_and_projections(names: list[str]) -> None:
    actions = [("set", [n], i) for i, n in enumerate(names)]
    request = expr.compile_request(
        update=actions,
        condition=[([names[0]], "exists")],
        projection=[[n] for n in names],
    )
    for text in (request.update, request.condition, request.projection):
        assert text is not None
        assert SAFE.match(text), text
    assert set(request.names.values()) == set(names)
    assert len(request.names) == len(names)  # deduplicated across the request


def test_snapshots() -> None:
    c = expr.compile_condition(
        [
            ("status", "=", "active"),
            ("address.city", "begins_with", "Ber"),
            expr.Or(("items[0].price", "between", (1, 5)), ("tags", "size >", 2)),
            ("deleted_at", "not_exists"),
            expr.Not(("role", "in", ["admin", "root"])),
        ]
    )
    assert c.expression == (
        "#n0 = :v0 AND begins_with(#n1.#n2, :v1) AND "
        "(#n3[0].#n4 BETWEEN :v2 AND :v3 OR size(#n5) > :v4) AND "
        "attribute_not_exists(#n6) AND NOT #n7 IN (:v5, :v6)"
    )
    assert c.names == {
        "#n0": "status",
        "#n1": "address",
        "#n2": "city",
        "#n3": "items",
        "#n4": "price",
        "#n5": "tags",
        "#n6": "deleted_at",
        "#n7": "role",
    }
    assert c.values == {
        ":v0": {"S": "active"},
        ":v1": {"S": "Ber"},
        ":v2": {"N": "1"},
        ":v3": {"N": "5"},
        ":v4": {"N": "2"},
        ":v5": {"S": "admin"},
        ":v6": {"S": "root"},
    }
    u = expr.compile_update(
        [
            ("set", "balance", Decimal("10.5")),
            ("increment", "logins"),
            ("decrement", "credits", 3),
            ("remove", "temp"),
            ("delete", "tags", {"old"}),
            ("set_list_element", "slots", 2, "x"),
            ("remove_from_list_at", "queue", 0),
            ("prepend_to_list", "recent", ["a"]),
            ("set_if_not_exists", "created", 1),
        ]
    )
    assert u.expression == (
        "SET #n0 = :v0, #n5[2] = :v4, #n7 = list_append(:v5, if_not_exists(#n7, :v6)), "
        "#n8 = if_not_exists(#n8, :v7) REMOVE #n3, #n6[0] ADD #n1 :v1, #n2 :v2 DELETE #n4 :v3"
    )
    assert u.values[":v2"] == {"N": "-3"}
    assert u.values[":v3"] == {"SS": ["old"]}
    assert expr.compile_projection(["a", "b.c", "b.d[2]"]).expression == "#n0, #n1.#n2, #n1.#n3[2]"
    with pytest.raises(ValidationError, match=r"paths\[2\].*overlaps paths\[1\]"):
        expr.compile_projection(["a", "b.c", "b"])
    k = expr.compile_key_condition([("pk", "=", "u#1"), ("sk", "between", ("a", "b"))])
    assert k.expression == "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"


def test_output_is_deterministic() -> None:
    clauses: list[expr.Clause] = [
        ("a", "=", 1),
        ("b", "in", [1, 2]),
        expr.Or(("c", "<", 3), ("a", ">", 0)),
    ]
    assert expr.compile_condition(clauses) == expr.compile_condition(clauses)


def test_compiled_is_a_frozen_value() -> None:
    c = expr.compile_condition([("a", "=", 1)])
    assert type(c) is expr.Compiled
    assert repr(c) == (
        "Compiled(expression='#n0 = :v0', names={'#n0': 'a'}, values={':v0': {'N': '1'}})"
    )
    same = expr.Compiled("#n0 = :v0", {"#n0": "a"}, {":v0": {"N": "1"}})
    assert c == same
    assert (c != same) is False
    assert c != expr.Compiled("#n0 = :v0", {"#n0": "b"}, {":v0": {"N": "1"}})
    as_tuple: object = ("#n0 = :v0", {"#n0": "a"}, {":v0": {"N": "1"}})
    assert c != as_tuple
    empty = expr.Compiled("#a")
    assert (empty.expression, empty.names, empty.values) == ("#a", {}, {})
    with pytest.raises(AttributeError):
        c.expression = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(c)
    assert pickle.loads(pickle.dumps(c)) == c
    match c:
        case expr.Compiled(text, names, values):
            assert (text, names, values) == (c.expression, c.names, c.values)


def test_compiled_request_is_a_frozen_value() -> None:
    r = expr.compile_request(projection=["a"], condition=[("b", "=", 1)])
    assert type(r) is expr.CompiledRequest
    assert repr(r) == (
        "CompiledRequest(key_condition=None, filter=None, condition='#n0 = :v0', update=None, "
        "projection='#n1', names={'#n0': 'b', '#n1': 'a'}, values={':v0': {'N': '1'}})"
    )
    same = expr.CompiledRequest(
        condition="#n0 = :v0",
        projection="#n1",
        names={"#n0": "b", "#n1": "a"},
        values={":v0": {"N": "1"}},
    )
    assert r == same
    assert r != expr.CompiledRequest(condition="#n0 = :v0", projection="#n1")
    assert r != expr.CompiledRequest(
        filter="#n0 = :v0", projection="#n1", names=r.names, values=r.values
    )
    params = r.to_params()
    assert params == {
        "ConditionExpression": "#n0 = :v0",
        "ProjectionExpression": "#n1",
        "ExpressionAttributeNames": {"#n0": "b", "#n1": "a"},
        "ExpressionAttributeValues": {":v0": {"N": "1"}},
    }
    assert params["ExpressionAttributeNames"] is r.names
    empty = expr.CompiledRequest()
    assert empty.to_params() == {} and empty.names == {} and empty.key_condition is None
    with pytest.raises(AttributeError):
        r.filter = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(r)) == r
    match r:
        case expr.CompiledRequest(None, None, condition, None, projection):
            assert (condition, projection) == (r.condition, r.projection)
        case _:
            pytest.fail("positional pattern did not match")


def test_every_kind_compiles_to_compiled() -> None:
    for c in (
        expr.compile_key_condition([("pk", "=", "p")]),
        expr.compile_update([("set", "a", 1)], key_attributes=["pk"]),
        expr.compile_projection(["a", "b.c"]),
    ):
        assert isinstance(c, expr.Compiled) and c.expression.startswith(("#n0", "SET"))


def test_names_are_plain_str_whatever_the_path_type() -> None:
    class Name(str):
        pass

    c = expr.compile_condition([(Name("status"), "=", 1), ("status", "<", 3), ("b.c", "=", 2)])
    assert c.names == {"#n0": "status", "#n1": "b", "#n2": "c"}
    assert all(type(name) is str for name in c.names.values())


def test_merging_with_caller_placeholders_never_collides() -> None:
    raw = expr.Raw("attribute_exists(#n0) AND #n1 = :v0", {":v0": 3}, names={"#n0": "PK"})
    c = expr.compile_condition(
        [("status", "=", "x"), raw, ("version", "<", 9)], names={"#n1": "version"}
    )
    assert c.expression == "#n2 = :v1 AND (attribute_exists(#n0) AND #n1 = :v0) AND #n3 < :v2"
    assert c.names["#n0"] == "PK" and c.names["#n1"] == "version"
    generated = {k for k in c.names if k not in ("#n0", "#n1")}
    assert {c.names[k] for k in generated} == {"status", "version"}
    assert c.values[":v0"] == {"N": "3"}
    assert len(c.values) == 3
    expr.validate(c.expression, names=c.names, values=c.values)


def test_merge_snapshot() -> None:
    raw = expr.Raw("attribute_exists(#n0) OR #n0 = :v0", {":v0": 3}, names={"#n0": "PK"})
    c = expr.compile_condition([("status", "=", "x"), raw])
    assert c.expression == "#n1 = :v1 AND (attribute_exists(#n0) OR #n0 = :v0)"
    assert c.names == {"#n1": "status", "#n0": "PK"}
    assert c.values == {":v1": {"S": "x"}, ":v0": {"N": "3"}}


def test_compile_request_shares_one_namespace() -> None:
    r = expr.compile_request(
        key_condition=[("pk", "=", "p")],
        filter=[("status", "<>", "gone")],
        projection=["status", "pk"],
    )
    assert r.key_condition == "#n0 = :v0"
    assert r.filter == "#n1 <> :v1"
    assert r.projection == "#n1, #n0"
    params = r.to_params()
    assert set(params) == {
        "KeyConditionExpression",
        "FilterExpression",
        "ProjectionExpression",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
    }
    r = expr.compile_request(
        update=expr.Raw("SET #c = #c + :one", {":one": 1}, {"#c": "count"}),
        condition=[("count", "<", 10)],
    )
    assert r.update == "SET #c = #c + :one"
    assert r.condition == "#n0 < :v0"


@pytest.mark.parametrize(
    ("clauses", "needle"),
    [
        ([("a", "=", 1), ("b", "like", 2)], 'clauses[1] (operator "like")'),
        ([("a", "between", 1)], "BETWEEN takes a 2-tuple"),
        ([("a", "between", (1, 2, 3))], "BETWEEN takes a 2-tuple"),
        ([("a", "in", [])], "IN takes an iterable of 1 to 100"),
        ([("a", "in", range(101))], "IN takes"),
        ([("a", "exists", 1)], "takes no value"),
        ([("a", "=")], "exactly one value"),
        ([("a", "attribute_type", "STRING")], "type tag"),
        ([expr.Or(("a", "=", 1), ("a..b", "=", 1))], "clauses[0][1]"),
        ([("a",)], "clauses[0]"),
        ([42], "clauses[0]"),
    ],
)
def test_bad_clauses_name_position_and_operator(clauses: list[Any], needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        expr.compile_condition(clauses)
    assert needle in str(info.value)


def test_bad_update_actions() -> None:
    with pytest.raises(ValidationError, match=r"actions\[1\].*overlaps actions\[0\]"):
        expr.compile_update([("set", "a.b", 1), ("remove", "a")])
    with pytest.raises(ValidationError, match="key attribute"):
        expr.compile_update([("set", "pk", 1)], key_attributes=["pk", "sk"])
    with pytest.raises(ValidationError, match="unknown action"):
        expr.compile_update([("frobnicate", "a", 1)])
    with pytest.raises(ValidationError, match="key condition allows only"):
        expr.compile_key_condition([("pk", "=", 1), ("sk", "contains", "x")])


@pytest.mark.parametrize(
    ("text", "kwargs", "position", "needle"),
    [
        ("a = :v AND AND b = :v", {"values": {":v": 1}}, 11, "syntax error"),
        ("a = :v AND b = :nope", {"values": {":v": 1}}, 15, ":nope"),
        ("#x = :v", {"values": {":v": 1}}, 0, "#x"),
        ("a = :v", {"values": {":v": 1, ":w": 2}}, 6, ":w"),
        ("a = :v", {"values": {":v": 1}, "names": {"#u": "u"}}, 6, "#u"),
        ("a = :v AND Status = :v", {"values": {":v": 1}}, 11, "#status"),
        ("SET a = :v, a.b = :v", {"values": {":v": 1}}, 12, "overlapping"),
        ("SET a[0] = :v REMOVE a", {"values": {":v": 1}}, 21, "overlapping"),
        ("SET a = :v, a = :v", {"values": {":v": 1}}, 12, "overlapping"),
        (
            "SET #k = :v",
            {"values": {":v": 1}, "names": {"#k": "pk"}, "key_attributes": ["pk"]},
            4,
            "key attribute 'pk'",
        ),
        ("pk = :v OR sk = :v", {"values": {":v": 1}, "kind": "key_condition"}, 0, "OR"),
    ],
)
def test_validate_failures(text: str, kwargs: dict[str, Any], position: int, needle: str) -> None:
    with pytest.raises(ExpressionError) as info:
        expr.validate(text, **kwargs)
    assert info.value.position == position
    assert needle in str(info.value)
    assert isinstance(info.value, ValidationError)


def test_validate_accepts_every_kind() -> None:
    expr.validate(
        "attribute_exists(#pk) AND #v = :v", names={"#pk": "PK", "#v": "v"}, values={":v": 1}
    )
    expr.validate(
        "pk = :p AND begins_with(sk, :s)", values={":p": 1, ":s": 2}, kind="key_condition"
    )
    expr.validate("SET a = if_not_exists(a, :z) + :one REMOVE b", values={":z": 0, ":one": 1})
    expr.validate("a, b.c[1], #d", names={"#d": "d"}, kind="projection")
    with pytest.raises(ValidationError, match="kind must be"):
        expr.validate("a", kind="select")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "without"),
    [
        ("(#a) = :v", "#a = :v"),
        ("#a = (:v)", "#a = :v"),
        ("((#a) < :v)", "#a < :v"),
        ("(size(#a)) > :v", "size(#a) > :v"),
        ("(#a) BETWEEN (:v) AND (:w)", "#a BETWEEN :v AND :w"),
        (
            "(#a) IN ((:v), :w) AND begins_with((#a), (:v))",
            "#a IN (:v, :w) AND begins_with(#a, :v)",
        ),
        ("NOT (#a) = :v OR ((#a) <> :w)", "NOT #a = :v OR #a <> :w"),
        ("SET #a = (:v)", "SET #a = :v"),
        ("SET #a = (#a + :v), #b = (#b) - (:w)", "SET #a = #a + :v, #b = #b - :w"),
        ("SET #a = list_append((#a), :v), #b = if_not_exists((#b), (:w))", None),
    ],
)
def test_parenthesised_operands_parse_and_validate_as_without_them(
    text: str, without: str | None
) -> None:
    names = {"#a": "a", "#b": "b"} if "#b" in text else {"#a": "a"}
    values = {":v": 1, ":w": 2} if ":w" in text else {":v": 1}
    expr.validate(text, names=names, values=values)
    if without is not None:
        assert strip_spans(expr.parse(text)) == strip_spans(expr.parse(without))


def strip_spans(tree: Any) -> Any:
    """A parse tree without its positions."""
    if isinstance(tree, dict):
        return {k: strip_spans(v) for k, v in tree.items() if k != "span"}
    if isinstance(tree, list):
        return [strip_spans(v) for v in tree]
    return tree


def test_raw_parts_with_parenthesised_operands_compile_without_the_parentheses() -> None:
    compiled = expr.compile_condition(
        [
            ("status", "=", "on"),
            expr.Raw("((#a)) < (:v) OR (size(#a)) = :z", {":v": 1, ":z": 0}, {"#a": "a"}),
        ]
    )
    assert compiled.expression == "#n0 = :v0 AND (#a < :v OR size(#a) = :z)"
    update = expr.compile_update(expr.Raw("SET #a = (#a + :one)", {":one": 1}, {"#a": "a"}))
    assert update.expression == "SET #a = #a + :one"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        # A SET value takes one + or -, in parentheses or not.
        ("SET #a = (#a + :v) - :v", 19),
        ("SET #a = #a + (:v - :v)", 18),
        ("(#a = :v", 8),
        ("(#a) AND #a = :v", 5),
    ],
)
def test_parenthesised_operands_do_not_widen_the_grammar(text: str, position: int) -> None:
    with pytest.raises(ExpressionError) as info:
        expr.validate(text, names={"#a": "a"}, values={":v": 1})
    assert info.value.position == position


def test_raw_clause_is_validated_before_merging() -> None:
    with pytest.raises(ExpressionError) as info:
        expr.compile_condition([("a", "=", 1), expr.Raw("#pk = :v", {":v": 1})])
    assert info.value.position == 0
    with pytest.raises(ExpressionError, match=":unused"):
        expr.compile_condition([expr.Raw("x = :v", {":v": 1, ":unused": 2})])


def test_parse_returns_plain_data_with_spans() -> None:
    tree = expr.parse("NOT size(#a) > :b", kind="condition")
    cond = tree["condition"]
    assert cond["type"] == "not" and cond["span"] == (0, 17)
    inner = cond["operand"]
    assert inner["type"] == "compare" and inner["op"] == ">"
    assert inner["left"]["type"] == "size"
    assert inner["left"]["path"]["elements"][0] == {
        "type": "name_placeholder",
        "span": (9, 11),
        "text": "#a",
    }
    update = expr.parse("set a[1] = :v")
    assert update["type"] == "update" and update["clauses"][0]["type"] == "set"
    assert expr.parse("a, b")["type"] == "projection"
    with pytest.raises(ExpressionError) as info:
        expr.parse("a = ")
    assert info.value.position == 4


@given(st.text(max_size=40))
def test_parse_and_validate_never_crash(text: str) -> None:
    for kind in (None, "condition", "key_condition", "update", "projection"):
        try:
            expr.parse(text, kind)
        except ExpressionError as error:
            assert error.position is not None
            assert 0 <= error.position <= len(text.encode())
    # validate() on the same text: an ExpressionError (any other exception
    # fails the test), or nothing for an expression that needs no placeholders.
    try:
        expr.validate(text)
    except ExpressionError as error:
        assert error.position is None or 0 <= error.position <= len(text.encode())


def test_reserved_words() -> None:
    assert len(expr.RESERVED_WORDS) == 573
    assert "STATUS" in expr.RESERVED_WORDS
    assert expr.is_reserved("status") and expr.is_reserved("Name")
    assert not expr.is_reserved("pk") and not expr.is_reserved("")
    assert all(expr.is_reserved(w.lower()) for w in expr.RESERVED_WORDS)
