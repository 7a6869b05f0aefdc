//! Consumed capacity as DynamoDB computes it: reads in 4 KB units (halved
//! when eventually consistent), writes in 1 KB units, both doubled inside
//! transactions, per table and per index.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// Read units for `bytes` read at once (at least one unit).
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// Write units for an item of `bytes` (at least one unit).
pub fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(1024).max(1) as f64
}

/// Units one request consumed on one table and its indexes.
#[derive(Debug, Clone, Default)]
pub struct Consumed {
    pub table: f64,
    pub global: BTreeMap<String, f64>,
    pub local: BTreeMap<String, f64>,
    /// Whether the units are reads (else writes).
    pub reads: bool,
}

impl Consumed {
    /// Units on the table alone.
    pub fn table(units: f64, reads: bool) -> Self {
        Consumed {
            table: units,
            reads,
            ..Consumed::default()
        }
    }

    /// Adds another request's units on the same table.
    pub fn add(&mut self, other: &Consumed) {
        self.table += other.table;
        for (name, units) in &other.global {
            *self.global.entry(name.clone()).or_default() += units;
        }
        for (name, units) in &other.local {
            *self.local.entry(name.clone()).or_default() += units;
        }
    }

    /// Every unit multiplied by `factor` (2 in transactions).
    pub fn scaled(mut self, factor: f64) -> Self {
        self.table *= factor;
        self.global.values_mut().for_each(|u| *u *= factor);
        self.local.values_mut().for_each(|u| *u *= factor);
        self
    }

    fn total(&self) -> f64 {
        self.table + self.global.values().sum::<f64>() + self.local.values().sum::<f64>()
    }

    /// The `ConsumedCapacity` member for `mode` (`TOTAL` or `INDEXES`).
    pub fn json(&self, table: &str, mode: &str) -> Value {
        let total = self.total();
        let kind = if self.reads {
            "ReadCapacityUnits"
        } else {
            "WriteCapacityUnits"
        };
        let mut out = Map::new();
        out.insert("TableName".into(), json!(table));
        out.insert("CapacityUnits".into(), json!(total));
        out.insert(kind.into(), json!(total));
        if mode == "INDEXES" {
            out.insert(
                "Table".into(),
                json!({"CapacityUnits": self.table, kind: self.table}),
            );
            for (member, indexes) in [
                ("GlobalSecondaryIndexes", &self.global),
                ("LocalSecondaryIndexes", &self.local),
            ] {
                if !indexes.is_empty() {
                    let each: Map<String, Value> = indexes
                        .iter()
                        .map(|(name, u)| (name.clone(), json!({"CapacityUnits": u, kind: u})))
                        .collect();
                    out.insert(member.into(), Value::Object(each));
                }
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_per_4kb_read_and_1kb_written_and_halve_when_eventual() {
        assert_eq!(read_units(0, false), 0.5);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(9000, false), 1.5);
        assert_eq!(write_units(1), 1.0);
        assert_eq!(write_units(1025), 2.0);
    }

    #[test]
    fn indexes_mode_breaks_the_total_down_by_table_and_index() {
        let mut consumed = Consumed::table(1.0, false);
        consumed.global.insert("g".into(), 1.0);
        let value = consumed.scaled(2.0).json("t", "INDEXES");
        assert_eq!(value["CapacityUnits"], json!(4.0));
        assert_eq!(value["Table"]["CapacityUnits"], json!(2.0));
        assert_eq!(
            value["GlobalSecondaryIndexes"]["g"]["CapacityUnits"],
            json!(2.0)
        );
        assert!(value.get("LocalSecondaryIndexes").is_none());
    }
}
