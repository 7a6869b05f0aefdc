//! Tests of projections.
use serde_json::json;

use super::*;
use crate::memory::eval::testing::{item, projection, Request};

fn project_text(text: &str, it: serde_json::Value) -> Item {
    let request = Request::new(json!({"#x": "x"}), json!({}));
    let env = request.env();
    let paths: Vec<Vec<Step>> = projection(text)
        .iter()
        .map(|p| env.steps(p).unwrap())
        .collect();
    project(&item(it), &paths)
}

#[test]
fn nested_paths_and_list_indexes_come_back_nested_and_compacted() {
    let it = json!({
        "a": {"S": "1"},
        "x": {"M": {"y": {"N": "2"}, "z": {"N": "3"}}},
        "l": {"L": [{"S": "p"}, {"S": "q"}, {"M": {"k": {"S": "r"}, "j": {"S": "s"}}}]},
    });
    let out = project_text("a, #x.y, l[2].k, l[0], missing, x.nope", it);
    assert_eq!(
        out,
        item(json!({
            "a": {"S": "1"},
            "x": {"M": {"y": {"N": "2"}}},
            "l": {"L": [{"S": "p"}, {"M": {"k": {"S": "r"}}}]},
        }))
    );
}

#[test]
fn a_path_into_a_scalar_or_past_a_list_names_nothing() {
    let it = json!({"a": {"S": "1"}, "l": {"L": [{"S": "p"}]}});
    assert_eq!(project_text("a.b, l[5], l.x", it), Item::new());
}
