//! One test per way `validate` rejects an expression, each checking the
//! reported position.

use dynamorm_core::expr::{validate, Kind, NameMap, ValueKeys};
use dynamorm_core::CoreError;

fn names(pairs: &[(&str, &str)]) -> NameMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn values(keys: &[&str]) -> ValueKeys {
    keys.iter().map(|k| k.to_string()).collect()
}

fn fails(text: &str, kind: Option<Kind>, n: &NameMap, v: &ValueKeys) -> (String, usize) {
    fails_keys(text, kind, n, v, None)
}

fn fails_keys(
    text: &str,
    kind: Option<Kind>,
    n: &NameMap,
    v: &ValueKeys,
    keys: Option<&[String]>,
) -> (String, usize) {
    match validate(text, kind, Some(n), Some(v), keys) {
        Err(CoreError::Expression { message, position }) => (message, position),
        other => panic!("{text:?} should fail, got {other:?}"),
    }
}

#[test]
fn valid_expressions_of_every_kind() {
    let n = names(&[("#s", "status"), ("#pk", "PK")]);
    let v = values(&[":v", ":w"]);
    for (text, kind) in [
        (
            "attribute_exists(#pk) AND #s = :v OR size(a) > :w",
            Kind::Condition,
        ),
        ("#pk = :v AND begins_with(#s, :w)", Kind::KeyCondition),
        (
            "SET a = if_not_exists(#s, :v) + :w REMOVE #pk",
            Kind::Update,
        ),
    ] {
        let auto = validate(text, None, Some(&n), Some(&v), None);
        let explicit = validate(text, Some(kind), Some(&n), Some(&v), None);
        assert!(explicit.is_ok(), "{text}: {explicit:?}");
        if kind != Kind::KeyCondition {
            assert_eq!(auto.unwrap().kind(), kind);
        }
    }
    let p = validate("a, #s.b[1], #pk", None, Some(&n), None, None).unwrap();
    assert_eq!(p.kind(), Kind::Projection);
}

#[test]
fn syntax_error_points_at_the_bad_token() {
    let (message, at) = fails(
        "a = :v AND AND b = :w",
        None,
        &names(&[]),
        &values(&[":v", ":w"]),
    );
    assert_eq!(at, 11, "{message}");
    assert!(message.contains("syntax error"));
    let (_, at) = fails("a BETWEEN :v :w", None, &names(&[]), &values(&[":v", ":w"]));
    assert_eq!(at, 13);
    let (_, at) = fails("SET a = :v SET b = :v", None, &names(&[]), &values(&[":v"]));
    assert_eq!(at, 11);
}

#[test]
fn missing_value_placeholder() {
    let (message, at) = fails(
        "a = :v AND b = :missing",
        None,
        &names(&[]),
        &values(&[":v"]),
    );
    assert_eq!(at, 15);
    assert!(message.contains(":missing"), "{message}");
}

#[test]
fn missing_name_placeholder() {
    let (message, at) = fails("a = :v AND #nope = :v", None, &names(&[]), &values(&[":v"]));
    assert_eq!(at, 11);
    assert!(message.contains("#nope"), "{message}");
}

#[test]
fn unused_entries() {
    let text = "a = :v";
    let (message, at) = fails(text, None, &names(&[("#x", "x")]), &values(&[":v"]));
    assert!(
        message.contains("#x") && message.contains("never used"),
        "{message}"
    );
    assert_eq!(at, text.len());
    let (message, _) = fails(text, None, &names(&[]), &values(&[":v", ":extra"]));
    assert!(message.contains(":extra"), "{message}");
}

#[test]
fn reserved_word_is_named_with_a_suggestion() {
    let (message, at) = fails(
        "a = :v AND Status = :v",
        None,
        &names(&[]),
        &values(&[":v"]),
    );
    assert_eq!(at, 11);
    assert!(
        message.contains("'Status'") && message.contains("#status"),
        "{message}"
    );
    let (_, at) = fails("x.name", Some(Kind::Projection), &names(&[]), &values(&[]));
    assert_eq!(at, 2);
}

#[test]
fn overlapping_update_paths() {
    let v = values(&[":v"]);
    for (text, at) in [
        ("SET a = :v, a.b = :v", 12),
        ("SET a[0] = :v REMOVE a", 21),
        ("SET a = :v ADD a :v", 15),
        ("REMOVE #x.y, a.y", 13),
    ] {
        let (n, v) = if text.contains("#x") {
            (names(&[("#x", "a")]), values(&[]))
        } else {
            (names(&[]), v.clone())
        };
        let (message, position) = fails(text, None, &n, &v);
        assert_eq!(position, at, "{text}: {message}");
        assert!(message.contains("overlapping"), "{message}");
    }
    // Siblings are fine (`a.b` beside `a[1]` is not: they conflict).
    assert!(validate(
        "SET a.b = :v, a.c = :v REMOVE b[0], b[1]",
        None,
        None,
        Some(&v),
        None
    )
    .is_ok());
}

#[test]
fn update_of_a_key_attribute() {
    let keys = vec!["PK".to_string(), "SK".to_string()];
    let (message, at) = fails_keys(
        "SET a = :v, #k = :v",
        None,
        &names(&[("#k", "SK")]),
        &values(&[":v"]),
        Some(&keys),
    );
    assert_eq!(at, 12);
    assert!(message.contains("'SK'"), "{message}");
}

#[test]
fn key_condition_shape() {
    let v = values(&[":a", ":b"]);
    let n = names(&[]);
    for (text, at) in [
        ("pk = :a OR sk = :b", 0),
        ("pk < :a", 0),
        ("pk = :a AND contains(sk, :b)", 12),
        ("pk = :a AND sk <> :b", 12),
        ("pk = :a AND NOT sk = :b", 12),
        ("pk = :a AND sk = :b AND x = :a", 0),
        ("pk.x = :a", 0),
    ] {
        let (message, position) = fails(text, Some(Kind::KeyCondition), &n, &v);
        assert_eq!(position, at, "{text}: {message}");
        assert!(message.contains("key condition"), "{message}");
    }
    let keys = vec!["pk".to_string(), "sk".to_string()];
    let (message, at) = fails_keys(
        "pk = :a AND created > :b",
        Some(Kind::KeyCondition),
        &n,
        &v,
        Some(&keys),
    );
    assert_eq!(at, 12);
    assert!(
        message.contains("'created'") && message.contains("'sk'"),
        "{message}"
    );
    assert!(validate(
        "sk BETWEEN :a AND :b AND pk = :a",
        Some(Kind::KeyCondition),
        None,
        Some(&v),
        Some(&keys)
    )
    .is_ok());
}

#[test]
fn moderate_nesting_is_accepted() {
    // Each group holds more than the next, so no parentheses are redundant.
    let text = format!("{}a = :v{}", "(a = :v AND ".repeat(60), ")".repeat(60));
    assert!(validate(&text, None, None, Some(&values(&[":v"])), None).is_ok());
}
