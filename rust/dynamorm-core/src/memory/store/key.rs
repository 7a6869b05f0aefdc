//! Key values and their order: DynamoDB keeps a partition's items sorted by
//! sort key (numbers by value, strings and binaries by bytes) and spreads
//! partitions by a hash of the partition key, which also decides the order
//! of a scan and which segment of a parallel scan a partition falls in.

use std::cmp::Ordering;

use crate::memory::decimal::Decimal;
use crate::memory::item::{number, Item};
use crate::value::AttributeValue;

/// A key attribute's type (`AttributeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    S,
    N,
    B,
}

impl ScalarType {
    /// Reads `"S"`, `"N"` or `"B"`.
    pub fn parse(text: &str) -> Option<ScalarType> {
        Some(match text {
            "S" => ScalarType::S,
            "N" => ScalarType::N,
            "B" => ScalarType::B,
            _ => return None,
        })
    }

    /// The type as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// One key attribute's value. `Floor` is below every value and never
/// stored: it starts ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyValue {
    Floor,
    S(String),
    N(Decimal),
    B(Vec<u8>),
}

impl KeyValue {
    /// The key value of an attribute value of type `kind`, if it is one.
    pub fn of(value: &AttributeValue, kind: ScalarType) -> Option<KeyValue> {
        Some(match (value, kind) {
            (AttributeValue::S(s), ScalarType::S) => KeyValue::S(s.clone()),
            (AttributeValue::N(n), ScalarType::N) => KeyValue::N(number(n)),
            (AttributeValue::B(b), ScalarType::B) => KeyValue::B(b.clone()),
            _ => return None,
        })
    }

    /// Back to an attribute value.
    pub fn to_value(&self) -> AttributeValue {
        match self {
            KeyValue::S(s) => AttributeValue::S(s.clone()),
            KeyValue::N(n) => AttributeValue::N(n.to_text()),
            KeyValue::B(b) => AttributeValue::B(b.clone()),
            KeyValue::Floor => AttributeValue::Null,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            KeyValue::Floor => 0,
            KeyValue::S(_) => 1,
            KeyValue::N(_) => 2,
            KeyValue::B(_) => 3,
        }
    }

    /// A stable 64-bit hash (FNV-1a) of the value: the partition's place.
    pub fn bucket(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for &b in bytes {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(&[self.rank()]);
        match self {
            KeyValue::S(s) => feed(s.as_bytes()),
            KeyValue::N(n) => feed(n.to_text().as_bytes()),
            KeyValue::B(b) => feed(b),
            KeyValue::Floor => {}
        }
        hash
    }
}

impl Ord for KeyValue {
    fn cmp(&self, other: &KeyValue) -> Ordering {
        match (self, other) {
            (KeyValue::S(a), KeyValue::S(b)) => a.as_bytes().cmp(b.as_bytes()),
            (KeyValue::N(a), KeyValue::N(b)) => a.cmp(b),
            (KeyValue::B(a), KeyValue::B(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for KeyValue {
    fn partial_cmp(&self, other: &KeyValue) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Where a partition sits: its hash first, so partitions iterate in hash
/// order as a DynamoDB scan does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartitionKey {
    pub bucket: u64,
    pub value: KeyValue,
}

impl PartitionKey {
    /// The partition of `value`.
    pub fn new(value: KeyValue) -> Self {
        PartitionKey {
            bucket: value.bucket(),
            value,
        }
    }

    /// The first place at or after `bucket`.
    pub fn floor(bucket: u64) -> Self {
        PartitionKey {
            bucket,
            value: KeyValue::Floor,
        }
    }
}

/// A table's key of one item: partition and (when the table has one) sort.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrimaryKey {
    pub partition: PartitionKey,
    pub sort: Option<KeyValue>,
}

/// Key attribute names and types of a table or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySchema {
    pub hash: (String, ScalarType),
    pub range: Option<(String, ScalarType)>,
}

impl KeySchema {
    /// The key attribute names, partition first.
    pub fn names(&self) -> Vec<String> {
        let mut out = vec![self.hash.0.clone()];
        if let Some((name, _)) = &self.range {
            out.push(name.clone());
        }
        out
    }

    /// The key of `item` under this schema; `None` when an attribute is
    /// missing or of another type (an index leaves such items out).
    pub fn key_of(&self, item: &Item) -> Option<PrimaryKey> {
        let hash = KeyValue::of(item.get(&self.hash.0)?, self.hash.1)?;
        let sort = match &self.range {
            Some((name, kind)) => Some(KeyValue::of(item.get(name)?, *kind)?),
            None => None,
        };
        Some(PrimaryKey {
            partition: PartitionKey::new(hash),
            sort,
        })
    }

    /// The key attributes of `item` alone.
    pub fn key_item(&self, item: &Item) -> Item {
        self.names()
            .into_iter()
            .filter_map(|name| item.get(&name).map(|v| (name, v.clone())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(text: &str) -> KeyValue {
        KeyValue::N(Decimal::parse(text).unwrap())
    }

    #[test]
    fn keys_order_as_dynamodb_sorts_them() {
        assert!(n("-10") < n("-9.5"));
        assert!(n("9") < n("10"));
        assert!(KeyValue::S("Z".into()) < KeyValue::S("a".into()));
        assert!(KeyValue::S("é".into()) > KeyValue::S("z".into()));
        assert!(KeyValue::B(vec![1]) < KeyValue::B(vec![1, 0]));
        assert!(KeyValue::Floor < n("-1E+125"));
        assert_eq!(n("1.0").bucket(), n("1").bucket());
    }

    proptest! {
        /// The order of stored numeric keys is the order of their values, and
        /// of string keys the order of their UTF-8 bytes.
        #[test]
        fn stored_key_order_is_dynamodb_comparison(a in -1e12f64..1e12, b in -1e12f64..1e12, s in ".{0,6}", t in ".{0,6}") {
            let (ka, kb) = (n(&format!("{a}")), n(&format!("{b}")));
            prop_assert_eq!(ka.cmp(&kb), a.partial_cmp(&b).unwrap());
            let by_value = crate::memory::item::compare(&ka.to_value(), &kb.to_value()).unwrap();
            prop_assert_eq!(ka.cmp(&kb), by_value);
            prop_assert_eq!(KeyValue::S(s.clone()).cmp(&KeyValue::S(t.clone())), s.as_bytes().cmp(t.as_bytes()));
        }
    }
}
