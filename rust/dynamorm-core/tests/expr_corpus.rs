//! DynamoDB's expression grammar, rule by rule (`tests/data/expr_corpus.json`):
//! every text DynamoDB accepts parses and validates, every text it refuses is
//! refused — by the parser, or (for texts that parse, `stage: "validate"`) by
//! `validate` — and a few of the new refusals say where and why.

use std::collections::BTreeSet;

use dynamorm_core::expr::{parse, print, validate, Expression, Kind, NameMap, ValueKeys};
use dynamorm_core::CoreError;
use serde_json::Value;

const CORPUS: &str = include_str!("../../../tests/data/expr_corpus.json");

struct Entry {
    kind: Kind,
    text: String,
    accepted: bool,
    stage: String,
    reason: String,
    names: NameMap,
    values: ValueKeys,
}

impl Entry {
    fn label(&self) -> String {
        format!("{} {:?}", self.kind, self.text)
    }

    fn validate(&self, text: &str, keys: &[String]) -> Result<Expression, CoreError> {
        validate(
            text,
            Some(self.kind),
            Some(&self.names),
            Some(&self.values),
            Some(keys),
        )
    }
}

/// The `#x` / `:x` placeholders of `text`, each with the first byte it
/// starts with.
fn placeholders(text: &str, sigil: char) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(sigil) {
        let tail = &rest[i + 1..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if end > 0 {
            out.insert(format!("{sigil}{}", &tail[..end]));
        }
        rest = &tail[end..];
    }
    out
}

fn corpus() -> (Vec<Entry>, Vec<String>) {
    let doc: Value = serde_json::from_str(CORPUS).expect("expr_corpus.json is JSON");
    let keys = doc["key_attributes"]
        .as_array()
        .expect("key_attributes")
        .iter()
        .map(|k| k.as_str().expect("a key name").to_owned())
        .collect();
    let entries = doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let text = e["text"].as_str().expect("text").to_owned();
            let mut names: NameMap = placeholders(&text, '#')
                .into_iter()
                .map(|p| (p.clone(), p[1..].to_owned()))
                .collect();
            if let Some(given) = e.get("names").and_then(Value::as_object) {
                for (k, v) in given {
                    names.insert(k.clone(), v.as_str().expect("a name").to_owned());
                }
            }
            Entry {
                kind: Kind::from_name(e["kind"].as_str().expect("kind")).expect("a known kind"),
                accepted: e["accepted"].as_bool().expect("accepted"),
                stage: e["stage"].as_str().unwrap_or("parse").to_owned(),
                reason: e["reason"].as_str().unwrap_or("").to_owned(),
                values: placeholders(&text, ':'),
                names,
                text,
            }
        })
        .collect();
    (entries, keys)
}

/// Panics listing every problem, not just the first.
fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} corpus entries misjudged:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_expression_dynamodb_accepts_parses_validates_and_prints_back() {
    let (entries, keys) = corpus();
    let mut problems = Vec::new();
    for e in entries.iter().filter(|e| e.accepted) {
        let tree = match parse(&e.text, Some(e.kind)) {
            Ok(tree) => tree,
            Err(err) => {
                problems.push(format!("{}: parse refuses it: {err}", e.label()));
                continue;
            }
        };
        if let Err(err) = e.validate(&e.text, &keys) {
            problems.push(format!("{}: validate refuses it: {err}", e.label()));
        }
        let printed = print(&tree);
        match parse(&printed, Some(e.kind)) {
            Ok(again) if again == tree => {}
            other => problems.push(format!("{}: printed as {printed:?}: {other:?}", e.label())),
        }
        if let Err(err) = e.validate(&printed, &keys) {
            problems.push(format!("{}: printed as {printed:?}: {err}", e.label()));
        }
        // Without a kind the parser tells an update, a condition and a
        // projection apart (a key condition reads as a condition).
        if e.kind != Kind::KeyCondition {
            match parse(&e.text, None) {
                Ok(detected) if detected == tree => {}
                other => problems.push(format!("{}: kind detection gives {other:?}", e.label())),
            }
        }
    }
    report(problems);
}

#[test]
fn every_expression_dynamodb_refuses_is_refused_at_its_stage() {
    let (entries, keys) = corpus();
    let mut problems = Vec::new();
    for e in entries.iter().filter(|e| !e.accepted) {
        if let Ok(tree) = e.validate(&e.text, &keys) {
            problems.push(format!(
                "{}: validate accepts it as {:?}; DynamoDB says {:?}",
                e.label(),
                print(&tree),
                e.reason
            ));
        }
        match (e.stage.as_str(), parse(&e.text, Some(e.kind))) {
            ("parse", Ok(tree)) => problems.push(format!(
                "{}: parse accepts it as {:?}; DynamoDB says {:?}",
                e.label(),
                print(&tree),
                e.reason
            )),
            ("validate", Err(err)) => problems.push(format!(
                "{}: stage 'validate', but parse refuses it: {err}",
                e.label()
            )),
            ("parse" | "validate", _) => {}
            (other, _) => problems.push(format!("{}: unknown stage {other:?}", e.label())),
        }
    }
    report(problems);
}

#[test]
fn the_corpus_holds_both_verdicts_for_every_kind_with_reasons() {
    let (entries, _) = corpus();
    for kind in [
        Kind::Condition,
        Kind::KeyCondition,
        Kind::Update,
        Kind::Projection,
    ] {
        for accepted in [true, false] {
            let n = entries
                .iter()
                .filter(|e| e.kind == kind && e.accepted == accepted)
                .count();
            assert!(n >= 5, "{kind}: only {n} entries with accepted={accepted}");
        }
    }
    for e in entries.iter().filter(|e| !e.accepted) {
        assert!(!e.reason.is_empty(), "{}: no reason", e.label());
    }
}

fn refusal(text: &str, kind: Kind, keys: Option<&[String]>) -> (String, usize) {
    let names: NameMap = placeholders(text, '#')
        .into_iter()
        .map(|p| (p.clone(), p[1..].to_owned()))
        .collect();
    let values = placeholders(text, ':');
    match validate(text, Some(kind), Some(&names), Some(&values), keys) {
        Err(CoreError::Expression { message, position }) => (message, position),
        other => panic!("{text:?} should be refused, got {other:?}"),
    }
}

#[test]
fn a_key_condition_may_put_the_sort_key_first_even_when_both_parts_are_equalities() {
    let keys = ["pk".to_owned(), "sk".to_owned()];
    let names: NameMap = [("#pk", "pk"), ("#sk", "sk")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let values: ValueKeys = [":p", ":s"].into_iter().map(str::to_owned).collect();
    for text in ["#sk = :s AND #pk = :p", "(#sk = :s) AND (#pk = :p)"] {
        let checked = validate(
            text,
            Some(Kind::KeyCondition),
            Some(&names),
            Some(&values),
            Some(&keys),
        );
        assert!(checked.is_ok(), "{text}: {checked:?}");
    }
    // The names still decide: neither part is on the partition key here.
    let (message, at) = refusal("#sk = :s AND #x = :x", Kind::KeyCondition, Some(&keys));
    assert_eq!(at, 0, "{message}");
    assert!(
        message.contains("'sk' as the partition key, but the partition key is 'pk'"),
        "{message}"
    );
}

#[test]
fn a_key_condition_with_two_conditions_on_one_key_is_refused_at_the_second() {
    let (message, at) = refusal("#pk = :p AND #pk = :q", Kind::KeyCondition, None);
    assert_eq!(at, 13, "{message}");
    assert!(message.contains("second condition on 'pk'"), "{message}");
}

#[test]
fn validate_points_at_the_inner_pair_of_redundant_parentheses() {
    for (text, kind, at) in [
        ("((#a)) = :v", Kind::Condition, 1),
        ("#a = :v AND ((#b = :w))", Kind::Condition, 13),
        ("SET #a = ((:v))", Kind::Update, 10),
        ("#pk = :p AND ((#sk = :s))", Kind::KeyCondition, 14),
    ] {
        let (message, position) = refusal(text, kind, None);
        assert_eq!(position, at, "{text}: {message}");
        assert!(message.contains("redundant parentheses"), "{message}");
        // The library prints expressions anew, so parsing stays lenient.
        assert!(parse(text, Some(kind)).is_ok(), "{text}");
    }
}

#[test]
fn conflicting_paths_in_an_update_or_projection_are_named_with_their_positions() {
    let (message, at) = refusal("REMOVE #a.#c SET #a[1] = :v", Kind::Update, None);
    assert_eq!(at, 17, "{message}");
    assert!(
        message.contains("conflicting paths: 'a.c' (position 7) and 'a[1]' (position 17)"),
        "{message}"
    );
    let (message, at) = refusal("#a[0], #a.#b", Kind::Projection, None);
    assert_eq!(at, 7, "{message}");
    assert!(
        message.contains("two conflicting projected paths: 'a[0]' (position 0)"),
        "{message}"
    );
    let (message, at) = refusal("#b, #a.#b, #a", Kind::Projection, None);
    assert_eq!(at, 11, "{message}");
    assert!(
        message.contains("two overlapping projected paths: 'a.b' (position 4) and 'a'"),
        "{message}"
    );
}

#[test]
fn the_same_path_on_both_sides_is_refused_where_the_comparison_starts() {
    let (message, at) = refusal("#b = :v OR #a = a", Kind::Condition, None);
    assert_eq!(at, 11, "{message}");
    assert!(
        message.contains("both operands of '=' at position 11 are the path 'a'"),
        "{message}"
    );
    let (message, _) = refusal("NOT contains(#a.#b, #a.#b)", Kind::Condition, None);
    assert!(message.contains("contains"), "{message}");
}
