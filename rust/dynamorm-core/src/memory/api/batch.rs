//! BatchGetItem and BatchWriteItem, with DynamoDB's limits: 100 keys and a
//! 16 MB answer (what does not fit comes back in `UnprocessedKeys`), 25
//! writes, no key twice.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map, Value};

use super::capacity::{read_units, Consumed};
use super::expressions::{Expressions, Param};
use super::request::Request;
use super::write::{read_key, table, Write};
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::eval::projection::project;
use crate::memory::item::{item_json, item_size};
use crate::memory::store::{PrimaryKey, Store};

const MAX_GET_KEYS: usize = 100;
const MAX_WRITES: usize = 25;
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The `ConsumedCapacity` list of a multi-table operation, when asked for.
pub fn capacity_list(
    request: &Request<'_>,
    consumed: &BTreeMap<String, Consumed>,
) -> ApiResult<Option<Value>> {
    let mode = request.opt_enum("ReturnConsumedCapacity", &["INDEXES", "TOTAL", "NONE"])?;
    Ok(match mode {
        Some(mode) if mode != "NONE" => Some(
            consumed
                .iter()
                .map(|(table, c)| c.json(table, mode))
                .collect(),
        ),
        _ => None,
    })
}

fn request_items<'a>(request: &Request<'a>) -> ApiResult<&'a Map<String, Value>> {
    let items = request.object("RequestItems")?;
    if items.is_empty() {
        return Err(ApiError::validation(
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy \
             constraint: Member must have length greater than or equal to 1",
        ));
    }
    Ok(items)
}

fn duplicates() -> ApiError {
    ApiError::validation("Provided list of item keys contains duplicates")
}

/// BatchGetItem.
pub fn batch_get(store: &Store, request: &Request<'_>) -> ApiResult<Value> {
    let items = request_items(request)?;
    let mut plans = Vec::new();
    let mut total = 0;
    for (name, spec) in items {
        let table = table(store, name)?;
        let spec_request = Request::of(spec)?;
        spec_request.refuse_legacy(&["AttributesToGet"])?;
        let exprs = Expressions::read(&spec_request, &[Param::Projection])?;
        let keys = spec_request.list("Keys")?;
        total += keys.len();
        if total > MAX_GET_KEYS {
            return Err(ApiError::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        let mut seen = HashSet::new();
        let mut read = Vec::with_capacity(keys.len());
        for key in keys {
            let (primary, _) = read_key(&table.def, key, "Keys")?;
            if !seen.insert(primary.clone()) {
                return Err(duplicates());
            }
            read.push((primary, key));
        }
        let consistent = spec_request.opt_bool("ConsistentRead")?.unwrap_or(false);
        plans.push((name, spec, table, exprs, read, consistent));
    }
    let mut responses = Map::new();
    let mut unprocessed = Map::new();
    let mut consumed: BTreeMap<String, Consumed> = BTreeMap::new();
    let mut bytes = 0;
    for (name, spec, table, exprs, keys, consistent) in plans {
        let paths = exprs.projection_steps()?;
        let mut found = Vec::new();
        let mut left: Vec<Value> = Vec::new();
        let mut units = 0.0;
        for (key, json) in keys {
            if bytes >= MAX_ANSWER_BYTES {
                left.push((*json).clone());
                continue;
            }
            let item = table.get(&key);
            let size = item.map_or(0, item_size);
            units += read_units(size, consistent);
            bytes += size;
            if let Some(item) = item {
                let shown = match &paths {
                    Some(paths) => project(item, paths),
                    None => item.clone(),
                };
                found.push(item_json(&shown));
            }
        }
        responses.insert(name.clone(), Value::Array(found));
        if !left.is_empty() {
            let mut spec = spec.as_object().cloned().unwrap_or_default();
            spec.insert("Keys".into(), Value::Array(left));
            unprocessed.insert(name.clone(), Value::Object(spec));
        }
        consumed.insert(name.clone(), Consumed::table(units, true));
    }
    let mut out = json!({"Responses": responses, "UnprocessedKeys": unprocessed});
    if let Some(list) = capacity_list(request, &consumed)? {
        out["ConsumedCapacity"] = list;
    }
    Ok(out)
}

/// BatchWriteItem.
pub fn batch_write(store: &mut Store, request: &Request<'_>) -> ApiResult<Value> {
    let items = request_items(request)?;
    let mut writes = Vec::new();
    let mut seen: HashSet<(String, PrimaryKey)> = HashSet::new();
    for (name, list) in items {
        let Some(list) = list.as_array() else {
            return Err(ApiError::validation(format!(
                "Invalid type for RequestItems.{name}: expected a list of write requests"
            )));
        };
        for entry in list {
            let entry = Request::of(entry)?;
            let body =
                match (
                    entry.opt_object("PutRequest")?,
                    entry.opt_object("DeleteRequest")?,
                ) {
                    (Some(put), None) => {
                        let item = Request(put)
                            .get("Item")
                            .ok_or_else(|| super::request::missing("Item"))?;
                        ("Put", json!({"TableName": name, "Item": item}))
                    }
                    (None, Some(delete)) => {
                        let key = Request(delete)
                            .get("Key")
                            .ok_or_else(|| super::request::missing("Key"))?;
                        ("Delete", json!({"TableName": name, "Key": key}))
                    }
                    _ => return Err(ApiError::validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain \
                         exactly one of the supported datatypes",
                    )),
                };
            let write = Write::read(store, &Request::of(&body.1)?, body.0)?;
            if !seen.insert((name.clone(), write.key.clone())) {
                return Err(duplicates());
            }
            writes.push(write);
            if writes.len() > MAX_WRITES {
                return Err(ApiError::validation(
                    "Too many items requested for the BatchWriteItem call",
                ));
            }
        }
    }
    let mut consumed: BTreeMap<String, Consumed> = BTreeMap::new();
    for write in &writes {
        let effect = write.effect(store)?;
        let units = write.consumed(store, &effect);
        consumed.entry(write.table.clone()).or_default().add(&units);
        write.commit(store, &effect);
    }
    let mut out = json!({"UnprocessedItems": {}});
    if let Some(list) = capacity_list(request, &consumed)? {
        out["ConsumedCapacity"] = list;
    }
    Ok(out)
}
