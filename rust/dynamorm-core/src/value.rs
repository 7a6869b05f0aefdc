//! A DynamoDB `AttributeValue` held in Rust, with its DynamoDB-JSON form, and
//! the type tags every form of a value shares.
//!
//! The bindings build Python objects directly on the hot paths; this type is
//! for the places where the core itself must look at values: expression
//! values, batch keys and cursors. [`wire`] reads values straight out of a
//! response body without building this type.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::{CoreError, CoreResult};

pub mod wire;

/// A DynamoDB type tag. The variants are in the order item values most often
/// carry them (strings, numbers, maps and lists first): lookups that try tags
/// one by one try them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    S,
    N,
    M,
    L,
    Bool,
    Null,
    B,
    Ss,
    Ns,
    Bs,
}

impl Tag {
    /// Every tag, in the order of the variants (`Tag::ALL[t as usize] == t`).
    pub const ALL: [Tag; 10] = [
        Tag::S,
        Tag::N,
        Tag::M,
        Tag::L,
        Tag::Bool,
        Tag::Null,
        Tag::B,
        Tag::Ss,
        Tag::Ns,
        Tag::Bs,
    ];

    /// The tag as DynamoDB JSON spells it (`"S"`, `"BOOL"`, `"SS"`, ...).
    #[inline]
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::S => "S",
            Tag::N => "N",
            Tag::M => "M",
            Tag::L => "L",
            Tag::Bool => "BOOL",
            Tag::Null => "NULL",
            Tag::B => "B",
            Tag::Ss => "SS",
            Tag::Ns => "NS",
            Tag::Bs => "BS",
        }
    }

    /// The tag spelled `text`, if it is one (case-sensitive, as DynamoDB is).
    #[inline(always)]
    pub fn parse(text: &str) -> Option<Tag> {
        Some(match text {
            "S" => Tag::S,
            "N" => Tag::N,
            "M" => Tag::M,
            "L" => Tag::L,
            "BOOL" => Tag::Bool,
            "NULL" => Tag::Null,
            "B" => Tag::B,
            "SS" => Tag::Ss,
            "NS" => Tag::Ns,
            "BS" => Tag::Bs,
            _ => return None,
        })
    }
}

/// One DynamoDB attribute value. Numbers are kept as their decimal text, as on
/// the wire. Maps are ordered by key so every encoding is deterministic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttributeValue {
    S(String),
    N(String),
    B(Vec<u8>),
    Bool(bool),
    Null,
    L(Vec<AttributeValue>),
    M(BTreeMap<String, AttributeValue>),
    SS(Vec<String>),
    NS(Vec<String>),
    BS(Vec<Vec<u8>>),
}

impl AttributeValue {
    /// The value's type tag.
    pub fn tag(&self) -> Tag {
        match self {
            AttributeValue::S(_) => Tag::S,
            AttributeValue::N(_) => Tag::N,
            AttributeValue::B(_) => Tag::B,
            AttributeValue::Bool(_) => Tag::Bool,
            AttributeValue::Null => Tag::Null,
            AttributeValue::L(_) => Tag::L,
            AttributeValue::M(_) => Tag::M,
            AttributeValue::SS(_) => Tag::Ss,
            AttributeValue::NS(_) => Tag::Ns,
            AttributeValue::BS(_) => Tag::Bs,
        }
    }

    /// The DynamoDB type tag as text (`"S"`, `"N"`, `"BOOL"`, ...).
    pub fn type_tag(&self) -> &'static str {
        self.tag().as_str()
    }

    /// DynamoDB JSON as the wire protocol has it: `{"S": "x"}`, binary as
    /// standard base64, numbers as strings.
    pub fn to_json(&self) -> Value {
        let inner = match self {
            AttributeValue::S(s) | AttributeValue::N(s) => Value::String(s.clone()),
            AttributeValue::B(b) => Value::String(BASE64.encode(b)),
            AttributeValue::Bool(b) => Value::Bool(*b),
            AttributeValue::Null => Value::Bool(true),
            AttributeValue::L(items) => Value::Array(items.iter().map(Self::to_json).collect()),
            AttributeValue::M(map) => Value::Object(map_to_json(map)),
            AttributeValue::SS(items) | AttributeValue::NS(items) => {
                Value::Array(items.iter().cloned().map(Value::String).collect())
            }
            AttributeValue::BS(items) => Value::Array(
                items
                    .iter()
                    .map(|b| Value::String(BASE64.encode(b)))
                    .collect(),
            ),
        };
        let mut outer = Map::with_capacity(1);
        outer.insert(self.type_tag().to_owned(), inner);
        Value::Object(outer)
    }

    /// Reads DynamoDB JSON. `context` names where the value came from, for
    /// the error message.
    pub fn from_json(value: &Value, context: &str) -> CoreResult<Self> {
        let bad = |why: &str| CoreError::validation(format!("{context}: {why}"));
        let obj = value
            .as_object()
            .ok_or_else(|| bad("expected an attribute value object like {\"S\": ...}"))?;
        if obj.len() != 1 {
            return Err(bad("an attribute value must have exactly one type key"));
        }
        let (tag, inner) = obj.iter().next().expect("one entry");
        let string = |v: &Value| -> CoreResult<String> {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("{tag} value must be a string")))
        };
        let bytes = |v: &Value| -> CoreResult<Vec<u8>> {
            let s = v
                .as_str()
                .ok_or_else(|| bad(&format!("{tag} value must be a base64 string")))?;
            BASE64
                .decode(s)
                .map_err(|_| bad(&format!("{tag} value is not valid base64")))
        };
        let array = |v: &Value| -> CoreResult<Vec<Value>> {
            v.as_array()
                .cloned()
                .ok_or_else(|| bad(&format!("{tag} value must be a list")))
        };
        Ok(match tag.as_str() {
            "S" => AttributeValue::S(string(inner)?),
            "N" => AttributeValue::N(string(inner)?),
            "B" => AttributeValue::B(bytes(inner)?),
            "BOOL" => AttributeValue::Bool(
                inner
                    .as_bool()
                    .ok_or_else(|| bad("BOOL value must be true or false"))?,
            ),
            "NULL" => match inner {
                Value::Bool(true) => AttributeValue::Null,
                _ => return Err(bad("NULL value must be true")),
            },
            "L" => AttributeValue::L(
                array(inner)?
                    .iter()
                    .map(|v| Self::from_json(v, context))
                    .collect::<CoreResult<_>>()?,
            ),
            "M" => {
                let map = inner
                    .as_object()
                    .ok_or_else(|| bad("M value must be an object"))?;
                AttributeValue::M(map_from_json(map, context)?)
            }
            "SS" => AttributeValue::SS(
                array(inner)?
                    .iter()
                    .map(string)
                    .collect::<CoreResult<_>>()?,
            ),
            "NS" => AttributeValue::NS(
                array(inner)?
                    .iter()
                    .map(string)
                    .collect::<CoreResult<_>>()?,
            ),
            "BS" => AttributeValue::BS(array(inner)?.iter().map(bytes).collect::<CoreResult<_>>()?),
            other => return Err(bad(&format!("unknown attribute value type {other:?}"))),
        })
    }
}

/// A whole item or key as DynamoDB JSON: `{"PK": {"S": "x"}, ...}`.
pub fn map_to_json(map: &BTreeMap<String, AttributeValue>) -> Map<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()
}

/// Reads a whole item or key from DynamoDB JSON.
pub fn map_from_json(
    map: &Map<String, Value>,
    context: &str,
) -> CoreResult<BTreeMap<String, AttributeValue>> {
    map.iter()
        .map(|(k, v)| {
            Ok((
                k.clone(),
                AttributeValue::from_json(v, &format!("{context}.{k}"))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_every_type() {
        let mut m = BTreeMap::new();
        m.insert("b".to_owned(), AttributeValue::B(vec![0, 255, 7]));
        m.insert("n".to_owned(), AttributeValue::N("-1.5E+3".to_owned()));
        let v = AttributeValue::L(vec![
            AttributeValue::S("x".into()),
            AttributeValue::Bool(false),
            AttributeValue::Null,
            AttributeValue::M(m),
            AttributeValue::SS(vec!["a".into()]),
            AttributeValue::NS(vec!["1".into()]),
            AttributeValue::BS(vec![vec![1]]),
        ]);
        let back = AttributeValue::from_json(&v.to_json(), "value").unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn every_tag_reads_back_from_its_text_and_sits_at_its_index() {
        for (index, tag) in Tag::ALL.into_iter().enumerate() {
            assert_eq!(Tag::parse(tag.as_str()), Some(tag));
            assert_eq!(tag as usize, index);
        }
        assert_eq!(Tag::parse("s"), None);
        assert_eq!(Tag::parse("STRING"), None);
    }

    #[test]
    fn malformed_json_is_a_validation_error() {
        let cases = [
            r#"{"S": 1}"#,
            r#"{"X": "a"}"#,
            r#"{"S": "a", "N": "1"}"#,
            r#"{"B": "***"}"#,
            r#"{"NULL": false}"#,
            r#"[1]"#,
        ];
        for case in cases {
            let v: Value = serde_json::from_str(case).unwrap();
            assert!(
                matches!(
                    AttributeValue::from_json(&v, "k"),
                    Err(CoreError::Validation(_))
                ),
                "{case}"
            );
        }
    }
}
