//! Cursor codec (SPEC §4), byte-compatible with DynamORM's Go and TypeScript
//! cursors, so a cursor can be handed between services.
//!
//! A cursor is `base64url` (RFC 4648 URL alphabet, with `=` padding) of the
//! compact JSON `{"lastKey":{...},"index":"...","sort":"ASC"}`: the keys in
//! exactly that order, `index` and `sort` left out when unset, `lastKey` in
//! DynamoDB JSON with its attributes sorted by name and binary as standard
//! base64 (as on the DynamoDB wire).
//!
//! One difference cannot be helped: Go's `encoding/json` escapes `<`, `>` and
//! `&` inside strings as `\u003c` and so on, TypeScript's `JSON.stringify`
//! does not. We write them as TypeScript does; both spellings decode here.

use std::collections::BTreeMap;

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE as B64URL};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::{Map, Value};

use crate::error::{CoreError, CoreResult};
use crate::keys::canonical_number;
use crate::value::{map_to_json, AttributeValue};

/// The sort direction a cursor was taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    /// Reads `"ASC"` or `"DESC"`, in any letter case (user input).
    pub fn parse(text: &str) -> CoreResult<Self> {
        if text.eq_ignore_ascii_case("ASC") {
            Ok(SortOrder::Asc)
        } else if text.eq_ignore_ascii_case("DESC") {
            Ok(SortOrder::Desc)
        } else {
            Err(CoreError::validation(format!(
                "sort must be \"ASC\" or \"DESC\", got {text:?}"
            )))
        }
    }

    /// `"ASC"` or `"DESC"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}

/// A decoded cursor: where a query stopped, on which index, in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// `LastEvaluatedKey` of the page the cursor was taken from.
    pub last_key: BTreeMap<String, AttributeValue>,
    /// The index queried, `None` for the base table.
    pub index: Option<String>,
    /// The sort direction, `None` when unset.
    pub sort: Option<SortOrder>,
}

/// Decoding accepts the padded form the Go and TypeScript libraries write,
/// and also the same text with its trailing `=` stripped, since cursors often
/// travel in URLs where padding gets dropped. Anything else (standard-alphabet
/// `+`/`/`, misplaced padding, non-zero trailing bits) is rejected, so a
/// cursor has exactly one accepted spelling besides the unpadded one.
const DECODER: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encodes a cursor. An empty `index` counts as unset and is left out, as
/// the Go (`omitempty`) and TypeScript libraries do.
pub fn encode(cursor: &Cursor) -> CoreResult<String> {
    check_last_key(&cursor.last_key, "last_key")?;
    let last_key = Value::Object(map_to_json(&cursor.last_key));
    // The object is written by hand: the field order is part of the format
    // and serde_json's map would sort it.
    let mut json = String::with_capacity(96);
    json.push_str("{\"lastKey\":");
    json.push_str(&last_key.to_string());
    if let Some(index) = cursor.index.as_deref().filter(|i| !i.is_empty()) {
        json.push_str(",\"index\":");
        json.push_str(&Value::String(index.to_owned()).to_string());
    }
    if let Some(sort) = cursor.sort {
        json.push_str(",\"sort\":\"");
        json.push_str(sort.as_str());
        json.push('"');
    }
    json.push('}');
    Ok(B64URL.encode(json))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    #[serde(rename = "lastKey")]
    last_key: Map<String, Value>,
    #[serde(default)]
    index: Option<String>,
    #[serde(default)]
    sort: Option<String>,
}

/// Decodes a cursor. Surrounding whitespace is ignored. Every way a cursor
/// can be malformed or tampered with is a `Validation` error saying what is
/// wrong; this never panics.
pub fn decode(text: &str) -> CoreResult<Cursor> {
    let bad = |why: String| CoreError::validation(format!("invalid cursor: {why}"));
    let text = text.trim_ascii();
    if text.is_empty() {
        return Err(bad("the cursor is empty".to_owned()));
    }
    let bytes = DECODER
        .decode(text)
        .map_err(|e| bad(format!("not base64url text ({e})")))?;
    let json = std::str::from_utf8(&bytes)
        .map_err(|_| bad("the decoded bytes are not UTF-8 text".to_owned()))?;
    // serde would also read a struct from a JSON array; a cursor is an object.
    if !json.trim_start().starts_with('{') {
        return Err(bad("expected a JSON object with \"lastKey\"".to_owned()));
    }
    // Read straight into the struct, not through a `Value`, so a duplicated
    // field is caught rather than silently resolved.
    let wire: Wire = serde_json::from_str(json).map_err(|e| match e.classify() {
        Category::Data => bad(format!("not a cursor object ({e})")),
        _ => bad(format!("the decoded text is not JSON ({e})")),
    })?;
    let last_key = wire
        .last_key
        .iter()
        .map(|(name, v)| {
            let av = AttributeValue::from_json(v, &format!("lastKey.{name}"))
                .map_err(|e| bad(e.to_string()))?;
            Ok((name.clone(), av))
        })
        .collect::<CoreResult<BTreeMap<_, _>>>()?;
    check_last_key(&last_key, "lastKey").map_err(|e| bad(e.to_string()))?;
    let sort = match wire.sort.as_deref() {
        None => None,
        Some("ASC") => Some(SortOrder::Asc),
        Some("DESC") => Some(SortOrder::Desc),
        // Cursors are written by programs, always in upper case; anything
        // else means the cursor was edited.
        Some(other) => {
            return Err(bad(format!(
                "sort must be \"ASC\" or \"DESC\", got {other:?}"
            )));
        }
    };
    Ok(Cursor {
        last_key,
        index: wire.index.filter(|i| !i.is_empty()),
        sort,
    })
}

/// A `LastEvaluatedKey` holds only key attributes, which are S, N or B; N
/// must be a number. Checked on both sides so a cursor that decodes is one
/// DynamoDB can take as `ExclusiveStartKey`.
fn check_last_key(last_key: &BTreeMap<String, AttributeValue>, what: &str) -> CoreResult<()> {
    if last_key.is_empty() {
        return Err(CoreError::validation(format!("{what} must not be empty")));
    }
    for (name, value) in last_key {
        match value {
            AttributeValue::S(_) | AttributeValue::B(_) => {}
            AttributeValue::N(n) => {
                canonical_number(n)
                    .map_err(|why| CoreError::validation(format!("{what}.{name}: {why}")))?;
            }
            other => {
                return Err(CoreError::validation(format!(
                    "{what}.{name}: a key attribute must be of type S, N or B, got {}",
                    other.type_tag()
                )))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
