//! One item write (put, update, delete or condition check), planned from a
//! request, checked against the stored item, then committed: shared by the
//! single-item operations, batch writes and transactions.

use serde_json::{Map, Value};

use super::capacity::{write_units, Consumed};
use super::expressions::{Expressions, Param};
use super::request::Request;
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::eval::condition::evaluate;
use crate::memory::eval::projection::project;
use crate::memory::eval::update::apply;
use crate::memory::item::{check_item_size, item_json, item_size, read_item, Item};
use crate::memory::store::{PrimaryKey, Store, Table, TableDef};
use crate::value::AttributeValue;

/// What a write does.
#[derive(Debug)]
pub enum Action {
    Put(Item),
    Update,
    Delete,
    Check,
}

/// A write, read from its request.
#[derive(Debug)]
pub struct Write {
    pub table: String,
    pub key: PrimaryKey,
    pub key_item: Item,
    pub action: Action,
    pub exprs: Expressions,
    pub return_values: String,
    /// `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
    pub old_on_failure: bool,
}

/// The effect a write would have: the stored item and what replaces it
/// (`None`: deleted; for a condition check, the stored item again).
#[derive(Debug)]
pub struct Effect {
    pub old: Option<Item>,
    pub new: Option<Item>,
}

/// The table called `name`, or DynamoDB's not-found error.
pub fn table<'s>(store: &'s Store, name: &str) -> ApiResult<&'s Table> {
    store.tables.get(name).ok_or_else(ApiError::not_found)
}

/// Reads a key for `table`: exactly its key attributes, of their types.
pub fn read_key(def: &TableDef, json: &Value, member: &str) -> ApiResult<(PrimaryKey, Item)> {
    let key = read_item(json, member)?;
    let names = def.schema.names();
    if key.len() != names.len() || names.iter().any(|n| !key.contains_key(n)) {
        return Err(ApiError::validation(
            "The provided key element does not match the schema",
        ));
    }
    check_key_values(def, &key)?;
    let primary = def.schema.key_of(&key).ok_or_else(|| {
        ApiError::validation("The provided key element does not match the schema")
    })?;
    Ok((primary, key))
}

fn check_key_values(def: &TableDef, key: &Item) -> ApiResult<()> {
    for name in def.schema.names() {
        if let Some(AttributeValue::S(s)) = key.get(&name) {
            if s.is_empty() {
                return Err(ApiError::validation(format!(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty string value. Key: {name}"
                )));
            }
        }
        if let Some(AttributeValue::B(b)) = key.get(&name) {
            if b.is_empty() {
                return Err(ApiError::validation(format!(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty binary value. Key: {name}"
                )));
            }
        }
    }
    Ok(())
}

/// Checks an item a write would store: its key attributes present and of
/// their types, index key attributes (when present) of theirs, the size.
pub fn check_item(def: &TableDef, item: &Item) -> ApiResult<PrimaryKey> {
    let mut schema_keys = vec![def.schema.hash.clone()];
    schema_keys.extend(def.schema.range.clone());
    for (name, kind) in &schema_keys {
        match item.get(name) {
            None => {
                return Err(ApiError::invalid(format!(
                    "Missing the key {name} in the item"
                )))
            }
            Some(value) if value.type_tag() != kind.as_str() => {
                return Err(ApiError::invalid(format!(
                    "Type mismatch for key {name} expected: {} actual: {}",
                    kind.as_str(),
                    value.type_tag()
                )))
            }
            Some(_) => {}
        }
    }
    check_key_values(def, item)?;
    for index in &def.indexes {
        let mut keys = vec![index.schema.hash.clone()];
        keys.extend(index.schema.range.clone());
        for (name, kind) in keys {
            let Some(value) = item.get(&name) else {
                continue;
            };
            if value.type_tag() != kind.as_str() {
                return Err(ApiError::invalid(format!(
                    "Type mismatch for Index Key {name} Expected: {} Actual: {} IndexName: {}",
                    kind.as_str(),
                    value.type_tag(),
                    index.name
                )));
            }
            let empty = matches!(value, AttributeValue::S(s) if s.is_empty())
                || matches!(value, AttributeValue::B(b) if b.is_empty());
            if empty {
                return Err(ApiError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a \
                     secondary index key is not supported. The AttributeValue for a key \
                     attribute cannot contain an empty string value. IndexName: {}, IndexKey: \
                     {name}",
                    index.name
                )));
            }
        }
    }
    check_item_size(item)?;
    def.schema
        .key_of(item)
        .ok_or_else(|| ApiError::validation("The provided key element does not match the schema"))
}

impl Write {
    /// Reads a `Put` / `Update` / `Delete` / `ConditionCheck` request (the
    /// same members as PutItem, UpdateItem, DeleteItem).
    pub fn read(store: &Store, request: &Request<'_>, kind: &str) -> ApiResult<Write> {
        request.refuse_legacy(&["Expected", "ConditionalOperator", "AttributeUpdates"])?;
        let name = request.string("TableName")?;
        let table = table(store, name)?;
        let params: &[Param] = match kind {
            "Update" => &[Param::Condition, Param::Update],
            _ => &[Param::Condition],
        };
        let exprs = Expressions::read(request, params)?;
        let return_values = request
            .opt_enum(
                "ReturnValues",
                &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
            )?
            .unwrap_or("NONE")
            .to_owned();
        let old_on_failure = request
            .opt_enum("ReturnValuesOnConditionCheckFailure", &["ALL_OLD", "NONE"])?
            == Some("ALL_OLD");
        let (key, key_item, action) = match kind {
            "Put" => {
                let item = read_item(
                    request
                        .get("Item")
                        .ok_or_else(|| super::request::missing("Item"))?,
                    "Item",
                )?;
                let key = check_item(&table.def, &item)?;
                (
                    key.clone(),
                    table.def.schema.key_item(&item),
                    Action::Put(item),
                )
            }
            _ => {
                let json = request
                    .get("Key")
                    .ok_or_else(|| super::request::missing("Key"))?;
                let (key, key_item) = read_key(&table.def, json, "Key")?;
                let action = match kind {
                    "Update" => Action::Update,
                    "Delete" => Action::Delete,
                    _ => Action::Check,
                };
                (key, key_item, action)
            }
        };
        if !matches!(action, Action::Update)
            && !matches!(return_values.as_str(), "NONE" | "ALL_OLD")
        {
            return Err(ApiError::validation("Return values set to invalid value"));
        }
        if matches!(action, Action::Check) && exprs.condition.is_none() {
            return Err(super::request::missing("ConditionExpression"));
        }
        if let Action::Update = action {
            if exprs.update.is_none() {
                return Err(super::request::missing("UpdateExpression"));
            }
            let keys = table.def.schema.names();
            if let Some(root) = exprs.update_roots()?.into_iter().find(|r| keys.contains(r)) {
                return Err(ApiError::invalid(format!(
                    "Cannot update attribute {root}. This attribute is part of the key"
                )));
            }
        }
        Ok(Write {
            table: name.to_owned(),
            key,
            key_item,
            action,
            exprs,
            return_values,
            old_on_failure,
        })
    }

    /// What the write would do to the store as it is now; a failed
    /// condition is a `ConditionalCheckFailedException` (with the stored
    /// `Item` when asked for).
    pub fn effect(&self, store: &Store) -> ApiResult<Effect> {
        let table = table(store, &self.table)?;
        let old = table.get(&self.key).cloned();
        if let Some(cond) = &self.exprs.condition {
            let empty = Item::new();
            let subject = old.as_ref().unwrap_or(&empty);
            if !evaluate(cond, subject, &self.exprs.env(Param::Condition))? {
                let mut err = ApiError::condition_failed();
                if let (true, Some(old)) = (self.old_on_failure, &old) {
                    err = err.with("Item", item_json(old));
                }
                return Err(err);
            }
        }
        let new = match &self.action {
            Action::Put(item) => Some(item.clone()),
            Action::Delete => None,
            Action::Check => old.clone(),
            Action::Update => {
                let base = old.clone().unwrap_or_else(|| self.key_item.clone());
                let update = self
                    .exprs
                    .update
                    .as_ref()
                    .expect("an update has its expression");
                let next = apply(update, &base, &self.exprs.env(Param::Update))?;
                if !next.is_empty() {
                    check_item(&table.def, &next).map_err(|err| {
                        if err.message.contains("maximum allowed size") {
                            ApiError::validation(
                                "Item size to update has exceeded the maximum allowed size",
                            )
                        } else {
                            err
                        }
                    })?;
                }
                Some(next)
            }
        };
        Ok(Effect { old, new })
    }

    /// Applies `effect` to the store.
    pub fn commit(&self, store: &mut Store, effect: &Effect) {
        if matches!(self.action, Action::Check) {
            return;
        }
        store.write(&self.table, self.key.clone(), effect.new.clone(), false);
    }

    /// The units the write consumes on its table and indexes.
    pub fn consumed(&self, store: &Store, effect: &Effect) -> Consumed {
        let size = |i: &Option<Item>| i.as_ref().map_or(0, item_size);
        let mut consumed =
            Consumed::table(write_units(size(&effect.old).max(size(&effect.new))), false);
        if matches!(self.action, Action::Check) {
            consumed.table = 1.0;
            return consumed;
        }
        let Ok(table) = table(store, &self.table) else {
            return consumed;
        };
        for index in &table.def.indexes {
            let of = |item: &Option<Item>| {
                item.as_ref()
                    .filter(|i| index.schema.key_of(i).is_some())
                    .map(|i| {
                        (
                            index.schema.key_of(i),
                            item_size(&table.project_for(index, i)),
                        )
                    })
            };
            let units = match (of(&effect.old), of(&effect.new)) {
                (None, None) => continue,
                (Some((_, a)), None) | (None, Some((_, a))) => write_units(a),
                (Some((ka, a)), Some((kb, b))) if ka != kb => write_units(a) + write_units(b),
                (Some(_), Some((_, b))) => write_units(b),
            };
            let into = if index.global {
                &mut consumed.global
            } else {
                &mut consumed.local
            };
            *into.entry(index.name.clone()).or_default() += units;
        }
        consumed
    }

    /// The `Attributes` member `ReturnValues` asks for, if any.
    pub fn returned(&self, effect: &Effect) -> ApiResult<Option<Value>> {
        let pick = |item: &Option<Item>, paths: Option<Vec<Vec<crate::memory::eval::Step>>>| {
            item.as_ref().map(|i| match paths {
                Some(paths) => project(i, &paths),
                None => i.clone(),
            })
        };
        let item = match self.return_values.as_str() {
            "ALL_OLD" => pick(&effect.old, None),
            "ALL_NEW" => pick(&effect.new, None),
            "UPDATED_OLD" => pick(&effect.old, Some(self.exprs.update_targets()?)),
            "UPDATED_NEW" => pick(&effect.new, Some(self.exprs.update_targets()?)),
            _ => None,
        };
        Ok(item.filter(|i| !i.is_empty()).map(|i| item_json(&i)))
    }
}

/// Adds `ConsumedCapacity` to an answer when the request asks for it.
pub fn with_capacity(
    out: &mut Map<String, Value>,
    request: &Request<'_>,
    table: &str,
    consumed: &Consumed,
) -> ApiResult<()> {
    if let Some(mode) = request.opt_enum("ReturnConsumedCapacity", &["INDEXES", "TOTAL", "NONE"])? {
        if mode != "NONE" {
            out.insert("ConsumedCapacity".into(), consumed.json(table, mode));
        }
    }
    Ok(())
}

/// PutItem, UpdateItem and DeleteItem.
pub fn single(store: &mut Store, request: &Request<'_>, kind: &str) -> ApiResult<Value> {
    let write = Write::read(store, request, kind)?;
    let effect = write.effect(store)?;
    let consumed = write.consumed(store, &effect);
    write.commit(store, &effect);
    let mut out = Map::new();
    if let Some(attributes) = write.returned(&effect)? {
        out.insert("Attributes".into(), attributes);
    }
    with_capacity(&mut out, request, &write.table, &consumed)?;
    Ok(Value::Object(out))
}
