//! TransactWriteItems and TransactGetItems: all or nothing, at most 100
//! actions, one item at most once, a `CancellationReasons` entry per action
//! in order, and `ClientRequestToken` idempotency for ten minutes.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map, Value};

use super::batch::capacity_list;
use super::capacity::{read_units, Consumed};
use super::expressions::{Expressions, Param};
use super::request::Request;
use super::write::{read_key, table, Write};
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::eval::projection::project;
use crate::memory::item::{item_json, item_size};
use crate::memory::store::{PrimaryKey, Store, Token};

const MAX_ACTIONS: usize = 100;

fn actions<'a>(request: &Request<'a>) -> ApiResult<&'a Vec<Value>> {
    let list = request.list("TransactItems")?;
    if list.is_empty() || list.len() > MAX_ACTIONS {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy \
             constraint: Member must have length less than or equal to {MAX_ACTIONS} and \
             greater than or equal to 1"
        )));
    }
    Ok(list)
}

fn one_action<'a>(
    entry: &'a Value,
    kinds: &[&'static str],
) -> ApiResult<(&'static str, &'a Value)> {
    let entry = Request::of(entry)?;
    let present: Vec<(&'static str, &Value)> = kinds
        .iter()
        .filter_map(|k| entry.get(k).map(|v| (*k, v)))
        .collect();
    match present.as_slice() {
        [one] => Ok(*one),
        _ => Err(ApiError::validation(
            "TransactItems can only contain one of Check, Put, Update or Delete",
        )),
    }
}

fn twice() -> ApiError {
    ApiError::validation("Transaction request cannot include multiple operations on one item")
}

/// TransactWriteItems.
pub fn transact_write(
    store: &mut Store,
    request: &Request<'_>,
    body: &Value,
) -> ApiResult<Vec<u8>> {
    let token = request.opt_string("ClientRequestToken")?;
    store.forget_old_tokens();
    if let Some(token) = token {
        if let Some(kept) = store.tokens.get(token) {
            if kept.request != *body {
                return Err(ApiError::new(
                    "IdempotentParameterMismatchException",
                    "The request uses the same client token as a previous, but non-identical \
                     request.",
                ));
            }
            return Ok(kept.answer.clone());
        }
    }
    let list = actions(request)?;
    let mut writes = Vec::with_capacity(list.len());
    let mut seen: HashSet<(String, PrimaryKey)> = HashSet::new();
    for entry in list {
        let (kind, spec) = one_action(entry, &["ConditionCheck", "Put", "Update", "Delete"])?;
        let kind = if kind == "ConditionCheck" {
            "Check"
        } else {
            kind
        };
        let write = Write::read(store, &Request::of(spec)?, kind)?;
        if !seen.insert((write.table.clone(), write.key.clone())) {
            return Err(twice());
        }
        writes.push(write);
    }
    let mut effects = Vec::with_capacity(writes.len());
    let mut reasons = Vec::with_capacity(writes.len());
    let mut failed = false;
    for write in &writes {
        match write.effect(store) {
            Ok(effect) => {
                reasons.push(json!({"Code": "None"}));
                effects.push(Some(effect));
            }
            Err(err) => {
                failed = true;
                let code = match err.code {
                    "ConditionalCheckFailedException" => "ConditionalCheckFailed",
                    _ => "ValidationError",
                };
                let mut reason = Map::new();
                reason.insert("Code".into(), json!(code));
                reason.insert("Message".into(), json!(err.message));
                if let Some(item) = err.extra.get("Item") {
                    reason.insert("Item".into(), item.clone());
                }
                reasons.push(Value::Object(reason));
                effects.push(None);
            }
        }
    }
    if failed {
        let codes: Vec<&str> = reasons
            .iter()
            .map(|r| r["Code"].as_str().unwrap_or("None"))
            .collect();
        return Err(ApiError::new(
            "TransactionCanceledException",
            format!(
                "Transaction cancelled, please refer cancellation reasons for specific reasons \
                 [{}]",
                codes.join(", ")
            ),
        )
        .with("CancellationReasons", Value::Array(reasons)));
    }
    let mut consumed: BTreeMap<String, Consumed> = BTreeMap::new();
    for (write, effect) in writes.iter().zip(&effects) {
        let effect = effect.as_ref().expect("every action succeeded");
        let units = write.consumed(store, effect).scaled(2.0);
        consumed.entry(write.table.clone()).or_default().add(&units);
    }
    for (write, effect) in writes.iter().zip(&effects) {
        write.commit(store, effect.as_ref().expect("every action succeeded"));
    }
    let mut out = json!({});
    if let Some(list) = capacity_list(request, &consumed)? {
        out["ConsumedCapacity"] = list;
    }
    let answer = serde_json::to_vec(&out).unwrap_or_default();
    if let Some(token) = token {
        let at = store.now();
        store.tokens.insert(
            token.to_owned(),
            Token {
                at,
                request: body.clone(),
                answer: answer.clone(),
            },
        );
    }
    Ok(answer)
}

/// TransactGetItems.
pub fn transact_get(store: &Store, request: &Request<'_>) -> ApiResult<Value> {
    let list = actions(request)?;
    let mut gets = Vec::with_capacity(list.len());
    let mut seen: HashSet<(String, PrimaryKey)> = HashSet::new();
    for entry in list {
        let (_, spec) = one_action(entry, &["Get"])?;
        let spec = Request::of(spec)?;
        let name = spec.string("TableName")?;
        let table = table(store, name)?;
        let exprs = Expressions::read(&spec, &[Param::Projection])?;
        let key = spec
            .get("Key")
            .ok_or_else(|| super::request::missing("Key"))?;
        let (key, _) = read_key(&table.def, key, "Key")?;
        if !seen.insert((name.to_owned(), key.clone())) {
            return Err(twice());
        }
        gets.push((name, table, exprs, key));
    }
    let mut responses = Vec::with_capacity(gets.len());
    let mut consumed: BTreeMap<String, Consumed> = BTreeMap::new();
    for (name, table, exprs, key) in gets {
        let item = table.get(&key);
        let units = read_units(item.map_or(0, item_size), true) * 2.0;
        consumed
            .entry(name.to_owned())
            .or_insert_with(|| Consumed::table(0.0, true))
            .table += units;
        responses.push(match item {
            Some(item) => {
                let shown = match exprs.projection_steps()? {
                    Some(paths) => project(item, &paths),
                    None => item.clone(),
                };
                json!({"Item": item_json(&shown)})
            }
            None => json!({}),
        });
    }
    let mut out = json!({"Responses": responses});
    if let Some(list) = capacity_list(request, &consumed)? {
        out["ConsumedCapacity"] = list;
    }
    Ok(out)
}
