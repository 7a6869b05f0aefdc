//! One table: its definition, its items in key order, and its secondary
//! indexes, kept in step with every write.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::key::{KeySchema, KeyValue, PartitionKey, PrimaryKey, ScalarType};
use crate::memory::item::{item_size, Item};

/// Which attributes an index holds besides the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projection {
    KeysOnly,
    Include(Vec<String>),
    All,
}

/// A secondary index's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDef {
    pub name: String,
    pub schema: KeySchema,
    pub projection: Projection,
    pub global: bool,
    /// Read and write capacity, for provisioned tables' global indexes.
    pub throughput: Option<(i64, i64)>,
}

/// The stream a table writes, when enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamView {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

impl StreamView {
    /// Reads `StreamViewType`.
    pub fn parse(text: &str) -> Option<StreamView> {
        Some(match text {
            "KEYS_ONLY" => StreamView::KeysOnly,
            "NEW_IMAGE" => StreamView::NewImage,
            "OLD_IMAGE" => StreamView::OldImage,
            "NEW_AND_OLD_IMAGES" => StreamView::NewAndOldImages,
            _ => return None,
        })
    }

    /// As DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamView::KeysOnly => "KEYS_ONLY",
            StreamView::NewImage => "NEW_IMAGE",
            StreamView::OldImage => "OLD_IMAGE",
            StreamView::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// A table's definition.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    pub name: String,
    pub schema: KeySchema,
    pub attributes: BTreeMap<String, ScalarType>,
    pub indexes: Vec<IndexDef>,
    /// `None` for on-demand (`PAY_PER_REQUEST`) tables.
    pub throughput: Option<(i64, i64)>,
    pub stream: Option<StreamView>,
    /// When the stream was enabled (its label).
    pub stream_label: Option<String>,
    pub ttl_attribute: Option<String>,
    pub created: f64,
    pub deletion_protection: bool,
}

/// An index's entries: per partition of the index key, the index sort key
/// and the table key of each item that has the index's key attributes.
#[derive(Debug, Clone, Default)]
pub struct IndexEntries {
    pub partitions: BTreeMap<PartitionKey, BTreeSet<(Option<KeyValue>, PrimaryKey)>>,
}

/// A table with its items and index entries.
#[derive(Debug, Clone)]
pub struct Table {
    pub def: TableDef,
    pub partitions: BTreeMap<PartitionKey, BTreeMap<Option<KeyValue>, Item>>,
    pub indexes: BTreeMap<String, IndexEntries>,
}

impl Table {
    /// An empty table.
    pub fn new(def: TableDef) -> Self {
        let indexes = def
            .indexes
            .iter()
            .map(|i| (i.name.clone(), IndexEntries::default()))
            .collect();
        Table {
            def,
            partitions: BTreeMap::new(),
            indexes,
        }
    }

    /// The index called `name`.
    pub fn index(&self, name: &str) -> Option<&IndexDef> {
        self.def.indexes.iter().find(|i| i.name == name)
    }

    /// The item with `key`.
    pub fn get(&self, key: &PrimaryKey) -> Option<&Item> {
        self.partitions.get(&key.partition)?.get(&key.sort)
    }

    /// Stores `item` under `key` (which must be its key), returning the item
    /// it replaces.
    pub fn put(&mut self, key: PrimaryKey, item: Item) -> Option<Item> {
        let old = self.remove_entry(&key);
        for index in &self.def.indexes {
            if let Some(index_key) = index.schema.key_of(&item) {
                self.indexes
                    .entry(index.name.clone())
                    .or_default()
                    .partitions
                    .entry(index_key.partition)
                    .or_default()
                    .insert((index_key.sort, key.clone()));
            }
        }
        self.partitions
            .entry(key.partition)
            .or_default()
            .insert(key.sort, item);
        old
    }

    /// Deletes the item with `key`, returning it.
    pub fn delete(&mut self, key: &PrimaryKey) -> Option<Item> {
        self.remove_entry(key)
    }

    fn remove_entry(&mut self, key: &PrimaryKey) -> Option<Item> {
        let partition = self.partitions.get_mut(&key.partition)?;
        let old = partition.remove(&key.sort)?;
        if partition.is_empty() {
            self.partitions.remove(&key.partition);
        }
        for index in &self.def.indexes {
            if let Some(index_key) = index.schema.key_of(&old) {
                if let Some(entries) = self.indexes.get_mut(&index.name) {
                    if let Some(set) = entries.partitions.get_mut(&index_key.partition) {
                        set.remove(&(index_key.sort, key.clone()));
                        if set.is_empty() {
                            entries.partitions.remove(&index_key.partition);
                        }
                    }
                }
            }
        }
        Some(old)
    }

    /// Fills a new index's entries from the items already stored.
    pub fn backfill(&mut self, index: &IndexDef) {
        let mut entries = IndexEntries::default();
        for (partition, items) in &self.partitions {
            for (sort, item) in items {
                if let Some(index_key) = index.schema.key_of(item) {
                    let key = PrimaryKey {
                        partition: partition.clone(),
                        sort: sort.clone(),
                    };
                    entries
                        .partitions
                        .entry(index_key.partition)
                        .or_default()
                        .insert((index_key.sort, key));
                }
            }
        }
        self.indexes.insert(index.name.clone(), entries);
    }

    /// Every item, in scan order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.partitions.values().flat_map(|p| p.values())
    }

    /// The part of `item` an index holds.
    pub fn project_for(&self, index: &IndexDef, item: &Item) -> Item {
        match &index.projection {
            Projection::All => item.clone(),
            Projection::KeysOnly | Projection::Include(_) => {
                let mut keep = self.def.schema.names();
                keep.extend(index.schema.names());
                if let Projection::Include(extra) = &index.projection {
                    keep.extend(extra.iter().cloned());
                }
                item.iter()
                    .filter(|(k, _)| keep.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }
        }
    }

    /// `TableDescription`, as DescribeTable answers it.
    pub fn describe(&self, status: &str) -> Value {
        let def = &self.def;
        let arn = table_arn(&def.name);
        let count = self.items().count();
        let size: usize = self.items().map(item_size).sum();
        let mut out = Map::new();
        out.insert(
            "AttributeDefinitions".into(),
            def.attributes
                .iter()
                .map(|(name, kind)| json!({"AttributeName": name, "AttributeType": kind.as_str()}))
                .collect(),
        );
        out.insert("TableName".into(), json!(def.name));
        out.insert("KeySchema".into(), key_schema_json(&def.schema));
        out.insert("TableStatus".into(), json!(status));
        out.insert("CreationDateTime".into(), json!(def.created));
        out.insert(
            "ProvisionedThroughput".into(),
            throughput_json(def.throughput),
        );
        out.insert("TableSizeBytes".into(), json!(size));
        out.insert("ItemCount".into(), json!(count));
        out.insert("TableArn".into(), json!(arn));
        out.insert("TableId".into(), json!(table_id(&def.name)));
        out.insert(
            "BillingModeSummary".into(),
            json!({"BillingMode": if def.throughput.is_some() { "PROVISIONED" } else { "PAY_PER_REQUEST" }}),
        );
        out.insert(
            "DeletionProtectionEnabled".into(),
            json!(def.deletion_protection),
        );
        let (globals, locals): (Vec<&IndexDef>, Vec<&IndexDef>) =
            def.indexes.iter().partition(|i| i.global);
        if !globals.is_empty() {
            out.insert(
                "GlobalSecondaryIndexes".into(),
                globals
                    .iter()
                    .map(|i| self.describe_index(i, status))
                    .collect(),
            );
        }
        if !locals.is_empty() {
            out.insert(
                "LocalSecondaryIndexes".into(),
                locals
                    .iter()
                    .map(|i| self.describe_index(i, status))
                    .collect(),
            );
        }
        if let (Some(view), Some(label)) = (def.stream, &def.stream_label) {
            out.insert(
                "StreamSpecification".into(),
                json!({"StreamEnabled": true, "StreamViewType": view.as_str()}),
            );
            out.insert("LatestStreamLabel".into(), json!(label));
            out.insert(
                "LatestStreamArn".into(),
                json!(format!("{arn}/stream/{label}")),
            );
        }
        Value::Object(out)
    }

    fn describe_index(&self, index: &IndexDef, status: &str) -> Value {
        let entries = self.indexes.get(&index.name);
        let keys: Vec<&PrimaryKey> = entries
            .map(|e| e.partitions.values().flatten().map(|(_, k)| k).collect())
            .unwrap_or_default();
        let size: usize = keys
            .iter()
            .filter_map(|k| self.get(k))
            .map(|item| item_size(&self.project_for(index, item)))
            .sum();
        let mut projection = Map::new();
        match &index.projection {
            Projection::All => {
                projection.insert("ProjectionType".into(), json!("ALL"));
            }
            Projection::KeysOnly => {
                projection.insert("ProjectionType".into(), json!("KEYS_ONLY"));
            }
            Projection::Include(names) => {
                projection.insert("ProjectionType".into(), json!("INCLUDE"));
                projection.insert("NonKeyAttributes".into(), json!(names));
            }
        }
        let mut out = json!({
            "IndexName": index.name,
            "KeySchema": key_schema_json(&index.schema),
            "Projection": projection,
            "IndexSizeBytes": size,
            "ItemCount": keys.len(),
            "IndexArn": format!("{}/index/{}", table_arn(&self.def.name), index.name),
        });
        if index.global {
            out["IndexStatus"] = json!(if status == "ACTIVE" { "ACTIVE" } else { status });
            out["ProvisionedThroughput"] = throughput_json(index.throughput);
        }
        out
    }
}

/// The ARN the store gives a table.
pub fn table_arn(name: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:123456789012:table/{name}")
}

/// A table id derived from the name, shaped like DynamoDB's.
fn table_id(name: &str) -> String {
    let hash = KeyValue::S(name.to_owned()).bucket();
    let hex = format!(
        "{hash:016x}{:016x}",
        hash.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15
    );
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `KeySchema` as DynamoDB spells it.
pub fn key_schema_json(schema: &KeySchema) -> Value {
    let mut out = vec![json!({"AttributeName": schema.hash.0, "KeyType": "HASH"})];
    if let Some((name, _)) = &schema.range {
        out.push(json!({"AttributeName": name, "KeyType": "RANGE"}));
    }
    Value::Array(out)
}

fn throughput_json(throughput: Option<(i64, i64)>) -> Value {
    let (read, write) = throughput.unwrap_or((0, 0));
    json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": read, "WriteCapacityUnits": write})
}
