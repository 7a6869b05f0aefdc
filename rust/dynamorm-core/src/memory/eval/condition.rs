//! Conditions, filters and key conditions evaluated against an item.
//!
//! DynamoDB's rules: a comparison holds only between values of one type
//! (numbers by value, strings by UTF-8 bytes, binaries by bytes); between
//! other pairs, or with a missing side, `=` and the orderings are false and
//! `<>` is true. Functions on a missing attribute are false (but
//! `attribute_not_exists`).

use std::borrow::Cow;
use std::cmp::Ordering;

use super::{get, show, Env};
use crate::expr::ast::{Comparator, Condition, Function, Operand};
use crate::memory::error::ApiResult;
use crate::memory::item::{compare, equal, Item};
use crate::value::AttributeValue;

/// The type names `attribute_type` accepts.
const TYPE_NAMES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];

/// Whether `cond` holds for `item`.
pub fn evaluate(cond: &Condition, item: &Item, env: &Env<'_>) -> ApiResult<bool> {
    Ok(match cond {
        Condition::Compare {
            op, left, right, ..
        } => {
            let (a, b) = (operand(left, item, env)?, operand(right, item, env)?);
            match (a, b) {
                (Some(a), Some(b)) => holds(*op, &a, &b),
                _ => *op == Comparator::Ne,
            }
        }
        Condition::Between {
            operand: x,
            low,
            high,
            ..
        } => {
            let (x, low, high) = (
                operand(x, item, env)?,
                operand(low, item, env)?,
                operand(high, item, env)?,
            );
            let (Some(x), Some(low), Some(high)) = (x, low, high) else {
                return Ok(false);
            };
            if compare(&low, &high) == Some(Ordering::Greater) {
                return Err(env.invalid(format!(
                    "The BETWEEN operator requires upper bound to be greater than or equal to \
                     lower bound; lower bound operand: AttributeValue: {}, upper bound operand: \
                     AttributeValue: {}",
                    show(&low),
                    show(&high)
                )));
            }
            holds(Comparator::Ge, &x, &low) && holds(Comparator::Le, &x, &high)
        }
        Condition::In {
            operand: x, list, ..
        } => {
            let Some(x) = operand(x, item, env)? else {
                return Ok(false);
            };
            for candidate in list {
                if let Some(candidate) = operand(candidate, item, env)? {
                    if equal(&x, &candidate) {
                        return Ok(true);
                    }
                }
            }
            false
        }
        Condition::Call {
            function,
            path,
            arg,
            ..
        } => {
            let found = get(item, &env.steps(path)?);
            let arg = match arg {
                Some(arg) => operand(arg, item, env)?,
                None => None,
            };
            call(*function, found, arg.as_deref(), env)?
        }
        Condition::Not(inner, _) => !evaluate(inner, item, env)?,
        Condition::And(items, _) => {
            for c in items {
                if !evaluate(c, item, env)? {
                    return Ok(false);
                }
            }
            true
        }
        Condition::Or(items, _) => {
            for c in items {
                if evaluate(c, item, env)? {
                    return Ok(true);
                }
            }
            false
        }
    })
}

/// Refuses, before any item is read, the function arguments DynamoDB refuses
/// whatever the item: an `attribute_type` that names no type, a
/// `begins_with` prefix that is neither a string nor a binary.
pub fn check_static(cond: &Condition, env: &Env<'_>) -> ApiResult<()> {
    match cond {
        Condition::Not(inner, _) => check_static(inner, env),
        Condition::And(items, _) | Condition::Or(items, _) => {
            items.iter().try_for_each(|c| check_static(c, env))
        }
        Condition::Call {
            function,
            arg: Some(Operand::Value(v)),
            ..
        } => {
            let value = env.value(v)?;
            match function {
                Function::AttributeType => type_name(value, env).map(|_| ()),
                Function::BeginsWith => prefix_type(value, env),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn type_name<'v>(value: &'v AttributeValue, env: &Env<'_>) -> ApiResult<&'v str> {
    match value {
        AttributeValue::S(name) if TYPE_NAMES.contains(&name.as_str()) => Ok(name),
        AttributeValue::S(name) => Err(env.invalid(format!(
            "Invalid attribute type name found; type: {name}, valid types: {{ B, NULL, SS, \
             BOOL, L, BS, N, NS, S, M }}"
        ))),
        other => Err(operand_type("attribute_type", other, env)),
    }
}

fn prefix_type(value: &AttributeValue, env: &Env<'_>) -> ApiResult<()> {
    match value {
        AttributeValue::S(_) | AttributeValue::B(_) => Ok(()),
        other => Err(operand_type("begins_with", other, env)),
    }
}

fn operand_type(
    function: &str,
    value: &AttributeValue,
    env: &Env<'_>,
) -> crate::memory::error::ApiError {
    env.invalid(format!(
        "Incorrect operand type for operator or function; operator or function: {function}, \
         operand type: {}",
        value.type_tag()
    ))
}

fn call(
    function: Function,
    found: Option<&AttributeValue>,
    arg: Option<&AttributeValue>,
    env: &Env<'_>,
) -> ApiResult<bool> {
    Ok(match function {
        Function::AttributeExists => found.is_some(),
        Function::AttributeNotExists => found.is_none(),
        Function::AttributeType => match (found, arg) {
            (Some(found), Some(arg)) => type_name(arg, env)? == found.type_tag(),
            _ => false,
        },
        Function::BeginsWith => match (found, arg) {
            (Some(AttributeValue::S(s)), Some(AttributeValue::S(p))) => s.starts_with(p.as_str()),
            (Some(AttributeValue::B(s)), Some(AttributeValue::B(p))) => s.starts_with(p),
            (_, Some(arg)) => {
                prefix_type(arg, env)?;
                false
            }
            _ => false,
        },
        Function::Contains => match (found, arg) {
            (Some(found), Some(arg)) => contains(found, arg),
            _ => false,
        },
    })
}

/// `contains`: a substring of a string, a member of a set, an element of a
/// list.
fn contains(found: &AttributeValue, arg: &AttributeValue) -> bool {
    match (found, arg) {
        (AttributeValue::S(s), AttributeValue::S(part)) => s.contains(part.as_str()),
        (AttributeValue::B(b), AttributeValue::B(part)) => {
            part.is_empty() || b.windows(part.len()).any(|w| w == part.as_slice())
        }
        (AttributeValue::SS(set), AttributeValue::S(member)) => set.contains(member),
        (AttributeValue::BS(set), AttributeValue::B(member)) => set.contains(member),
        (AttributeValue::NS(set), AttributeValue::N(_)) => set
            .iter()
            .any(|n| equal(&AttributeValue::N(n.clone()), arg)),
        (AttributeValue::L(items), arg) => items.iter().any(|v| equal(v, arg)),
        _ => false,
    }
}

/// Whether `a op b` holds between two present values.
fn holds(op: Comparator, a: &AttributeValue, b: &AttributeValue) -> bool {
    match op {
        Comparator::Eq => equal(a, b),
        Comparator::Ne => !equal(a, b),
        _ => match compare(a, b) {
            None => false,
            Some(order) => match op {
                Comparator::Lt => order == Ordering::Less,
                Comparator::Le => order != Ordering::Greater,
                Comparator::Gt => order == Ordering::Greater,
                _ => order != Ordering::Less,
            },
        },
    }
}

/// The value of an operand of a condition, `None` when it names a missing
/// attribute (or the size of one that has none).
fn operand<'a>(
    op: &Operand,
    item: &'a Item,
    env: &'a Env<'_>,
) -> ApiResult<Option<Cow<'a, AttributeValue>>> {
    Ok(match op {
        Operand::Path(path) => get(item, &env.steps(path)?).map(Cow::Borrowed),
        Operand::Value(v) => Some(Cow::Borrowed(env.value(v)?)),
        Operand::Size(path, _) => get(item, &env.steps(path)?)
            .and_then(size)
            .map(|n| Cow::Owned(AttributeValue::N(n.to_string()))),
        other => {
            return Err(env.invalid(format!(
                "The function is not allowed in a condition expression; at position {}",
                other.span().start
            )))
        }
    })
}

/// `size()`: a string's or binary's length in bytes, the members of a set,
/// list or map. Numbers, booleans and nulls have none.
fn size(value: &AttributeValue) -> Option<usize> {
    Some(match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::SS(v) | AttributeValue::NS(v) => v.len(),
        AttributeValue::BS(v) => v.len(),
        AttributeValue::L(v) => v.len(),
        AttributeValue::M(m) => m.len(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
