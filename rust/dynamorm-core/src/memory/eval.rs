//! Expression evaluation against items: conditions (and filters and key
//! conditions), update actions and projections, on trees parsed and
//! validated by [`crate::expr`].

use std::collections::BTreeMap;

use super::error::{ApiError, ApiResult};
use super::item::Item;
use crate::expr::ast::{Name, Path, PathElement, ValueRef};
use crate::value::AttributeValue;

pub mod condition;
pub mod projection;
pub mod update;

/// `ExpressionAttributeNames`: placeholder → name.
pub type Names = BTreeMap<String, String>;

/// One resolved step of a document path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Name(String),
    Index(usize),
}

/// What an expression is evaluated with: the request's names and values,
/// and the parameter it came from (`"ConditionExpression"`), for messages.
pub struct Env<'a> {
    pub names: &'a Names,
    pub values: &'a Item,
    pub param: &'static str,
}

impl Env<'_> {
    /// The attribute a name stands for (placeholders looked up).
    pub fn name(&self, name: &Name) -> ApiResult<String> {
        if !name.is_placeholder() {
            return Ok(name.text.clone());
        }
        self.names.get(&name.text).cloned().ok_or_else(|| {
            self.invalid(format!(
                "An expression attribute name used in the document path is not defined; \
                 attribute name: {}",
                name.text
            ))
        })
    }

    /// A path as steps.
    pub fn steps(&self, path: &Path) -> ApiResult<Vec<Step>> {
        let mut out = Vec::with_capacity(1 + path.rest.len());
        out.push(Step::Name(self.name(&path.root)?));
        for element in &path.rest {
            out.push(match element {
                PathElement::Field(name) => Step::Name(self.name(name)?),
                PathElement::Index(i) => Step::Index(*i as usize),
            });
        }
        Ok(out)
    }

    /// The value a `:placeholder` stands for.
    pub fn value(&self, value: &ValueRef) -> ApiResult<&AttributeValue> {
        self.values.get(&value.text).ok_or_else(|| {
            self.invalid(format!(
                "An expression attribute value used in expression is not defined; \
                 attribute value: {}",
                value.text
            ))
        })
    }

    /// A `ValidationException` naming the expression parameter.
    pub fn invalid(&self, message: impl std::fmt::Display) -> ApiError {
        ApiError::validation(format!("Invalid {}: {message}", self.param))
    }
}

/// The value at `steps` in `item`, if there is one.
pub fn get<'a>(item: &'a Item, steps: &[Step]) -> Option<&'a AttributeValue> {
    let (Step::Name(root), rest) = steps.split_first()? else {
        return None;
    };
    let mut at = item.get(root)?;
    for step in rest {
        at = match (step, at) {
            (Step::Name(name), AttributeValue::M(map)) => map.get(name)?,
            (Step::Index(i), AttributeValue::L(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The DynamoDB JSON of a value as messages show it (`{N:5}`, `{S:a}`).
pub fn show(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => format!("{{{}:{s}}}", value.type_tag()),
        other => format!("{{{}:...}}", other.type_tag()),
    }
}

#[cfg(test)]
pub(crate) mod testing;
