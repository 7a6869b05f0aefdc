//! The store's state: tables, stream records, idempotency tokens and the
//! clock. Every item write goes through [`Store::write`], which keeps the
//! indexes in step and records the stream event.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::item::{item_size, Item, WireItem};

pub mod key;
pub mod table;

pub use key::{KeySchema, KeyValue, PartitionKey, PrimaryKey, ScalarType};
pub use table::{IndexDef, Projection, StreamView, Table, TableDef};

/// A transaction's answer kept for its `ClientRequestToken`.
#[derive(Debug, Clone)]
pub struct Token {
    /// When the transaction ran (store clock, seconds).
    pub at: f64,
    /// The request it answered, to spot a token reused for another one.
    pub request: Value,
    pub answer: Vec<u8>,
}

/// How long DynamoDB remembers a `ClientRequestToken`, in seconds.
pub const TOKEN_SECONDS: f64 = 600.0;

/// Everything the store holds.
#[derive(Debug, Default)]
pub struct Store {
    pub tables: BTreeMap<String, Table>,
    /// Stream records per table name, oldest first.
    pub streams: BTreeMap<String, Vec<Value>>,
    pub tokens: HashMap<String, Token>,
    sequence: u64,
    clock: Option<f64>,
}

/// The kind of a stream record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Insert,
    Modify,
    Remove,
}

impl Store {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Store::default()
    }

    /// Seconds since the epoch: the set clock, or the system's.
    pub fn now(&self) -> f64 {
        self.clock.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64())
        })
    }

    /// Sets the clock (`None`: back to the system clock).
    pub fn set_clock(&mut self, now: Option<f64>) {
        self.clock = now;
    }

    /// Writes `new` (or deletes, for `None`) at `key` of `table`, returning
    /// the item it replaces, and records the stream event.
    pub fn write(
        &mut self,
        table: &str,
        key: PrimaryKey,
        new: Option<Item>,
        by_ttl: bool,
    ) -> Option<Item> {
        let t = self.tables.get_mut(table)?;
        let view = t.def.stream;
        let schema = t.def.schema.clone();
        let (old, new) = match new {
            Some(item) => {
                let old = t.put(key, item.clone());
                (old, Some(item))
            }
            None => (t.delete(&key), None),
        };
        if let Some(view) = view {
            let event = match (&old, &new) {
                (None, Some(_)) => Some(Event::Insert),
                (Some(_), Some(_)) => Some(Event::Modify),
                (Some(_), None) => Some(Event::Remove),
                (None, None) => None,
            };
            if let Some(event) = event {
                self.record(
                    table,
                    &schema,
                    view,
                    event,
                    old.as_ref(),
                    new.as_ref(),
                    by_ttl,
                );
            }
        }
        old
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        table: &str,
        schema: &KeySchema,
        view: StreamView,
        event: Event,
        old: Option<&Item>,
        new: Option<&Item>,
        by_ttl: bool,
    ) {
        self.sequence += 1;
        let now = self.now();
        let keys = schema.key_item(new.or(old).expect("an image"));
        let mut images = serde_json::Map::new();
        images.insert("ApproximateCreationDateTime".into(), json!(now.floor()));
        images.insert("Keys".into(), json!(WireItem(&keys)));
        let mut size = item_size(&keys);
        let (with_new, with_old) = match view {
            StreamView::KeysOnly => (false, false),
            StreamView::NewImage => (true, false),
            StreamView::OldImage => (false, true),
            StreamView::NewAndOldImages => (true, true),
        };
        if let (true, Some(new)) = (with_new, new) {
            images.insert("NewImage".into(), json!(WireItem(new)));
            size += item_size(new);
        }
        if let (true, Some(old)) = (with_old, old) {
            images.insert("OldImage".into(), json!(WireItem(old)));
            size += item_size(old);
        }
        images.insert(
            "SequenceNumber".into(),
            json!(format!("{:021}", self.sequence * 100)),
        );
        images.insert("SizeBytes".into(), json!(size));
        images.insert("StreamViewType".into(), json!(view.as_str()));
        let mut record = json!({
            "eventID": format!("{:032x}", u128::from(self.sequence) * 0x9e37_79b9_7f4a_7c15),
            "eventName": match event {
                Event::Insert => "INSERT",
                Event::Modify => "MODIFY",
                Event::Remove => "REMOVE",
            },
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": images,
        });
        if by_ttl {
            record["userIdentity"] =
                json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
        }
        self.streams
            .entry(table.to_owned())
            .or_default()
            .push(record);
    }

    /// Deletes every item whose TTL attribute is a number of seconds at or
    /// before `now`, as DynamoDB's background sweep would; returns how many.
    pub fn expire(&mut self, now: f64) -> usize {
        let mut doomed: Vec<(String, PrimaryKey)> = Vec::new();
        for (name, table) in &self.tables {
            let Some(attribute) = &table.def.ttl_attribute else {
                continue;
            };
            for (partition, items) in &table.partitions {
                for (sort, item) in items {
                    let expired = match item.get(attribute) {
                        Some(crate::value::AttributeValue::N(n)) => {
                            n.parse::<f64>().is_ok_and(|at| at <= now)
                        }
                        _ => false,
                    };
                    if expired {
                        let key = PrimaryKey {
                            partition: partition.clone(),
                            sort: sort.clone(),
                        };
                        doomed.push((name.clone(), key));
                    }
                }
            }
        }
        let count = doomed.len();
        for (table, key) in doomed {
            self.write(&table, key, None, true);
        }
        count
    }

    /// Drops the tokens older than DynamoDB's window.
    pub fn forget_old_tokens(&mut self) {
        let now = self.now();
        self.tokens.retain(|_, t| now - t.at < TOKEN_SECONDS);
    }
}
