//! Structured clauses → expression text in one shared placeholder namespace.
//!
//! A [`Compiler`] serves one request: its condition, key condition, filter,
//! update and projection all draw their `#n`/`:v` placeholders from the same
//! [`Placeholders`], so the request gets one `ExpressionAttributeNames` and
//! one `ExpressionAttributeValues`. Text is written straight out (this is a
//! hot path); the property tests check that everything written parses back
//! and validates.

use std::collections::BTreeSet;

use super::ast::{Comparator, Condition, Expression, Kind};
use super::clause::{Clause, ClauseValue, Operator};
use super::names::{push_numbered, NameList, Placeholders};
use super::parser::{parse, MAX_IN_OPERANDS};
use super::pathspec::{describe, overlap, PathInput, Segment};
use super::printer::{print, strength, write_condition};
use super::validate::{check_all_used, check_references, check_update_targets, NameMap, ValueKeys};
use crate::error::{CoreError, CoreResult};

/// The names and values of a compiled request. Generated placeholders are
/// kept as numbers (`#n{number}`, `:v{number}`) so callers can render them
/// however is cheapest for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// `(placeholder number, attribute name)` for generated names, in order.
    pub generated_names: NameList,
    /// The caller's own `(placeholder, attribute name)`.
    pub caller_names: Vec<(String, String)>,
    /// `(placeholder number, caller's value number)` for generated values;
    /// the caller's own value placeholders are theirs to add.
    pub values: Vec<(usize, usize)>,
}

impl Namespace {
    /// Every `(placeholder, attribute name)`: generated ones, then the caller's.
    pub fn names(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .generated_names
            .iter()
            .map(|(n, attr)| (placeholder("#n", n), attr.to_string()))
            .collect();
        out.extend(self.caller_names.iter().cloned());
        out
    }

    /// Every generated `(value placeholder, caller's value number)`.
    pub fn value_placeholders(&self) -> Vec<(String, usize)> {
        self.values
            .iter()
            .map(|(n, id)| (placeholder(":v", *n), *id))
            .collect()
    }
}

/// `#n{number}` / `:v{number}`.
pub fn placeholder(prefix: &str, number: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + 3);
    push_numbered(&mut out, prefix, number);
    out
}

/// Compiles the expressions of one request into a shared namespace.
#[derive(Debug)]
pub struct Compiler {
    pub(super) placeholders: Placeholders,
    caller_names: NameMap,
    caller_values: ValueKeys,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

/// Where in the caller's input a clause is (`condition[2][0] (operator
/// "in")`), kept as a chain on the stack and only rendered for an error, so
/// compiling allocates nothing for it. The bindings name places in the
/// caller's Python input the same way (`filter[2][0] value`).
#[derive(Clone, Copy)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Label(&'a str),
    Index(usize),
    Operator(&'a str),
}

impl<'a> At<'a> {
    /// The outermost place: an argument name (`"condition"`).
    pub fn root(label: &'a str) -> Self {
        At {
            parent: None,
            step: Step::Label(label),
        }
    }

    /// Item `i` of this place (`[2]`).
    pub fn index(&'a self, i: usize) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Index(i),
        }
    }

    /// This place followed by `suffix` as written (`" value"`).
    pub fn label(&'a self, suffix: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Label(suffix),
        }
    }

    /// This place, a clause with operator `op` (` (operator "in")`).
    pub fn operator(&'a self, op: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            step: Step::Operator(op),
        }
    }

    /// A `ValidationError` about this place: `"{place}: {message}"`.
    pub fn error(&self, message: impl std::fmt::Display) -> CoreError {
        CoreError::validation(format!("{self}: {message}"))
    }
}

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.step {
            Step::Label(label) => f.write_str(label),
            Step::Index(i) => write!(f, "[{i}]"),
            Step::Operator(op) => write!(f, " (operator {op:?})"),
        }
    }
}

/// Binding strength of what a clause compiles to (see `printer::strength`);
/// raw clauses are measured after parsing.
fn clause_strength<S: AsRef<str>>(clause: &Clause<S>) -> u8 {
    match clause {
        Clause::Compare { op, .. } => match Operator::parse(op.as_ref()) {
            Some(Operator::NotContains) => 3,
            _ => 4,
        },
        Clause::Not(_) => 3,
        Clause::And(items) | Clause::Or(items) if items.len() == 1 => clause_strength(&items[0]),
        Clause::And(items) if items.len() > 1 => 2,
        Clause::Or(items) if items.len() > 1 => 1,
        _ => 4,
    }
}

impl Compiler {
    /// A compiler whose generated placeholders avoid the caller's names and
    /// values (used by raw expressions).
    pub fn new(caller_names: NameMap, caller_values: ValueKeys) -> CoreResult<Self> {
        for key in caller_names.keys() {
            if key.len() < 2 || !key.starts_with('#') {
                return Err(CoreError::validation(format!(
                    "names key {key:?} must be a '#' placeholder such as '#name'"
                )));
            }
        }
        for key in &caller_values {
            if key.len() < 2 || !key.starts_with(':') {
                return Err(CoreError::validation(format!(
                    "values key {key:?} must be a ':' placeholder such as ':value'"
                )));
            }
        }
        let placeholders = Placeholders::new(
            caller_names.keys().cloned().collect(),
            caller_values.clone(),
        );
        Ok(Compiler {
            placeholders,
            caller_names,
            caller_values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        })
    }

    pub(super) fn write_path<S: AsRef<str>>(
        &mut self,
        out: &mut String,
        path: &PathInput<S>,
        at: &At<'_>,
    ) -> CoreResult<()> {
        self.placeholders
            .write_path(out, path)
            .map_err(|m| at.error(m))
    }

    /// Parses a raw expression of `kind`, checks its placeholders against the
    /// caller's maps and reserved words, and records what it uses.
    fn raw_tree(&mut self, text: &str, kind: Kind) -> CoreResult<Expression> {
        let expr = parse(text, Some(kind))?;
        check_references(
            &expr,
            &self.caller_names,
            &self.caller_values,
            &mut self.used_names,
            &mut self.used_values,
        )?;
        if let Expression::Update(update) = &expr {
            check_update_targets(update, &self.caller_names, None)?;
        }
        Ok(expr)
    }

    /// Validates a raw expression written by the caller and returns it in
    /// canonical form.
    pub fn raw(&mut self, text: &str, kind: Kind) -> CoreResult<String> {
        Ok(print(&self.raw_tree(text, kind)?))
    }

    fn raw_condition(&mut self, text: &str, at: &At<'_>) -> CoreResult<Condition> {
        match self.raw_tree(text, Kind::Condition)? {
            Expression::Condition(c) => Ok(c),
            _ => Err(at.error("a raw clause must be a condition")),
        }
    }

    /// Writes `clause`, in parentheses if it binds looser than `min`.
    fn write_child<S: AsRef<str>>(
        &mut self,
        out: &mut String,
        clause: &Clause<S>,
        at: &At<'_>,
        min: u8,
    ) -> CoreResult<()> {
        if let Clause::Raw(text) = clause {
            let cond = self.raw_condition(text, at)?;
            let paren = strength(&cond) < min;
            if paren {
                out.push('(');
            }
            write_condition(out, &cond);
            if paren {
                out.push(')');
            }
            return Ok(());
        }
        let paren = clause_strength(clause) < min;
        if paren {
            out.push('(');
        }
        self.write_clause(out, clause, at)?;
        if paren {
            out.push(')');
        }
        Ok(())
    }

    fn write_group<S: AsRef<str>>(
        &mut self,
        out: &mut String,
        items: &[Clause<S>],
        at: &At<'_>,
        and: bool,
    ) -> CoreResult<()> {
        match items {
            [] => Err(at.error("an empty group has no condition")),
            [only] => self.write_child(out, only, &at.index(0), 0),
            _ => {
                let (joiner, min) = if and { (" AND ", 3) } else { (" OR ", 2) };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(joiner);
                    }
                    self.write_child(out, item, &at.index(i), min)?;
                }
                Ok(())
            }
        }
    }

    fn write_clause<S: AsRef<str>>(
        &mut self,
        out: &mut String,
        clause: &Clause<S>,
        at: &At<'_>,
    ) -> CoreResult<()> {
        match clause {
            Clause::And(items) => self.write_group(out, items, at, true),
            Clause::Or(items) => self.write_group(out, items, at, false),
            Clause::Not(inner) => {
                out.push_str("NOT ");
                self.write_child(out, inner, &at.index(0), 3)
            }
            Clause::Raw(_) => self.write_child(out, clause, at, 0),
            Clause::Compare { path, op, value } => {
                let op = op.as_ref();
                self.write_compare(out, path, op, value, &at.operator(op))
            }
        }
    }

    fn write_compare<S: AsRef<str>>(
        &mut self,
        out: &mut String,
        path: &PathInput<S>,
        op_text: &str,
        value: &ClauseValue,
        at: &At<'_>,
    ) -> CoreResult<()> {
        let op = Operator::parse(op_text).ok_or_else(|| {
            at.error(
                "unknown operator; use =, !=, <>, <, <=, >, >=, BETWEEN, IN, BEGINS_WITH, \
                 CONTAINS, NOT_CONTAINS, EXISTS, NOT_EXISTS, ATTRIBUTE_TYPE or 'SIZE <op>'",
            )
        })?;
        // Check the value's shape before writing anything.
        let one = match (op, value) {
            (Operator::Exists | Operator::NotExists, ClauseValue::None) => None,
            (Operator::Exists | Operator::NotExists, _) => {
                return Err(at.error("takes no value (pass None)"))
            }
            (Operator::Between, ClauseValue::Many(ids)) if ids.len() == 2 => None,
            (Operator::Between, _) => return Err(at.error("BETWEEN takes a 2-tuple (low, high)")),
            (Operator::In, ClauseValue::Many(ids))
                if (1..=MAX_IN_OPERANDS).contains(&ids.len()) =>
            {
                None
            }
            (Operator::In, _) => {
                return Err(at.error(format!(
                    "IN takes an iterable of 1 to {MAX_IN_OPERANDS} values"
                )))
            }
            (_, ClauseValue::One(id)) => Some(*id),
            _ => return Err(at.error("takes exactly one value")),
        };
        let function = |name: &str, out: &mut String, this: &mut Self| -> CoreResult<()> {
            out.push_str(name);
            out.push('(');
            this.write_path(out, path, at)?;
            if let Some(id) = one {
                out.push_str(", ");
                this.placeholders.write_value(out, id);
            }
            out.push(')');
            Ok(())
        };
        match op {
            Operator::Compare(c) | Operator::Size(c) => {
                if matches!(op, Operator::Size(_)) {
                    out.push_str("size(");
                    self.write_path(out, path, at)?;
                    out.push(')');
                } else {
                    self.write_path(out, path, at)?;
                }
                out.push(' ');
                out.push_str(c.symbol());
                out.push(' ');
                self.placeholders.write_value(out, one.unwrap_or_default());
            }
            Operator::Between | Operator::In => {
                let ClauseValue::Many(ids) = value else {
                    return Err(at.error("takes several values"));
                };
                self.write_path(out, path, at)?;
                if op == Operator::Between {
                    out.push_str(" BETWEEN ");
                    self.placeholders.write_value(out, ids[0]);
                    out.push_str(" AND ");
                    self.placeholders.write_value(out, ids[1]);
                } else {
                    out.push_str(" IN (");
                    for (i, id) in ids.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.placeholders.write_value(out, *id);
                    }
                    out.push(')');
                }
            }
            Operator::Exists => function("attribute_exists", out, self)?,
            Operator::NotExists => function("attribute_not_exists", out, self)?,
            Operator::BeginsWith => function("begins_with", out, self)?,
            Operator::Contains => function("contains", out, self)?,
            Operator::AttributeType => function("attribute_type", out, self)?,
            Operator::NotContains => {
                out.push_str("NOT ");
                function("contains", out, self)?;
            }
        }
        Ok(())
    }

    /// Compiles clauses (ANDed) into a condition or filter expression.
    /// `label` names the clause list in error messages (`"filter"` gives
    /// `filter[2]`).
    pub fn condition<S: AsRef<str>>(
        &mut self,
        clauses: &[Clause<S>],
        label: &str,
    ) -> CoreResult<String> {
        let mut out = String::with_capacity(32 * clauses.len());
        self.write_group(&mut out, clauses, &At::root(label), true)?;
        Ok(out)
    }

    /// Compiles clauses (ANDed) into a key-condition expression: a partition
    /// key `=` and at most one sort-key condition.
    pub fn key_condition<S: AsRef<str>>(
        &mut self,
        clauses: &[Clause<S>],
        label: &str,
    ) -> CoreResult<String> {
        let root = At::root(label);
        for (i, clause) in clauses.iter().enumerate() {
            let at = root.index(i);
            if let Clause::Compare { op, .. } = clause {
                let op = op.as_ref();
                let allowed = match Operator::parse(op) {
                    Some(Operator::Compare(c)) => c != Comparator::Ne,
                    Some(Operator::Between | Operator::BeginsWith) => true,
                    _ => false,
                };
                if !allowed {
                    return Err(at.operator(op).error(
                        "a key condition allows only =, <, <=, >, >=, BETWEEN and BEGINS_WITH",
                    ));
                }
            } else if !matches!(clause, Clause::Raw(_)) {
                return Err(at.error("a key condition cannot hold OR/NOT groups"));
            }
        }
        let text = self.condition(clauses, label)?;
        // The shape rules (one partition-key `=`, at most one sort-key part)
        // are checked on the tree of the text just written.
        parse(&text, Some(Kind::KeyCondition)).map_err(|e| match e {
            CoreError::Expression { message, .. } => root.error(message),
            other => other,
        })?;
        Ok(text)
    }

    /// Compiles a projection of `paths`; overlapping paths are rejected, as
    /// DynamoDB would.
    pub fn projection<S: AsRef<str>>(&mut self, paths: &[PathInput<S>]) -> CoreResult<String> {
        if paths.is_empty() {
            return Err(CoreError::validation(
                "a projection needs at least one path",
            ));
        }
        let root = At::root("paths");
        let mut out = String::with_capacity(8 * paths.len());
        let mut seen: Vec<Vec<Segment>> = Vec::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            let at = root.index(i);
            let segments = path.segments().map_err(|m| at.error(m))?;
            if let Some(j) = seen.iter().position(|other| overlap(other, &segments)) {
                return Err(at.error(format!(
                    "path '{}' overlaps paths[{j}] '{}'; projected paths cannot overlap",
                    describe(&segments),
                    describe(&seen[j])
                )));
            }
            if i > 0 {
                out.push_str(", ");
            }
            self.write_path(&mut out, path, &at)?;
            seen.push(segments);
        }
        Ok(out)
    }

    /// Ends the request: fails if a caller's name or value was never used by
    /// a raw expression, else returns the shared names and values.
    pub fn finish(self) -> CoreResult<Namespace> {
        check_all_used(
            &self.caller_names,
            &self.caller_values,
            &self.used_names,
            &self.used_values,
            0,
        )?;
        Ok(Namespace {
            generated_names: self.placeholders.names,
            caller_names: self.caller_names.into_iter().collect(),
            values: self.placeholders.values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::At;

    #[test]
    fn a_place_renders_as_its_steps_from_the_outermost() {
        let root = At::root("filter");
        let item = root.index(2);
        let inner = item.index(0);
        assert_eq!(inner.label(" value").to_string(), "filter[2][0] value");
        assert_eq!(
            item.operator("in")
                .error("takes several values")
                .to_string(),
            "filter[2] (operator \"in\"): takes several values"
        );
    }
}
