//! Parenthesised operands: DynamoDB accepts them in conditions (`(#a) = :v`,
//! `begins_with((#a), (:v))`) and in `SET` values (`SET #a = (:v)`,
//! `SET #a = (#b + :v)`). They mean nothing, so they parse to the tree of
//! the same text without them, and the printer leaves them out.

use dynamorm_core::expr::{parse, print, validate, Kind, ValueKeys};
use dynamorm_core::CoreError;

/// Parses `with` and `without` (the same expression without the
/// parentheses) and checks they give the same tree, printed as `printed`.
fn same_tree(with: &str, without: &str, kind: Kind, printed: &str) {
    let tree = parse(with, Some(kind)).unwrap_or_else(|e| panic!("{with:?}: {e:?}"));
    assert_eq!(tree, parse(without, Some(kind)).unwrap(), "{with:?}");
    assert_eq!(print(&tree), printed, "{with:?}");
    assert_eq!(parse(with, None).unwrap(), tree, "{with:?} (kind detected)");
}

fn syntax_error(text: &str, kind: Kind) -> (String, usize) {
    match parse(text, Some(kind)) {
        Err(CoreError::Expression { message, position }) => (message, position),
        other => panic!("{text:?} should be refused, got {other:?}"),
    }
}

#[test]
fn parenthesised_condition_operands_parse_as_the_bare_operands() {
    for (with, without) in [
        ("(#a) = :v", "#a = :v"),
        ("#a = (:v)", "#a = :v"),
        ("((#a)) < :v", "#a < :v"),
        ("(size(#a)) > :v", "size(#a) > :v"),
        ("size((#a)) > :v", "size(#a) > :v"),
        ("(#a.b[1]) <> (:v)", "#a.b[1] <> :v"),
        ("(#a) BETWEEN (:lo) AND (:hi)", "#a BETWEEN :lo AND :hi"),
        ("(#a) IN ((:x), :y)", "#a IN (:x, :y)"),
        ("NOT (#a) = :v", "NOT #a = :v"),
        ("(#a) = :v AND (#b) = :w", "#a = :v AND #b = :w"),
        ("((#a) = :v OR #b = (:w))", "#a = :v OR #b = :w"),
        ("begins_with((#a), (:v))", "begins_with(#a, :v)"),
        ("attribute_exists((#a))", "attribute_exists(#a)"),
        ("contains((#a), :v)", "contains(#a, :v)"),
    ] {
        same_tree(
            with,
            without,
            Kind::Condition,
            &print(&parse(without, None).unwrap()),
        );
    }
    same_tree("(#a) = :v", "#a = :v", Kind::Condition, "#a = :v");
}

#[test]
fn parenthesised_key_condition_operands_parse() {
    let with = "(#pk) = (:p) AND begins_with((#sk), :s)";
    let tree = parse(with, Some(Kind::KeyCondition)).unwrap();
    let without = parse(
        "#pk = :p AND begins_with(#sk, :s)",
        Some(Kind::KeyCondition),
    );
    assert_eq!(tree, without.unwrap());
}

#[test]
fn parenthesised_set_values_parse_as_the_bare_values() {
    for (with, without) in [
        ("SET #a = (:v)", "SET #a = :v"),
        ("SET #a = ((:v))", "SET #a = :v"),
        ("SET #a = (#b + :v)", "SET #a = #b + :v"),
        ("SET #a = ((#b - :v))", "SET #a = #b - :v"),
        ("SET #a = (#b) + (:v)", "SET #a = #b + :v"),
        (
            "SET #a = (if_not_exists(#a, :z) + :one)",
            "SET #a = if_not_exists(#a, :z) + :one",
        ),
        (
            "SET #a = if_not_exists((#a), (:z))",
            "SET #a = if_not_exists(#a, :z)",
        ),
        (
            "SET #l = list_append((#l), (:l))",
            "SET #l = list_append(#l, :l)",
        ),
        (
            "SET #a = (:v), #b = (#b - :w) REMOVE #c",
            "SET #a = :v, #b = #b - :w REMOVE #c",
        ),
    ] {
        same_tree(
            with,
            without,
            Kind::Update,
            &print(&parse(without, None).unwrap()),
        );
    }
    same_tree(
        "SET #a = (#b + :v)",
        "SET #a = #b + :v",
        Kind::Update,
        "SET #a = #b + :v",
    );
}

#[test]
fn a_set_value_still_takes_one_plus_or_minus() {
    let (message, at) = syntax_error("SET #a = (#b + :v) - :w", Kind::Update);
    assert_eq!(at, 19, "{message}");
    assert!(message.contains("at most one '+' or '-'"), "{message}");
    // A sum is a whole value, never an operand of a function or another sum.
    let (message, at) = syntax_error("SET #a = #b + (:v - :w)", Kind::Update);
    assert_eq!(at, 18, "{message}");
    let (message, at) = syntax_error("SET #a = if_not_exists(#a, (:v + :w))", Kind::Update);
    assert_eq!(at, 31, "{message}");
}

#[test]
fn unbalanced_parentheses_point_at_the_problem() {
    let (message, at) = syntax_error("(#a = :v", Kind::Condition);
    assert_eq!(at, 8, "{message}");
    assert!(message.contains("')'"), "{message}");
    let (message, at) = syntax_error("(#a) = :v)", Kind::Condition);
    assert_eq!(at, 9, "{message}");
    let (message, at) = syntax_error("(#a)", Kind::Condition);
    assert_eq!(at, 4, "{message}");
    assert!(message.contains("comparison operator"), "{message}");
    let (message, at) = syntax_error("(#a) AND #b = :v", Kind::Condition);
    assert_eq!(at, 5, "{message}");
    let (_, at) = syntax_error("SET #a = (:v", Kind::Update);
    assert_eq!(at, 12);
    // Not a condition in parentheses, not an operand either.
    let (_, at) = syntax_error("(#a = :v) = :w", Kind::Condition);
    assert_eq!(at, 10);
}

#[test]
fn placeholders_inside_parentheses_are_checked() {
    let names = [("#a".to_owned(), "a".to_owned())].into_iter().collect();
    let values: ValueKeys = [":v".to_owned()].into_iter().collect();
    assert!(validate("((#a) = (:v))", None, Some(&names), Some(&values), None).is_ok());
    match validate("(#a) = (:w)", None, Some(&names), Some(&values), None) {
        Err(CoreError::Expression { message, position }) => {
            assert_eq!(position, 8, "{message}");
            assert!(message.contains(":w"), "{message}");
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn deeply_parenthesised_operands_are_an_error_not_a_crash() {
    let deep = format!("{}#a{} = :v", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&deep, None).is_err());
    let deep = format!("SET #a = {}:v{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&deep, None).is_err());
    let moderate = format!("{}#a{} = :v", "(".repeat(60), ")".repeat(60));
    assert!(parse(&moderate, None).is_ok());
}
