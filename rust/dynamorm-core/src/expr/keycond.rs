//! The shape DynamoDB requires of a key-condition expression: a partition-key
//! equality, optionally ANDed with one sort-key condition (a comparison other
//! than `<>`, `BETWEEN`, or `begins_with`). No `OR`, `NOT`, `IN` or other
//! functions, and every key is a top-level attribute.

use super::ast::*;
use crate::error::{CoreError, CoreResult};

/// The partition-key path and, when present, the sort-key path of a valid
/// key condition.
pub struct KeyPaths<'a> {
    pub partition: &'a Path,
    pub sort: Option<&'a Path>,
    /// Both parts are `=`, so either may be the partition key (DynamoDB
    /// takes them in any order): `partition` is merely the first; only the
    /// key names can tell.
    pub both_equalities: bool,
}

fn fail<T>(message: impl Into<String>, span: Span) -> CoreResult<T> {
    let message = message.into();
    Err(CoreError::expression(
        format!(
            "invalid key condition at position {}: {message}",
            span.start
        ),
        span.start,
    ))
}

fn top_level(path: &Path) -> CoreResult<&Path> {
    if path.rest.is_empty() {
        Ok(path)
    } else {
        fail(
            "key attributes are top-level names, not nested paths",
            path.span,
        )
    }
}

/// `path op value` or `value op path` → the path, when it is one.
fn key_and_value<'a>(left: &'a Operand, right: &'a Operand) -> Option<&'a Path> {
    match (left, right) {
        (Operand::Path(p), Operand::Value(_)) | (Operand::Value(_), Operand::Path(p)) => Some(p),
        _ => None,
    }
}

/// One part of the key condition: `Ok((path, is_equality))`.
fn part(cond: &Condition) -> CoreResult<(&Path, bool)> {
    match cond {
        Condition::Compare {
            op,
            left,
            right,
            span,
        } => {
            if *op == Comparator::Ne {
                return fail("'<>' cannot be used on a key", *span);
            }
            match key_and_value(left, right) {
                Some(path) => Ok((top_level(path)?, *op == Comparator::Eq)),
                None => fail("compare a key attribute with a :value", *span),
            }
        }
        Condition::Between {
            operand,
            low,
            high,
            span,
        } => match (operand, low, high) {
            (Operand::Path(p), Operand::Value(_), Operand::Value(_)) => Ok((top_level(p)?, false)),
            _ => fail("BETWEEN needs a key attribute and two :values", *span),
        },
        Condition::Call {
            function: Function::BeginsWith,
            path,
            arg: Some(Operand::Value(_)),
            ..
        } => Ok((top_level(path)?, false)),
        Condition::Or(_, span) => fail("OR is not allowed", *span),
        Condition::Not(_, span) => fail("NOT is not allowed", *span),
        Condition::In { span, .. } => fail("IN is not allowed", *span),
        Condition::And(_, span) => fail("only one AND (partition key AND sort key)", *span),
        Condition::Call { span, .. } => fail(
            "the only function allowed is begins_with(key, :value)",
            *span,
        ),
    }
}

/// Checks `cond` has the shape of a key condition and returns its key paths.
pub fn check_key_condition(cond: &Condition) -> CoreResult<KeyPaths<'_>> {
    match cond {
        Condition::And(items, span) => {
            if items.len() != 2 {
                return fail("at most two conditions (partition key AND sort key)", *span);
            }
            let (a, a_eq) = part(&items[0])?;
            let (b, b_eq) = part(&items[1])?;
            if a_eq {
                Ok(KeyPaths {
                    partition: a,
                    sort: Some(b),
                    both_equalities: b_eq,
                })
            } else if b_eq {
                Ok(KeyPaths {
                    partition: b,
                    sort: Some(a),
                    both_equalities: false,
                })
            } else {
                fail("the partition key needs an '=' condition", *span)
            }
        }
        other => {
            let (path, eq) = part(other)?;
            if !eq {
                return fail("the partition key needs an '=' condition", other.span());
            }
            Ok(KeyPaths {
                partition: path,
                sort: None,
                both_equalities: false,
            })
        }
    }
}
