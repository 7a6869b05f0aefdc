//! Batch keys (SPEC §7): canonical key encoding, dedupe, chunking, and
//! mapping returned items back to the order of the input keys.
//!
//! DynamoDB rejects a `BatchGetItem` request that names the same key twice and
//! takes at most 100 keys per request, so a batch get of any number of keys
//! is planned here: keys are deduplicated by their *canonical* encoding (in
//! which `{"N": "1"}`, `{"N": "1.0"}` and `{"N": "1E0"}` are the same key, as
//! they are in DynamoDB), cut into chunks, and the items that come back are
//! matched to the input positions by the canonical encoding of their key
//! attributes.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Display};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::error::{CoreError, CoreResult};
use crate::value::{wire, AttributeValue};

mod canonical_number;
mod plan;

pub use canonical_number::{canonical_number, write_canonical_number, NumberError};
pub use plan::KeyPlan;

/// A key or a whole item: attribute name → value.
pub type Key = BTreeMap<String, AttributeValue>;

/// The largest `Keys` list DynamoDB accepts in one `BatchGetItem` request.
pub const MAX_CHUNK_SIZE: usize = 100;

/// Checks a chunk size is within `1..=100`.
pub fn check_chunk_size(chunk_size: usize) -> CoreResult<usize> {
    if (1..=MAX_CHUNK_SIZE).contains(&chunk_size) {
        Ok(chunk_size)
    } else {
        Err(CoreError::validation(format!(
            "chunk_size must be between 1 and {MAX_CHUNK_SIZE}, got {chunk_size}"
        )))
    }
}

/// Names one entry of a list in error messages (`keys[3]`). It is formatted
/// only when an error is raised, so the happy path builds no label strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The list's name (`"keys"`, `"items"`, `"unprocessed"`).
    pub list: &'a str,
    /// The position in that list.
    pub index: usize,
}

impl Display for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.list, self.index)
    }
}

/// One key attribute value, borrowed from wherever the caller holds it (a
/// Rust [`AttributeValue`] or a Python object's payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyValue<'a> {
    /// A string.
    S(&'a str),
    /// A number, as spelled (canonicalised when encoded).
    N(&'a str),
    /// Binary.
    B(&'a [u8]),
}

impl KeyValue<'_> {
    /// Appends this value's part of a canonical key to `out`: a type tag, an
    /// 8-byte big-endian length and the bytes (numbers canonicalised). The
    /// schema fixes the number and order of parts, and the length prefix
    /// makes the concatenation unambiguous whatever bytes the values contain.
    pub fn encode_into(self, out: &mut Vec<u8>) -> Result<(), NumberError> {
        let (tag, bytes) = match self {
            KeyValue::S(s) => (b'S', s.as_bytes()),
            KeyValue::B(b) => (b'B', b),
            KeyValue::N(n) => {
                out.push(b'N');
                let length_at = out.len();
                out.extend_from_slice(&[0; 8]);
                write_canonical_number(n, out)?;
                let length = (out.len() - length_at - 8) as u64;
                out[length_at..length_at + 8].copy_from_slice(&length.to_be_bytes());
                return Ok(());
            }
        };
        out.push(tag);
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
        Ok(())
    }
}

/// Appends the canonical key part of one key attribute read from the wire
/// (binary as base64 text) to `out`, as [`KeyValue::encode_into`] would for
/// the decoded value. A value that cannot be a key attribute is refused.
pub fn key_part(av: &wire::Av<'_>, out: &mut Vec<u8>) -> CoreResult<()> {
    let encoded = match av {
        wire::Av::S(text) => KeyValue::S(text).encode_into(out),
        wire::Av::N(text) => KeyValue::N(text).encode_into(out),
        wire::Av::B(text) => {
            let bytes = BASE64.decode(text.as_bytes()).map_err(|err| {
                CoreError::validation(format!("key attribute: invalid base64: {err}"))
            })?;
            KeyValue::B(&bytes).encode_into(out)
        }
        _ => {
            return Err(CoreError::validation(
                "key attribute: not a string, number or binary",
            ))
        }
    };
    encoded.map_err(|err| CoreError::validation(format!("key attribute: {err:?}")))
}

/// The key attributes of a table or index: the partition key name and, when
/// the key is composite, the sort key name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySchema {
    attributes: Vec<String>,
}

/// A key reduced to bytes such that two keys DynamoDB considers equal have
/// equal encodings and any two different keys have different ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CanonicalKey(Vec<u8>);

impl CanonicalKey {
    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Wraps bytes built with [`KeyValue::encode_into`], one part per key
    /// attribute in schema order.
    pub fn from_encoded(bytes: Vec<u8>) -> Self {
        CanonicalKey(bytes)
    }
}

// Lets a plan look keys up by a reused byte buffer, allocating only for keys
// it keeps (`Vec<u8>` and `[u8]` hash alike, so the map stays consistent).
impl Borrow<[u8]> for CanonicalKey {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl KeySchema {
    /// A schema from the partition key name and an optional sort key name.
    pub fn new<S: AsRef<str>>(attributes: &[S]) -> CoreResult<Self> {
        let attributes: Vec<String> = attributes.iter().map(|a| a.as_ref().to_owned()).collect();
        if attributes.is_empty() || attributes.len() > 2 {
            return Err(CoreError::validation(format!(
                "key_attributes must name the partition key and optionally the sort key \
                 (1 or 2 names), got {}",
                attributes.len()
            )));
        }
        if let Some(empty) = attributes.iter().position(String::is_empty) {
            return Err(CoreError::validation(format!(
                "key_attributes[{empty}] is an empty attribute name"
            )));
        }
        if attributes.len() == 2 && attributes[0] == attributes[1] {
            return Err(CoreError::validation(format!(
                "key_attributes names {:?} twice",
                attributes[0]
            )));
        }
        Ok(KeySchema { attributes })
    }

    /// The key attribute names, partition key first.
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// The canonical encoding of a key, which must hold exactly the key
    /// attributes. `what` names the key in error messages (`"keys[3]"`).
    pub fn canonical_key(
        &self,
        key: &Key,
        what: &(impl Display + ?Sized),
    ) -> CoreResult<CanonicalKey> {
        if let Some(extra) = key.keys().find(|name| !self.attributes.contains(name)) {
            return Err(CoreError::validation(format!(
                "{what}: attribute {extra:?} is not a key attribute (expected {})",
                self.describe()
            )));
        }
        self.canonical_of_attributes(key, what)
    }

    /// The canonical encoding of the key attributes of an item (other
    /// attributes are ignored).
    pub fn canonical_item_key(
        &self,
        item: &Key,
        what: &(impl Display + ?Sized),
    ) -> CoreResult<CanonicalKey> {
        self.canonical_of_attributes(item, what)
    }

    /// The canonical encoding from one value per key attribute, in schema
    /// order. This is the primitive the other forms use; bindings that read
    /// only the key attributes out of a larger item call it directly.
    pub fn canonical_of_values(
        &self,
        values: &[&AttributeValue],
        what: &(impl Display + ?Sized),
    ) -> CoreResult<CanonicalKey> {
        if values.len() != self.attributes.len() {
            return Err(CoreError::validation(format!(
                "{what}: expected {} key values, got {}",
                self.attributes.len(),
                values.len()
            )));
        }
        let mut out = Vec::with_capacity(32);
        for (name, value) in self.attributes.iter().zip(values) {
            let value = match value {
                AttributeValue::S(s) => KeyValue::S(s),
                AttributeValue::N(n) => KeyValue::N(n),
                AttributeValue::B(b) => KeyValue::B(b),
                other => {
                    return Err(CoreError::validation(format!(
                        "{what}.{name}: a key attribute must be of type S, N or B, got {}",
                        other.type_tag()
                    )))
                }
            };
            value.encode_into(&mut out).map_err(|why| {
                let KeyValue::N(text) = value else {
                    unreachable!("only numbers fail to encode")
                };
                CoreError::validation(format!("{what}.{name}: {}", why.describe(text)))
            })?;
        }
        Ok(CanonicalKey(out))
    }

    fn canonical_of_attributes(
        &self,
        map: &Key,
        what: &(impl Display + ?Sized),
    ) -> CoreResult<CanonicalKey> {
        let values = self
            .attributes
            .iter()
            .map(|name| map.get(name).ok_or_else(|| self.missing(name, what)))
            .collect::<CoreResult<Vec<_>>>()?;
        self.canonical_of_values(&values, what)
    }

    fn missing(&self, name: &str, what: &(impl Display + ?Sized)) -> CoreError {
        CoreError::validation(format!(
            "{what}: key attribute {name:?} is missing (expected {})",
            self.describe()
        ))
    }

    fn describe(&self) -> String {
        match self.attributes.as_slice() {
            [pk] => format!("partition key {pk:?}"),
            [pk, sk] => format!("partition key {pk:?} and sort key {sk:?}"),
            _ => unreachable!("a schema has 1 or 2 attributes"),
        }
    }
}

/// The result of [`dedupe`]: `unique` lists the input position of the first
/// occurrence of each distinct key, in input order; `slot_of[i]` is the index
/// into `unique` of input key `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduped {
    pub unique: Vec<usize>,
    pub slot_of: Vec<usize>,
}

/// Deduplicates keys, first occurrence wins.
pub fn dedupe<K: std::hash::Hash + Eq>(keys: &[K]) -> Deduped {
    let mut seen: HashMap<&K, usize> = HashMap::with_capacity(keys.len());
    let mut unique = Vec::new();
    let slot_of = keys
        .iter()
        .enumerate()
        .map(|(position, key)| {
            *seen.entry(key).or_insert_with(|| {
                unique.push(position);
                unique.len() - 1
            })
        })
        .collect();
    Deduped { unique, slot_of }
}

/// Cuts `items` into consecutive chunks of at most `chunk_size` (1..=100),
/// keeping their order.
pub fn chunk<T: Clone>(items: &[T], chunk_size: usize) -> CoreResult<Vec<Vec<T>>> {
    let size = check_chunk_size(chunk_size)?;
    Ok(items.chunks(size).map(<[T]>::to_vec).collect())
}

#[cfg(test)]
mod tests;
