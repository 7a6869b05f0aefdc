//! GetItem, Query and Scan: items in key order (a partition's by sort key,
//! partitions by hash), `Limit` and 1 MB pages with `LastEvaluatedKey`,
//! `ExclusiveStartKey`, `ScanIndexForward`, `Select`, filters, projections,
//! parallel scan segments, and the units consumed.

use std::ops::Bound::{Excluded, Unbounded};

use serde::Serialize;
use serde_json::{Map, Value};

use super::capacity::{read_units, Consumed};
use super::expressions::{Expressions, Param};
use super::request::Request;
use super::write::{read_key, table, with_capacity};
use crate::expr::ast::{Comparator, Condition, Operand};
use crate::memory::error::{ApiError, ApiResult};
use crate::memory::eval::condition::evaluate;
use crate::memory::eval::projection::project;
use crate::memory::item::{item_json, item_size, read_item, Item, WireItem};
use crate::memory::store::{
    IndexDef, KeySchema, KeyValue, PartitionKey, PrimaryKey, Projection, Store, Table,
};

/// The most item data one Query or Scan page reads.
const PAGE_BYTES: usize = 1024 * 1024;

/// GetItem.
pub fn get_item(store: &Store, request: &Request<'_>) -> ApiResult<Value> {
    request.refuse_legacy(&["AttributesToGet"])?;
    let table = table(store, request.string("TableName")?)?;
    let exprs = Expressions::read(request, &[Param::Projection])?;
    let key = request
        .get("Key")
        .ok_or_else(|| super::request::missing("Key"))?;
    let (key, _) = read_key(&table.def, key, "Key")?;
    let consistent = request.opt_bool("ConsistentRead")?.unwrap_or(false);
    let found = table.get(&key);
    let mut out = Map::new();
    if let Some(item) = found {
        let shown = match exprs.projection_steps()? {
            Some(paths) => project(item, &paths),
            None => item.clone(),
        };
        out.insert("Item".into(), item_json(&shown));
    }
    let units = read_units(found.map_or(0, item_size), consistent);
    with_capacity(
        &mut out,
        request,
        &table.def.name,
        &Consumed::table(units, true),
    )?;
    Ok(Value::Object(out))
}

/// An answered item: borrowed when shown whole, else built.
enum Shown<'a> {
    Stored(&'a Item),
    Built(Item),
}

impl Serialize for Shown<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Stored(item) => WireItem(item).serialize(s),
            Shown::Built(item) => WireItem(item).serialize(s),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Page<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<Shown<'a>>>,
    count: usize,
    scanned_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_evaluated_key: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumed_capacity: Option<Value>,
}

/// What a read reads: the table, or one of its indexes.
struct Target<'a> {
    table: &'a Table,
    index: Option<&'a IndexDef>,
}

impl<'a> Target<'a> {
    fn read(store: &'a Store, request: &Request<'_>) -> ApiResult<Target<'a>> {
        let table = table(store, request.string("TableName")?)?;
        let index = match request.opt_string("IndexName")? {
            None => None,
            Some(name) => Some(table.index(name).ok_or_else(|| {
                ApiError::validation(format!(
                    "The table does not have the specified index: {name}"
                ))
            })?),
        };
        if index.is_some_and(|i| i.global) && request.opt_bool("ConsistentRead")? == Some(true) {
            return Err(ApiError::validation(
                "Consistent reads are not supported on global secondary indexes",
            ));
        }
        Ok(Target { table, index })
    }

    fn schema(&self) -> &'a KeySchema {
        self.index.map_or(&self.table.def.schema, |i| &i.schema)
    }

    /// The item as this target holds it (an index its projection; a local
    /// index reads the table for the rest, as DynamoDB fetches it).
    fn view<'i>(&self, item: &'i Item, whole: bool) -> Shown<'i> {
        match self.index {
            Some(index) if (index.global || !whole) && index.projection != Projection::All => {
                Shown::Built(self.table.project_for(index, item))
            }
            _ => Shown::Stored(item),
        }
    }

    /// The key attributes a `LastEvaluatedKey` holds: the table's, and the
    /// index's for an index read.
    fn last_key(&self, item: &Item) -> Value {
        let mut key = self.table.def.schema.key_item(item);
        if let Some(index) = self.index {
            key.extend(index.schema.key_item(item));
        }
        item_json(&key)
    }

    /// Reads `ExclusiveStartKey`: the table key, and for an index the
    /// index key, of the item to start after.
    fn start(&self, request: &Request<'_>) -> ApiResult<Option<(PrimaryKey, Option<PrimaryKey>)>> {
        let Some(json) = request.get("ExclusiveStartKey") else {
            return Ok(None);
        };
        let bad = || {
            ApiError::validation(
                "The provided starting key is invalid: The provided key element does not match \
                 the schema",
            )
        };
        let key = read_item(json, "ExclusiveStartKey")?;
        let table_key = self.table.def.schema.key_of(&key).ok_or_else(bad)?;
        let mut expected = self.table.def.schema.names();
        let index_key = match self.index {
            Some(index) => {
                expected.extend(index.schema.names());
                Some(index.schema.key_of(&key).ok_or_else(bad)?)
            }
            None => None,
        };
        expected.sort();
        expected.dedup();
        if key.len() != expected.len() {
            return Err(bad());
        }
        Ok(Some((table_key, index_key)))
    }

    /// Items of one partition of the target, in order, after `start`.
    fn partition(
        &self,
        partition: &PartitionKey,
        start: Option<&(PrimaryKey, Option<PrimaryKey>)>,
        forward: bool,
    ) -> Box<dyn Iterator<Item = &'a Item> + 'a> {
        match self.index {
            None => {
                let Some(items) = self.table.partitions.get(partition) else {
                    return Box::new(std::iter::empty());
                };
                let after = start.map(|(k, _)| k.sort.clone());
                let values = move |(_, item): (&'a Option<KeyValue>, &'a Item)| item;
                match (after, forward) {
                    (None, true) => Box::new(items.iter().map(values)),
                    (None, false) => Box::new(items.iter().rev().map(values)),
                    (Some(s), true) => Box::new(items.range((Excluded(s), Unbounded)).map(values)),
                    (Some(s), false) => {
                        Box::new(items.range((Unbounded, Excluded(s))).rev().map(values))
                    }
                }
            }
            Some(index) => {
                let Some(entries) = self.table.indexes.get(&index.name) else {
                    return Box::new(std::iter::empty());
                };
                let Some(set) = entries.partitions.get(partition) else {
                    return Box::new(std::iter::empty());
                };
                let table = self.table;
                let fetch = move |(_, key): &'a (Option<KeyValue>, PrimaryKey)| table.get(key);
                let after =
                    start.and_then(|(k, i)| i.as_ref().map(|i| (i.sort.clone(), k.clone())));
                match (after, forward) {
                    (None, true) => Box::new(set.iter().filter_map(fetch)),
                    (None, false) => Box::new(set.iter().rev().filter_map(fetch)),
                    (Some(s), true) => {
                        Box::new(set.range((Excluded(s), Unbounded)).filter_map(fetch))
                    }
                    (Some(s), false) => {
                        Box::new(set.range((Unbounded, Excluded(s))).rev().filter_map(fetch))
                    }
                }
            }
        }
    }

    /// Every item of the target in scan order within buckets `lo..hi`,
    /// after `start`.
    fn scan(
        &self,
        lo: u64,
        hi: u128,
        start: Option<(PrimaryKey, Option<PrimaryKey>)>,
    ) -> Box<dyn Iterator<Item = &'a Item> + 'a> {
        let first = match &start {
            Some((k, i)) => i.as_ref().unwrap_or(k).partition.clone(),
            None => PartitionKey::floor(lo),
        };
        let partitions: Vec<PartitionKey> = match self.index {
            None => self
                .table
                .partitions
                .range(first.clone()..)
                .map(|(p, _)| p.clone())
                .take_while(|p| u128::from(p.bucket) < hi)
                .collect(),
            Some(index) => self
                .table
                .indexes
                .get(&index.name)
                .map(|e| {
                    e.partitions
                        .range(first.clone()..)
                        .map(|(p, _)| p.clone())
                        .take_while(|p| u128::from(p.bucket) < hi)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let this = Target {
            table: self.table,
            index: self.index,
        };
        Box::new(partitions.into_iter().flat_map(move |p| {
            let from = start.as_ref().filter(|_| p == first);
            this.partition(&p, from, true)
        }))
    }
}

/// What the read loop collects.
struct Reading<'a> {
    items: Vec<Shown<'a>>,
    count: usize,
    scanned: usize,
    bytes: usize,
    last: Option<Value>,
}

/// Reads `source` as a page: up to `limit` items or 1 MB, filtered and
/// projected.
fn read_page<'a>(
    target: &Target<'a>,
    source: Box<dyn Iterator<Item = &'a Item> + 'a>,
    exprs: &Expressions,
    limit: Option<usize>,
    select: &str,
) -> ApiResult<Reading<'a>> {
    let paths = exprs.projection_steps()?;
    let filter_env = exprs.env(Param::Filter);
    let mut out = Reading {
        items: Vec::new(),
        count: 0,
        scanned: 0,
        bytes: 0,
        last: None,
    };
    let whole = select == "ALL_ATTRIBUTES" || paths.is_some();
    let mut source = source.peekable();
    while let Some(item) = source.next() {
        let view = target.view(item, whole);
        let held: &Item = match &view {
            Shown::Stored(i) => i,
            Shown::Built(i) => i,
        };
        out.scanned += 1;
        out.bytes += item_size(held);
        let keep = match &exprs.filter {
            Some(filter) => evaluate(filter, held, &filter_env)?,
            None => true,
        };
        if keep {
            out.count += 1;
            if select != "COUNT" {
                out.items.push(match &paths {
                    Some(paths) => Shown::Built(project(held, paths)),
                    None => view,
                });
            }
        }
        let full = limit.is_some_and(|l| out.scanned >= l);
        if full || (out.bytes >= PAGE_BYTES && source.peek().is_some()) {
            out.last = Some(target.last_key(item));
            break;
        }
    }
    Ok(out)
}

fn read_limit(request: &Request<'_>) -> ApiResult<Option<usize>> {
    match request.opt_int("Limit")? {
        None => Ok(None),
        Some(n) if n >= 1 => Ok(Some(n as usize)),
        Some(n) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: \
             Member must have value greater than or equal to 1"
        ))),
    }
}

/// Reads `Select` against the projection and the target.
fn read_select(
    request: &Request<'_>,
    exprs: &Expressions,
    target: &Target<'_>,
) -> ApiResult<String> {
    let select = request.opt_enum(
        "Select",
        &[
            "ALL_ATTRIBUTES",
            "ALL_PROJECTED_ATTRIBUTES",
            "SPECIFIC_ATTRIBUTES",
            "COUNT",
        ],
    )?;
    let has_projection = exprs.projection.is_some();
    let select = match select {
        Some(s) => s,
        None if has_projection => "SPECIFIC_ATTRIBUTES",
        None if target.index.is_some() => "ALL_PROJECTED_ATTRIBUTES",
        None => "ALL_ATTRIBUTES",
    };
    if has_projection && select != "SPECIFIC_ATTRIBUTES" {
        return Err(ApiError::validation(format!(
            "Cannot specify the ProjectionExpression when choosing to get {select}"
        )));
    }
    if select == "SPECIFIC_ATTRIBUTES" && !has_projection {
        return Err(ApiError::validation(
            "Must specify the ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
        ));
    }
    match (select, target.index) {
        ("ALL_PROJECTED_ATTRIBUTES", None) => Err(ApiError::validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        )),
        ("ALL_ATTRIBUTES", Some(index)) if index.global && index.projection != Projection::All => {
            Err(ApiError::invalid(format!(
                "Select type ALL_ATTRIBUTES is not supported for global secondary index {} \
                 because its projection type is not ALL",
                index.name
            )))
        }
        _ => Ok(select.to_owned()),
    }
}

fn answer(
    reading: Reading<'_>,
    select: &str,
    request: &Request<'_>,
    target: &Target<'_>,
) -> ApiResult<Vec<u8>> {
    let consistent = request.opt_bool("ConsistentRead")?.unwrap_or(false);
    let units = read_units(reading.bytes, consistent);
    let mut consumed = Consumed::table(0.0, true);
    match target.index {
        None => consumed.table = units,
        Some(i) if i.global => {
            consumed.global.insert(i.name.clone(), units);
        }
        Some(i) => {
            consumed.local.insert(i.name.clone(), units);
        }
    }
    let mut extra = Map::new();
    with_capacity(&mut extra, request, &target.table.def.name, &consumed)?;
    let page = Page {
        items: (select != "COUNT").then_some(reading.items),
        count: reading.count,
        scanned_count: reading.scanned,
        last_evaluated_key: reading.last,
        consumed_capacity: extra.remove("ConsumedCapacity"),
    };
    serde_json::to_vec(&page).map_err(|e| ApiError::new("InternalServerError", e.to_string()))
}

/// The partition value and the sort-key part of a key condition.
fn key_parts<'c>(
    cond: &'c Condition,
    schema: &KeySchema,
    exprs: &Expressions,
) -> ApiResult<(KeyValue, Option<&'c Condition>)> {
    let env = exprs.env(Param::KeyCondition);
    let parts: Vec<&Condition> = match cond {
        Condition::And(items, _) => items.iter().collect(),
        other => vec![other],
    };
    let name_of = |c: &Condition| -> ApiResult<String> {
        let path = match c {
            Condition::Compare {
                left: Operand::Path(p),
                ..
            }
            | Condition::Compare {
                right: Operand::Path(p),
                ..
            }
            | Condition::Between {
                operand: Operand::Path(p),
                ..
            }
            | Condition::Call { path: p, .. } => p,
            _ => return Err(env.invalid("Invalid operand in key condition")),
        };
        env.name(&path.root)
    };
    let mut partition = None;
    let mut sort = None;
    for part in parts {
        let name = name_of(part)?;
        if name == schema.hash.0 && partition.is_none() {
            let Condition::Compare {
                op: Comparator::Eq,
                left,
                right,
                ..
            } = part
            else {
                return Err(env.invalid("Query key condition not supported"));
            };
            let value = match (left, right) {
                (Operand::Value(v), _) | (_, Operand::Value(v)) => env.value(v)?,
                _ => return Err(env.invalid("Query key condition not supported")),
            };
            partition = Some(KeyValue::of(value, schema.hash.1).ok_or_else(|| {
                ApiError::invalid("Condition parameter type does not match schema type")
            })?);
        } else if schema.range.as_ref().is_some_and(|(r, _)| *r == name) {
            sort = Some(part);
        } else {
            return Err(ApiError::validation(format!(
                "Query condition missed key schema element: {}",
                schema.range.as_ref().map_or(&schema.hash.0, |(r, _)| r)
            )));
        }
    }
    let partition = partition.ok_or_else(|| {
        ApiError::validation(format!(
            "Query condition missed key schema element: {}",
            schema.hash.0
        ))
    })?;
    if let (Some(sort), Some((_, kind))) = (sort, &schema.range) {
        let mut values = Vec::new();
        match sort {
            Condition::Compare { left, right, .. } => values.extend([left, right]),
            Condition::Between { low, high, .. } => values.extend([low, high]),
            Condition::Call { arg: Some(arg), .. } => values.push(arg),
            _ => {}
        }
        for v in values {
            if let Operand::Value(v) = v {
                if KeyValue::of(env.value(v)?, *kind).is_none() {
                    return Err(ApiError::invalid(
                        "Condition parameter type does not match schema type",
                    ));
                }
            }
        }
    }
    Ok((partition, sort))
}

/// Query.
pub fn query(store: &Store, request: &Request<'_>) -> ApiResult<Vec<u8>> {
    request.refuse_legacy(&[
        "KeyConditions",
        "QueryFilter",
        "AttributesToGet",
        "ConditionalOperator",
    ])?;
    let target = Target::read(store, request)?;
    let exprs = Expressions::read(
        request,
        &[Param::KeyCondition, Param::Filter, Param::Projection],
    )?;
    let Some(key_condition) = &exprs.key_condition else {
        return Err(ApiError::validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in \
             the request.",
        ));
    };
    let schema = target.schema();
    let (partition, sort) = key_parts(key_condition, schema, &exprs)?;
    let select = read_select(request, &exprs, &target)?;
    let limit = read_limit(request)?;
    let forward = request.opt_bool("ScanIndexForward")?.unwrap_or(true);
    let start = target.start(request)?;
    let partition = PartitionKey::new(partition);
    let items = target.partition(&partition, start.as_ref(), forward);
    let env = exprs.env(Param::KeyCondition);
    let items: Box<dyn Iterator<Item = &Item>> = match sort {
        None => items,
        Some(sort) => {
            // Key conditions on stored key values cannot fail to evaluate.
            Box::new(items.filter(move |item| evaluate(sort, item, &env).unwrap_or(false)))
        }
    };
    let reading = read_page(&target, items, &exprs, limit, &select)?;
    answer(reading, &select, request, &target)
}

/// Scan.
pub fn scan(store: &Store, request: &Request<'_>) -> ApiResult<Vec<u8>> {
    request.refuse_legacy(&["ScanFilter", "AttributesToGet", "ConditionalOperator"])?;
    let target = Target::read(store, request)?;
    let exprs = Expressions::read(request, &[Param::Filter, Param::Projection])?;
    let select = read_select(request, &exprs, &target)?;
    let limit = read_limit(request)?;
    let segment = request.opt_int("Segment")?;
    let total = request.opt_int("TotalSegments")?;
    let (lo, hi) = match (segment, total) {
        (None, None) => (0u64, 1u128 << 64),
        (Some(segment), Some(total)) => {
            if !(1..=1_000_000).contains(&total) {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{total}' at 'totalSegments' failed to \
                     satisfy constraint: Member must have value less than or equal to 1000000"
                )));
            }
            if !(0..total).contains(&segment) {
                return Err(ApiError::validation(format!(
                    "The Segment parameter is zero-based and must be less than parameter \
                     TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
                )));
            }
            let width = (1u128 << 64) / total as u128;
            let lo = width * segment as u128;
            let hi = if segment + 1 == total {
                1u128 << 64
            } else {
                lo + width
            };
            (lo as u64, hi)
        }
        _ => {
            return Err(ApiError::validation(
                "The TotalSegments parameter is required but was not present in the request \
                 when Segment parameter is present",
            ))
        }
    };
    let start = target.start(request)?;
    let items = target.scan(lo, hi, start);
    let reading = read_page(&target, items, &exprs, limit, &select)?;
    answer(reading, &select, request, &target)
}
