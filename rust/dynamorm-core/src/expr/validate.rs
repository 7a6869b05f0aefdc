//! Checks a parsed expression against its names/values maps, the reserved
//! words and — for updates — the paths it writes, the way DynamoDB would
//! reject it, but before anything is sent and with a position.
//!
//! Some texts parse but DynamoDB still refuses them: redundant parentheses
//! (`((#a)) = :v`), the same path on both sides of a comparison or function
//! (`#a = #a`), overlapping or conflicting paths in an update or projection
//! (`#a, #a.#b`; `#a.#b, #a[0]`), two conditions on one key. [`validate`]
//! refuses them too; the parser does not, since the library prints
//! expressions anew before sending them.

use std::collections::{BTreeMap, BTreeSet};

use super::ast::*;
use super::keycond::check_key_condition;
use super::lexer::{redundant_parentheses, tokenize};
use super::parser::parse_tokens;
use super::reserved::is_reserved;
use super::visit::References;
use crate::error::{CoreError, CoreResult};

/// `ExpressionAttributeNames`: placeholder → attribute name.
pub type NameMap = BTreeMap<String, String>;
/// The placeholders of `ExpressionAttributeValues` (the values themselves
/// never matter to validation).
pub type ValueKeys = BTreeSet<String>;

/// Checks every name and value reference of `expr`: placeholders must have
/// an entry, written names must not be reserved words. The placeholders used
/// are added to `used_names` / `used_values`.
pub fn check_references(
    expr: &Expression,
    names: &NameMap,
    values: &ValueKeys,
    used_names: &mut BTreeSet<String>,
    used_values: &mut BTreeSet<String>,
) -> CoreResult<()> {
    let refs = References::of(expr);
    // Report the earliest problem in the text, whatever its kind.
    let mut problems: Vec<(usize, String)> = Vec::new();
    for name in &refs.names {
        let at = name.span.start;
        if name.is_placeholder() {
            if names.contains_key(&name.text) {
                used_names.insert(name.text.clone());
            } else {
                problems.push((
                    at,
                    format!(
                        "name placeholder '{}' at position {at} has no entry in \
                         ExpressionAttributeNames",
                        name.text
                    ),
                ));
            }
        } else if is_reserved(&name.text) {
            problems.push((
                at,
                format!(
                    "'{}' at position {at} is a DynamoDB reserved word; use a #placeholder \
                     (e.g. '#{}') mapped to it in the names",
                    name.text,
                    name.text.to_ascii_lowercase()
                ),
            ));
        }
    }
    for value in &refs.values {
        let at = value.span.start;
        if values.contains(&value.text) {
            used_values.insert(value.text.clone());
        } else {
            problems.push((
                at,
                format!(
                    "value placeholder '{}' at position {at} has no entry in \
                     ExpressionAttributeValues",
                    value.text
                ),
            ));
        }
    }
    match problems.into_iter().min_by_key(|(at, _)| *at) {
        Some((at, message)) => Err(CoreError::expression(message, at)),
        None => Ok(()),
    }
}

/// Fails on the first entry of `names` / `values` that no expression used
/// (DynamoDB rejects such requests). `position` is where to point: the end of
/// the text, since the problem is an absence.
pub fn check_all_used(
    names: &NameMap,
    values: &ValueKeys,
    used_names: &BTreeSet<String>,
    used_values: &BTreeSet<String>,
    position: usize,
) -> CoreResult<()> {
    if let Some(unused) = names.keys().find(|k| !used_names.contains(*k)) {
        return Err(CoreError::expression(
            format!("name placeholder '{unused}' is given but never used in the expression"),
            position,
        ));
    }
    if let Some(unused) = values.iter().find(|k| !used_values.contains(*k)) {
        return Err(CoreError::expression(
            format!("value placeholder '{unused}' is given but never used in the expression"),
            position,
        ));
    }
    Ok(())
}

/// One resolved step of a path, for comparing paths by what they address.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step<'a> {
    Name(&'a str),
    Index(u32),
}

fn resolve<'a>(name: &'a Name, names: &'a NameMap) -> &'a str {
    if name.is_placeholder() {
        names
            .get(&name.text)
            .map_or(name.text.as_str(), String::as_str)
    } else {
        &name.text
    }
}

fn steps<'a>(path: &'a Path, names: &'a NameMap) -> Vec<Step<'a>> {
    let mut out = vec![Step::Name(resolve(&path.root, names))];
    for element in &path.rest {
        out.push(match element {
            PathElement::Field(n) => Step::Name(resolve(n, names)),
            PathElement::Index(i) => Step::Index(*i),
        });
    }
    out
}

fn display(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Name(n) if i == 0 => out.push_str(n),
            Step::Name(n) => {
                out.push('.');
                out.push_str(n);
            }
            Step::Index(idx) => out.push_str(&format!("[{idx}]")),
        }
    }
    out
}

/// How two paths clash, as DynamoDB sees it: they overlap when one is a
/// prefix of the other (or both are the same), they conflict when, where they
/// first differ, one takes a name and the other an index (`a.b`, `a[0]`:
/// `a` cannot be both a map and a list).
fn clash(a: &[Step<'_>], b: &[Step<'_>]) -> Option<&'static str> {
    match a.iter().zip(b).find(|(x, y)| x != y) {
        None => Some("overlapping"),
        Some((Step::Name(_), Step::Index(_)) | (Step::Index(_), Step::Name(_))) => {
            Some("conflicting")
        }
        Some(_) => None,
    }
}

/// The paths an update writes or a projection reads, so far: each new one
/// must not clash with any before it.
struct DistinctPaths<'a> {
    names: &'a NameMap,
    /// How messages name two clashing paths, `{}` standing for how they
    /// clash: "two update actions on {} paths".
    what: &'static str,
    seen: Vec<(Vec<Step<'a>>, usize)>,
}

impl<'a> DistinctPaths<'a> {
    fn new(names: &'a NameMap, what: &'static str) -> Self {
        DistinctPaths {
            names,
            what,
            seen: Vec::new(),
        }
    }

    fn add(&mut self, path: &'a Path) -> CoreResult<&[Step<'a>]> {
        let at = path.span.start;
        let these = steps(path, self.names);
        for (other, other_at) in &self.seen {
            if let Some(how) = clash(other, &these) {
                return Err(CoreError::expression(
                    format!(
                        "{}: '{}' (position {other_at}) and '{}' (position {at})",
                        self.what.replace("{}", how),
                        display(other),
                        display(&these)
                    ),
                    at,
                ));
            }
        }
        self.seen.push((these, at));
        Ok(&self.seen[self.seen.len() - 1].0)
    }
}

/// Rejects two actions on overlapping or conflicting paths (see [`clash`])
/// and, when `key_attributes` is given, any action on a key attribute.
pub fn check_update_targets(
    update: &Update,
    names: &NameMap,
    key_attributes: Option<&[String]>,
) -> CoreResult<()> {
    let mut seen = DistinctPaths::new(names, "two update actions on {} paths");
    for clause in &update.clauses {
        for path in clause.targets() {
            let these = seen.add(path)?;
            if let (Some(keys), Step::Name(root)) = (key_attributes, &these[0]) {
                if keys.iter().any(|k| k == root) {
                    let at = path.span.start;
                    return Err(CoreError::expression(
                        format!(
                            "the update at position {at} changes key attribute '{root}'; \
                             key attributes cannot be updated"
                        ),
                        at,
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Rejects a projection naming overlapping or conflicting paths (see
/// [`clash`]); DynamoDB refuses `#a, #a.#b`.
pub fn check_projection_paths(paths: &[Path], names: &NameMap) -> CoreResult<()> {
    let mut seen = DistinctPaths::new(names, "two {} projected paths");
    for path in paths {
        seen.add(path)?;
    }
    Ok(())
}

/// Rejects a comparison or a two-argument function whose operands are the
/// same path (`#a = #a`, `contains(#a, #a)`), which DynamoDB refuses: "The
/// first operand must be distinct from the remaining operands".
pub fn check_distinct_operands(cond: &Condition, names: &NameMap) -> CoreResult<()> {
    let (what, a, b, span) = match cond {
        Condition::Not(inner, _) => return check_distinct_operands(inner, names),
        Condition::And(items, _) | Condition::Or(items, _) => {
            return items
                .iter()
                .try_for_each(|c| check_distinct_operands(c, names));
        }
        Condition::Compare {
            op,
            left: Operand::Path(a),
            right: Operand::Path(b),
            span,
        } => (format!("'{}'", op.symbol()), a, b, span),
        Condition::Call {
            function,
            path,
            arg: Some(Operand::Path(b)),
            span,
        } => (function.name().to_owned(), path, b, span),
        _ => return Ok(()),
    };
    let first = steps(a, names);
    if first != steps(b, names) {
        return Ok(());
    }
    let at = span.start;
    Err(CoreError::expression(
        format!(
            "both operands of {what} at position {at} are the path '{}'; DynamoDB requires \
             them to be distinct",
            display(&first)
        ),
        at,
    ))
}

/// Checks a key condition puts one condition on each key and, with
/// `key_attributes`, names the table's keys: the `=` part the partition key
/// (`key_attributes[0]`), the other part the sort key. When both parts are
/// `=`, either may come first, so the names tell which is which.
pub fn check_key_names(
    cond: &Condition,
    names: &NameMap,
    key_attributes: Option<&[String]>,
) -> CoreResult<()> {
    let keys = check_key_condition(cond)?;
    let (mut partition, mut sort) = (keys.partition, keys.sort);
    if let Some(second) = sort {
        let name = resolve(&second.root, names);
        if name == resolve(&partition.root, names) {
            let at = second.span.start;
            return Err(CoreError::expression(
                format!(
                    "the key condition has a second condition on '{name}' at position {at}; \
                     DynamoDB takes one condition per key"
                ),
                at,
            ));
        }
        let is_partition = key_attributes
            .and_then(|k| k.first())
            .is_some_and(|k| k.as_str() == name);
        if keys.both_equalities && is_partition {
            (partition, sort) = (second, Some(partition));
        }
    }
    let Some(key_attributes) = key_attributes else {
        return Ok(());
    };
    let parts = [Some(partition), sort];
    for (role, (path, expected)) in ["partition", "sort"]
        .iter()
        .zip(parts.iter().zip(key_attributes.iter()))
    {
        if let Some(path) = path {
            let name = resolve(&path.root, names);
            if name != expected {
                return Err(CoreError::expression(
                    format!(
                        "the key condition at position {} uses '{name}' as the {role} key, \
                         but the {role} key is '{expected}'",
                        path.span.start
                    ),
                    path.span.start,
                ));
            }
        }
    }
    if sort.is_some() && key_attributes.len() < 2 {
        let at = cond.span().start;
        return Err(CoreError::expression(
            format!("the key condition at position {at} has a sort-key part but the key has none"),
            at,
        ));
    }
    Ok(())
}

/// Parses and fully validates one expression on its own: syntax, redundant
/// parentheses, references, reserved words, unused entries, operands that
/// must differ, for updates and projections overlapping or conflicting
/// paths, for updates key paths and for key conditions the keys. `None` maps
/// count as empty.
pub fn validate(
    text: &str,
    kind: Option<Kind>,
    names: Option<&NameMap>,
    values: Option<&ValueKeys>,
    key_attributes: Option<&[String]>,
) -> CoreResult<Expression> {
    let empty_names = NameMap::new();
    let empty_values = ValueKeys::new();
    let names = names.unwrap_or(&empty_names);
    let values = values.unwrap_or(&empty_values);
    let tokens = tokenize(text)?;
    let expr = parse_tokens(&tokens, kind)?;
    // DynamoDB reports redundant parentheses before any other problem of a
    // text that parses.
    if let Some(span) = redundant_parentheses(&tokens) {
        let at = span.start;
        return Err(CoreError::expression(
            format!(
                "redundant parentheses at position {at}: two pairs around the same thing, \
                 which DynamoDB refuses (\"The expression has redundant parentheses\"); \
                 drop one pair"
            ),
            at,
        ));
    }
    let (mut used_names, mut used_values) = (BTreeSet::new(), BTreeSet::new());
    check_references(&expr, names, values, &mut used_names, &mut used_values)?;
    check_all_used(names, values, &used_names, &used_values, text.len())?;
    match &expr {
        Expression::Update(update) => check_update_targets(update, names, key_attributes)?,
        Expression::Condition(cond) => check_distinct_operands(cond, names)?,
        Expression::KeyCondition(cond) => check_key_names(cond, names, key_attributes)?,
        Expression::Projection(paths) => check_projection_paths(paths, names)?,
    }
    Ok(expr)
}
