//! Tests of condition evaluation.
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::memory::eval::testing::{condition, item, Request};

fn holds_for(text: &str, it: Value, values: Value) -> ApiResult<bool> {
    let request = Request::new(json!({"#n": "name"}), values);
    evaluate(&condition(text), &item(it), &request.env())
}

fn check(text: &str, it: Value, values: Value) -> bool {
    holds_for(text, it, values).unwrap()
}

#[test]
fn comparisons_hold_only_between_values_of_one_type() {
    let it = json!({"n": {"N": "10"}, "s": {"S": "B"}, "b": {"B": "AQI="}});
    let v = json!({":nine": {"N": "9.0"}, ":ten": {"N": "1E1"}, ":a": {"S": "a"},
                   ":s10": {"S": "10"}, ":b": {"B": "AQE="}});
    assert!(check("n > :nine", it.clone(), v.clone()));
    assert!(check("n = :ten", it.clone(), v.clone()));
    assert!(
        check("s < :a", it.clone(), v.clone()),
        "S compares by bytes: B < a"
    );
    assert!(check("b > :b", it.clone(), v.clone()));
    assert!(!check("n = :s10", it.clone(), v.clone()));
    assert!(check("n <> :s10", it.clone(), v.clone()));
    assert!(!check("n < :s10", it.clone(), v.clone()));
    assert!(!check("n >= :s10", it.clone(), v.clone()));
}

#[test]
fn a_missing_attribute_equals_nothing_and_differs_from_everything() {
    let v = json!({":v": {"S": "x"}});
    assert!(!check("missing = :v", json!({}), v.clone()));
    assert!(check("missing <> :v", json!({}), v.clone()));
    assert!(!check("missing < :v", json!({}), v.clone()));
    assert!(!check("missing IN (:v)", json!({}), v.clone()));
    assert!(!check("missing BETWEEN :v AND :v", json!({}), v));
}

#[test]
fn between_and_in_and_the_connectives_combine_as_written() {
    let it = json!({"n": {"N": "5"}, "s": {"S": "m"}});
    let v = json!({":lo": {"N": "1"}, ":hi": {"N": "5"}, ":x": {"S": "x"}, ":m": {"S": "m"}});
    assert!(check("n BETWEEN :lo AND :hi", it.clone(), v.clone()));
    assert!(check("s IN (:x, :m)", it.clone(), v.clone()));
    assert!(check(
        "NOT s IN (:x) AND (n = :lo OR n = :hi)",
        it.clone(),
        v.clone()
    ));
    assert!(!check("n = :lo AND s = :m", it.clone(), v.clone()));
}

#[test]
fn a_between_whose_bounds_are_reversed_is_refused() {
    let err = holds_for(
        "n BETWEEN :hi AND :lo",
        json!({"n": {"N": "3"}}),
        json!({":lo": {"N": "1"}, ":hi": {"N": "5"}}),
    )
    .unwrap_err();
    assert_eq!(err.code, "ValidationException");
    assert!(err.message.contains("upper bound"), "{}", err.message);
}

#[test]
fn functions_read_nested_paths_placeholders_and_every_container() {
    let it = json!({
        "name": {"S": "hello world"},
        "m": {"M": {"l": {"L": [{"N": "1"}, {"N": "2"}, {"M": {"c": {"SS": ["x", "y"]}}}]}}},
        "ns": {"NS": ["1.5", "2"]},
        "nul": {"NULL": true},
    });
    let v = json!({":wor": {"S": "wor"}, ":hel": {"S": "hel"}, ":x": {"S": "x"},
                   ":two": {"N": "2.0"}, ":SS": {"S": "SS"}, ":NULL": {"S": "NULL"},
                   ":three": {"N": "3"}, ":11": {"N": "11"}});
    for (text, expected) in [
        ("contains(#n, :wor)", true),
        ("begins_with(#n, :hel)", true),
        ("begins_with(#n, :wor)", false),
        ("contains(m.l[2].c, :x)", true),
        ("contains(m.l, :two)", true),
        ("contains(ns, :two)", true),
        ("attribute_exists(m.l[2].c)", true),
        ("attribute_exists(m.l[3])", false),
        ("attribute_not_exists(m.x)", true),
        ("attribute_exists(nul)", true),
        ("attribute_type(m.l[2].c, :SS)", true),
        ("attribute_type(nul, :NULL)", true),
        ("attribute_type(#n, :SS)", false),
        ("size(m.l) = :three", true),
        ("size(#n) = :11", true),
        ("size(missing) = :three", false),
    ] {
        assert_eq!(check(text, it.clone(), v.clone()), expected, "{text}");
    }
}

#[test]
fn function_arguments_no_item_could_satisfy_are_refused_before_reading_any() {
    let request = Request::new(json!({}), json!({":t": {"S": "STRING"}, ":n": {"N": "1"}}));
    let env = request.env();
    for text in ["attribute_type(a, :t)", "begins_with(a, :n)"] {
        let err = check_static(&condition(text), &env).unwrap_err();
        assert!(
            err.message.starts_with("Invalid ConditionExpression: "),
            "{}",
            err.message
        );
    }
    assert!(check_static(&condition("begins_with(a, :t)"), &env).is_ok());
}

/// A small condition grammar over attributes `a`, `b` and values of three
/// types, so conditions meet values of their own and of other types.
fn condition_text() -> impl Strategy<Value = String> {
    let operand = prop_oneof![Just("a"), Just("b"), Just(":s"), Just(":n"), Just(":l")];
    let leaf = prop_oneof![
        (
            operand.clone(),
            prop_oneof![
                Just("="),
                Just("<>"),
                Just("<"),
                Just("<="),
                Just(">"),
                Just(">=")
            ],
            operand.clone()
        )
            .prop_map(|(l, op, r)| format!("{l} {op} {r}")),
        prop_oneof![Just("a"), Just("b")].prop_map(|p| format!("attribute_exists({p})")),
        prop_oneof![Just("a"), Just("b")].prop_map(|p| format!("attribute_not_exists({p})")),
        prop_oneof![Just("a"), Just("b")].prop_map(|p| format!("begins_with({p}, :s)")),
        prop_oneof![Just("a"), Just("b")].prop_map(|p| format!("contains({p}, :s)")),
        (prop_oneof![Just("a"), Just("b")], operand.clone())
            .prop_map(|(p, o)| format!("{p} IN (:s, {o})")),
        prop_oneof![Just("a"), Just("b")].prop_map(|p| format!("size({p}) > :n")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("({x}) AND ({y})")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("({x}) OR ({y})")),
            inner.prop_map(|x| format!("NOT ({x})")),
        ]
    })
}

fn attribute() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        "[a-c]{0,3}".prop_map(|s| Some(json!({"S": s}))),
        (-5i32..5).prop_map(|n| Some(json!({"N": n.to_string()}))),
        Just(Some(json!({"L": [{"S": "a"}]}))),
        Just(Some(json!({"SS": ["a", "ab"]}))),
    ]
}

proptest! {
    /// A condition and its negation disagree on every item.
    #[test]
    fn a_condition_and_its_negation_disagree_on_every_item(
        text in condition_text(), a in attribute(), b in attribute(), s in "[a-c]{1,2}", n in -3i32..3,
    ) {
        let mut it = serde_json::Map::new();
        if let Some(a) = a { it.insert("a".into(), a); }
        if let Some(b) = b { it.insert("b".into(), b); }
        let values = json!({":s": {"S": s}, ":n": {"N": n.to_string()}, ":l": {"L": [{"S": "a"}]}});
        let request = Request::new(json!({}), values);
        let it = item(Value::Object(it));
        let yes = evaluate(&condition(&text), &it, &request.env());
        let no = evaluate(&condition(&format!("NOT ({text})")), &it, &request.env());
        match (yes, no) {
            (Ok(yes), Ok(no)) => prop_assert_ne!(yes, no),
            (Err(e1), Err(e2)) => prop_assert_eq!(e1, e2),
            (yes, no) => prop_assert!(false, "one errs: {:?} / {:?}", yes, no),
        }
    }
}
