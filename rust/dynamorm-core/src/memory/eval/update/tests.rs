//! Tests of update actions.
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::memory::eval::projection::project;
use crate::memory::eval::testing::{item, projection, update, Request};

fn run(text: &str, it: Value, values: Value) -> ApiResult<Item> {
    let request = Request::new(json!({"#a": "a"}), values);
    apply(&update(text), &item(it), &request.env())
}

#[test]
fn set_computes_from_the_item_before_the_update() {
    let out = run(
        "SET a = b, b = a, n = n + :one, m = :five - n, l = list_append(l, :l), f = if_not_exists(f, :one), g = if_not_exists(a, :one)",
        json!({"a": {"S": "x"}, "b": {"S": "y"}, "n": {"N": "1.5"}, "l": {"L": [{"N": "1"}]}}),
        json!({":one": {"N": "1"}, ":five": {"N": "5"}, ":l": {"L": [{"N": "2"}]}}),
    )
    .unwrap();
    assert_eq!(
        out,
        item(json!({
            "a": {"S": "y"}, "b": {"S": "x"}, "n": {"N": "2.5"}, "m": {"N": "3.5"},
            "l": {"L": [{"N": "1"}, {"N": "2"}]}, "f": {"N": "1"}, "g": {"S": "x"},
        }))
    );
}

#[test]
fn set_into_lists_and_maps_needs_the_parent_and_appends_past_the_end() {
    let it = json!({"m": {"M": {}}, "l": {"L": [{"N": "0"}]}});
    let v = json!({":v": {"S": "v"}});
    let out = run("SET m.k = :v, l[0] = :v, l[7] = :v", it.clone(), v.clone()).unwrap();
    assert_eq!(
        out,
        item(json!({"m": {"M": {"k": {"S": "v"}}}, "l": {"L": [{"S": "v"}, {"S": "v"}]}}))
    );
    for bad in [
        "SET nope.k = :v",
        "SET m.a.b = :v",
        "SET m[0] = :v",
        "SET l.k = :v",
    ] {
        let err = run(bad, it.clone(), v.clone()).unwrap_err();
        assert!(
            err.message.contains("document path"),
            "{bad}: {}",
            err.message
        );
    }
}

#[test]
fn remove_drops_attributes_and_list_elements_numbered_as_before() {
    let out = run(
        "REMOVE l[0], l[2], m.k, gone, l[9]",
        json!({"l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]},
               "m": {"M": {"k": {"S": "x"}, "j": {"S": "y"}}}}),
        json!({}),
    )
    .unwrap();
    assert_eq!(
        out,
        item(json!({"l": {"L": [{"N": "1"}, {"N": "3"}]}, "m": {"M": {"j": {"S": "y"}}}}))
    );
}

#[test]
fn add_sums_numbers_and_joins_sets_and_delete_empties_a_set_away() {
    let out = run(
        "ADD n :two, fresh :two, s :ab DELETE t :ab",
        json!({"n": {"N": "-2"}, "s": {"SS": ["a", "z"]}, "t": {"SS": ["b", "a"]}}),
        json!({":two": {"N": "2"}, ":ab": {"SS": ["a", "b"]}}),
    )
    .unwrap();
    let s = out.get("s").unwrap();
    assert!(crate::memory::item::equal(
        s,
        &AttributeValue::SS(vec!["a".into(), "z".into(), "b".into()])
    ));
    assert_eq!(out.get("n"), Some(&AttributeValue::N("0".into())));
    assert_eq!(out.get("fresh"), Some(&AttributeValue::N("2".into())));
    assert!(!out.contains_key("t"));
}

#[test]
fn arithmetic_on_missing_or_non_number_values_is_refused() {
    let v = json!({":one": {"N": "1"}, ":s": {"S": "s"}, ":ss": {"SS": ["a"]}});
    let it = json!({"s": {"S": "x"}, "n": {"N": "1"}});
    for (text, words) in [
        ("SET n = missing + :one", "does not exist"),
        ("SET n = s + :one", "operand type: S"),
        ("ADD n :s", "operator: ADD, operand type: STRING"),
        ("ADD s :one", "incorrect data type"),
        ("DELETE n :one", "operator: DELETE"),
        ("DELETE n :ss", "incorrect data type"),
        ("SET l = list_append(n, :one)", "list_append"),
    ] {
        let err = run(text, it.clone(), v.clone()).unwrap_err();
        assert_eq!(err.code, "ValidationException");
        assert!(err.message.contains(words), "{text}: {}", err.message);
    }
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-z]{0,4}".prop_map(|s| json!({"S": s})),
        (-1000i64..1000).prop_map(|n| json!({"N": n.to_string()})),
        any::<bool>().prop_map(|b| json!({"BOOL": b})),
        Just(json!({"L": [{"NULL": true}]})),
    ]
}

proptest! {
    /// Whatever `SET x.y = :v` writes, projecting `x.y` reads back.
    #[test]
    fn set_then_projection_returns_the_value(v in scalar(), other in scalar()) {
        let request = Request::new(json!({}), json!({":v": v.clone()}));
        let env = request.env();
        let it = item(json!({"x": {"M": {"z": other}}}));
        let out = apply(&update("SET x.y = :v"), &it, &env).unwrap();
        let paths: Vec<_> = projection("x.y").iter().map(|p| env.steps(p).unwrap()).collect();
        prop_assert_eq!(project(&out, &paths), item(json!({"x": {"M": {"y": v}}})));
    }

    /// Setting a new attribute and removing it again leaves the item.
    #[test]
    fn set_then_remove_leaves_the_item(v in scalar(), a in scalar(), b in scalar()) {
        let request = Request::new(json!({}), json!({":v": v}));
        let env = request.env();
        let it = item(json!({"a": a, "b": b}));
        let set = apply(&update("SET fresh = :v"), &it, &env).unwrap();
        let back = apply(&update("REMOVE fresh"), &set, &env).unwrap();
        prop_assert_eq!(back, it);
    }

    /// `SET n = n + :v` and `ADD n :v` agree with integer arithmetic.
    #[test]
    fn number_arithmetic_matches_integer_arithmetic(a in any::<i64>(), b in any::<i64>()) {
        let request = Request::new(json!({}), json!({":v": {"N": b.to_string()}}));
        let env = request.env();
        let it = item(json!({"n": {"N": a.to_string()}}));
        let plus = apply(&update("SET n = n + :v"), &it, &env).unwrap();
        let minus = apply(&update("SET n = n - :v"), &it, &env).unwrap();
        let added = apply(&update("ADD n :v"), &it, &env).unwrap();
        let sum = (i128::from(a) + i128::from(b)).to_string();
        prop_assert_eq!(plus.get("n"), Some(&AttributeValue::N(sum.clone())));
        prop_assert_eq!(added.get("n"), Some(&AttributeValue::N(sum)));
        prop_assert_eq!(minus.get("n"), Some(&AttributeValue::N((i128::from(a) - i128::from(b)).to_string())));
    }
}
