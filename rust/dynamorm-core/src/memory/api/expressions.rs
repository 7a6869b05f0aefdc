//! The expressions of one request, parsed and validated together: each is
//! checked by [`crate::expr::validate`]'s pieces, and the names and values
//! maps are checked against all of them at once, as DynamoDB does.

use std::collections::BTreeSet;

use super::request::Request;
use crate::error::CoreError;
use crate::expr::ast::{Condition, Expression, Kind, Path, Update};
use crate::expr::lexer::{redundant_parentheses, tokenize};
use crate::expr::parser::parse_tokens;
use crate::expr::validate::{
    check_distinct_operands, check_key_names, check_projection_paths, check_references,
    check_update_targets, ValueKeys,
};
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::eval::condition::check_static;
use crate::memory::eval::{Env, Names, Step};
use crate::memory::item::{read_map, Item};

/// The expression parameters a request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Condition,
    Filter,
    KeyCondition,
    Update,
    Projection,
}

impl Param {
    /// The member's name.
    pub fn name(self) -> &'static str {
        match self {
            Param::Condition => "ConditionExpression",
            Param::Filter => "FilterExpression",
            Param::KeyCondition => "KeyConditionExpression",
            Param::Update => "UpdateExpression",
            Param::Projection => "ProjectionExpression",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Param::Condition | Param::Filter => Kind::Condition,
            Param::KeyCondition => Kind::KeyCondition,
            Param::Update => Kind::Update,
            Param::Projection => Kind::Projection,
        }
    }
}

/// A request's parsed expressions with its names and values.
#[derive(Debug, Default)]
pub struct Expressions {
    pub names: Names,
    pub values: Item,
    pub condition: Option<Condition>,
    pub filter: Option<Condition>,
    pub key_condition: Option<Condition>,
    pub update: Option<Update>,
    pub projection: Option<Vec<Path>>,
}

impl Expressions {
    /// Reads the expressions `allowed` from `request` (others are not
    /// looked at) with `ExpressionAttributeNames` / `Values`.
    pub fn read(request: &Request<'_>, allowed: &[Param]) -> ApiResult<Expressions> {
        let mut out = Expressions::default();
        let names = request.opt_object("ExpressionAttributeNames")?;
        let values = request.opt_object("ExpressionAttributeValues")?;
        if let Some(names) = names {
            if names.is_empty() {
                return Err(ApiError::validation(
                    "ExpressionAttributeNames must not be empty",
                ));
            }
            for (k, v) in names {
                let v = v.as_str().ok_or_else(|| {
                    ApiError::validation(format!(
                        "ExpressionAttributeNames contains invalid value for key {k}"
                    ))
                })?;
                out.names.insert(k.clone(), v.to_owned());
            }
        }
        if let Some(values) = values {
            if values.is_empty() {
                return Err(ApiError::validation(
                    "ExpressionAttributeValues must not be empty",
                ));
            }
            out.values = read_map(values).map_err(|err| {
                ApiError::validation(format!(
                    "ExpressionAttributeValues contains invalid value: {}",
                    err.message
                ))
            })?;
        }
        let value_keys: ValueKeys = out.values.keys().cloned().collect();
        let (mut used_names, mut used_values) = (BTreeSet::new(), BTreeSet::new());
        let mut any = false;
        for &param in allowed {
            let Some(text) = request.opt_string(param.name())? else {
                continue;
            };
            any = true;
            let invalid =
                |err: CoreError| ApiError::validation(format!("Invalid {}: {err}", param.name()));
            if text.trim().is_empty() {
                return Err(ApiError::validation(format!(
                    "Invalid {}: The expression can not be empty;",
                    param.name()
                )));
            }
            let tokens = tokenize(text).map_err(invalid)?;
            let expr = parse_tokens(&tokens, Some(param.kind())).map_err(invalid)?;
            if redundant_parentheses(&tokens).is_some() {
                return Err(ApiError::validation(format!(
                    "Invalid {}: The expression has redundant parentheses;",
                    param.name()
                )));
            }
            check_references(
                &expr,
                &out.names,
                &value_keys,
                &mut used_names,
                &mut used_values,
            )
            .map_err(invalid)?;
            match expr {
                Expression::Condition(cond) => {
                    check_distinct_operands(&cond, &out.names).map_err(invalid)?;
                    if param == Param::Filter {
                        out.filter = Some(cond);
                    } else {
                        out.condition = Some(cond);
                    }
                }
                Expression::KeyCondition(cond) => {
                    check_key_names(&cond, &out.names, None).map_err(invalid)?;
                    out.key_condition = Some(cond);
                }
                Expression::Update(update) => {
                    check_update_targets(&update, &out.names, None).map_err(invalid)?;
                    out.update = Some(update);
                }
                Expression::Projection(paths) => {
                    check_projection_paths(&paths, &out.names).map_err(invalid)?;
                    out.projection = Some(paths);
                }
            }
        }
        if !any && (names.is_some() || values.is_some()) {
            let which = if values.is_some() {
                "ExpressionAttributeValues"
            } else {
                "ExpressionAttributeNames"
            };
            return Err(ApiError::validation(format!(
                "{which} can only be specified when using expressions"
            )));
        }
        refuse_unused("ExpressionAttributeNames", out.names.keys(), |k| {
            used_names.contains(k)
        })?;
        refuse_unused("ExpressionAttributeValues", out.values.keys(), |k| {
            used_values.contains(k)
        })?;
        for (cond, param) in [
            (&out.condition, Param::Condition),
            (&out.filter, Param::Filter),
        ] {
            if let Some(cond) = cond {
                check_static(cond, &out.env(param))?;
            }
        }
        Ok(out)
    }

    /// The evaluation context for one of the expressions.
    pub fn env(&self, param: Param) -> Env<'_> {
        Env {
            names: &self.names,
            values: &self.values,
            param: param.name(),
        }
    }

    /// The projection's paths as steps, if there is a projection.
    pub fn projection_steps(&self) -> ApiResult<Option<Vec<Vec<Step>>>> {
        let Some(paths) = &self.projection else {
            return Ok(None);
        };
        let env = self.env(Param::Projection);
        paths
            .iter()
            .map(|p| env.steps(p))
            .collect::<ApiResult<_>>()
            .map(Some)
    }

    /// The top-level attribute names an update writes.
    pub fn update_roots(&self) -> ApiResult<Vec<String>> {
        let Some(update) = &self.update else {
            return Ok(Vec::new());
        };
        let env = self.env(Param::Update);
        let mut out = Vec::new();
        for clause in &update.clauses {
            for path in clause.targets() {
                out.push(env.name(&path.root)?);
            }
        }
        Ok(out)
    }

    /// The paths an update writes, as steps.
    pub fn update_targets(&self) -> ApiResult<Vec<Vec<Step>>> {
        let Some(update) = &self.update else {
            return Ok(Vec::new());
        };
        let env = self.env(Param::Update);
        let mut out = Vec::new();
        for clause in &update.clauses {
            for path in clause.targets() {
                out.push(env.steps(path)?);
            }
        }
        Ok(out)
    }
}

fn join(keys: &[&String]) -> String {
    keys.iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// DynamoDB's refusal of placeholders of `member` (`ExpressionAttributeNames`
/// or `ExpressionAttributeValues`) that no expression of the request uses.
fn refuse_unused<'a>(
    member: &str,
    keys: impl Iterator<Item = &'a String>,
    used: impl Fn(&String) -> bool,
) -> Result<(), ApiError> {
    let unused: Vec<&String> = keys.filter(|k| !used(k)).collect();
    if unused.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "Value provided in {member} unused in expressions: keys: {{{}}}",
        join(&unused)
    )))
}
