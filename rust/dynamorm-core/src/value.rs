//! A DynamoDB `AttributeValue` held in Rust, with its DynamoDB-JSON form.
//!
//! The bindings build Python objects directly on the hot paths; this type is
//! for the places where the core itself must look at values: expression
//! values, batch keys and cursors.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::{CoreError, CoreResult};

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
    /// The DynamoDB type tag (`"S"`, `"N"`, `"BOOL"`, ...).
    pub fn type_tag(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::L(_) => "L",
            AttributeValue::M(_) => "M",
            AttributeValue::SS(_) => "SS",
            AttributeValue::NS(_) => "NS",
            AttributeValue::BS(_) => "BS",
        }
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
