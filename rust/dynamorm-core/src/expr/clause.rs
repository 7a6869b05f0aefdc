//! The structured inputs of the compiler: condition clauses with the
//! operators of SPEC §4, and update actions (SPEC §6).
//!
//! Values are opaque here: a clause holds the caller's *value numbers*, and
//! the compiled result says which placeholder stands for which number, so the
//! core never needs to see (or marshal) a value.

use super::ast::Comparator;
use super::pathspec::PathInput;

/// A condition operator as users write it (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Compare(Comparator),
    Between,
    In,
    BeginsWith,
    Contains,
    NotContains,
    Exists,
    NotExists,
    AttributeType,
    /// `"size >"` etc.: compares `size(path)`.
    Size(Comparator),
}

fn comparator(symbol: &str) -> Option<Comparator> {
    Some(match symbol {
        "=" | "==" => Comparator::Eq,
        "!=" | "<>" => Comparator::Ne,
        "<" => Comparator::Lt,
        "<=" => Comparator::Le,
        ">" => Comparator::Gt,
        ">=" => Comparator::Ge,
        _ => return None,
    })
}

impl Operator {
    /// Parses an operator: `=`, `!=`/`<>`, `<`, `<=`, `>`, `>=`, `BETWEEN`,
    /// `IN`, `BEGINS_WITH`, `CONTAINS`, `NOT_CONTAINS`, `EXISTS`,
    /// `NOT_EXISTS`, `ATTRIBUTE_TYPE` and `SIZE <comparison>`, in any case and
    /// with surrounding spaces ignored.
    pub fn parse(text: &str) -> Option<Operator> {
        // Nearly every operator is written exactly like one of these; the
        // general rules below (spaces, any case, `size`) are the slow path.
        if let Some(op) = Self::common(text) {
            return Some(op);
        }
        let text = text.trim();
        if let Some(c) = comparator(text) {
            return Some(Operator::Compare(c));
        }
        if text.len() > 4 && text.is_char_boundary(4) {
            let (head, rest) = text.split_at(4);
            if head.eq_ignore_ascii_case("size") {
                let trimmed = rest.trim_start();
                if trimmed.len() < rest.len() || trimmed.starts_with(['<', '>', '=', '!']) {
                    return comparator(trimmed.trim()).map(Operator::Size);
                }
            }
        }
        const WORDS: [(&str, Operator); 10] = [
            ("BETWEEN", Operator::Between),
            ("IN", Operator::In),
            ("BEGINS_WITH", Operator::BeginsWith),
            ("CONTAINS", Operator::Contains),
            ("NOT_CONTAINS", Operator::NotContains),
            ("EXISTS", Operator::Exists),
            ("ATTRIBUTE_EXISTS", Operator::Exists),
            ("NOT_EXISTS", Operator::NotExists),
            ("ATTRIBUTE_NOT_EXISTS", Operator::NotExists),
            ("ATTRIBUTE_TYPE", Operator::AttributeType),
        ];
        WORDS
            .iter()
            .find(|(word, _)| word.eq_ignore_ascii_case(text))
            .map(|(_, op)| *op)
    }

    /// The operators as most callers write them: symbols, and words in
    /// lower or upper case.
    fn common(text: &str) -> Option<Operator> {
        Some(match text {
            "=" | "==" => Operator::Compare(Comparator::Eq),
            "!=" | "<>" => Operator::Compare(Comparator::Ne),
            "<" => Operator::Compare(Comparator::Lt),
            "<=" => Operator::Compare(Comparator::Le),
            ">" => Operator::Compare(Comparator::Gt),
            ">=" => Operator::Compare(Comparator::Ge),
            "between" | "BETWEEN" => Operator::Between,
            "in" | "IN" => Operator::In,
            "begins_with" | "BEGINS_WITH" => Operator::BeginsWith,
            "contains" | "CONTAINS" => Operator::Contains,
            "not_contains" | "NOT_CONTAINS" => Operator::NotContains,
            "exists" | "EXISTS" | "attribute_exists" | "ATTRIBUTE_EXISTS" => Operator::Exists,
            "not_exists" | "NOT_EXISTS" | "attribute_not_exists" | "ATTRIBUTE_NOT_EXISTS" => {
                Operator::NotExists
            }
            "attribute_type" | "ATTRIBUTE_TYPE" => Operator::AttributeType,
            _ => return None,
        })
    }

    /// Whether the operator compares against several values (`BETWEEN`, `IN`).
    pub fn takes_many(self) -> bool {
        matches!(self, Operator::Between | Operator::In)
    }

    /// Whether the operator takes no value (`EXISTS`, `NOT_EXISTS`).
    pub fn takes_none(self) -> bool {
        matches!(self, Operator::Exists | Operator::NotExists)
    }
}

/// The value side of a clause, as value numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClauseValue {
    /// `EXISTS` / `NOT_EXISTS` take none.
    None,
    One(usize),
    /// `BETWEEN` (2) and `IN` (1..=100).
    Many(Vec<usize>),
}

/// A condition clause or group. A list of clauses is ANDed. Paths and
/// operators are any string type `S` (see [`PathInput`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause<S = String> {
    /// `(path, op, value)`; `op` is kept as written so errors can quote it.
    Compare {
        path: PathInput<S>,
        op: S,
        value: ClauseValue,
    },
    And(Vec<Clause<S>>),
    Or(Vec<Clause<S>>),
    Not(Box<Clause<S>>),
    /// A raw condition written by the caller; its placeholders come from the
    /// caller's names/values.
    Raw(String),
}

/// An update action of SPEC §6. `Increment`/`decrement` are `Add` of a
/// positive or negative number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateAction<S = String> {
    /// `SET path = :v`
    Set { path: PathInput<S>, value: usize },
    /// `SET path = if_not_exists(path, :v)`
    SetIfNotExists { path: PathInput<S>, value: usize },
    /// `ADD path :v` (numbers and sets)
    Add { path: PathInput<S>, value: usize },
    /// `REMOVE path`
    Remove { path: PathInput<S> },
    /// `DELETE path :v` (elements from a set)
    Delete { path: PathInput<S>, value: usize },
    /// `SET path = list_append(path, :v)`; with `empty` (an empty list value),
    /// `list_append(if_not_exists(path, :empty), :v)` so a missing list works.
    AppendToList {
        path: PathInput<S>,
        value: usize,
        empty: Option<usize>,
    },
    /// Like `AppendToList`, with the new elements first.
    PrependToList {
        path: PathInput<S>,
        value: usize,
        empty: Option<usize>,
    },
    /// `REMOVE path[i]`
    RemoveFromListAt { path: PathInput<S>, index: u32 },
    /// `SET path[i] = :v`
    SetListElement {
        path: PathInput<S>,
        index: u32,
        value: usize,
    },
}

impl<S> UpdateAction<S> {
    /// The path the action writes.
    pub fn path(&self) -> &PathInput<S> {
        match self {
            UpdateAction::Set { path, .. }
            | UpdateAction::SetIfNotExists { path, .. }
            | UpdateAction::Add { path, .. }
            | UpdateAction::Remove { path }
            | UpdateAction::Delete { path, .. }
            | UpdateAction::AppendToList { path, .. }
            | UpdateAction::PrependToList { path, .. }
            | UpdateAction::RemoveFromListAt { path, .. }
            | UpdateAction::SetListElement { path, .. } => path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_case_insensitively() {
        assert_eq!(
            Operator::parse("!="),
            Some(Operator::Compare(Comparator::Ne))
        );
        assert_eq!(Operator::parse(" between "), Some(Operator::Between));
        assert_eq!(Operator::parse("Begins_With"), Some(Operator::BeginsWith));
        assert_eq!(
            Operator::parse("size >"),
            Some(Operator::Size(Comparator::Gt))
        );
        assert_eq!(
            Operator::parse("SIZE="),
            Some(Operator::Size(Comparator::Eq))
        );
        assert_eq!(
            Operator::parse("size  <>"),
            Some(Operator::Size(Comparator::Ne))
        );
        // The fast path agrees with the general rules on every spelling it knows.
        for word in [
            "=",
            "==",
            "!=",
            "<>",
            "<",
            "<=",
            ">",
            ">=",
            "between",
            "in",
            "begins_with",
            "contains",
            "not_contains",
            "exists",
            "attribute_exists",
            "not_exists",
            "attribute_not_exists",
            "attribute_type",
        ] {
            for spelling in [word.to_string(), word.to_ascii_uppercase()] {
                let general = Operator::parse(&format!(" {spelling} "));
                assert!(general.is_some(), "{spelling}");
                assert_eq!(Operator::common(&spelling), general, "{spelling}");
            }
        }
        for bad in [
            "",
            "sizeable",
            "size",
            "size between",
            "=>",
            "like",
            "sizes >",
        ] {
            assert_eq!(Operator::parse(bad), None, "{bad}");
        }
    }
}
