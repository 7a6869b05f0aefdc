//! Items as the store holds them: attribute values read from a request and
//! checked as DynamoDB checks them (numbers normalised, sets non-empty and
//! without duplicates), compared as DynamoDB compares them, sized as DynamoDB
//! bills them, and written back as DynamoDB JSON.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::decimal::{normalise, Decimal};
use super::error::{ApiError, ApiResult};
use crate::number::MAX_DEPTH;
use crate::value::AttributeValue;

/// An item: attribute name → value.
pub type Item = BTreeMap<String, AttributeValue>;

/// DynamoDB's largest item, in bytes of names and values.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Reads one attribute value from request JSON and checks it. `what` names
/// the value in messages.
pub fn read_value(json: &Value) -> ApiResult<AttributeValue> {
    let value = AttributeValue::from_json(json, "value").map_err(|err| {
        ApiError::validation(format!("Supplied AttributeValue is invalid: {err}"))
    })?;
    checked(value, 0)
}

/// Reads an item (or a key) from request JSON and checks each value.
pub fn read_item(json: &Value, what: &str) -> ApiResult<Item> {
    let Some(map) = json.as_object() else {
        return Err(ApiError::validation(format!(
            "Invalid type for parameter {what}: expected a map of attribute values"
        )));
    };
    read_map(map)
}

/// Reads a map of attribute values (an item, a key, `ExpressionAttributeValues`).
pub fn read_map(map: &Map<String, Value>) -> ApiResult<Item> {
    map.iter()
        .map(|(name, json)| Ok((name.clone(), read_value(json)?)))
        .collect()
}

/// Normalises numbers and checks sets and nesting depth, recursively.
fn checked(value: AttributeValue, depth: usize) -> ApiResult<AttributeValue> {
    if depth > MAX_DEPTH {
        return Err(ApiError::validation(
            "Nesting Levels have exceeded supported limits",
        ));
    }
    Ok(match value {
        AttributeValue::N(text) => AttributeValue::N(normalise(&text)?),
        AttributeValue::NS(items) => {
            let items = items
                .iter()
                .map(|t| normalise(t))
                .collect::<ApiResult<Vec<_>>>()?;
            AttributeValue::NS(distinct(items, "number")?)
        }
        AttributeValue::SS(items) => AttributeValue::SS(distinct(items, "string")?),
        AttributeValue::BS(items) => AttributeValue::BS(distinct(items, "binary")?),
        AttributeValue::L(items) => AttributeValue::L(
            items
                .into_iter()
                .map(|v| checked(v, depth + 1))
                .collect::<ApiResult<_>>()?,
        ),
        AttributeValue::M(map) => AttributeValue::M(
            map.into_iter()
                .map(|(k, v)| Ok((k, checked(v, depth + 1)?)))
                .collect::<ApiResult<_>>()?,
        ),
        other => other,
    })
}

/// A set's members, refused when empty or holding a member twice.
fn distinct<T: Ord + Clone + std::fmt::Debug>(items: Vec<T>, kind: &str) -> ApiResult<Vec<T>> {
    if items.is_empty() {
        return Err(ApiError::invalid(format!(
            "An {kind} set  may not be empty"
        )));
    }
    let mut sorted = items.clone();
    sorted.sort();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(ApiError::invalid("Input collection contains duplicates"));
    }
    Ok(items)
}

/// The order of two scalars of the same type (N by value, S by UTF-8 bytes,
/// B by bytes); `None` for any other pair, which no ordering comparison holds
/// for.
pub fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.cmp(y)),
        (AttributeValue::N(x), AttributeValue::N(y)) => Some(number(x).cmp(&number(y))),
        _ => None,
    }
}

/// A stored number's value; stored numbers were checked when written.
pub fn number(text: &str) -> Decimal {
    Decimal::parse(text).unwrap_or_else(|_| Decimal::zero())
}

/// DynamoDB's equality: same type, numbers by value, sets as sets, lists and
/// maps member by member.
pub fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::N(x), AttributeValue::N(y)) => x == y || number(x) == number(y),
        (AttributeValue::SS(x), AttributeValue::SS(y)) => same_members(x, y, |p, q| p == q),
        (AttributeValue::BS(x), AttributeValue::BS(y)) => same_members(x, y, |p, q| p == q),
        (AttributeValue::NS(x), AttributeValue::NS(y)) => {
            same_members(x, y, |p, q| number(p) == number(q))
        }
        (AttributeValue::L(x), AttributeValue::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (AttributeValue::M(x), AttributeValue::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && equal(vx, vy))
        }
        _ => a == b,
    }
}

fn same_members<T>(x: &[T], y: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| eq(p, q)))
}

/// The size DynamoDB bills for an item: each attribute's name and value.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// The size of one value: strings and binaries their bytes, numbers about
/// one byte per two significant digits plus one, booleans and nulls one
/// byte, sets their members, lists and maps three bytes plus one per member
/// plus the members (and, for maps, their names).
pub fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::Bool(_) | AttributeValue::Null => 1,
        AttributeValue::SS(items) => items.iter().map(String::len).sum(),
        AttributeValue::BS(items) => items.iter().map(Vec::len).sum(),
        AttributeValue::NS(items) => items.iter().map(|n| number_size(n)).sum(),
        AttributeValue::L(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
    }
}

fn number_size(text: &str) -> usize {
    number(text).significant_digits().div_ceil(2) + 1
}

/// Refuses an item over DynamoDB's 400 KB limit.
pub fn check_item_size(item: &Item) -> ApiResult<()> {
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(ApiError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(())
}

/// An attribute value written as DynamoDB JSON, without building a
/// `serde_json::Value` first (answers hold thousands of them).
pub struct Wire<'a>(pub &'a AttributeValue);

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        let tag = self.0.type_tag();
        match self.0 {
            AttributeValue::S(text) | AttributeValue::N(text) => map.serialize_entry(tag, text)?,
            AttributeValue::B(bytes) => map.serialize_entry(tag, &BASE64.encode(bytes))?,
            AttributeValue::Bool(b) => map.serialize_entry(tag, b)?,
            AttributeValue::Null => map.serialize_entry(tag, &true)?,
            AttributeValue::L(items) => map.serialize_entry(tag, &WireList(items))?,
            AttributeValue::M(members) => map.serialize_entry(tag, &WireItem(members))?,
            AttributeValue::SS(items) | AttributeValue::NS(items) => {
                map.serialize_entry(tag, items)?
            }
            AttributeValue::BS(items) => {
                let texts: Vec<String> = items.iter().map(|b| BASE64.encode(b)).collect();
                map.serialize_entry(tag, &texts)?
            }
        }
        map.end()
    }
}

struct WireList<'a>(&'a [AttributeValue]);

impl Serialize for WireList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for value in self.0 {
            seq.serialize_element(&Wire(value))?;
        }
        seq.end()
    }
}

/// An item (or key) written as DynamoDB JSON.
pub struct WireItem<'a>(pub &'a Item);

impl Serialize for WireItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &Wire(value))?;
        }
        map.end()
    }
}

/// An item as a JSON value, for the smaller answers built as values.
pub fn item_json(item: &Item) -> Value {
    serde_json::to_value(WireItem(item)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn av(json: Value) -> AttributeValue {
        read_value(&json).unwrap()
    }

    #[test]
    fn numbers_are_stored_in_the_plain_form_dynamodb_answers_with() {
        assert_eq!(av(json!({"N": "01.50"})), AttributeValue::N("1.5".into()));
        assert_eq!(
            av(json!({"NS": ["1E2", "2.0"]})),
            AttributeValue::NS(vec!["100".into(), "2".into()])
        );
        assert_eq!(
            av(json!({"M": {"a": {"L": [{"N": "-0"}]}}})),
            AttributeValue::M(BTreeMap::from([(
                "a".to_owned(),
                AttributeValue::L(vec![AttributeValue::N("0".into())])
            )]))
        );
    }

    #[test]
    fn empty_sets_and_sets_with_duplicates_are_refused() {
        for bad in [
            json!({"SS": []}),
            json!({"SS": ["a", "a"]}),
            json!({"NS": ["1", "1.0"]}),
            json!({"N": "x"}),
            json!({"S": 1}),
        ] {
            let err = read_value(&bad).unwrap_err();
            assert_eq!(err.code, "ValidationException", "{bad}");
        }
    }

    #[test]
    fn equality_is_by_value_and_sets_ignore_order() {
        assert!(equal(
            &av(json!({"SS": ["a", "b"]})),
            &av(json!({"SS": ["b", "a"]}))
        ));
        assert!(!equal(
            &av(json!({"SS": ["a"]})),
            &av(json!({"SS": ["a", "b"]}))
        ));
        assert!(!equal(&av(json!({"S": "1"})), &av(json!({"N": "1"}))));
        assert!(equal(
            &av(json!({"M": {"x": {"NS": ["1", "2"]}}})),
            &av(json!({"M": {"x": {"NS": ["2", "1"]}}}))
        ));
    }

    #[test]
    fn only_scalars_of_one_type_have_an_order() {
        let cmp = |a, b| compare(&av(a), &av(b));
        assert_eq!(
            cmp(json!({"N": "10"}), json!({"N": "9"})),
            Some(Ordering::Greater)
        );
        assert_eq!(
            cmp(json!({"S": "B"}), json!({"S": "a"})),
            Some(Ordering::Less)
        );
        assert_eq!(cmp(json!({"S": "1"}), json!({"N": "1"})), None);
        assert_eq!(cmp(json!({"BOOL": true}), json!({"BOOL": true})), None);
    }

    #[test]
    fn sizes_count_names_and_values_as_dynamodb_does() {
        let item = read_item(
            &json!({"pk": {"S": "abc"}, "n": {"N": "12345"}, "l": {"L": [{"BOOL": true}]}}),
            "Item",
        )
        .unwrap();
        // pk: 2 + 3; n: 1 + (3 + 1); l: 1 + 3 + (1 + 1)
        assert_eq!(item_size(&item), 5 + 5 + 6);
    }

    #[test]
    fn wire_output_reads_back_as_the_same_item() {
        let json =
            json!({"b": {"B": "AAE="}, "s": {"SS": ["x"]}, "m": {"M": {"z": {"NULL": true}}}});
        let item = read_item(&json, "Item").unwrap();
        assert_eq!(item_json(&item), json);
    }
}
