//! The compiler: exact output for a few inputs, and for arbitrary attribute
//! names and clause shapes the output always validates and holds only
//! placeholders, operators and function names.

use dynamorm_core::expr::{
    validate, Clause, ClauseValue, Compiler, Kind, NameMap, Namespace, PathInput, Segment,
    UpdateAction, ValueKeys,
};
use dynamorm_core::CoreError;
use proptest::prelude::*;

fn text(p: &str) -> PathInput {
    PathInput::Text(p.to_string())
}

fn cmp(path: &str, op: &str, value: ClauseValue) -> Clause {
    Clause::Compare {
        path: text(path),
        op: op.to_string(),
        value,
    }
}

fn maps(ns: &Namespace, caller_values: &[&str]) -> (NameMap, ValueKeys) {
    let names = ns.names().into_iter().collect();
    let mut values: ValueKeys = ns
        .value_placeholders()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    values.extend(caller_values.iter().map(|v| v.to_string()));
    (names, values)
}

#[test]
fn condition_snapshot() {
    let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
    let clauses = vec![
        cmp("status", "=", ClauseValue::One(0)),
        cmp("address.city", "begins_with", ClauseValue::One(1)),
        Clause::Or(vec![
            cmp("items[0].price", "BETWEEN", ClauseValue::Many(vec![2, 3])),
            cmp("status", "size >", ClauseValue::One(4)),
            Clause::Not(Box::new(cmp("tags", "in", ClauseValue::Many(vec![5, 6])))),
        ]),
        cmp("deleted", "not_exists", ClauseValue::None),
        cmp("tags", "NOT_CONTAINS", ClauseValue::One(7)),
    ];
    let expr = c.condition(&clauses, "clauses").unwrap();
    assert_eq!(
        expr,
        "#n0 = :v0 AND begins_with(#n1.#n2, :v1) AND (#n3[0].#n4 BETWEEN :v2 AND :v3 OR \
         size(#n0) > :v4 OR NOT #n5 IN (:v5, :v6)) AND attribute_not_exists(#n6) AND \
         NOT contains(#n5, :v7)"
    );
    let ns = c.finish().unwrap();
    let names: Vec<_> = ns.names().iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        names,
        [
            "#n0=status",
            "#n1=address",
            "#n2=city",
            "#n3=items",
            "#n4=price",
            "#n5=tags",
            "#n6=deleted"
        ]
    );
    assert_eq!(
        ns.value_placeholders()
            .iter()
            .map(|(_, id)| *id)
            .collect::<Vec<_>>(),
        (0..8).collect::<Vec<_>>()
    );
}

#[test]
fn update_snapshot_and_shared_namespace() {
    let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
    let update = c
        .update(
            &[
                UpdateAction::Set {
                    path: text("balance"),
                    value: 0,
                },
                UpdateAction::Add {
                    path: text("points"),
                    value: 1,
                },
                UpdateAction::Remove { path: text("temp") },
                UpdateAction::SetIfNotExists {
                    path: text("created"),
                    value: 2,
                },
                UpdateAction::AppendToList {
                    path: text("log"),
                    value: 3,
                    empty: Some(4),
                },
                UpdateAction::PrependToList {
                    path: text("recent"),
                    value: 5,
                    empty: None,
                },
                UpdateAction::RemoveFromListAt {
                    path: text("queue"),
                    index: 2,
                },
                UpdateAction::SetListElement {
                    path: text("slots"),
                    index: 0,
                    value: 6,
                },
                UpdateAction::Delete {
                    path: text("tags"),
                    value: 7,
                },
            ],
            Some(&["id".to_string()]),
        )
        .unwrap();
    assert_eq!(
        update,
        "SET #n0 = :v0, #n3 = if_not_exists(#n3, :v2), #n4 = list_append(if_not_exists(#n4, :v3), :v4), \
         #n5 = list_append(:v5, #n5), #n7[0] = :v6 REMOVE #n2, #n6[2] ADD #n1 :v1 DELETE #n8 :v7"
    );
    let cond = c
        .condition(&[cmp("balance", ">=", ClauseValue::One(8))], "clauses")
        .unwrap();
    assert_eq!(cond, "#n0 >= :v8");
    let ns = c.finish().unwrap();
    assert_eq!(ns.names().len(), 9);
    let (n, v) = maps(&ns, &[]);
    // Each expression validates against the shared maps once all are counted.
    validate(
        &update,
        Some(Kind::Update),
        Some(&n),
        Some(&v.iter().filter(|k| *k != ":v8").cloned().collect()),
        None,
    )
    .unwrap();
}

#[test]
fn raw_clauses_merge_without_collisions() {
    let caller_names: NameMap = [("#n0".to_string(), "PK".to_string())].into();
    let caller_values: ValueKeys = [":v0".to_string()].into();
    let mut c = Compiler::new(caller_names, caller_values).unwrap();
    let expr = c
        .condition(
            &[
                cmp("status", "=", ClauseValue::One(0)),
                Clause::Raw("attribute_exists(#n0) or size(#n0) > :v0".to_string()),
            ],
            "clauses",
        )
        .unwrap();
    assert_eq!(
        expr,
        "#n1 = :v1 AND (attribute_exists(#n0) OR size(#n0) > :v0)"
    );
    let ns = c.finish().unwrap();
    let (n, v) = maps(&ns, &[":v0"]);
    assert_eq!(n["#n0"], "PK");
    assert_eq!(n["#n1"], "status");
    validate(&expr, Some(Kind::Condition), Some(&n), Some(&v), None).unwrap();
}

#[test]
fn raw_errors_and_unused_caller_entries() {
    let mut c = Compiler::new(NameMap::new(), [":v".to_string()].into()).unwrap();
    let err = c
        .condition(&[Clause::<String>::Raw("#x = :v".into())], "clauses")
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Expression { position: 0, .. }),
        "{err:?}"
    );
    let c = Compiler::new(NameMap::new(), [":v".to_string()].into()).unwrap();
    let err = c.finish().unwrap_err();
    assert!(err.to_string().contains(":v"), "{err}");
    assert!(Compiler::new(
        [("x".to_string(), "y".to_string())].into(),
        ValueKeys::new()
    )
    .is_err());
}

#[test]
fn clause_errors_name_position_and_operator() {
    let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
    let cases = [
        (
            vec![
                cmp("a", "=", ClauseValue::One(0)),
                cmp("b", "like", ClauseValue::One(1)),
            ],
            "clauses[1] (operator \"like\")",
        ),
        (
            vec![cmp("a", "between", ClauseValue::Many(vec![0]))],
            "BETWEEN takes a 2-tuple",
        ),
        (
            vec![cmp("a", "in", ClauseValue::Many(vec![]))],
            "IN takes an iterable of 1 to 100",
        ),
        (
            vec![cmp("a", "in", ClauseValue::Many((0..101).collect()))],
            "IN takes",
        ),
        (
            vec![cmp("a", "exists", ClauseValue::One(0))],
            "takes no value",
        ),
        (vec![cmp("a", "=", ClauseValue::None)], "exactly one value"),
        (
            vec![Clause::Or(vec![
                cmp("a", "=", ClauseValue::One(0)),
                cmp("a..b", "=", ClauseValue::One(1)),
            ])],
            "clauses[0][1]",
        ),
        (vec![Clause::And(vec![])], "empty group"),
    ];
    for (clauses, needle) in cases {
        let err = c.condition(&clauses, "clauses").unwrap_err();
        assert!(matches!(err, CoreError::Validation(_)), "{err:?}");
        assert!(
            err.to_string().contains(needle),
            "{err} should contain {needle}"
        );
    }
}

#[test]
fn key_conditions() {
    let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
    let expr = c
        .key_condition(
            &[
                cmp("pk", "=", ClauseValue::One(0)),
                cmp("sk", "begins_with", ClauseValue::One(1)),
            ],
            "key",
        )
        .unwrap();
    assert_eq!(expr, "#n0 = :v0 AND begins_with(#n1, :v1)");
    for bad in [
        vec![cmp("pk", "<", ClauseValue::One(0))],
        vec![
            cmp("pk", "=", ClauseValue::One(0)),
            cmp("sk", "contains", ClauseValue::One(1)),
        ],
        vec![cmp("pk", "=", ClauseValue::One(0)), Clause::Or(vec![])],
        vec![
            cmp("pk", "=", ClauseValue::One(0)),
            cmp("a", "=", ClauseValue::One(1)),
            cmp("b", "=", ClauseValue::One(2)),
        ],
    ] {
        assert!(
            matches!(c.key_condition(&bad, "key"), Err(CoreError::Validation(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn update_conflicts() {
    let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
    let err = c
        .update(
            &[
                UpdateAction::Set {
                    path: text("a.b"),
                    value: 0,
                },
                UpdateAction::Remove { path: text("a") },
            ],
            None,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("actions[1]") && err.to_string().contains("actions[0]"),
        "{err}"
    );
    let err = c
        .update(
            &[
                UpdateAction::RemoveFromListAt {
                    path: text("l"),
                    index: 1,
                },
                UpdateAction::SetListElement {
                    path: text("l"),
                    index: 1,
                    value: 0,
                },
            ],
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("overlaps"), "{err}");
    let err = c
        .update(
            &[UpdateAction::Set {
                path: text("PK"),
                value: 0,
            }],
            Some(&["PK".to_string()]),
        )
        .unwrap_err();
    assert!(err.to_string().contains("key attribute"), "{err}");
}

fn any_clause() -> impl Strategy<Value = Clause> {
    let segment = prop_oneof![
        3 => "\\PC{1,8}".prop_map(Segment::Name),
        1 => (0u32..50).prop_map(Segment::Index),
    ];
    let path = ("\\PC{1,8}", prop::collection::vec(segment, 0..3)).prop_map(|(root, rest)| {
        let mut segments = vec![Segment::Name(root)];
        segments.extend(rest);
        PathInput::Segments(segments)
    });
    let op = prop::sample::select(vec![
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "between",
        "IN",
        "begins_with",
        "contains",
        "not_contains",
        "exists",
        "not_exists",
        "attribute_type",
        "size >",
        "SIZE =",
    ]);
    let leaf = (path, op, 1usize..5).prop_map(|(path, op, n)| {
        let value = match op {
            "between" => ClauseValue::Many(vec![0, 1]),
            "IN" => ClauseValue::Many((0..n).collect()),
            "exists" | "not_exists" => ClauseValue::None,
            _ => ClauseValue::One(n),
        };
        Clause::Compare {
            path,
            op: op.to_string(),
            value,
        }
    });
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Clause::And),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Clause::Or),
            inner.prop_map(|c| Clause::Not(Box::new(c))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn compiled_conditions_validate(clauses in prop::collection::vec(any_clause(), 1..5)) {
        let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
        let expr = c.condition(&clauses, "clauses").unwrap();
        let ns = c.finish().unwrap();
        let (n, v) = maps(&ns, &[]);
        prop_assert!(validate(&expr, Some(Kind::Condition), Some(&n), Some(&v), None).is_ok(), "{}", expr);
        let stripped: String = expr
            .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '#' || ch == ':'))
            .filter(|w| !w.is_empty() && !w.starts_with('#') && !w.starts_with(':') && w.parse::<u32>().is_err())
            .collect::<Vec<_>>()
            .join(" ");
        for word in stripped.split(' ').filter(|w| !w.is_empty()) {
            prop_assert!(
                ["AND", "OR", "NOT", "BETWEEN", "IN", "size", "begins_with", "contains",
                 "attribute_exists", "attribute_not_exists", "attribute_type"].contains(&word),
                "{} in {}", word, expr
            );
        }
    }

    #[test]
    fn compiled_updates_validate(
        names in prop::collection::btree_set("\\PC{1,6}", 1..8),
        kinds in prop::collection::vec(0u8..9, 8),
    ) {
        let actions: Vec<UpdateAction> = names
            .iter()
            .zip(kinds)
            .enumerate()
            .map(|(i, (name, kind))| {
                let path = PathInput::Segments(vec![Segment::Name(name.clone())]);
                match kind {
                    0 => UpdateAction::Set { path, value: i },
                    1 => UpdateAction::SetIfNotExists { path, value: i },
                    2 => UpdateAction::Add { path, value: i },
                    3 => UpdateAction::Remove { path },
                    4 => UpdateAction::Delete { path, value: i },
                    5 => UpdateAction::AppendToList { path, value: i, empty: Some(99) },
                    6 => UpdateAction::PrependToList { path, value: i, empty: None },
                    7 => UpdateAction::RemoveFromListAt { path, index: 3 },
                    _ => UpdateAction::SetListElement { path, index: 0, value: i },
                }
            })
            .collect();
        let mut c = Compiler::new(NameMap::new(), ValueKeys::new()).unwrap();
        let expr = c.update(&actions, None).unwrap();
        let projection = c
            .projection(&names.iter().map(|n| PathInput::<String>::Segments(vec![Segment::Name(n.clone())])).collect::<Vec<_>>())
            .unwrap();
        let ns = c.finish().unwrap();
        let (n, v) = maps(&ns, &[]);
        prop_assert!(validate(&expr, Some(Kind::Update), Some(&n), Some(&v), None).is_ok(), "{}", expr);
        let no_values = ValueKeys::new();
        prop_assert!(validate(&projection, Some(Kind::Projection), Some(&n), Some(&no_values), None).is_ok(), "{}", projection);
    }
}
