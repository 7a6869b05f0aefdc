//! Update expressions applied to an item: `SET` (with `+`/`-`,
//! `list_append` and `if_not_exists`), `REMOVE` (list elements too), `ADD`
//! (numbers and sets) and `DELETE` (from sets), with DynamoDB's errors.
//!
//! Every value of a `SET` is computed from the item as it was before the
//! update, as DynamoDB does, so `SET a = b, b = a` swaps. Removed list
//! elements are numbered as before the update too.

use super::{get, Env, Step};
use crate::expr::ast::{Operand, Update, UpdateClause};
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::item::{equal, number, Item};
use crate::value::AttributeValue;

/// The item `update` makes of `item` (which may be empty: an update creates
/// the item it names).
pub fn apply(update: &Update, item: &Item, env: &Env<'_>) -> ApiResult<Item> {
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut adds = Vec::new();
    let mut deletes = Vec::new();
    for clause in &update.clauses {
        match clause {
            UpdateClause::Set(actions, _) => {
                for action in actions {
                    let value = value(&action.value, item, env)?;
                    sets.push((env.steps(&action.path)?, value));
                }
            }
            UpdateClause::Remove(paths, _) => {
                for path in paths {
                    removes.push(env.steps(path)?);
                }
            }
            UpdateClause::Add(pairs, _) => {
                for (path, op) in pairs {
                    let value = value(op, item, env)?;
                    check_add_operand(&value, env)?;
                    adds.push((env.steps(path)?, value));
                }
            }
            UpdateClause::Delete(pairs, _) => {
                for (path, op) in pairs {
                    let value = value(op, item, env)?;
                    check_delete_operand(&value, env)?;
                    deletes.push((env.steps(path)?, value));
                }
            }
        }
    }
    let mut out = item.clone();
    for (steps, value) in sets {
        put(&mut out, &steps, value)?;
    }
    for (steps, value) in adds {
        let next = match get(&out, &steps) {
            None => value,
            Some(current) => add(current, &value)?,
        };
        put(&mut out, &steps, next)?;
    }
    for (steps, value) in deletes {
        let Some(current) = get(&out, &steps) else {
            continue;
        };
        match remove_members(current, &value)? {
            Some(next) => put(&mut out, &steps, next)?,
            None => remove(&mut out, &steps),
        }
    }
    // Highest list positions first, so each removal leaves the positions of
    // the others as written.
    removes.sort();
    for steps in removes.iter().rev() {
        remove(&mut out, steps);
    }
    Ok(out)
}

/// The value of the right-hand side of an action, from the item before the
/// update.
fn value(op: &Operand, item: &Item, env: &Env<'_>) -> ApiResult<AttributeValue> {
    Ok(match op {
        Operand::Value(v) => env.value(v)?.clone(),
        Operand::Path(path) => get(item, &env.steps(path)?).cloned().ok_or_else(|| {
            env.invalid(
                "The provided expression refers to an attribute that does not exist in the item",
            )
        })?,
        Operand::IfNotExists(path, fallback, _) => match get(item, &env.steps(path)?) {
            Some(found) => found.clone(),
            None => value(fallback, item, env)?,
        },
        Operand::ListAppend(a, b, _) => {
            let (a, b) = (value(a, item, env)?, value(b, item, env)?);
            match (a, b) {
                (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                    a.extend(b);
                    AttributeValue::L(a)
                }
                (AttributeValue::L(_), other) | (other, _) => {
                    return Err(env.invalid(format!(
                        "Incorrect operand type for operator or function; operator or \
                         function: list_append, operand type: {}",
                        other.type_tag()
                    )))
                }
            }
        }
        Operand::Plus(a, b, _) | Operand::Minus(a, b, _) => {
            let plus = matches!(op, Operand::Plus(..));
            let (a, b) = (value(a, item, env)?, value(b, item, env)?);
            let (AttributeValue::N(x), AttributeValue::N(y)) = (&a, &b) else {
                let bad = if matches!(a, AttributeValue::N(_)) {
                    &b
                } else {
                    &a
                };
                return Err(env.invalid(format!(
                    "Incorrect operand type for operator or function; operator or function: \
                     {}, operand type: {}",
                    if plus { "+" } else { "-" },
                    bad.type_tag()
                )));
            };
            let (x, y) = (number(x), number(y));
            let result = if plus { x.add(&y) } else { x.sub(&y) };
            AttributeValue::N(result.checked()?.to_text())
        }
        Operand::Size(..) => {
            return Err(env.invalid(
                "The function is not allowed to be used this way in an expression; function: \
                 size",
            ))
        }
    })
}

fn check_add_operand(value: &AttributeValue, env: &Env<'_>) -> ApiResult<()> {
    match value {
        AttributeValue::N(_)
        | AttributeValue::SS(_)
        | AttributeValue::NS(_)
        | AttributeValue::BS(_) => Ok(()),
        other => Err(env.invalid(format!(
            "Incorrect operand type for operator or function; operator: ADD, operand type: {}",
            long_type(other)
        ))),
    }
}

fn check_delete_operand(value: &AttributeValue, env: &Env<'_>) -> ApiResult<()> {
    match value {
        AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_) => Ok(()),
        other => Err(env.invalid(format!(
            "Incorrect operand type for operator or function; operator: DELETE, operand type: {}",
            long_type(other)
        ))),
    }
}

/// The type names DynamoDB's ADD and DELETE messages use.
fn long_type(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::Bool(_) => "BOOLEAN",
        AttributeValue::Null => "NULL",
        AttributeValue::L(_) => "LIST",
        AttributeValue::M(_) => "MAP",
        AttributeValue::SS(_) => "STRING_SET",
        AttributeValue::NS(_) => "NUMBER_SET",
        AttributeValue::BS(_) => "BINARY_SET",
    }
}

fn wrong_type() -> ApiError {
    ApiError::validation("An operand in the update expression has an incorrect data type")
}

/// `ADD`: a sum of numbers or a union of sets of one type.
fn add(current: &AttributeValue, value: &AttributeValue) -> ApiResult<AttributeValue> {
    Ok(match (current, value) {
        (AttributeValue::N(a), AttributeValue::N(b)) => {
            AttributeValue::N(number(a).add(&number(b)).checked()?.to_text())
        }
        (AttributeValue::SS(a), AttributeValue::SS(b)) => {
            AttributeValue::SS(union(a, b, |x, y| x == y))
        }
        (AttributeValue::BS(a), AttributeValue::BS(b)) => {
            AttributeValue::BS(union(a, b, |x, y| x == y))
        }
        (AttributeValue::NS(a), AttributeValue::NS(b)) => {
            AttributeValue::NS(union(a, b, |x, y| {
                equal(&AttributeValue::N(x.clone()), &AttributeValue::N(y.clone()))
            }))
        }
        _ => return Err(wrong_type()),
    })
}

fn union<T: Clone>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out = a.to_vec();
    for member in b {
        if !out.iter().any(|m| eq(m, member)) {
            out.push(member.clone());
        }
    }
    out
}

/// `DELETE`: the set without `value`'s members, `None` when none are left.
fn remove_members(
    current: &AttributeValue,
    value: &AttributeValue,
) -> ApiResult<Option<AttributeValue>> {
    fn without<T: Clone>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<T> {
        a.iter()
            .filter(|m| !b.iter().any(|x| eq(m, x)))
            .cloned()
            .collect()
    }
    let next = match (current, value) {
        (AttributeValue::SS(a), AttributeValue::SS(b)) => {
            AttributeValue::SS(without(a, b, |x, y| x == y))
        }
        (AttributeValue::BS(a), AttributeValue::BS(b)) => {
            AttributeValue::BS(without(a, b, |x, y| x == y))
        }
        (AttributeValue::NS(a), AttributeValue::NS(b)) => {
            AttributeValue::NS(without(a, b, |x, y| number(x) == number(y)))
        }
        _ => return Err(wrong_type()),
    };
    let empty = match &next {
        AttributeValue::SS(v) | AttributeValue::NS(v) => v.is_empty(),
        AttributeValue::BS(v) => v.is_empty(),
        _ => false,
    };
    Ok((!empty).then_some(next))
}

fn bad_path() -> ApiError {
    ApiError::validation(
        "The document path provided in the update expression is invalid for update",
    )
}

/// Writes `value` at `steps`. The parent must exist and be a map (for a
/// name) or a list (for an index; an index past the end appends).
fn put(item: &mut Item, steps: &[Step], value: AttributeValue) -> ApiResult<()> {
    let Some((Step::Name(root), rest)) = steps.split_first() else {
        return Err(bad_path());
    };
    let Some((last, middle)) = rest.split_last() else {
        item.insert(root.clone(), value);
        return Ok(());
    };
    let mut at = item.get_mut(root).ok_or_else(bad_path)?;
    for step in middle {
        at = match (step, at) {
            (Step::Name(name), AttributeValue::M(map)) => map.get_mut(name).ok_or_else(bad_path)?,
            (Step::Index(i), AttributeValue::L(items)) => items.get_mut(*i).ok_or_else(bad_path)?,
            _ => return Err(bad_path()),
        };
    }
    match (last, at) {
        (Step::Name(name), AttributeValue::M(map)) => {
            map.insert(name.clone(), value);
        }
        (Step::Index(i), AttributeValue::L(items)) => {
            if *i < items.len() {
                items[*i] = value;
            } else {
                items.push(value);
            }
        }
        _ => return Err(bad_path()),
    }
    Ok(())
}

/// Removes what is at `steps`, if anything.
fn remove(item: &mut Item, steps: &[Step]) {
    let Some((Step::Name(root), rest)) = steps.split_first() else {
        return;
    };
    let Some((last, middle)) = rest.split_last() else {
        item.remove(root);
        return;
    };
    let Some(mut at) = item.get_mut(root) else {
        return;
    };
    for step in middle {
        let next = match (step, at) {
            (Step::Name(name), AttributeValue::M(map)) => map.get_mut(name),
            (Step::Index(i), AttributeValue::L(items)) => items.get_mut(*i),
            _ => None,
        };
        let Some(next) = next else {
            return;
        };
        at = next;
    }
    match (last, at) {
        (Step::Name(name), AttributeValue::M(map)) => {
            map.remove(name);
        }
        (Step::Index(i), AttributeValue::L(items)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
