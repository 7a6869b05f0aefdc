//! Checks a parsed expression against its names/values maps, the reserved
//! words and — for updates — the paths it writes, the way DynamoDB would
//! reject it, but before anything is sent and with a position.

use std::collections::{BTreeMap, BTreeSet};

use super::ast::*;
use super::keycond::check_key_condition;
use super::parser::parse;
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

/// Rejects two actions on overlapping paths (one a prefix of the other, or
/// the same path twice) and, when `key_attributes` is given, any action on a
/// key attribute.
pub fn check_update_targets(
    update: &Update,
    names: &NameMap,
    key_attributes: Option<&[String]>,
) -> CoreResult<()> {
    let mut seen: Vec<(Vec<Step<'_>>, usize)> = Vec::new();
    for clause in &update.clauses {
        for path in clause.targets() {
            let at = path.span.start;
            let these = steps(path, names);
            if let (Some(keys), Step::Name(root)) = (key_attributes, &these[0]) {
                if keys.iter().any(|k| k == root) {
                    return Err(CoreError::expression(
                        format!(
                            "the update at position {at} changes key attribute '{root}'; \
                             key attributes cannot be updated"
                        ),
                        at,
                    ));
                }
            }
            for (other, other_at) in &seen {
                let n = other.len().min(these.len());
                if other[..n] == these[..n] {
                    return Err(CoreError::expression(
                        format!(
                            "two update actions on overlapping paths: '{}' (position {other_at}) \
                             and '{}' (position {at})",
                            display(other),
                            display(&these)
                        ),
                        at,
                    ));
                }
            }
            seen.push((these, at));
        }
    }
    Ok(())
}

/// Checks a key condition names the table's keys: the `=` part the partition
/// key (`key_attributes[0]`), the other part the sort key.
pub fn check_key_names(
    cond: &Condition,
    names: &NameMap,
    key_attributes: &[String],
) -> CoreResult<()> {
    let keys = check_key_condition(cond)?;
    let parts = [Some(keys.partition), keys.sort];
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
    if keys.sort.is_some() && key_attributes.len() < 2 {
        let at = cond.span().start;
        return Err(CoreError::expression(
            format!("the key condition at position {at} has a sort-key part but the key has none"),
            at,
        ));
    }
    Ok(())
}

/// Parses and fully validates one expression on its own: syntax, references,
/// reserved words, unused entries and, for updates, overlapping or key paths.
/// `None` maps count as empty.
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
    let expr = parse(text, kind)?;
    let (mut used_names, mut used_values) = (BTreeSet::new(), BTreeSet::new());
    check_references(&expr, names, values, &mut used_names, &mut used_values)?;
    check_all_used(names, values, &used_names, &used_values, text.len())?;
    match (&expr, key_attributes) {
        (Expression::Update(update), keys) => check_update_targets(update, names, keys)?,
        (Expression::KeyCondition(cond), Some(keys)) => check_key_names(cond, names, keys)?,
        _ => {}
    }
    Ok(expr)
}
